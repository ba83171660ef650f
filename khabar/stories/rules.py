"""The story rules, defined once: the online clusterer and the Spark job take every decision from here.

Each rule is a pure function of numbers and a :class:`~khabar.config.StoryConfig`. The Spark job
replays the online clusterer itself over the profiles its tasks build (:mod:`khabar.batch.replay`),
so a threshold or rule change touches one place and both paths follow it. Scores are on the 1..4 scale (lower is closer); resemblance is the
MinHash estimate of word-shingle Jaccard (higher is closer).

>>> from khabar.config import DEFAULT
>>> key_weight(2, 0.5)
4.5
>>> is_copy(0.9, DEFAULT), is_copy(0.5, DEFAULT)
(True, False)
>>> joins(2.0, [2.0, 2.3], DEFAULT), joins(2.4, [2.4, 2.0, 2.1], DEFAULT), joins(3.0, [3.0, 2.0], DEFAULT)
(True, True, False)
>>> joins(2.0, [2.0, 3.5], DEFAULT)  # the medoid is close, the mean is not
False
>>> stories_agree(3.0, [3.0, 1.0, 1.2, 1.4], DEFAULT), stories_agree(3.0, [3.0], DEFAULT)  # mean 1.65; one pair
(True, False)
>>> centrality(0.0, 0)
2.5
>>> pick_reps([(2.0, 1, 1, "a"), (1.5, 2, 1, "b"), (1.8, 3, 3, "c")], DEFAULT)
['b', 'c']
>>> in_conflict(3.0, float("nan"), DEFAULT), in_conflict(1.0, float("nan"), DEFAULT)
(True, False)
>>> event_score(1.9, True, DEFAULT), event_score(1.1, True, DEFAULT), event_score(1.9, False, DEFAULT)
(3.7, 1.1, 1.9)
>>> in_window(100, 107, DEFAULT), in_window(100, 108, DEFAULT), in_window(UNDATED, 100, DEFAULT)
(True, False, True)
>>> story_in_window(130, (100, 120), DEFAULT), story_in_window(127, (100, 120), DEFAULT), story_in_window(5, None, DEFAULT)
(False, True, True)
>>> spans_meet((100, 110), (118, 130), DEFAULT), spans_meet((100, 110), (117, 130), DEFAULT)
(False, True)
>>> window_ranges(100, DEFAULT), window_ranges(UNDATED, DEFAULT) == [(UNDATED, LAST_DAY)]
([(93, 107), (-1000000, -1000000)], True)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from khabar.config import StoryConfig

__all__ = [
    "BAND_WEIGHT",
    "KEY_WEIGHT",
    "LAST_DAY",
    "NO_CENTRALITY",
    "UNDATED",
    "candidate_budget",
    "centrality",
    "event_score",
    "has_exact_medoid",
    "in_window",
    "in_conflict",
    "is_candidate",
    "is_copy",
    "is_strong",
    "joins",
    "key_usable",
    "key_weight",
    "medoids_agree",
    "spans_meet",
    "stories_agree",
    "story_in_window",
    "needs_model",
    "passes",
    "pick_reps",
    "preference",
    "window_ranges",
]

#: Weight of one shared entity or rare-term key between an article and a story.
KEY_WEIGHT = 1.0
#: Weight of a shared LSH band, times the estimated resemblance: sharing whole passages outweighs any
#: handful of shared keys.
BAND_WEIGHT = 5.0
#: Mean score given to a member never compared with another (a founder alone): the middle of the
#: scale, so it neither wins nor loses the medoid against members that were scored.
NO_CENTRALITY = 2.5
#: The day number of an article without a date of its own. Its ingest day says nothing about when
#: the event happened (an archive crawled years later), so its day is *unknown*: far below any real
#: day (1970 ± 2,700 years), it is inside every article's window and every window holds it.
UNDATED = -1_000_000
#: The last day number a window can reach (year 4707): the upper end of an undated article's window.
LAST_DAY = 1_000_000


# --- the time window ---------------------------------------------------------------------------------


def in_window(day_a: int, day_b: int, config: StoryConfig) -> bool:
    """Two articles can be one story in time: within ``window_days``, or one of them undated (unknown)."""
    return day_a == UNDATED or day_b == UNDATED or abs(day_a - day_b) <= config.window_days


def story_in_window(day: int, span: tuple[int, int] | None, config: StoryConfig) -> bool:
    """An article can join a story in time: within ``window_days`` of the story's dated members
    (``span``: their first and last day), or one side without a date (unknown).

    The pairwise window (:func:`in_window`) is checked on the postings; this is the same window held
    against the whole story, so undated members do not carry an article into a story whose dated
    members all lie weeks away (the first round and the result of one election).
    """
    if day == UNDATED or span is None:
        return True
    return span[0] - config.window_days <= day <= span[1] + config.window_days


def spans_meet(a: tuple[int, int] | None, b: tuple[int, int] | None, config: StoryConfig) -> bool:
    """Two stories can be one in time: their dated spans come within ``window_days``, or one has none."""
    if a is None or b is None:
        return True
    return a[0] - config.window_days <= b[1] and b[0] - config.window_days <= a[1]


def window_ranges(day: int, config: StoryConfig) -> list[tuple[int, int]]:
    """The posting days an article's index lookups read, as ``(lo, hi)`` ranges (each read is capped
    on its own, so the cost stays bounded): a dated article reads its window and the undated
    postings; an undated one reads every day. Together: exactly the days :func:`in_window` admits."""
    if day == UNDATED:
        return [(UNDATED, LAST_DAY)]
    return [(day - config.window_days, day + config.window_days), (UNDATED, UNDATED)]


# --- candidates --------------------------------------------------------------------------------------


def key_weight(shared_keys: float, resemblance: float) -> float:
    """How strongly shared index keys and band resemblance point at a candidate."""
    return KEY_WEIGHT * shared_keys + BAND_WEIGHT * resemblance


def key_usable(postings: int, is_band: bool, config: StoryConfig) -> bool:
    """A key posted ``postings`` times inside the window tells stories apart (not too common)."""
    return postings <= (config.max_band_postings if is_band else config.max_postings)


def is_candidate(weight: float, config: StoryConfig) -> bool:
    """Whether a story sharing ``weight`` with the article goes on to be scored."""
    return weight >= config.min_key_weight


def candidate_budget(config: StoryConfig) -> int:
    """Pairs one article is scored on at most: ``reps`` members of each of ``top_k`` candidate stories."""
    return config.top_k * config.reps


def is_copy(resemblance: float, config: StoryConfig) -> bool:
    """Two texts this alike are one text (a near-copy): the article joins without a score."""
    return resemblance >= config.copy_threshold


# --- scoring -----------------------------------------------------------------------------------------


def needs_model(lexical_score: float, config: StoryConfig) -> bool:
    """The lexical gate: only pairs the cheap score puts below ``gate_score`` go to the model."""
    return lexical_score < config.gate_score


def in_conflict(weekday_gap: float, date_gap: float, config: StoryConfig) -> bool:
    """What the two texts say about the day disagrees: the nearest weekdays they name (or the nearest
    calendar dates) lie ``conflict_days`` or more apart.

    A gap is ``NaN`` where a text names no day: unknown, never a conflict (``NaN >= x`` is false).
    """
    return weekday_gap >= config.conflict_days or date_gap >= config.conflict_days


def event_score(score: float, conflict: bool, config: StoryConfig) -> float:
    """The score clustering decides on: a pair :func:`in_conflict` is two stories (``gate_score``)
    unless the model is as sure as a next-day retelling of one report (``conflict_score``)."""
    return max(score, config.gate_score) if conflict and score > config.conflict_score else score


# --- joining and merging -----------------------------------------------------------------------------


def joins(medoid_score: float, rep_scores: Sequence[float], config: StoryConfig) -> bool:
    """The join rule: on average over the representatives the article scores as the same story, and
    the medoid does too, or a majority of (two or more) representatives do.

    ``rep_scores`` are the article's scores against the story's representatives, the medoid's among
    them. The mean weighs every representative: a sibling story (same actors, another happening)
    often scores close to the one member that names no day and far from those that name another.
    """
    if sum(rep_scores) / max(1, len(rep_scores)) > config.join_score:
        return False
    if medoid_score <= config.join_score:
        return True
    if len(rep_scores) < 2:
        return False
    share = sum(s <= config.join_score for s in rep_scores) / len(rep_scores)
    return share >= config.join_share


def passes(score: float, config: StoryConfig) -> bool:
    """One pair scores as the same story for joining."""
    return score <= config.join_score


def preference(rep_scores: Sequence[float], medoid_score: float, story: Any) -> tuple[float, float, Any]:
    """Among the stories an article :func:`joins`, it joins the least of these keys: the closest on
    average over the representatives, then the closest medoid, then the lowest story id."""
    return (sum(rep_scores) / len(rep_scores), medoid_score, story)


def is_strong(medoid_score: float, config: StoryConfig) -> bool:
    """An article this close to a story's medoid links that story strongly (only strong links merge)."""
    return medoid_score <= config.merge_score


def medoids_agree(score: float, config: StoryConfig) -> bool:
    """Two medoids score as one story for merging: at most ``merge_link_score``."""
    return score <= config.merge_link_score


def stories_agree(medoid_score: float, cross_scores: Sequence[float], config: StoryConfig) -> bool:
    """Two strongly linked stories merge when their medoids agree, or when their representatives do
    on average (``cross_scores``: every representative of one against every one of the other, the
    medoid pair first): as in :func:`joins`, one member that the lexical gate or the event rule keeps
    apart does not veto what the rest agree on."""
    if medoids_agree(medoid_score, config):
        return True
    return len(cross_scores) > 1 and medoids_agree(sum(cross_scores) / len(cross_scores), config)


# --- representatives ---------------------------------------------------------------------------------


def centrality(cent_sum: float, cent_n: int) -> float:
    """A member's mean score against the members it was compared with (lower is more central)."""
    return cent_sum / cent_n if cent_n else NO_CENTRALITY


def has_exact_medoid(size: int, config: StoryConfig) -> bool:
    """A story this small gets every pair of members scored, so its centralities (and medoid) are exact."""
    return 2 <= size <= config.exact_medoid_size


def pick_reps(members: Iterable[tuple[float, Any, Any, str]], config: StoryConfig) -> list[str]:
    """The representatives: the most central members, one per near-copy group, the medoid first.

    ``members`` are ``(centrality, order, copy_group, article_id)``; ``order`` breaks ties (the
    earliest member wins). The Spark job ranks copy groups by the same ``(centrality, order)`` key.
    """
    out: list[str] = []
    groups: set[Any] = set()
    for _, _, group, article_id in sorted(members, key=lambda m: (m[0], m[1])):
        if group in groups:
            continue
        groups.add(group)
        out.append(article_id)
        if len(out) == config.reps:
            break
    return out

