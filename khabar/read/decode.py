"""Bytes → text for scraped input: UTF-8 (with or without BOM), UTF-16/32 with BOM, and the legacy
encodings of Arabic sites (Windows-1256, ISO-8859-6) or anything else charset-normalizer recognises.

>>> decode("خبر".encode("cp1256"))
'خبر'
"""

from __future__ import annotations

import codecs
import html
import re

import charset_normalizer

__all__ = ["DecodeError", "decode", "unescape"]


class DecodeError(ValueError):
    """The bytes are binary or in no encoding we can recognise; the message names the input."""


# BOM → codec; UTF-32 first because its little-endian BOM starts with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# C0 controls that never occur in text (tab, LF, VT, FF, CR and ESC are allowed).
_CONTROL = bytes([*range(0x01, 0x09), 0x0E, 0x0F, *range(0x10, 0x1B), *range(0x1C, 0x20), 0x7F])
_SAMPLE = 65536
_MAX_CONTROL_SHARE = 0.05
_ARABIC_LETTER = re.compile("[\u0621-\u063a\u0641-\u064a]")
_MIN_ARABIC_SHARE = 0.8
_CHAOS_TIE = 0.01
# Declared charsets that decode any bytes, so a false declaration (common: Arabic pages labelled
# latin-1) can't be caught; detection decides instead.
_UNVERIFIABLE = {"latin-1", "iso8859-1", "cp1252"}
# cp1254 first: it differs from cp1252 only in letters French never uses (ð ý þ), so it decodes
# French the same and Turkish right.
_PREFERRED = {c: i for i, c in enumerate(["cp1254", "cp1252", "iso8859_9", "iso8859_15", "iso8859_1"])}
# Mis-decoding signatures: ISO-8859-6 bytes read as cp1256 put Latin letters (ç è ê …) inside Arabic
# words; cp1256 bytes read as ISO-8859-6 put tanwin (only ever word-final) before a letter.
_LATIN_IN_ARABIC = re.compile("[\u0621-\u064a][\u00c0-\u00ff]|[\u00c0-\u00ff][\u0621-\u064a]")
_TANWIN_INSIDE = re.compile("[\u064b-\u064d\u0650-\u0652][\u0621-\u064a]")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def decode(data: bytes, name: str = "<bytes>", declared: str | None = None) -> str:
    """Decode ``data`` to text; raise :class:`DecodeError` naming ``name`` if it is binary or undecodable.

    ``declared`` is a charset the input claims (HTTP header, ``<meta charset>``); it is tried, strictly,
    after UTF-8 and before detection, since sites often serve UTF-8 whatever they declare.
    """
    if not data:
        return ""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as e:
                raise DecodeError(
                    f"{name}: not valid {codec} despite its byte-order mark ({e.reason})"
                ) from e
    sample = data[:_SAMPLE]
    if b"\x00" in sample:
        raise DecodeError(f"{name}: binary file (NUL bytes)")
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    if controls > _MAX_CONTROL_SHARE * len(sample):
        raise DecodeError(f"{name}: binary file ({controls} control bytes in {len(sample)})")
    try:
        return data.decode("utf-8")  # the fast path: nearly all input is UTF-8
    except UnicodeDecodeError:
        pass
    if declared and _codec(declared) not in _UNVERIFIABLE:
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass  # unknown codec name or a false declaration: detect instead
    arabic = _arabic_legacy(data)
    if arabic is not None:
        return arabic
    results = charset_normalizer.from_bytes(data)
    best = results.best()
    if best is None:
        raise DecodeError(f"{name}: undecodable (not UTF-8 and no known encoding fits)")
    # On short texts several code pages tie on chaos; prefer the ones news sites actually use.
    tied = [m for m in results if m.chaos <= best.chaos + _CHAOS_TIE]
    return str(min(tied, key=lambda m: _PREFERRED.get(m.encoding, len(_PREFERRED))))


def _codec(label: str) -> str:
    try:
        return codecs.lookup(label.strip()).name
    except LookupError:
        return label


def _arabic_legacy(data: bytes) -> str | None:
    """Decode Arabic single-byte text, choosing Windows-1256 or ISO-8859-6; None if it is not that.

    Done by hand because the two code pages share most Arabic letters' byte values and
    charset-normalizer guesses at random between them (or Hebrew, Japanese…) on short texts.
    """
    best: tuple[int, str] | None = None
    for codec in ("cp1256", "iso8859_6"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue  # ISO-8859-6 leaves bytes undefined that cp1256 uses for ف ق ك غ ـ
        # Share among non-ASCII letters only, so «» – … and the like count for nothing.
        high = sum(1 for ch in text if ord(ch) > 0x7F and ch.isalpha())
        arabic = len(_ARABIC_LETTER.findall(text))
        wrong = len(_LATIN_IN_ARABIC.findall(text)) + len(_TANWIN_INSIDE.findall(text))
        if high == 0 or arabic < _MIN_ARABIC_SHARE * high:
            continue
        score = arabic - 5 * wrong
        if score > 0 and (best is None or score > best[0]):
            best = (score, text)
    return None if best is None else best[1]


def unescape(text: str) -> str:
    """Resolve HTML entities (``&amp;`` ``&#1575;`` ``&quot;``); text without any is returned as is."""
    if "&" not in text or not _ENTITY.search(text):
        return text
    return html.unescape(text)
