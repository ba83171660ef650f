"""Two outlets on loopback (127.0.0.1 and 127.0.0.2), real HTTP servers started for the test."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("fetch_site", Path(__file__).with_name("site.py"))
site = sys.modules.setdefault("fetch_site", importlib.util.module_from_spec(_spec))
if not hasattr(site, "Site"):
    _spec.loader.exec_module(site)


@pytest.fixture
def outlets():
    a, b = site.Site("127.0.0.1"), site.Site("127.0.0.2")
    yield a, b
    a.close()
    b.close()


@pytest.fixture
def kit():
    """The helpers of site.py: article_html, rss, sitemap, sitemap_index, example."""
    return site
