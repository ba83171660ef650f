"""The package's Python API: the README's example runs, and function names stay functions."""

from __future__ import annotations

import importlib

import khabar


def test_functions_named_like_their_modules_stay_functions():
    for name in ("read", "clean", "analyse"):
        importlib.import_module(f"khabar.{name}")  # importing the module must not rebind the name
        assert callable(getattr(khabar, name)), name
        assert getattr(khabar, name).__module__ == f"khabar.{name}"


def test_readme_flow_on_the_examples(tmp_path, examples_dir):
    docs = list(khabar.read(examples_dir))
    assert len(docs) == 2 and all(khabar.to_article(d).text for d in docs)
    with khabar.Store(tmp_path / "k.db") as store:
        report = khabar.ingest(examples_dir, store)
        assert len(store.search("الغوطة")) == 2
        stories = khabar.list_stories(store, q="الغوطة")
        assert len(stories) == 1 and stories[0]["size"] == 2
        assert khabar.get_story(store, stories[0]["id"])["statements"]
        a, b = (store.get(i) for i in report.ids)
        c = khabar.compare(a, b)
        assert c.verdict == "same story" and c.overall <= 1.5
        assert any(s.stance == "denies" for s in khabar.analyse(a).statements)
