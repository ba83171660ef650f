"""CoNLL reading and entity-level scoring (CoNLL rules) on small hand-made examples."""

from __future__ import annotations

import pytest

from khabar.analyse.conll import ConllError, contiguous_folds, entities, read_conll, score, write_conll


def write(tmp_path, text: str, name: str = "x.conll"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_read_sentences_tabs_docstart_and_trailing_sentence(tmp_path):
    p = write(tmp_path, "-DOCSTART- O\n\nقال O\nبوش\tB-PERS\n\n\nفي O\nبغداد B-LOC")
    X, y = read_conll(p)
    assert X == [["قال", "بوش"], ["في", "بغداد"]]
    assert y == [["O", "B-PERS"], ["O", "B-LOC"]]


def test_write_then_read_round_trips(tmp_path):
    X, y = [["a", "b"], ["c"]], [["B-ORG", "I-ORG"], ["O"]]
    p = tmp_path / "rt.conll"
    write_conll(p, X, y)
    assert read_conll(p) == (X, y)


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ("a O\nb\n", 2, "1 field"),
        ("a O\n\nb O extra\n", 3, "3 field"),
        ("a O\nb B_PERS\n", 2, "bad tag"),
        ("a O\nb X-LOC\n", 2, "bad tag"),
    ],
)
def test_malformed_line_names_file_and_line(tmp_path, text, line, what):
    p = write(tmp_path, text, "broken.conll")
    with pytest.raises(ConllError) as e:
        read_conll(p)
    assert e.value.line == line
    assert f"broken.conll:{line}:" in str(e.value)
    assert what in str(e.value)


def test_missing_empty_and_binary_files(tmp_path):
    with pytest.raises(ConllError, match="nope.conll: cannot read"):
        read_conll(tmp_path / "nope.conll")
    with pytest.raises(ConllError, match="no tokens"):
        read_conll(write(tmp_path, "\n\n", "empty.conll"))
    bad = tmp_path / "latin1.conll"
    bad.write_bytes("a O\n\xe9t\xe9 O\n".encode("latin-1"))
    with pytest.raises(ConllError, match="latin1.conll:2: not UTF-8"):
        read_conll(bad)


def test_entities_follow_conlleval_rules():
    assert entities(["B-PERS", "I-PERS", "O", "B-LOC"]) == [("PERS", 0, 2), ("LOC", 3, 4)]
    # a stray I opens an entity; a type change closes one; B after B splits
    assert entities(["O", "I-ORG", "I-ORG", "I-LOC"]) == [("ORG", 1, 3), ("LOC", 3, 4)]
    assert entities(["B-LOC", "B-LOC", "I-LOC"]) == [("LOC", 0, 1), ("LOC", 1, 3)]
    assert entities(["I-MISC"]) == [("MISC", 0, 1)]
    assert entities(["O", "O"]) == []


def test_score_arithmetic_by_hand():
    gold = [
        ["B-PERS", "I-PERS", "O", "B-LOC"],
        ["B-ORG", "I-ORG", "O", "O", "B-LOC"],
    ]
    pred = [
        ["B-PERS", "I-PERS", "O", "B-ORG"],  # PERS right; LOC given the wrong type
        ["B-ORG", "O", "I-MISC", "O", "B-LOC"],  # ORG cut short; a stray MISC; LOC right
    ]
    s = score(gold, pred)
    # gold: PERS, LOC, ORG, LOC (4). pred: PERS, ORG, ORG, MISC, LOC (5). exact matches: PERS, LOC (2).
    assert (s.micro.tp, s.micro.n_pred, s.micro.n_gold) == (2, 5, 4)
    assert s.micro.p == pytest.approx(2 / 5)
    assert s.micro.r == pytest.approx(2 / 4)
    assert s.micro_f1 == pytest.approx(2 * 0.4 * 0.5 / 0.9)
    assert (s.per_type["PERS"].p, s.per_type["PERS"].r, s.per_type["PERS"].f1) == (1.0, 1.0, 1.0)
    assert s.per_type["LOC"].p == 1.0 and s.per_type["LOC"].r == 0.5
    assert s.per_type["LOC"].f1 == pytest.approx(2 / 3)
    assert (s.per_type["ORG"].tp, s.per_type["ORG"].n_pred, s.per_type["ORG"].n_gold) == (0, 2, 1)
    assert s.per_type["ORG"].f1 == 0.0
    assert s.per_type["MISC"].n_gold == 0 and s.per_type["MISC"].r == 0.0
    assert s.tokens == 9
    d = s.to_dict()
    assert d["micro_f1"] == round(2 * 0.4 * 0.5 / 0.9, 4)
    assert d["per_type"]["LOC"] == {"p": 1.0, "r": 0.5, "f1": 0.6667, "support": 2}
    assert d["tokens"] == 9


def test_score_rejects_length_mismatch():
    with pytest.raises(ValueError, match="length"):
        score([["O", "O"]], [["O"]])


def test_contiguous_folds_partition_in_blocks():
    folds = contiguous_folds(10, 3)
    tests = [te for _tr, te in folds]
    assert tests == [[0, 1, 2], [3, 4, 5, 6], [7, 8, 9]]
    for tr, te in folds:
        assert sorted(tr + te) == list(range(10)) and not set(tr) & set(te)
    with pytest.raises(ValueError):
        contiguous_folds(3, 5)
