"""The story rules' Spark-column forms give what their Python forms give, on the cases at each cut."""

from __future__ import annotations

import shutil

import pytest

pytest.importorskip("pyspark", reason="pyspark is not installed (pip install -e .[spark])")
if shutil.which("java") is None:
    pytest.skip("no Java runtime on PATH (Spark needs one)", allow_module_level=True)

from khabar.batch.session import spark_session  # noqa: E402
from khabar.config import DEFAULT  # noqa: E402
from khabar.stories import rules  # noqa: E402

C = DEFAULT


@pytest.fixture(scope="module")
def spark():
    return spark_session("local[2]", conf={"spark.sql.shuffle.partitions": "4"})


def test_column_forms_match_python_forms(spark):
    from pyspark.sql import functions as F

    # values on both sides of every cut, and the cuts themselves
    x = sorted(
        {0.0, 0.5, 1.0, 2.0, 2.5, 3.0, 4.0}
        | {C.min_key_weight, C.copy_threshold, C.gate_score, C.join_score, C.join_share}
        | {v + d for v in (C.copy_threshold, C.gate_score, C.join_score, C.join_share) for d in (-1e-9, 1e-9)}
    )
    ints = sorted(
        {
            0,
            1,
            2,
            3,
            C.exact_medoid_size,
            C.exact_medoid_size + 1,
            C.max_postings,
            C.max_postings + 1,
            C.max_band_postings,
            C.max_band_postings + 1,
        }
    )
    rows = [(v, i, band) for v in x for i in ints for band in (False, True)]
    df = spark.createDataFrame(rows, "x double, i long, band boolean")
    got = df.select(
        "x",
        "i",
        "band",
        rules.key_weight_col(F.col("i").cast("double"), F.col("x")).alias("key_weight"),
        rules.key_usable_col(F.col("i"), F.col("band"), C).alias("key_usable"),
        rules.is_candidate_col(F.col("x"), C).alias("is_candidate"),
        rules.is_copy_col(F.col("x"), C).alias("is_copy"),
        rules.needs_model_col(F.col("x"), C).alias("needs_model"),
        rules.passes_col(F.col("x"), C).alias("passes"),
        rules.has_exact_medoid_col(F.col("i"), C).alias("has_exact_medoid"),
        rules.centrality_col(F.col("x"), F.col("i")).alias("centrality"),
        rules.is_rep_col(F.col("i"), C).alias("is_rep"),
    ).collect()
    assert len(got) == len(rows)
    for r in got:
        x, i, band = r["x"], r["i"], r["band"]
        assert r["key_weight"] == rules.key_weight(i, x)
        assert r["key_usable"] == rules.key_usable(i, band, C)
        assert r["is_candidate"] == rules.is_candidate(x, C)
        assert r["is_copy"] == rules.is_copy(x, C)
        assert r["needs_model"] == rules.needs_model(x, C)
        assert r["passes"] == rules.passes(x, C)
        assert r["has_exact_medoid"] == rules.has_exact_medoid(i, C)
        assert r["centrality"] == rules.centrality(x, i)
        assert r["is_rep"] == (i <= C.reps)


def test_joins_col_matches_joins(spark):
    from pyspark.sql import functions as F

    cases = [
        [C.join_score],  # the medoid alone, at the cut
        [C.join_score + 0.1],
        [C.join_score + 0.1, C.join_score - 0.1],  # a majority of two needs both
        [C.join_score + 0.1, C.join_score - 0.1, C.join_score - 0.2],
        [C.join_score + 0.1, C.join_score + 0.2, C.join_score - 0.2],
        [3.0, 2.0, 2.0, 2.0, 3.0],
        [C.join_score - 0.1, C.gate_score],  # the medoid is close, the mean is not
    ]
    rows = [
        (k, float(cs[0]), len(cs), sum(rules.passes(s, C) for s in cs) / len(cs), sum(cs) / len(cs))
        for k, cs in enumerate(cases)
    ]
    df = spark.createDataFrame(rows, "k long, medoid double, n long, share double, mean double")
    got = {
        r["k"]: r["joins"]
        for r in df.select(
            "k", rules.joins_col(F.col("medoid"), F.col("n"), F.col("share"), F.col("mean"), C).alias("joins")
        ).collect()
    }
    assert got == {k: rules.joins(cs[0], cs, C) for k, cs in enumerate(cases)}


def test_rep_rank_col_orders_as_pick_reps(spark):
    """One row per copy group head: the first ``reps`` ranks are pick_reps's choice, in its order."""
    from pyspark.sql import functions as F

    heads = [(2.0, 4, "d"), (1.5, 7, "g"), (1.5, 2, "b"), (2.5, 1, "a"), (1.8, 9, "i")]
    df = spark.createDataFrame(
        [(1, c, o, a) for c, o, a in heads], "story long, cent double, o long, id string"
    )
    ranked = df.withColumn("rank", rules.rep_rank_col("story", F.col("cent"), F.col("o")))
    got = [r["id"] for r in ranked.where(rules.is_rep_col(F.col("rank"), C)).orderBy("rank").collect()]
    assert got == rules.pick_reps([(c, o, a, a) for c, o, a in heads], C)
    # ``first`` puts the medoid ahead whatever its centrality
    first = df.withColumn(
        "rank", rules.rep_rank_col("story", F.col("cent"), F.col("o"), first=F.col("id") == "a")
    )
    assert [r["id"] for r in first.orderBy("rank").collect()][:2] == ["a", "b"]


def test_preference_cols_pick_the_story_preference_picks(spark):
    """Among joinable stories the window over preference_cols ranks first the one min(preference) gives,
    ties on the mean broken by the medoid score, then the story id."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    cases = {  # story → (rep scores, medoid score)
        7: ([1.8, 2.0, 2.2], 1.8),
        3: ([2.0, 2.0], 2.0),  # the same mean as 7, a worse medoid
        5: ([1.9, 2.1, 2.0], 1.9),  # the same mean again, a medoid between 7's and 3's
        9: ([1.2, 3.0, 1.8], 1.2),  # the same mean, the best medoid
    }
    want = min(cases, key=lambda s: rules.preference(cases[s][0], cases[s][1], s))
    rows = [(1, s, sum(r) / len(r), m) for s, (r, m) in cases.items()]
    df = spark.createDataFrame(rows, "g long, story long, mean double, medoid double")
    order = Window.partitionBy("g").orderBy(
        *rules.preference_cols(F.col("mean"), F.col("medoid"), F.col("story"))
    )
    ranked = [r["story"] for r in df.withColumn("k", F.row_number().over(order)).orderBy("k").collect()]
    assert ranked == sorted(cases, key=lambda s: rules.preference(cases[s][0], cases[s][1], s))
    assert ranked[0] == want == 9


def test_in_window_col_matches_in_window(spark):
    """The time window, undated articles (rules.UNDATED) inside every window, on both sides of the cut."""
    from pyspark.sql import functions as F

    w = C.window_days
    days = [0, w, w + 1, -w, -w - 1, 19_000, rules.UNDATED]
    rows = [(a, b) for a in days for b in days]
    df = spark.createDataFrame(rows, "a long, b long")
    got = {(r["a"], r["b"]): r["ok"] for r in df.select(
        "a", "b", rules.in_window_col(F.col("a"), F.col("b"), C).alias("ok")).collect()}
    assert got == {(a, b): rules.in_window(a, b, C) for a, b in rows}
    # the lookups' day ranges hold exactly the days in_window admits
    for a in days:
        for b in days:
            assert any(lo <= b <= hi for lo, hi in rules.window_ranges(a, C)) == rules.in_window(a, b, C)
