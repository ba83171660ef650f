"""Ingest end to end on real files: idempotence, bad files among good ones, interruptions."""

from __future__ import annotations

import json

import pytest

from khabar.pipeline import ingest
from khabar.store.db import Store


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "k.db") as s:
        yield s


def test_examples_ingest_once(store, examples_dir):
    first = ingest(examples_dir, store)
    assert (first.ingested, first.duplicates, first.failed) == (2, 0, [])
    again = ingest(examples_dir, store)
    assert (again.ingested, again.duplicates) == (0, 2)
    assert sorted(again.ids) == sorted(first.ids)
    assert store.count() == 2
    sources = {store.get(i).source for i in first.ids}
    assert sources == {"orient-news.net", "alghad.tv"}


def test_clean_text_and_raw_are_kept(store, examples_dir):
    report = ingest(examples_dir / "orient-ghouta-denial.txt", store)
    article = store.get(report.ids[0])
    assert "التعليقات" not in article.text and "التعليقات" in article.raw
    assert article.lang == "ar"
    # the offset map points clean characters back at the same raw characters
    for clean_start, raw_start, length in article.spans:
        assert article.text[clean_start:clean_start + length] == article.raw[raw_start:raw_start + length]


def test_analysis_is_stored(store, examples_dir):
    report = ingest(examples_dir, store)
    for article_id in report.ids:
        mentions, statements = store.get_analysis(article_id)
        assert mentions and statements


def test_bad_files_do_not_stop_the_others(store, tmp_path, examples_dir):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (folder / "good.jsonl").write_text(
        json.dumps({"url": "https://a.example/1", "title": "خبر أول", "text": "نص الخبر الأول عن الاقتصاد."},
                   ensure_ascii=False) + "\n{not json\n"
        + json.dumps({"url": "https://b.example/2", "title": "خبر ثان", "text": "نص الخبر الثاني عن الرياضة."},
                     ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    report = ingest([folder, examples_dir], store)
    assert report.ingested == 4
    failed = {f["path"].rsplit("/", 1)[-1]: f["error"] for f in report.failed}
    assert set(failed) == {"empty.txt", "binary.txt", "good.jsonl:2"}
    assert "empty" in failed["empty.txt"] and "binary" in failed["binary.txt"]


def test_interrupted_ingest_leaves_complete_batches(store, tmp_path):
    lines = [json.dumps({"id": f"n{i}", "url": f"https://x.example/{i}", "title": f"عنوان رقم {i}",
                         "text": f"هذا نص الخبر رقم {i} عن موضوع مختلف {i * 7}."}, ensure_ascii=False)
             for i in range(10)]
    path = tmp_path / "ten.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    seen = []

    def on_item(origin: str, ok: bool) -> None:
        seen.append(origin)
        if len(seen) == 7:
            raise KeyboardInterrupt  # Ctrl-C in the middle of the third batch

    with pytest.raises(KeyboardInterrupt):
        ingest(path, store, batch_size=3, on_item=on_item)
    assert store.count() == 6  # two whole batches, nothing of the third
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = set(store.ids())
    assert all(store.get_analysis(i) is not None for i in stored)
    # running again completes the job without duplicating anything
    report = ingest(path, store, batch_size=3)
    assert (report.ingested, report.duplicates, store.count()) == (4, 6, 10)


def test_report_says_which_articles_were_new(store, examples_dir):
    orient = examples_dir / "orient-ghouta-denial.txt"
    first = ingest(orient, store)
    assert first.new_ids == first.ids and first.was_new(first.ids[0])
    both = ingest(examples_dir, store)
    (old,) = first.ids
    (new,) = [i for i in both.ids if i != old]
    assert both.new_ids == [new]
    assert both.was_new(new) and not both.was_new(old) and not both.was_new("nothing")
    assert "new_ids" not in both.to_dict()  # the `khabar ingest --json` shape is unchanged


# --- issue 12: an article is one outlet's publication; analysis that comes later ----------------------


def _wire(examples_dir) -> tuple[str, str]:
    """A real wire-style article (title, body) from the examples."""
    lines = (examples_dir / "alghad-ghouta-denial.txt").read_text(encoding="utf-8").strip().split("\n", 1)
    return lines[0].strip(), lines[1].strip()


def test_exact_repost_by_a_second_outlet_is_a_second_article(store, tmp_path, examples_dir):
    from khabar.stories.telling import get_story, story_of

    title, text = _wire(examples_dir)
    posts = [{"url": "https://www.alghad.tv/news/1", "title": title, "text": text, "published": "2018-03-07T09:15:00+02:00"},
             {"url": "https://www.orient-news.net/ar/2", "title": title, "text": text,
              "published": "2018-03-07T08:40:00+00:00"}]
    path = tmp_path / "wire.jsonl"
    path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in posts), encoding="utf-8")
    first = ingest(path, store)
    assert (first.ingested, first.duplicates) == (2, 0) and len(set(first.ids)) == 2
    # the same URL with the same text again (and a page linked with a fragment) is still a duplicate
    posts[0]["url"] += "#comments"
    path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in posts), encoding="utf-8")
    again = ingest(path, store)
    assert (again.ingested, again.duplicates, again.ids) == (0, 2, first.ids)
    sid = story_of(store, first.ids[0])
    assert sid is not None and story_of(store, first.ids[1]) == sid
    story = get_story(store, sid)
    assert story["size"] == 2 and sorted(story["sources"]) == ["alghad.tv", "orient-news.net"]
    assert [sorted(g) for g in story["copies"]] == [sorted(first.ids)]
    assert sorted(t["source"] for t in story["timeline"]) == ["alghad.tv", "orient-news.net"]
    # in real time, 09:15+02:00 (07:15 UTC) comes before 08:40 UTC
    assert [a["source"] for a in story["articles"]] == ["alghad.tv", "orient-news.net"]
    assert story["first_seen"] == "2018-03-07T09:15:00+02:00"
    for aid in first.ids:  # show by id and by prefix
        assert store.get(aid).id == aid and store.get(aid[:8]).id == aid


def test_no_analyse_article_joins_a_story_when_ingested_again(store, examples_dir):
    from khabar.stories.telling import story_of

    alghad, orient = examples_dir / "alghad-ghouta-denial.txt", examples_dir / "orient-ghouta-denial.txt"
    stored = ingest(alghad, store, analyse=False)
    [aid] = stored.ids
    assert store.get_analysis(aid) is None and story_of(store, aid) is None
    again = ingest(alghad, store)
    assert (again.ingested, again.duplicates) == (0, 1)  # stored already: a duplicate, but now analysed
    assert store.get_analysis(aid) is not None and story_of(store, aid) is not None
    other = ingest(orient, store)
    assert story_of(store, other.ids[0]) == story_of(store, aid)  # the two examples are one story
    assert ingest(alghad, store).duplicates == 1 and store.count() == 2


def test_worker_pool_gives_the_analyses_and_profiles_of_one_process(semeval_path):
    """The pool (first article analysed before the fork, profiles sent back without their text)
    returns what analysis in this process returns, the profile's text put back."""
    import numpy as np

    from khabar.pipeline import _Analyser, _found, _restore
    from khabar.read.clean import to_article
    from khabar.types import Document

    with semeval_path.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in list(f)[:15]]
    arts = [to_article(Document(text=r[f"text{s}"], title=r[f"title{s}"], url=r[f"url{s}"], lang=r["lang"],
                                origin=r["pair_id"])) for r in rows for s in ("1", "2")]
    assert len(arts) >= _Analyser.MIN_PARALLEL
    pool = _Analyser(2, profiles=True)
    try:
        results = pool.submit(arts).get()
        again = pool.submit(arts).get()  # the pool, made by the first batch, serves the next
    finally:
        pool.close()
    assert len(results) == len(again) == len(arts)
    for art, res, res2 in zip(arts, results, again, strict=True):
        got = _restore(art, res)
        mentions, statements, profile = _found(art, profile=True)
        assert got.mentions == mentions and got.statements == statements
        assert got.profile.text == profile.text and got.profile.text  # back in place
        assert np.array_equal(got.profile.signature, profile.signature)
        assert (got.profile.char != profile.char).nnz == 0
        assert _restore(art, res2).profile.text == profile.text
