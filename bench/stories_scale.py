"""The scale stream of ``bench/stories.py``: one that is not flat by construction, and its CPU clock.

A stream built by repeating the same stories would keep the vocabulary, the names and the story
index the same size all along, and would flatter a clusterer whose cost grows with what it has seen.
This one changes over time as a newsroom's feed does:

* **new vocabulary and names**: each story instance (a base story re-told in an epoch) has a few of its
  words, names among them, replaced by pseudo-words made for it, so the vocabulary, the entities and
  the term document frequencies keep growing;
* **stories longer than the window**: a third of the instances run 8–40 days (follow-ups), longer
  than the clustering window (``StoryConfig.window_days``), the others 0–2 days;
* **dates spread over months**: articles arrive at a steady :data:`PER_DAY` a day, so a 100k stream
  spans about 11 months, and the window holds as many articles at the end as at the start.

:func:`cpu_seconds` is the CPU time of this process and of its live and finished children (the
ingest worker pool), read as the run goes, so each tenth of the stream gets its own CPU cost.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import re
import resource
from collections import defaultdict
from collections.abc import Callable
from typing import Any

PER_DAY = 300  # articles a day: a mid-sized monitor's feed; the window then holds ~2,100
LONG_SHARE = 1 / 3  # story instances that run longer than the window
LONG_DAYS = (8, 40)
SHORT_DAYS = (0, 2)
NEW_WORDS = 6  # words of an instance replaced by its own pseudo-words (names among them)
_LETTERS = {"ar": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي", "tr": "abcçdefgğhıijklmnoöprsştuüvyz", "fr": "abcdefghijlmnoprstuvé"}
_WORD = re.compile(r"\w{5,}")
_TICK = os.sysconf("SC_CLK_TCK")


def _pseudo_word(rng: random.Random, lang: str) -> str:
    letters = _LETTERS.get(lang, _LETTERS["ar"])
    return "".join(rng.choice(letters) for _ in range(rng.randint(5, 8)))


def _renamer(rec: dict[str, Any], rng: random.Random) -> Callable[[str], str]:
    """A rewrite of ``rec``'s story words: its most frequent long words (names and topic words) → fresh words."""
    counts: dict[str, int] = defaultdict(int)
    for w in _WORD.findall(rec["title"] + " " + rec["text"]):
        counts[w] += 1
    top = sorted(counts, key=lambda w: (-counts[w], w))[:NEW_WORDS]
    table = {w: _pseudo_word(rng, rec["lang"]) for w in top}
    if not table:
        return lambda s: s
    rx = re.compile("|".join(map(re.escape, sorted(table, key=len, reverse=True))))
    return lambda s: rx.sub(lambda m: table[m.group()], s)


def _when(day: float) -> str:
    d = int(day)
    hour = int((day - d) * 24)
    return f"{2000 + d // 360:04d}-{1 + (d % 360) // 30:02d}-{1 + d % 30:02d}T{hour:02d}:00:00"


def scaled_stream(base: list[dict[str, Any]], size: int, seed: int,
                  perturb: Callable[..., dict[str, Any]], rewrap: Callable[..., dict[str, Any]]) -> list[dict[str, Any]]:
    """``size`` records in time order: epochs of the base stories re-told with new words, spread over
    months at :data:`PER_DAY`; gold ``story``/``copy`` are per instance (``story@epoch``)."""
    rng = random.Random(seed)
    originals = [r for r in base if not r["url"].startswith("https://mirror")]
    mirrors = defaultdict(list)
    for r in base:
        if r["url"].startswith("https://mirror"):
            mirrors[r["copy"]].append(r)
    by_story: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in originals:
        by_story[r["story"]].append(r)
    per_epoch = len(originals) + sum(len(v) for v in mirrors.values())
    epoch_days = per_epoch / PER_DAY
    out: list[tuple[float, dict[str, Any]]] = []
    epoch = 0
    while len(out) < size * 1.2 or epoch * epoch_days < (size / PER_DAY):
        for story, recs in by_story.items():
            inst = random.Random(f"{seed}:{epoch}:{story}")
            lo, hi = LONG_DAYS if inst.random() < LONG_SHARE else SHORT_DAYS
            start = (epoch + inst.random()) * epoch_days
            span = inst.uniform(lo, hi)
            rename = _renamer(recs[0], inst)
            for r in recs:
                day = start + inst.random() * span
                p = perturb({**r, "title": rename(r["title"]), "text": rename(r["text"])}, inst, _when(day))
                p.update(published=_when(day), story=f"{r['story']}@{epoch}", copy=f"{r['copy']}@{epoch}")
                out.append((day, p))
                for m in mirrors.get(r["copy"], ()):  # copies of this instance's version, within hours
                    c = rewrap(p, rng, m["url"].split("/")[2])
                    out.append((day + rng.random() / 6, c))
        epoch += 1
    out.sort(key=lambda t: t[0])
    records = [r for _, r in out[:size]]
    for i, r in enumerate(records):
        r["id"] = f"x{i:07d}"
    return records


def cpu_seconds() -> float:
    """CPU seconds of this process, its finished children and its live ones (the worker pool)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    done = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = own.ru_utime + own.ru_stime + done.ru_utime + done.ru_stime
    for child in multiprocessing.active_children():
        try:
            with open(f"/proc/{child.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime
        except (OSError, IndexError, ValueError):
            continue  # it ended between the listing and the read: counted in RUSAGE_CHILDREN
    return total


def tenths(marks: list[tuple[int, float]]) -> list[float]:
    """ms of CPU per article in each tenth of the stream, from ``(articles done, cpu s)`` marks."""
    if not marks:
        return []
    n = marks[-1][0]
    out, prev = [], (0, 0.0)
    for k in range(1, 11):
        cut = next((m for m in marks if m[0] >= n * k / 10), marks[-1])
        if cut[0] > prev[0]:
            out.append(round((cut[1] - prev[1]) / (cut[0] - prev[0]) * 1000, 2))
            prev = cut
    return out
