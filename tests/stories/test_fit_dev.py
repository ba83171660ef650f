"""The dev-set fitting procedure (khabar.stories.fit_dev): folds keep sibling stories together, and
the held-out figure uses only values chosen on the other folds."""

from __future__ import annotations

from khabar.config import StoryConfig
from khabar.stories import fit_dev


def _records() -> list[dict]:
    out = []
    for story in ("d01", "d02", "d03", "d04", "d12", "d13", "d16", "d20"):
        out += [{"id": f"{story}_a{i}", "story": story} for i in range(3)]
    out.append({"id": "d04h1_a1", "story": "d04h1", "hard_negative_for": ["d04", "d03"]})
    return out


def test_siblings_and_their_hard_negatives_are_one_family():
    fams = {r["story"]: fit_dev.family(r) for r in _records()}
    assert fams["d03"] == fams["d04"] == fams["d04h1"] == "d03"
    assert fams["d12"] == fams["d13"] and fams["d01"] != fams["d02"]


def test_grouped_kfold_chooses_on_the_other_folds_and_holds_families_together():
    seen: list[set[str]] = []

    def run(records, cfg: StoryConfig):
        seen.append({r["id"] for r in records})
        # stories come out whole only at a merge_score of 2.0 or more
        return {r["id"]: r["story"] if cfg.merge_score >= 2.0 else r["id"] for r in records}

    got = fit_dev.grouped_kfold(_records(), folds=3, grid=(1.6, 2.2, 2.4), run=run)
    assert got["chosen"] == [2.2, 2.2, 2.2]  # the tie with 2.4 goes to the smaller value
    assert len(got["fitted"]) == len(got["fixed"]) == len(_records())
    assert len({v.split(":")[1] for k, v in got["fitted"].items() if k.startswith("d03")}) == 1
    assert all(v.split(":")[1] == k for k, v in got["fixed"].items())  # 1.6: every article alone
    # every run (a training part or a held-out fold) holds whole families: never half of a sibling pair
    members: dict[str, set[str]] = {}
    for r in _records():
        members.setdefault(fit_dev.family(r), set()).add(r["id"])
    for ids in seen:
        assert all(m <= ids or not (m & ids) for m in members.values())


def test_a_bad_record_is_named_by_file_and_line(tmp_path):
    import pytest

    path = tmp_path / "dev.jsonl"
    path.write_text('{"id": "a", "story": "d01"}\n{oops\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"dev\.jsonl:2: not a JSON record"):
        fit_dev.load(path)
