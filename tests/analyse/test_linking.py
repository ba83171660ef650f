"""Linking within one article: surnames, suffixes, different people kept apart."""

from __future__ import annotations

from khabar.analyse.linking import link
from khabar.text.arabic import normalize
from khabar.types import Mention


def test_link_with_hand_made_mentions():
    text = "قال أحمد بن علي الخطيب إن … ثم أضاف الخطيب أن … ونفى (خطيب) ذلك."
    ms = [
        Mention("أحمد بن علي الخطيب", "PERS", 4, 22, ""),
        Mention("الخطيب", "PERS", text.index("الخطيب أن"), text.index("الخطيب أن") + 6, ""),
        Mention("خطيب", "PERS", text.index("(خطيب)") + 1, text.index("(خطيب)") + 5, ""),
    ]
    out = link(text, ms)
    assert {m.entity for m in out} == {normalize("أحمد بن علي الخطيب")}


def test_link_keeps_different_people_apart():
    text = "قال محمد علوان إن … وقال محمد فارس إن …"
    ms = [
        Mention("محمد علوان", "PERS", 4, 14, ""),
        Mention("محمد فارس", "PERS", text.index("محمد فارس"), text.index("محمد فارس") + 9, ""),
    ]
    assert len({m.entity for m in link(text, ms)}) == 2
