"""khabar.read.decode on real Arabic text in every encoding Arabic sites use, and on bytes that are not text."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from khabar.read.decode import DecodeError, decode, unescape


@pytest.fixture(scope="module")
def arabic_texts(example_files: list[Path]) -> list[str]:
    """Real Arabic: each example's title alone (short, the hard case) and its whole article."""
    out = []
    for path in example_files:
        text = path.read_text(encoding="utf-8")
        # ISO-8859-6 has no curly quotes; keep to what both Arabic code pages can encode.
        text = text.replace("“", '"').replace("”", '"').replace("″", '"')
        text = "".join(ch for ch in text if ch.isascii() or "\u0600" <= ch <= "\u06ff")
        out += [text.splitlines()[0], text]
    return out


def test_utf8_with_and_without_bom(arabic_texts: list[str]) -> None:
    for text in arabic_texts:
        assert decode(text.encode("utf-8")) == text
        assert decode(codecs.BOM_UTF8 + text.encode("utf-8")) == text


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(arabic_texts: list[str], codec: str) -> None:
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    for text in arabic_texts:
        assert decode(bom + text.encode(codec)) == text


@pytest.mark.parametrize("codec", ["cp1256", "iso8859_6"])
def test_arabic_legacy_code_pages_decided_right(arabic_texts: list[str], codec: str) -> None:
    for text in arabic_texts:
        assert decode(text.encode(codec), "x.txt") == text, (codec, text[:40])


@pytest.mark.parametrize("word", ["خبر", "قال", "الغوطة الشرقية", "نفى المتحدث", "«الأسد»"])
def test_short_arabic_in_cp1256(word: str) -> None:
    assert decode(word.encode("cp1256")) == word


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("Le président a dit : « c'est ça » à Damas, l'été dernier.", "cp1252"),
        ("Türkiye'de seçim sonuçları açıklandı, Erdoğan konuştu.", "cp1254"),
    ],
)
def test_other_legacy_code_pages(text: str, codec: str) -> None:
    assert decode(text.encode(codec)) == text


def test_declared_charset_is_tried_but_not_trusted() -> None:
    text = "قال المتحدث في دمشق إن الوفد وصل"
    assert decode(text.encode("cp1256"), declared="windows-1256") == text
    # a false declaration (cp1256 bytes for ف ق ك are undefined in ISO-8859-6) falls back to detection
    assert decode(text.encode("cp1256"), declared="iso-8859-6") == text
    assert decode(text.encode("cp1256"), declared="latin-1") == text
    assert decode(text.encode("utf-8"), declared="windows-1256") == text
    assert decode(text.encode("cp1256"), declared="no-such-codec") == text


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
        b"%PDF-1.4\n" + bytes(range(0, 32)) * 20,
        "نص عربي".encode() + b"\x00" + "نص".encode(),
    ],
)
def test_binary_is_refused(data: bytes) -> None:
    with pytest.raises(DecodeError, match=r"^photo\.bin: binary file"):
        decode(data, "photo.bin")


def test_undecodable_names_the_input() -> None:
    with pytest.raises(DecodeError, match=r"^junk\.txt: undecodable"):
        decode(bytes(range(0x80, 0x100)) * 5, "junk.txt")


def test_broken_bom() -> None:
    with pytest.raises(DecodeError, match="byte-order mark"):
        decode(codecs.BOM_UTF8 + b"ok \xff\xfe\xfd", "bom.txt")


def test_decode_error_is_value_error() -> None:
    assert issubclass(DecodeError, ValueError)
    assert decode(b"") == ""


def test_unescape() -> None:
    assert unescape("AT&amp;T &#1575;&#1604; &quot;خبر&quot; &#x627;") == 'AT&T ال "خبر" ا'
    plain = "جيش الإسلام & النظام"  # a bare ampersand is text, not an entity
    assert unescape(plain) is plain
