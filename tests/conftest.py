"""Shared fixtures: the example articles in examples/ and the public data in ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    """The examples/ folder: two real scraped articles (boilerplate left in) and their sources.json."""
    return EXAMPLES


@pytest.fixture(scope="session")
def example_files() -> list[Path]:
    """The example article files, sorted."""
    return sorted(EXAMPLES.glob("*.txt"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared data folder; tests that use it skip where it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data absent: {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def semeval_path(shared_data: Path) -> Path:
    """SemEval-2022 Task 8 training pairs (JSONL with scraped texts, boilerplate included)."""
    path = shared_data / "semeval2022-task8-train.jsonl"
    if not path.is_file():
        pytest.skip(f"shared data absent: {path}")
    return path
