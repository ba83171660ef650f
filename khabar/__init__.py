"""khabar (خبر): turn a pile of scraped news, Arabic first, into stories.

The public API mirrors the command line::

    import khabar
    with khabar.Store("khabar.db") as store:
        khabar.ingest("examples/", store)
        store.search("الغوطة")
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# Imported on first use so that `khabar --help` stays fast and light.
_LAZY = {
    "Store": "khabar.store",
    "read": "khabar.read",
    "clean": "khabar.clean",
    "to_article": "khabar.clean",
    "ingest": "khabar.pipeline",
    "analyse": "khabar.analyse",
    "Article": "khabar.types",
    "Document": "khabar.types",
    "Mention": "khabar.types",
    "Statement": "khabar.types",
    "Comparison": "khabar.types",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'khabar' has no attribute {name!r}")
