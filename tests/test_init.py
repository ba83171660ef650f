"""The package's Python API: the README's example runs, and function names stay functions."""

from __future__ import annotations

import importlib

import khabar


def test_functions_named_like_their_subpackages_stay_functions():
    homes = {"read": "khabar.read.formats", "analyse": "khabar.analyse.analysis", "compare": "khabar.compare.comparison"}
    for name, home in homes.items():
        importlib.import_module(f"khabar.{name}")  # importing the stage subpackage must not rebind the name
        assert callable(getattr(khabar, name)), name
        assert getattr(khabar, name).__module__ == home


def test_every_public_name_resolves():
    for name in khabar.__all__:
        assert getattr(khabar, name) is not None, name
    assert khabar.load_article.__module__ == "khabar.load"
    assert khabar.clean.__module__ == "khabar.read.clean"


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
        again = khabar.ingest(examples_dir, store)
        assert again.new_ids == [] and not again.was_new(a.id) and report.was_new(a.id)
    assert khabar.load_article(str(examples_dir / "orient-ghouta-denial.txt")).id in report.ids
    assert khabar.load_article(a.id, tmp_path / "k.db") == a
