"""Telling a cut WARC from a whole one: warcio stops silently where the bytes end, inside a record
or not; these checks say which record was cut.

>>> import io
>>> from warcio.warcwriter import WARCWriter
>>> buf = io.BytesIO()
>>> writer = WARCWriter(buf, gzip=False)
>>> writer.write_record(writer.create_warc_record("urn:x", "resource", payload=io.BytesIO(b"x" * 100)))
>>> from warcio.archiveiterator import ArchiveIterator
>>> record = next(iter(ArchiveIterator(io.BytesIO(buf.getvalue()[:-60]))))
>>> _ = record.content_stream().read()
>>> cut_reason(record)
'truncated WARC record: 56 of its 100 bytes missing'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # warcio is imported where a WARC file is read, not at start-up
    from warcio.archiveiterator import ArchiveIterator

__all__ = ["cut_reason", "missing_bytes", "watch_gzip_end"]


def watch_gzip_end(archive: ArchiveIterator) -> Callable[[], bool]:
    """A check, true once iteration is over, that a ``.warc.gz`` ended inside a gzip member.

    warcio stops silently at the end of the bytes; whether the last member was whole is known only
    to its decompressor, which it drops on closing: look just before that.
    """
    reader, cut = archive.reader, [False]
    close = reader.close_decompressor

    def close_decompressor() -> None:
        cut[0] = cut[0] or not getattr(reader.decompressor, "eof", True)
        close()

    reader.close_decompressor = close_decompressor  # type: ignore[method-assign]
    return lambda: cut[0]


def missing_bytes(record: Any) -> int:
    """Bytes the record's ``Content-Length`` promised that the file did not hold (0: complete)."""
    return max(0, getattr(record.raw_stream, "limit", 0) or 0)


def cut_reason(record: Any) -> str:
    return f"truncated WARC record: {missing_bytes(record)} of its {record.length} bytes missing"
