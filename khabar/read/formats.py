"""Readers: files, folders, globs or stdin → :class:`~khabar.types.Document` (or :class:`ReadError`).

Formats, by extension first, then by sniffing the content:

* plain text (``.txt`` or unknown text): first non-empty line = title, the rest = body;
* HTML (``.html``/``.htm`` or content starting ``<!doctype``/``<html``): main text and metadata by
  trafilatura, tuned for recall so that no paragraph of the article is lost;
* JSONL (``.jsonl``/``.ndjson``): one article per line with ``text`` and optional ``url title
  published source lang id author``;
* WARC (``.warc``, ``.warc.gz``): HTML ``response``/``resource`` records, via warcio.

Bad input never raises: it yields ``ReadError(path, error)`` and reading goes on. ``path`` is
``file:LINE`` for a JSONL line and ``file#N`` for the N-th WARC record (1-based), as is
``Document.origin``. The size limit (20 MB) holds per file for text and HTML, and per line or record
for JSONL and WARC, which are streamed.

The outlet (``source``) is the record's own ``source`` (JSONL) if any, else the URL's host without
``www.``, else the ``source=`` argument, else a ``sources.json`` beside the file (``{"file name":
{"source", "url", "published"}}``, whose fields also fill missing ones), else the HTML site name.
"""

from __future__ import annotations

import glob
import io
import json
import os
import re
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from khabar.read.decode import DecodeError, decode, unescape
from khabar.read.pagetime import published_time
from khabar.read.truncation import cut_reason, missing_bytes, watch_gzip_end
from khabar.read.untrusted import NotRegularFile, display_name, loads, open_regular, text_safe
from khabar.text.dates import iso_date
from khabar.types import Document, ReadError

__all__ = ["MAX_BYTES", "iso_date", "read", "read_page"]

MAX_BYTES = 20 * 1024 * 1024
STDIN = "<stdin>"
SIDECAR = "sources.json"
_SNIFF = 65536
# What the format readers hand on: a document with its site name (a last-resort outlet), or an error.
_Found = tuple[Document, str | None] | ReadError
_EXT = {
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".warc": "warc",
    ".arc": "warc",
}
# Possessive spaces (\s*+): with two plain \s* around the optional quote, a run of n spaces splits n
# ways, quadratic on a hostile page (tests/read/test_hostile.py times every regex of the readers).
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*+=\s*+["']?\s*+([A-Za-z0-9_.:-]{2,40})""", re.I)
_HTML_START = re.compile(
    r"\s*(?:<\?xml[^>]*>\s*)?(?:<!--(?>.*?-->)\s*)*<(?:!doctype\s+html|html[\s>])", re.I | re.S
)  # a comment ends at its first --> (atomic): k comments could otherwise be grouped 2^k ways
# Sidecar fields that fill a Document's empty ones.
_SIDECAR_FIELDS = ("url", "published", "lang", "author", "title")
def read(
    inputs: str | Path | Iterable[str | Path],
    *,
    source: str | None = None,
    stdin: BinaryIO | None = None,
) -> Iterator[Document | ReadError]:
    """Yield one :class:`Document` per article found in ``inputs``, or a :class:`ReadError` per bad input.

    ``inputs``: files, folders (recursive, sorted, hidden files and ``sources.json`` skipped), glob
    patterns, or ``"-"`` for ``stdin`` (default ``sys.stdin.buffer``). ``source`` is the outlet to
    use where a document has no URL.
    """
    items = [inputs] if isinstance(inputs, str | Path) else list(inputs)
    ctx = _Context(source=source)
    for item in items:
        if isinstance(item, str) and item == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield from _guard(_read_stream(stream, STDIN, None, None, ctx), STDIN)
            continue
        for path in _expand(item):
            if isinstance(path, ReadError):
                yield path
            else:
                yield from _guard(_read_file(path, ctx), display_name(str(path)))


# --- inputs --------------------------------------------------------------------------------------


@dataclass
class _Context:
    source: str | None
    sidecars: dict[Path, dict[str, Any]] = field(default_factory=dict)

    def sidecar(self, path: Path) -> tuple[dict[str, Any], ReadError | None]:
        """The ``sources.json`` entry for ``path`` and, the first time only, an error if that file is bad."""
        folder = path.parent
        if folder not in self.sidecars:
            self.sidecars[folder], error = _load_sidecar(folder / SIDECAR)
        else:
            error = None
        entry = self.sidecars[folder].get(path.name)
        return (entry if isinstance(entry, dict) else {}), error


def _load_sidecar(path: Path) -> tuple[dict[str, Any], ReadError | None]:
    if not path.is_file():
        return {}, None
    try:
        data = loads(decode(path.read_bytes(), display_name(str(path))))
    except (OSError, ValueError) as e:
        return {}, ReadError(display_name(str(path)), f"malformed {SIDECAR}: {display_name(str(e))}")
    if not isinstance(data, dict):
        return {}, ReadError(display_name(str(path)), f"malformed {SIDECAR}: not an object of file names")
    return data, None


def _expand(item: str | Path) -> Iterator[Path | ReadError]:
    path = Path(item)
    if path.is_dir():
        yield from _walk(path)
    elif path.exists():
        yield path
    elif isinstance(item, str) and any(c in item for c in "*?["):
        matches = sorted(glob.glob(item, recursive=True))
        if not matches:
            yield ReadError(display_name(item), "no files match this pattern")
        for m in matches:
            p = Path(m)
            if p.is_dir():
                yield from _walk(p)
            elif p.name != SIDECAR:
                yield p
    else:
        yield ReadError(display_name(str(item)), "no such file or directory")


def _walk(root: Path) -> Iterator[Path]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and name != SIDECAR:
                yield Path(folder, name)


def _guard(docs: Iterator[Document | ReadError], name: str) -> Iterator[Document | ReadError]:
    """Turn any unexpected exception from one input into a ReadError, so one bad file stops only itself."""
    try:
        yield from docs
    except Exception as e:  # noqa: BLE001 - the reader's promise is to never raise for bad input
        yield ReadError(name, _brief(e))


def _kind_by_name(name: str) -> str | None:
    lower = name.lower()
    if lower.endswith((".warc.gz", ".arc.gz")):
        return "warc"
    return _EXT.get(os.path.splitext(lower)[1])


def _read_file(path: Path, ctx: _Context) -> Iterator[Document | ReadError]:
    name = display_name(str(path))  # one printable line, also as Document.origin and in the store
    meta, error = ctx.sidecar(path)
    if error:
        yield error
    try:
        with open_regular(path) as fh:
            size = os.fstat(fh.fileno()).st_size
            yield from _read_stream(fh, name, _kind_by_name(path.name), size, ctx, meta)
    except NotRegularFile as e:  # a FIFO would block forever, a device never end
        yield ReadError(name, f"skipped: {e}")
    except OSError as e:  # unreadable (permissions, a vanished file, I/O error)
        yield ReadError(name, f"cannot read: {e.strerror or e}")


def _read_stream(
    stream: BinaryIO,
    name: str,
    kind: str | None,
    size: int | None,
    ctx: _Context,
    meta: dict[str, Any] | None = None,
) -> Iterator[Document | ReadError]:
    # peek() needs a buffered reader; sys.stdin.buffer and open(…, "rb") already are one
    fh = stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(stream, _SNIFF)  # type: ignore
    head = fh.peek(_SNIFF)[:_SNIFF]
    if size is None and not head:
        size = 0
    if size == 0 or (not head.strip() and len(head) == size):
        yield ReadError(name, "empty file")
        return
    kind = kind or _sniff(head)
    if kind == "jsonl":
        docs: Iterator[_Found | Document] = _read_jsonl(fh, name)
    elif kind == "warc":
        docs = _read_warc(fh, name)
    else:
        data = b"" if size is not None and size > MAX_BYTES else fh.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES or (size is not None and size > MAX_BYTES):
            mb = max(len(data), size or 0) / 1024 / 1024
            yield ReadError(name, f"file too large ({mb:.1f} MB > {MAX_BYTES // 1024 // 1024} MB)")
            return
        docs = _read_single(data, name, kind)
    for found in docs:
        if isinstance(found, ReadError):
            yield found
        else:
            doc, sitename = (found, None) if isinstance(found, Document) else found
            _finish(doc, ctx.source, meta or {}, sitename)
            yield doc


def _sniff(head: bytes) -> str | None:
    """Container formats from the first bytes; None means read it whole and look at the text."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"WARC/"):
        return "warc"
    if start.startswith(b"\x1f\x8b"):
        try:
            if zlib.decompressobj(31).decompress(start, 16).startswith(b"WARC/"):
                return "warc"
        except zlib.error:
            pass
        return None
    if start.startswith(b"{"):
        first, newline, _ = start.partition(b"\n")
        if not newline and start.startswith(b'{"'):
            return "jsonl"  # first line longer than the sniffed head
        try:
            if isinstance(loads(first), dict):
                return "jsonl"
        except ValueError:
            pass
    return None


# --- formats -------------------------------------------------------------------------------------


def _meta_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a ``<meta>`` tag near its start, if any."""
    m = _META_CHARSET.search(data[:_SNIFF])
    return m.group(1).decode("ascii") if m else None


def _read_single(data: bytes, name: str, kind: str | None) -> Iterator[_Found]:
    """A whole text or HTML file (kind None: decide from the decoded text)."""
    declared = None
    if kind in (None, "html"):
        declared = _meta_charset(data)
    try:
        text = decode(data, name, declared)
    except DecodeError as e:
        yield ReadError(name, _reason(e, name))
        return
    if not text.strip():
        yield ReadError(name, "empty file")
        return
    if kind == "html" or (kind is None and _HTML_START.match(text[:4096])):
        yield _html_doc(text, None, name)
    else:
        yield _text_doc(text, name)


def _text_doc(text: str, name: str) -> _Found:
    text = _newlines(unescape(text))
    m = re.search(r"\S[^\n]*", text)
    if m is None:
        return ReadError(name, "empty file")
    body = text[m.end() + 1 :]
    if not body.strip():
        return ReadError(name, "no body text after the title line")
    return Document(text=body, title=m.group().strip(), origin=name), None


def _html_doc(html: str, url: str | None, name: str) -> _Found:
    """Main text and metadata of one page; the site name rides along as the last-resort outlet."""
    import trafilatura  # here, not at the top: a quarter second of start-up that text and JSONL never need

    try:
        res = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            favor_recall=True,  # losing an article paragraph is worse than keeping a stray line
            include_comments=False,
            include_tables=True,
            deduplicate=False,
            # no guessing from the page text: a footer's "© 2018" is not the publication date
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as e:  # noqa: BLE001 - trafilatura/lxml raise many kinds on broken markup
        return ReadError(name, f"HTML extraction failed: {_brief(e)}")
    text = (getattr(res, "text", None) or "") if res is not None else ""
    if not text.strip():
        return ReadError(name, "no article text found in the HTML")
    doc = Document(
        text=_newlines(text),
        title=" ".join((res.title or "").split()),
        url=url or res.url or None,
        # the markup's own time first: trafilatura's date drops the time of day and the zone
        published=published_time(html) or iso_date(res.date),
        author=res.author or None,
        origin=name,
    )
    return doc, res.sitename or None


def _read_jsonl(fh: Iterable[bytes], name: str) -> Iterator[Document | ReadError]:
    """One Document per JSONL line (``fh`` may be any iterable of byte lines); errors per line."""
    for lineno, raw in enumerate(fh, 1):
        where = f"{name}:{lineno}"
        if not raw.strip():
            continue
        if len(raw) > MAX_BYTES:
            yield ReadError(where, f"line too large ({len(raw) / 1024 / 1024:.1f} MB > 20 MB)")
            continue
        try:
            rec = loads(decode(raw, where))
        except DecodeError as e:
            yield ReadError(where, _reason(e, where))
            continue
        except json.JSONDecodeError as e:
            yield ReadError(where, f"malformed JSON: {e.msg} (column {e.colno})")
            continue
        except ValueError as e:  # nested too deeply: refused before parsing
            yield ReadError(where, f"malformed JSON: {e}")
            continue
        if not isinstance(rec, dict):
            yield ReadError(where, "not a JSON object")
            continue
        text = rec.get("text")
        if not isinstance(text, str) or not text.strip():
            yield ReadError(where, "missing text")
            continue
        yield Document(
            text=_newlines(unescape(text_safe(text))),
            title=" ".join(unescape(_str(rec.get("title")) or "").split()),
            url=_str(rec.get("url")),
            source=_str(rec.get("source")),
            published=iso_date(_str(rec.get("published") or rec.get("date"))),
            lang=_str(rec.get("lang")),
            input_id=_str(rec.get("id")),
            author=_str(rec.get("author")),
            origin=where,
        )


def _read_warc(fh: BinaryIO, name: str) -> Iterator[_Found]:
    from warcio.archiveiterator import ArchiveIterator  # only WARC input needs it (start-up time)

    archive = ArchiveIterator(fh)
    records = iter(archive)
    gzip_cut = watch_gzip_end(archive)
    n = found = 0
    last: tuple[Any, str] | None = None  # the record before this one, not reported cut yet
    while True:
        n += 1
        where = f"{name}#{n}"
        try:
            record = next(records)  # reads the rest of the record before: only now can it be cut
        except StopIteration:
            if last is not None and missing_bytes(last[0]):
                yield ReadError(last[1], cut_reason(last[0]))
            elif getattr(archive, "next_line", None):  # a record began, its headers did not end
                yield ReadError(where, "truncated WARC record: the file ends inside its headers")
            elif gzip_cut():  # the records read are whole, but the file was cut after them
                yield ReadError(name, f"truncated WARC file: its gzip stream is cut after record #{n - 1}")
            elif not found:
                yield ReadError(name, "no HTML pages in the WARC" if n > 1 else "no WARC records")
            return
        except Exception as e:  # noqa: BLE001 - warcio raises ArchiveLoadFailed, zlib/OS errors…
            yield ReadError(where, f"malformed WARC record: {_brief(e)}")
            return  # no way to resynchronise inside a broken WARC
        if last is not None and missing_bytes(last[0]):
            yield ReadError(last[1], cut_reason(last[0]))
        try:
            if record.rec_type is None or record.length is None:  # headers cut short (or never there)
                result: _Found | None = ReadError(where, "truncated WARC record: no type or length in its headers")
            else:
                result = _warc_doc(record, where)
        except Exception as e:  # noqa: BLE001 - a broken payload (bad chunking, gzip) spoils this record only
            result = ReadError(where, f"malformed WARC record: {_brief(e)}")
        # A record reported already (a document, an error) is not reported cut again.
        last = (record, where) if result is None else None
        if result is not None:
            found += 1
            yield result


def _warc_doc(record: Any, where: str) -> _Found | None:
    """One WARC record → Document; None for records that are not HTML pages (skipped silently)."""
    if record.rec_type not in ("response", "resource"):
        return None
    headers = record.http_headers if record.rec_type == "response" else record.rec_headers
    if record.rec_type == "response":
        if headers is None:
            return None
        status = (headers.get_statuscode() or "").strip()
        if not status.startswith("2"):
            return None  # redirects, errors: not article pages
    ctype = (headers.get_header("Content-Type") or "") if headers is not None else ""
    if "html" not in ctype.lower():
        return None
    payload = record.content_stream().read(MAX_BYTES + 1)
    if len(payload) > MAX_BYTES:
        return ReadError(where, f"record too large (> {MAX_BYTES // 1024 // 1024} MB)")
    if missing_bytes(record):  # the file ends inside this record: a cut page is no article
        return ReadError(where, cut_reason(record))
    if not payload.strip():
        return ReadError(where, "empty record")
    m = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", ctype, re.I)
    declared = m.group(1) if m else None
    if declared is None:
        declared = _meta_charset(payload)
    try:
        html = decode(payload, where, declared)
    except DecodeError as e:
        return ReadError(where, _reason(e, where))
    url = record.rec_headers.get_header("WARC-Target-URI")
    found = _html_doc(html, url, where)
    if not isinstance(found, ReadError):
        doc = found[0]
        doc.published = doc.published or iso_date(record.rec_headers.get_header("WARC-Date"))
        doc.input_id = record.rec_headers.get_header("WARC-Record-ID")
    return found


def read_page(data: bytes, url: str, charset: str | None = None) -> Document | ReadError:
    """One downloaded HTML page (``charset``: the HTTP header's) read as a WARC response record is."""
    try:
        html = decode(data, url, charset or _meta_charset(data))
    except DecodeError as e:
        return ReadError(url, _reason(e, url))
    found = _html_doc(html, url, url)
    if not isinstance(found, ReadError):
        _finish(found[0], None, {}, found[1])
        return found[0]
    return found


# --- helpers -------------------------------------------------------------------------------------


def _finish(doc: Document, source: str | None, meta: dict[str, Any], sitename: str | None = None) -> None:
    """Fill empty fields from the sidecar entry, normalise the date and decide the outlet."""
    for key in _SIDECAR_FIELDS:
        value = _str(meta.get(key))
        if value and not getattr(doc, key):
            setattr(doc, key, value)
    doc.published = iso_date(doc.published)
    if not doc.source:
        doc.source = _host(doc.url) or source or _str(meta.get("source")) or sitename


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host.removeprefix("www.")


def _str(value: Any) -> str | None:
    if value is None:
        return None
    s = text_safe(str(value)).strip()
    return s or None


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _brief(error: Exception, limit: int = 200) -> str:
    """``Type: message`` on one line, cut short (warcio quotes whole binary lines in its messages)."""
    text = " ".join(f"{type(error).__name__}: {error}".split())
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _reason(error: DecodeError, name: str) -> str:
    """DecodeError's message without the leading name (ReadError.path carries it)."""
    return str(error).removeprefix(f"{name}: ")
