"""Connected components on Spark DataFrames against a plain union-find, on small graphs."""

from __future__ import annotations

import random
import shutil

import pytest

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (pip install -e .[spark])")
if shutil.which("java") is None:
    pytest.skip("no Java runtime on PATH (Spark needs one)", allow_module_level=True)

from khabar.batch.components import connected_components  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    from khabar.batch.session import spark_session

    return spark_session("local[2]")


def union_find(edges: list[tuple[int, int]], nodes: list[int] = ()) -> dict[int, int]:
    """node → smallest node of its component, the obvious way."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    for n in nodes:
        find(n)
    return {n: find(n) for n in parent}


def spark_components(spark, edges, nodes=None, **kw) -> dict[int, int]:
    e = spark.createDataFrame(edges or [], "src long, dst long")
    n = spark.createDataFrame([(x,) for x in nodes], "node long") if nodes is not None else None
    return {r["node"]: r["component"] for r in connected_components(e, n, **kw).collect()}


def test_chains_stars_and_pieces_match_union_find(spark):
    """One graph of many shapes (each call costs a Spark job or ten, so they share one)."""
    ids = list(range(1000, 1040))
    random.Random(3).shuffle(ids)
    chain = list(zip(ids, ids[1:], strict=False))  # a long path in shuffled id order: the slow case
    star = [(100, k) for k in range(101, 120)]
    pair = [(7, 3)]
    triangle = [(50, 51), (51, 52), (52, 50)]
    rng = random.Random(11)
    rand = [(2000 + rng.randrange(60), 2000 + rng.randrange(60)) for _ in range(45)]
    rand += rand[:5] + [(b, a) for a, b in rand[:5]]  # duplicates and both directions must not matter
    edges = chain + star + pair + triangle + rand + [(8, 8)]  # a self-loop alone: a node on its own
    nodes = [3, 7, 8, 9, 50, 51, 52, *range(100, 120), *range(2000, 2060)]
    got = spark_components(spark, edges, nodes=nodes)
    assert got == union_find(edges, nodes=nodes)
    assert got[9] == 9 and got[8] == 8 and got[119] == 100 and got[7] == 3 and got[52] == 50
    assert {got[i] for i in ids} == {1000}


def test_dense_random_graph(spark):
    rng = random.Random(5)
    edges = [(rng.randrange(80), rng.randrange(80)) for _ in range(200)]
    assert spark_components(spark, edges, nodes=list(range(80))) == union_find(edges, nodes=range(80))


def test_no_edges(spark):
    assert spark_components(spark, [], nodes=[1, 2]) == {1: 1, 2: 2}


def test_too_few_rounds_raise(spark):
    ids = list(range(64))
    random.Random(5).shuffle(ids)
    with pytest.raises(RuntimeError, match="did not converge"):
        spark_components(spark, list(zip(ids, ids[1:], strict=False)), max_rounds=1)
