"""khabar (خبر): turn a pile of scraped news, Arabic first, into stories.

The public API mirrors the command line::

    import khabar
    with khabar.Store("khabar.db") as store:
        khabar.ingest("examples/", store)
        store.search("الغوطة")
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

__version__ = "0.1.0"

# Imported on first use so that `khabar --help` stays fast and light.
_LAZY = {
    "Store": "khabar.store.db",
    "read": "khabar.read.formats",
    "clean": "khabar.read.clean",
    "to_article": "khabar.read.clean",
    "ingest": "khabar.pipeline",
    "IngestReport": "khabar.pipeline",
    "load_article": "khabar.load",
    "LoadError": "khabar.load",
    "analyse": "khabar.analyse.analysis",
    "compare": "khabar.compare.comparison",
    "list_stories": "khabar.stories.telling",
    "get_story": "khabar.stories.telling",
    "recluster": "khabar.stories.online",
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


def _function_over_module(name: str) -> property:
    # ``khabar.read``, ``khabar.analyse`` and ``khabar.compare`` are functions that share the name of
    # a stage subpackage; importing the subpackage would otherwise rebind the package attribute to it.
    def get(_: types.ModuleType) -> Any:
        return getattr(importlib.import_module(_LAZY[name]), name)

    def ignore(_: types.ModuleType, __: Any) -> None:
        pass

    return property(get, ignore)


class _Package(types.ModuleType):
    read = _function_over_module("read")
    analyse = _function_over_module("analyse")
    compare = _function_over_module("compare")


sys.modules[__name__].__class__ = _Package
