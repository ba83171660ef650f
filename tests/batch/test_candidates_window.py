"""The batch candidate pairs follow the time-window rule (rules.in_window): undated articles meet every day."""

from __future__ import annotations

import shutil

import pytest

pytest.importorskip("pyspark", reason="pyspark is not installed (pip install -e .[spark])")
if shutil.which("java") is None:
    pytest.skip("no Java runtime on PATH (Spark needs one)", allow_module_level=True)

from khabar.batch.candidates import candidate_pairs  # noqa: E402
from khabar.batch.session import spark_session  # noqa: E402
from khabar.config import DEFAULT  # noqa: E402
from khabar.stories import rules  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    return spark_session("local[2]", conf={"spark.sql.shuffle.partitions": "4"})


def _pairs(spark, days: dict[int, int]) -> set[tuple[int, int]]:
    # every article posts the same entity key; no bands
    rows = [(n, d, ["e:x"], [], bytearray(b"")) for n, d in days.items()]
    idx = spark.createDataFrame(rows, "n long, day long, keys array<string>, bands array<long>, sig binary")
    return {(r["a"], r["b"]) for r in candidate_pairs(idx, DEFAULT).collect()}


def test_candidate_pairs_are_the_pairs_in_window(spark):
    w = DEFAULT.window_days
    days = {1: 19_000, 2: 19_000 + w, 3: 19_000 + w + 1, 4: 19_000 + 400, 5: rules.UNDATED, 6: rules.UNDATED}
    want = {(a, b) for a in days for b in days if a < b and rules.in_window(days[a], days[b], DEFAULT)}
    assert _pairs(spark, days) == want
    assert (1, 3) not in want and (4, 5) in want and (5, 6) in want  # the cases the rule is about


def test_an_undated_key_common_over_all_days_is_dropped(spark):
    # more dated postings of the key than max_postings, each week apart: usable for each dated article
    # (its window holds few), but not for an undated one, whose window is every day
    n = DEFAULT.max_postings + 2
    days = {k: 19_000 + 30 * k for k in range(1, n + 1)} | {0: rules.UNDATED}
    got = _pairs(spark, days)
    assert not any(0 in p for p in got)
