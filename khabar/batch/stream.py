"""Partitions of an RDD to the driver in order, each its own job, a few jobs ahead of the consumer.

``toLocalIterator(prefetchPartitions=True)`` keeps one task busy while the driver works on the
partition before; with the driver clustering (one core) that leaves the other cores idle. Here
``ahead`` jobs run at once (one per core), so the cores analyse while the driver clusters what came
back, and at most ``ahead + 1`` partitions wait in the driver's memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


def in_order(
    sc: Any, rdd: Any, func: Callable[[Iterable[Any]], Iterable[Any]], ahead: int, group: str | None = None
) -> Iterator[list[Any]]:
    """``func`` over each partition of ``rdd`` (a job each, ``ahead`` in flight), the results in partition order."""
    n = rdd.getNumPartitions()
    ahead = max(1, ahead)

    def run(i: int) -> list[Any]:
        if group:  # job groups are per thread: the UI and the bench's figures file these jobs under it
            sc.setJobGroup(group, f"khabar batch: {group}")
        return sc.runJob(rdd, func, [i])

    pool = ThreadPoolExecutor(ahead, thread_name_prefix="khabar-partition")
    futures: dict[int, Future[list[Any]]] = {}
    try:
        submitted = 0
        for i in range(n):
            while submitted < min(n, i + 1 + ahead):  # this one, and the next ``ahead`` while it is used
                futures[submitted] = pool.submit(run, submitted)
                submitted += 1
            yield futures.pop(i).result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # a failure or an early stop: no job left behind
