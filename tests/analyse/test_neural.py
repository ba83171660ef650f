"""The numpy side of the neural NER experiment: feature ids, BIO-constrained Viterbi, save/load."""

from __future__ import annotations

import itertools

import numpy as np

from khabar.analyse.neural import (
    FEAT_CAP,
    NeuralModel,
    featurize,
    valid_transitions,
    viterbi,
    viterbi_batch,
)

LABELS = ["B-LOC", "B-PERS", "I-LOC", "I-PERS", "O"]


def _valid(path: list[str]) -> bool:
    prev = "O"
    for t in path:
        if t.startswith("I-") and prev[2:] != t[2:]:
            return False
        prev = t
    return True


def test_featurize_drops_unknown_features_and_caps() -> None:
    vocab = {"w=a": 1, "p1=a": 2}
    ids = featurize([["w=a", "nope", "p1=a"], ["nope"], ["w=a"] * (FEAT_CAP + 5)], vocab)
    assert ids.shape == (3, FEAT_CAP)
    assert ids[0, :3].tolist() == [1, 2, 0]
    assert not ids[1].any()
    assert (ids[2] == 1).all()


def test_viterbi_is_the_best_valid_path() -> None:
    rng = np.random.default_rng(0)
    trans = valid_transitions(LABELS)
    start = np.array([-np.inf if t.startswith("I-") else 0.0 for t in LABELS])
    for _ in range(20):
        scores = rng.normal(size=(4, len(LABELS)))
        best = max(
            (p for p in itertools.product(range(len(LABELS)), repeat=4) if _valid([LABELS[i] for i in p])),
            key=lambda p: sum(scores[t, j] for t, j in enumerate(p)),
        )
        got = viterbi(scores, trans, start)
        assert _valid([LABELS[i] for i in got])
        assert tuple(got) == best


def test_batched_viterbi_matches_one_sentence_at_a_time() -> None:
    rng = np.random.default_rng(2)
    trans = valid_transitions(LABELS)
    start = np.array([-np.inf if t.startswith("I-") else 0.0 for t in LABELS])
    lens = [1, 7, 3, 12]
    scores = rng.normal(size=(len(lens), max(lens), len(LABELS)))
    got = viterbi_batch(scores, lens, trans, start)
    assert got == [viterbi(scores[b, :n], trans, start) for b, n in enumerate(lens)]


def _model(rng: np.random.Generator) -> NeuralModel:
    E, H, L = 8, 6, len(LABELS)
    p = {
        "emb": rng.normal(size=(4, E)),
        "w_in": rng.normal(size=(E, H)),
        "b_in": rng.normal(size=H),
        "w_out": rng.normal(size=(H, L)),
        "b_out": rng.normal(size=L),
        "w_lin": rng.normal(size=(E, L)),
        "wv": np.vstack([np.zeros((1, 3)), rng.normal(size=(2, 3))]),
        "w_vec": rng.normal(size=(3, E)),
    }
    for k in range(len(NeuralModel.DILATIONS)):
        p[f"w_c{k}"] = rng.normal(size=(3 * H, H))
        p[f"b_c{k}"] = rng.normal(size=H)
    return NeuralModel(p, ["w=a", "w=b", "w=c"], LABELS, ["عمان", "بيروت"])


def test_batch_padding_does_not_change_a_sentence_and_save_load_keeps_tags(tmp_path) -> None:
    model = _model(np.random.default_rng(1))
    short = [["w=a"], ["w=b", "w=c"]]
    long = [["w=c"], ["w=a"], ["w=b"], ["w=a", "w=b"], ["w=c"]]
    words = [["عمان", "x"], ["بيروت", "عمان", "y", "z", "x"]]
    alone = model.predict_features([short], [words[0]])
    together = model.predict_features([short, long], words)
    assert together[0] == alone[0]
    assert all(_valid(t) for t in together)
    # the word vectors count: without them the scores differ
    z_with = model.logits(np.array([[[1], [2]]]), np.ones((1, 2), bool), np.array([[1, 2]]))
    z_without = model.logits(np.array([[[1], [2]]]), np.ones((1, 2), bool))
    assert not np.allclose(z_with, z_without)
    path = tmp_path / "m.npz"
    model.save(path)
    again = NeuralModel.load(path)
    assert again.words == model.words and again.labels == model.labels
    # float16 storage: close scores, and here the same tags
    assert again.predict_features([short, long], words) == together
