"""khabar.read.formats on the real examples and on every kind of input, good and bad."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from khabar.read.formats import MAX_BYTES, iso_date, read
from khabar.types import Document, ReadError

PARA1 = "نفى جيش الإسلام ما تروج له وسائل إعلام النظام من شائعات حول خروج مقاتليه من الغوطة الشرقية."
PARA2 = "وقال الناطق باسم الهيئة في بيان مصور إن المقاتلين باقون في أرضهم ولن يخرجوا منها مهما كانت الظروف."
PARA3 = "وأكد المتحدث أن الفصائل لم تفاوض أي طرف على الخروج، وأن القرار العسكري موحد في الغوطة الشرقية."


def page(url: str | None = "https://www.example-news.com/2018/03/07/ghouta", date: bool = True) -> str:
    """A news page with navigation, a sidebar and a footer around the article."""
    meta = f'<meta property="og:url" content="{url}">' if url else ""
    if date:
        meta += '<meta property="article:published_time" content="2018-03-07T10:30:00+02:00">'
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>جيش الإسلام ينفي شائعات الخروج من الغوطة - مثال نيوز</title>
<meta property="og:title" content="جيش الإسلام ينفي شائعات الخروج من الغوطة">
<meta property="og:site_name" content="مثال نيوز">{meta}
</head><body>
<header><nav><ul><li><a href="/">الرئيسية</a></li><li><a href="/politics">سياسة</a></li>
<li><a href="/sport">رياضة</a></li></ul></nav></header>
<main><article><h1>جيش الإسلام ينفي شائعات الخروج من الغوطة</h1>
<p>{PARA1}</p><p>{PARA2}</p><p>{PARA3}</p></article>
<aside><h3>الأكثر قراءة</h3><ul><li><a href="/1">خبر رياضي أول</a></li><li><a href="/2">خبر فني ثان</a></li></ul></aside>
</main>
<footer><p>جميع الحقوق محفوظة © مثال نيوز 2018</p><a href="/privacy">سياسة الخصوصية</a></footer>
</body></html>"""


def docs_and_errors(items: list[Document | ReadError]) -> tuple[list[Document], list[ReadError]]:
    return [d for d in items if isinstance(d, Document)], [e for e in items if isinstance(e, ReadError)]


# --- plain text, folders, sources.json -------------------------------------------------------------


def test_examples_folder(examples_dir: Path, example_files: list[Path]) -> None:
    docs, errors = docs_and_errors(list(read(examples_dir)))
    assert errors == []
    assert [d.origin for d in docs] == [str(p) for p in example_files]  # sorted, sources.json skipped
    sidecar = json.loads((examples_dir / "sources.json").read_text(encoding="utf-8"))
    for doc, path in zip(docs, example_files, strict=True):
        lines = path.read_text(encoding="utf-8").splitlines()
        assert doc.title == lines[0].strip()
        assert doc.text.strip() == "\n".join(lines[1:]).strip()
        assert doc.source == sidecar[path.name]["source"]
        assert doc.url == sidecar[path.name].get("url")


def test_url_host_decides_source_over_argument(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(f"عنوان\n{PARA1}\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text(f"عنوان\n{PARA2}\n", encoding="utf-8")
    (tmp_path / "sources.json").write_text(
        json.dumps({"a.txt": {"url": "https://www.Alghad.tv/x", "published": "07/03/2018"}}), encoding="utf-8"
    )
    a, b = read(tmp_path, source="fallback.net")
    assert (a.source, a.url, a.published) == ("alghad.tv", "https://www.Alghad.tv/x", "2018-03-07")
    assert (b.source, b.url) == ("fallback.net", None)


def test_hidden_files_and_globs(tmp_path: Path) -> None:
    (tmp_path / "sub" / ".git").mkdir(parents=True)
    (tmp_path / "sub" / ".git" / "x.txt").write_text("عنوان\nنص\n", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("عنوان\nنص\n", encoding="utf-8")
    (tmp_path / "sub" / "b.txt").write_text("عنوان ب\nنص ب\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("عنوان أ\nنص أ\n", encoding="utf-8")
    assert [d.title for d in read(tmp_path)] == ["عنوان أ", "عنوان ب"]
    assert [d.title for d in read(str(tmp_path / "**" / "*.txt"))] == ["عنوان أ", "عنوان ب"]
    [missing, nomatch] = read([tmp_path / "nope.txt", str(tmp_path / "*.html")])
    assert missing == ReadError(str(tmp_path / "nope.txt"), "no such file or directory")
    assert nomatch.error == "no files match this pattern"


@pytest.mark.parametrize("codec", ["cp1256", "iso8859_6", "utf-16", "utf-8-sig"])
def test_text_file_encodings(tmp_path: Path, codec: str) -> None:
    title = "جيش الإسلام ينفي شائعات الخروج"
    path = tmp_path / f"{codec}.txt"
    path.write_bytes(f"{title}\r\n\r\n{PARA1}\r\n{PARA2}\r\n".encode(codec))
    [doc] = read(path)
    assert doc.title == title
    assert doc.text.strip() == f"{PARA1}\n{PARA2}"


def test_entities_unescaped_in_text(tmp_path: Path) -> None:
    (tmp_path / "e.txt").write_text(
        "عنوان &quot;خبر&quot;\nقال &#1575;لمتحدث: الوضع &amp; الحصار\n", encoding="utf-8"
    )
    [doc] = read(tmp_path / "e.txt")
    assert (doc.title, doc.text.strip()) == ('عنوان "خبر"', "قال المتحدث: الوضع & الحصار")


# --- bad files -----------------------------------------------------------------------------------


def test_bad_files_yield_errors_and_reading_goes_on(tmp_path: Path) -> None:
    (tmp_path / "1-binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    (tmp_path / "2-empty.txt").write_bytes(b"")
    (tmp_path / "3-blank.txt").write_bytes(b" \n\n \t\n")
    with open(tmp_path / "4-huge.txt", "wb") as f:
        f.truncate(MAX_BYTES + 1024 * 1024)  # sparse: costs no disk
    (tmp_path / "5-undecodable.txt").write_bytes(bytes(range(0x80, 0x100)) * 5)
    (tmp_path / "6-title-only.txt").write_text("عنوان وحده\n", encoding="utf-8")
    (tmp_path / "7-good.txt").write_text(f"عنوان\n{PARA1}\n", encoding="utf-8")
    items = list(read(tmp_path))
    assert [type(i).__name__ for i in items] == ["ReadError"] * 6 + ["Document"]
    errors = {Path(e.path).name: e.error for e in items if isinstance(e, ReadError)}
    assert errors["1-binary.txt"].startswith("binary file")
    assert errors["2-empty.txt"] == "empty file"
    assert errors["3-blank.txt"] == "empty file"
    assert errors["4-huge.txt"] == "file too large (21.0 MB > 20 MB)"
    assert errors["5-undecodable.txt"].startswith("undecodable")
    assert "no body text" in errors["6-title-only.txt"]


def test_malformed_sources_json_is_reported_once(tmp_path: Path) -> None:
    (tmp_path / "sources.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "a.txt").write_text(f"عنوان\n{PARA1}\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text(f"عنوان\n{PARA2}\n", encoding="utf-8")
    docs, errors = docs_and_errors(list(read(tmp_path)))
    assert len(docs) == 2
    assert [e.path for e in errors] == [str(tmp_path / "sources.json")]


# --- HTML ----------------------------------------------------------------------------------------


def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(page(), encoding="utf-8")
    [doc] = read(tmp_path / "page.html")
    assert doc.title == "جيش الإسلام ينفي شائعات الخروج من الغوطة"
    for para in (PARA1, PARA2, PARA3):
        assert para in doc.text
    for furniture in ("رياضة", "الأكثر قراءة", "خبر فني ثان", "جميع الحقوق محفوظة", "سياسة الخصوصية"):
        assert furniture not in doc.text
    assert doc.url == "https://www.example-news.com/2018/03/07/ghouta"
    assert doc.source == "example-news.com"
    assert doc.published == "2018-03-07T10:30:00+02:00"  # the time and zone kept


def test_html_sniffed_encoded_and_sitename_fallback(tmp_path: Path) -> None:
    html = page(url=None).replace('<meta charset="utf-8">', '<meta charset="windows-1256">')
    (tmp_path / "page").write_bytes(html.encode("cp1256", errors="replace"))  # no extension: sniffed
    [doc] = read(tmp_path / "page")
    assert PARA2 in doc.text
    assert doc.url is None
    assert doc.source == "مثال نيوز"
    [doc] = read(tmp_path / "page", source="given.net")
    assert doc.source == "given.net"


def test_html_without_article(tmp_path: Path) -> None:
    (tmp_path / "empty.html").write_text(
        "<html><head><title>عنوان</title></head><body><img src='a.png'></body></html>"
    )
    [err] = read(tmp_path / "empty.html")
    assert isinstance(err, ReadError) and "no article text" in err.error


# --- JSONL ---------------------------------------------------------------------------------------


def test_jsonl_lines(tmp_path: Path) -> None:
    good = {
        "id": 7,
        "url": "https://www.alghad.tv/a",
        "title": "عنوان &amp; آخر",
        "text": PARA1,
        "published": "Wed, 07 Mar 2018 10:00:00 +0000",
        "lang": "ar",
    }
    lines = [
        json.dumps(good, ensure_ascii=False),
        "",
        '{"title": "broken", "text": ',
        json.dumps({"title": "no text"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"text": PARA2, "source": "own-source.org", "url": "https://x.com/1"}, ensure_ascii=False),
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(read(path))
    assert [getattr(i, "origin", None) or i.path for i in items] == [f"{path}:{n}" for n in (1, 3, 4, 5, 6)]
    first, broken, notext, notobj, last = items
    assert (first.input_id, first.title, first.text, first.lang) == ("7", "عنوان & آخر", PARA1, "ar")
    assert (first.source, first.published) == ("alghad.tv", "2018-03-07T10:00:00+00:00")
    assert broken.error.startswith("malformed JSON")
    assert notext.error == "missing text"
    assert notobj.error == "not a JSON object"
    assert (last.source, last.title) == ("own-source.org", "")


# --- WARC ----------------------------------------------------------------------------------------


def warc(gz: bool) -> bytes:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gz)

    def response(url: str, body: bytes, ctype: str, status: str = "200 OK") -> None:
        http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
        rec = writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            http_headers=http,
            warc_headers_dict={"WARC-Date": "2018-03-08T09:00:00Z"},
        )
        writer.write_record(rec)

    writer.write_record(
        writer.create_warc_record("warcinfo", "warcinfo", payload=io.BytesIO(b"software: test"))
    )
    response("https://www.orient-news.net/a", page(url=None, date=False).encode(), "text/html; charset=utf-8")
    response("https://www.orient-news.net/logo.png", b"\x89PNG\r\n\x1a\n", "image/png")
    response("https://www.orient-news.net/gone", b"<html>not found</html>", "text/html", "404 Not Found")
    response(
        "https://www.alghad.tv/b",
        page().encode("cp1256", errors="replace"),
        "text/html; charset=windows-1256",
    )
    return buf.getvalue()


@pytest.mark.parametrize("gz", [False, True])
def test_warc_records(tmp_path: Path, gz: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    path.write_bytes(warc(gz))
    first, second = read(path)
    assert first.origin == f"{path}#2" and second.origin == f"{path}#5"
    assert (first.url, first.source) == ("https://www.orient-news.net/a", "orient-news.net")
    assert first.published == "2018-03-08T09:00:00+00:00"  # page has no date: the WARC-Date
    assert second.published == "2018-03-07T10:30:00+02:00"  # the page's own time wins
    assert second.source == "alghad.tv"
    assert first.input_id and first.input_id.startswith("<urn:uuid:")
    assert PARA3 in first.text and PARA3 in second.text


def test_corrupt_warc(tmp_path: Path) -> None:
    data = warc(False)
    cut = data.index(b"WARC/1.0", 200)  # start of the second record
    path = tmp_path / "bad.warc"
    path.write_bytes(data[:cut] + b"\x00garbage in the middle\r\n" + data[cut:])
    items = list(read(path))
    assert [type(i).__name__ for i in items] == ["ReadError"]
    assert items[0].path == f"{path}#2" and items[0].error.startswith("malformed WARC record")
    (tmp_path / "junk.warc.gz").write_bytes(gzip.compress(b"this is not a WARC file at all\n" * 10))
    [err] = read(tmp_path / "junk.warc.gz")
    assert isinstance(err, ReadError) and "WARC" in err.error


# --- stdin ---------------------------------------------------------------------------------------


def test_stdin_formats(tmp_path: Path) -> None:
    [doc] = read("-", stdin=io.BytesIO(f"عنوان\n{PARA1}\n".encode("cp1256")), source="given.net")
    assert (doc.title, doc.text.strip(), doc.origin, doc.source) == ("عنوان", PARA1, "<stdin>", "given.net")
    jsonl = "\n".join(json.dumps({"text": p}, ensure_ascii=False) for p in (PARA1, PARA2)).encode()
    assert [d.origin for d in read("-", stdin=io.BytesIO(jsonl))] == ["<stdin>:1", "<stdin>:2"]
    [doc] = read("-", stdin=io.BytesIO(page().encode()))
    assert doc.source == "example-news.com" and PARA2 in doc.text
    assert [d.origin for d in read(["-"], stdin=io.BytesIO(warc(True)))] == ["<stdin>#2", "<stdin>#5"]
    [err] = read("-", stdin=io.BytesIO(b""))
    assert err == ReadError("<stdin>", "empty file")


# --- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "iso"),
    [
        ("2018-03-07", "2018-03-07"),
        ("2018-03-07T10:30:00Z", "2018-03-07T10:30:00+00:00"),
        ("2018-03-07 10:30", "2018-03-07T10:30:00"),
        ("Wed, 07 Mar 2018 10:30:00 GMT", "2018-03-07T10:30:00+00:00"),
        ("2018/03/07", "2018-03-07"),
        ("07/03/2018", "2018-03-07"),
        ("March 7, 2018", "2018-03-07"),
        ("7 March 2018", "2018-03-07"),
        ("الأربعاء 7 آذار", "الأربعاء 7 آذار"),  # kept as given
        ("", None),
        (None, None),
    ],
)
def test_iso_date(given: str | None, iso: str | None) -> None:
    assert iso_date(given) == iso
