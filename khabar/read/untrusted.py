"""Guards for untrusted input: a file's name shown on one line, JSON parsed with a depth bound, only
regular files opened (a FIFO or a device would block or never end).

>>> display_name("odd\\udcff.txt"), display_name("two\\nlines.txt")
('odd\\\\xff.txt', 'two\\\\nlines.txt')
>>> loads(b"[" * 100_000)
Traceback (most recent call last):
...
ValueError: JSON nested deeper than 100 levels
"""

from __future__ import annotations

import json
import os
import re
import stat
from itertools import accumulate
from pathlib import Path
from typing import Any, BinaryIO

__all__ = ["MAX_JSON_DEPTH", "NotRegularFile", "display_name", "loads", "open_regular", "text_safe"]

# An article record is an object of strings (depth 1); 100 leaves room for nested metadata and stays
# well below the depth at which the json module runs out of stack (RecursionError near 1,000).
MAX_JSON_DEPTH = 100
# A JSON string, possessive so a 20 MB line is one linear pass with no backtracking state.
_JSON_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.S)
_DEPTH = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def display_name(name: str) -> str:
    """``name`` as one printable line: bytes that were not UTF-8 (kept by the OS layer as surrogate
    escapes) as ``\\xNN``, control and other non-printable characters escaped (``\\n``, ``\\x1b``)."""
    if name.isprintable():
        return name
    out = []
    for ch in name:
        if ch.isprintable():
            out.append(ch)
        elif "\udc80" <= ch <= "\udcff":  # os.fsdecode's escape of one undecodable byte
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    return "".join(out)


def text_safe(text: str) -> str:
    """``text`` with lone surrogates (JSON ``"\\ud800"``, which UTF-8 cannot store) as U+FFFD, one for
    one so that offsets into it stay valid."""
    if text.isascii():
        return text
    return _LONE_SURROGATE.sub("\ufffd", text)


def loads(data: bytes | str) -> Any:
    """``json.loads`` that refuses nesting deeper than :data:`MAX_JSON_DEPTH` with a ``ValueError``,
    checked before parsing (cheap: only a line with that many brackets is scanned at all)."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH:
        brackets = _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
        if b"[" * (MAX_JSON_DEPTH + 1) in brackets or (  # the usual attack, found at C speed
            brackets and max(accumulate(map(_DEPTH.__getitem__, brackets))) > MAX_JSON_DEPTH
        ):
            raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(data)
    except RecursionError as e:  # the bound above should make this unreachable; never let it escape
        raise ValueError("JSON nested too deeply") from e


_NOT_BRACKETS = bytes(b for b in range(256) if b not in _DEPTH)


class NotRegularFile(OSError):
    """The path is a FIFO, a device or a socket: reading it could block forever or never end."""


def open_regular(path: str | Path) -> BinaryIO:
    """Open ``path`` for binary reading only if it is a regular file, else raise :class:`NotRegularFile`.

    Opened non-blocking, so a FIFO without a writer cannot hang the open itself, and checked on the
    open descriptor, so the file cannot be swapped between the check and the read.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(f"not a regular file ({_KINDS.get(stat.S_IFMT(mode), 'special file')})")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


_KINDS = {
    stat.S_IFIFO: "named pipe",
    stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device",
    stat.S_IFSOCK: "socket",
    stat.S_IFDIR: "directory",
}
