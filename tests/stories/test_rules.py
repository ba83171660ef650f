"""The event rule (``rules.in_conflict``, ``rules.event_score``): what two texts say about the day can
overrule a close model score; an absent signal is unknown, never a mismatch. Scored with the shipped model."""

from __future__ import annotations

import math

import pytest

from khabar.compare.comparison import analyse
from khabar.compare.features import pair_features, weekday_gap
from khabar.config import DEFAULT
from khabar.read.clean import to_article
from khabar.stories import rules
from khabar.stories.scorers import ModelScorer
from khabar.types import Document

NAN = math.nan
# Two matches of one team in one tournament, four days apart: the same actors, another happening.
SEMI = ("خسر المنتخب المغربي أمام نظيره الفرنسي بهدفين دون رد، مساء الأربعاء، في الدور نصف النهائي من بطولة "
        "كأس العالم لكرة القدم المقامة في قطر، على ملعب البيت. وسجل ثيو هيرنانديز الهدف الأول في الدقيقة الخامسة، "
        "ثم أضاف راندال كولو مواني الهدف الثاني. وكان المنتخب المغربي قد بلغ نصف النهائي للمرة الأولى في تاريخه، "
        "وقال المدرب وليد الركراكي إن لاعبيه قدموا كل ما لديهم.")
QUARTER = ("فاز المنتخب المغربي على نظيره البرتغالي بهدف دون رد، {day}في ربع نهائي المونديال، وسجل يوسف النصيري "
           "الهدف برأسية قبل نهاية الشوط الأول. واحتفل آلاف المشجعين في شوارع الرباط والدار البيضاء حتى الفجر.")


def test_conflict_needs_both_sides_and_two_days():
    c = DEFAULT
    gap = float(c.conflict_days)
    assert rules.in_conflict(gap, NAN, c) and rules.in_conflict(NAN, gap, c) and rules.in_conflict(0.0, gap, c)
    assert not rules.in_conflict(NAN, NAN, c)  # neither text names a day: unknown
    assert not rules.in_conflict(gap - 1, gap - 1, c)  # the next day's report of the same happening


def test_event_score_cuts():
    c = DEFAULT
    above = c.conflict_score + 1e-9
    assert rules.event_score(above, True, c) == c.gate_score
    assert rules.event_score(c.conflict_score, True, c) == c.conflict_score  # sure enough: a retelling
    assert rules.event_score(above, False, c) == above
    assert rules.event_score(3.9, True, c) == 3.9  # never lowers a score
    assert not rules.passes(rules.event_score(c.join_score, True, c), c)


@pytest.fixture(scope="module")
def scorer() -> ModelScorer:
    try:
        return ModelScorer()
    except (FileNotFoundError, OSError) as e:
        pytest.skip(f"no shipped model: {e}")


def _profile(scorer: ModelScorer, text: str):
    a = to_article(Document(text=text, title=""))
    return scorer.model.profile(a, *analyse(a))


def _raw(scorer: ModelScorer, a, b) -> float:
    return float(scorer.model.regressor.predict(pair_features(a, b)[None, :])[0])


def test_days_that_disagree_part_a_close_pair(scorer):
    a, b = _profile(scorer, SEMI), _profile(scorer, QUARTER.format(day="يوم السبت، "))
    raw = _raw(scorer, a, b)
    assert weekday_gap(a.numbers.weekdays, b.numbers.weekdays) == 3  # Wednesday and Saturday
    assert DEFAULT.conflict_score < raw <= DEFAULT.join_score  # the model alone would join them
    assert scorer.score([a], [b])[0] >= DEFAULT.gate_score
    assert scorer.score([b], [a])[0] == scorer.score([a], [b])[0]


def test_a_day_named_on_one_side_only_is_unknown(scorer):
    a, b = _profile(scorer, SEMI), _profile(scorer, QUARTER.format(day=""))
    assert math.isnan(weekday_gap(a.numbers.weekdays, b.numbers.weekdays))
    assert scorer.score([a], [b])[0] == pytest.approx(_raw(scorer, a, b))


@pytest.mark.parametrize("day", ["مساء الأربعاء، ", "يوم الخميس، "])
def test_the_same_or_next_day_keeps_the_score(scorer, day):
    a, b = _profile(scorer, SEMI), _profile(scorer, QUARTER.format(day=day))
    assert weekday_gap(a.numbers.weekdays, b.numbers.weekdays) < DEFAULT.conflict_days
    assert scorer.score([a], [b])[0] == pytest.approx(_raw(scorer, a, b))


def test_joining_weighs_every_representative():
    c = DEFAULT
    close, far = c.join_score - 0.1, c.gate_score
    assert rules.joins(close, [close, close - 0.5], c)
    assert not rules.joins(close, [close, far], c)  # one representative names another day
    assert not rules.joins(close, [close, far, far], c)
    # a majority of close representatives still joins without the medoid, when the mean agrees
    assert rules.joins(c.join_score + 0.1, [c.join_score + 0.1, 1.5, 1.5], c)
    assert not rules.joins(c.join_score + 0.1, [c.join_score + 0.1], c)
