"""rich's pieces, imported on first use: importing rich costs ``khabar --help`` about a tenth of a second.

Each name here builds the rich object of the same name when called; :class:`LazyConsole` is a
console made on its first use, for the module-level ``err`` consoles of the command modules.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["BarColumn", "Console", "LazyConsole", "MofNCompleteColumn", "Progress", "SpinnerColumn", "Table",
           "TextColumn", "TimeElapsedColumn", "escape"]


def _later(module: str, name: str) -> Any:
    def make(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    make.__name__ = make.__qualname__ = name
    make.__doc__ = f"``{module}.{name}(...)``, imported now."
    return make


Console = _later("rich.console", "Console")
Table = _later("rich.table", "Table")
escape = _later("rich.markup", "escape")
Progress = _later("rich.progress", "Progress")
BarColumn = _later("rich.progress", "BarColumn")
MofNCompleteColumn = _later("rich.progress", "MofNCompleteColumn")
SpinnerColumn = _later("rich.progress", "SpinnerColumn")
TextColumn = _later("rich.progress", "TextColumn")
TimeElapsedColumn = _later("rich.progress", "TimeElapsedColumn")


class LazyConsole:
    """A ``rich.console.Console(**kwargs)`` made when first used.

    >>> err = LazyConsole(stderr=True)
    >>> err.stderr
    True
    """

    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = kwargs
        self._console: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            self._console = Console(**self._kwargs)
        return getattr(self._console, name)
