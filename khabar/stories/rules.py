"""The story rules, defined once: the online clusterer and the Spark job take every decision from here.

Each rule is a pure function of numbers and a :class:`~khabar.config.StoryConfig`. Where the Spark
job needs the same rule over DataFrame columns, its column form sits right beside the Python one
(suffix ``_col``; pyspark is imported only inside those), so a threshold or rule change touches one
place and both paths follow it. Scores are on the 1..4 scale (lower is closer); resemblance is the
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
>>> centrality(0.0, 0)
2.5
>>> pick_reps([(2.0, 1, 1, "a"), (1.5, 2, 1, "b"), (1.8, 3, 3, "c")], DEFAULT)
['b', 'c']
>>> in_conflict(3.0, float("nan"), DEFAULT), in_conflict(1.0, float("nan"), DEFAULT)
(True, False)
>>> event_score(1.9, True, DEFAULT), event_score(1.1, True, DEFAULT), event_score(1.9, False, DEFAULT)
(3.5, 1.1, 1.9)
>>> in_window(100, 107, DEFAULT), in_window(100, 108, DEFAULT), in_window(UNDATED, 100, DEFAULT)
(True, False, True)
>>> window_ranges(100, DEFAULT), window_ranges(UNDATED, DEFAULT) == [(UNDATED, LAST_DAY)]
([(93, 107), (-1000000, -1000000)], True)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from khabar.config import StoryConfig

if TYPE_CHECKING:  # pyspark is optional: the column forms import it when called
    from pyspark.sql import Column

__all__ = [
    "BAND_WEIGHT",
    "KEY_WEIGHT",
    "LAST_DAY",
    "NO_CENTRALITY",
    "UNDATED",
    "candidate_budget",
    "centrality",
    "centrality_col",
    "event_score",
    "event_score_col",
    "has_exact_medoid",
    "has_exact_medoid_col",
    "in_window",
    "in_conflict",
    "in_conflict_col",
    "in_window_col",
    "is_candidate",
    "is_candidate_col",
    "is_copy",
    "is_copy_col",
    "is_rep_col",
    "is_strong",
    "joins",
    "joins_col",
    "key_usable",
    "key_usable_col",
    "key_weight",
    "key_weight_col",
    "medoids_agree",
    "needs_model",
    "needs_model_col",
    "passes",
    "passes_col",
    "pick_reps",
    "preference",
    "preference_cols",
    "rep_rank_col",
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


def in_window_col(day_a: Column, day_b: Column, config: StoryConfig) -> Column:
    """:func:`in_window` over columns."""
    from pyspark.sql import functions as F

    return (day_a == UNDATED) | (day_b == UNDATED) | (F.abs(day_a - day_b) <= config.window_days)


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


def key_weight_col(shared_keys: Column, resemblance: Column) -> Column:
    """:func:`key_weight` over columns."""
    return shared_keys * KEY_WEIGHT + resemblance * BAND_WEIGHT


def key_usable(postings: int, is_band: bool, config: StoryConfig) -> bool:
    """A key posted ``postings`` times inside the window tells stories apart (not too common)."""
    return postings <= (config.max_band_postings if is_band else config.max_postings)


def key_usable_col(postings: Column, is_band: Column, config: StoryConfig) -> Column:
    """:func:`key_usable` over columns."""
    from pyspark.sql import functions as F

    return postings <= F.when(is_band, config.max_band_postings).otherwise(config.max_postings)


def is_candidate(weight: float, config: StoryConfig) -> bool:
    """Whether a story sharing ``weight`` with the article goes on to be scored."""
    return weight >= config.min_key_weight


def is_candidate_col(weight: Column, config: StoryConfig) -> Column:
    """:func:`is_candidate` over columns."""
    return weight >= config.min_key_weight


def candidate_budget(config: StoryConfig) -> int:
    """Pairs one article is scored on at most: ``reps`` members of each of ``top_k`` candidate stories."""
    return config.top_k * config.reps


def is_copy(resemblance: float, config: StoryConfig) -> bool:
    """Two texts this alike are one text (a near-copy): the article joins without a score."""
    return resemblance >= config.copy_threshold


def is_copy_col(resemblance: Column, config: StoryConfig) -> Column:
    """:func:`is_copy` over columns."""
    return resemblance >= config.copy_threshold


# --- scoring -----------------------------------------------------------------------------------------


def needs_model(lexical_score: float, config: StoryConfig) -> bool:
    """The lexical gate: only pairs the cheap score puts below ``gate_score`` go to the model."""
    return lexical_score < config.gate_score


def needs_model_col(lexical_score: Column, config: StoryConfig) -> Column:
    """:func:`needs_model` over columns."""
    return lexical_score < config.gate_score


def in_conflict(weekday_gap: float, date_gap: float, config: StoryConfig) -> bool:
    """What the two texts say about the day disagrees: the nearest weekdays they name (or the nearest
    calendar dates) lie ``conflict_days`` or more apart.

    A gap is ``NaN`` where a text names no day: unknown, never a conflict (``NaN >= x`` is false).
    """
    return weekday_gap >= config.conflict_days or date_gap >= config.conflict_days


def in_conflict_col(weekday_gap: Column, date_gap: Column, config: StoryConfig) -> Column:
    """:func:`in_conflict` over columns (``NaN``/null: no conflict)."""
    from pyspark.sql import functions as F

    far = (F.nanvl(weekday_gap, F.lit(None)) >= config.conflict_days) | (
        F.nanvl(date_gap, F.lit(None)) >= config.conflict_days)
    return F.coalesce(far, F.lit(False))


def event_score(score: float, conflict: bool, config: StoryConfig) -> float:
    """The score clustering decides on: a pair :func:`in_conflict` is two stories (``gate_score``)
    unless the model is as sure as a next-day retelling of one report (``conflict_score``)."""
    return max(score, config.gate_score) if conflict and score > config.conflict_score else score


def event_score_col(score: Column, conflict: Column, config: StoryConfig) -> Column:
    """:func:`event_score` over columns."""
    from pyspark.sql import functions as F

    vetoed = conflict & (score > config.conflict_score)
    return F.when(vetoed, F.greatest(score, F.lit(config.gate_score))).otherwise(score)


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


def joins_col(medoid_score: Column, n_reps: Column, share: Column, mean_score: Column,
              config: StoryConfig) -> Column:
    """:func:`joins` over columns: ``share`` is the mean of ``score <= join_score`` over ``n_reps``
    scores, ``mean_score`` the mean of the scores."""
    close = (medoid_score <= config.join_score) | ((n_reps >= 2) & (share >= config.join_share))
    return (mean_score <= config.join_score) & close


def passes(score: float, config: StoryConfig) -> bool:
    """One pair scores as the same story for joining."""
    return score <= config.join_score


def passes_col(score: Column, config: StoryConfig) -> Column:
    """:func:`passes` over columns."""
    return score <= config.join_score


def preference(rep_scores: Sequence[float], medoid_score: float, story: Any) -> tuple[float, float, Any]:
    """Among the stories an article :func:`joins`, it joins the least of these keys: the closest on
    average over the representatives, then the closest medoid, then the lowest story id."""
    return (sum(rep_scores) / len(rep_scores), medoid_score, story)


def preference_cols(mean_score: Column, medoid_score: Column, story: Column) -> list[Column]:
    """:func:`preference` over columns, as the sort keys of a window (``mean_score``: the mean rep score)."""
    return [mean_score, medoid_score, story]


def is_strong(medoid_score: float, config: StoryConfig) -> bool:
    """An article this close to a story's medoid links that story strongly (only strong links merge)."""
    return medoid_score <= config.merge_score


def medoids_agree(score: float, config: StoryConfig) -> bool:
    """Two strongly linked stories merge when their medoids score at most ``merge_link_score``."""
    return score <= config.merge_link_score


# --- representatives ---------------------------------------------------------------------------------


def centrality(cent_sum: float, cent_n: int) -> float:
    """A member's mean score against the members it was compared with (lower is more central)."""
    return cent_sum / cent_n if cent_n else NO_CENTRALITY


def centrality_col(cent_sum: Column, cent_n: Column) -> Column:
    """:func:`centrality` over columns."""
    from pyspark.sql import functions as F

    return F.when(cent_n > 0, cent_sum / cent_n).otherwise(NO_CENTRALITY)


def has_exact_medoid(size: int, config: StoryConfig) -> bool:
    """A story this small gets every pair of members scored, so its centralities (and medoid) are exact."""
    return 2 <= size <= config.exact_medoid_size


def has_exact_medoid_col(size: Column, config: StoryConfig) -> Column:
    """:func:`has_exact_medoid` over columns."""
    return (size >= 2) & (size <= config.exact_medoid_size)


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


def rep_rank_col(story: str, centrality: Column, order: Column, first: Column | None = None) -> Column:
    """:func:`pick_reps`'s ranking over columns: 1, 2, … inside ``story`` by ``(centrality, order)``.

    Rank one row per copy group (its head) to rank the groups; ``first`` (a boolean column) puts the
    row it marks, the story's medoid, ahead of the others. :func:`is_rep_col` keeps the first ranks.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    keys = [centrality, order] if first is None else [(~first).cast("int"), centrality, order]
    return F.row_number().over(Window.partitionBy(story).orderBy(*keys))


def is_rep_col(rank: Column, config: StoryConfig) -> Column:
    """The ranks :func:`pick_reps` keeps: the first ``reps`` copy groups."""
    return rank <= config.reps
