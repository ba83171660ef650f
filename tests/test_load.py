"""`khabar.load.load_article`: a file read and cleaned as ingest would, or a stored article by id."""

from __future__ import annotations

import json

import pytest

from khabar.load import LoadError, load_article
from khabar.pipeline import ingest
from khabar.read.clean import to_article
from khabar.read.formats import read
from khabar.store.db import Store


@pytest.fixture
def orient(examples_dir):
    return examples_dir / "orient-ghouta-denial.txt"


def test_a_file_is_read_and_cleaned_as_ingest_reads_it(orient):
    article = load_article(str(orient))
    assert article == to_article(next(iter(read(str(orient)))))
    assert article.source == "orient-news.net"  # from sources.json beside the file
    assert "التعليقات" not in article.text and "التعليقات" in article.raw


def test_a_jsonl_file_gives_its_first_article(tmp_path):
    path = tmp_path / "two.jsonl"
    path.write_text("\n".join(json.dumps({"url": f"https://x.example/{i}", "title": f"عنوان {i}",
                                          "text": f"نص الخبر رقم {i}."}, ensure_ascii=False)
                              for i in (1, 2)) + "\n", encoding="utf-8")
    assert load_article(str(path)).title == "عنوان 1"


def test_a_stored_article_by_id_or_prefix(tmp_path, orient):
    db = tmp_path / "k.db"
    with Store(db) as store:
        (article_id,) = ingest(orient, store, analyse=False).ids
    assert load_article(article_id, db).id == article_id
    assert load_article(article_id[:8], str(db)).id == article_id


@pytest.mark.parametrize("make", ["empty", "unknown-id", "no-store", "no-store-given"])
def test_failures_name_the_argument_and_create_nothing(tmp_path, make):
    db = tmp_path / "k.db"
    arg = "deadbeef00"
    if make == "empty":
        (tmp_path / "empty.txt").write_bytes(b"")
        arg = str(tmp_path / "empty.txt")
    elif make == "unknown-id":
        Store(db).close()
    with pytest.raises(LoadError, match=arg.rsplit("/", 1)[-1]) as e:
        load_article(arg, None if make == "no-store-given" else db)
    assert isinstance(e.value, ValueError)
    if make in ("no-store", "no-store-given"):
        assert not db.exists()  # looking an id up never creates a store
