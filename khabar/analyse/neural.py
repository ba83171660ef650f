"""A small neural NER tagger, run in numpy: embedded CRF features + a dilated CNN + constrained Viterbi.

Each token's CRF feature strings (:func:`khabar.analyse.ner.document_features`: the word, affixes,
stem, shape, list hits, trigger words, neighbours, the document's other mentions) are looked up in a
feature vocabulary and their embeddings summed; two residual convolutions (dilations 1 and 2) read
the context; a linear layer gives tag scores, decoded by Viterbi through BIO-valid transitions.
Training (JAX, an optional extra) lives in :mod:`khabar.analyse.neural_train`; this module needs
only numpy, so tagging never imports JAX.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

__all__ = ["FEAT_CAP", "NeuralModel", "featurize", "valid_transitions", "viterbi", "viterbi_batch"]

# The most feature ids one token carries: ANERcorp's tokens have 20 on average and at most 43; a
# cap keeps the id array rectangular, and features past it (rare doc neighbours) are dropped.
FEAT_CAP = 48


def featurize(feats: Sequence[Sequence[str]], vocab: dict[str, int]) -> np.ndarray:
    """A ``[T, FEAT_CAP]`` int32 array of feature ids (0 = padding or a feature not in ``vocab``)."""
    out = np.zeros((len(feats), FEAT_CAP), dtype=np.int32)
    get = vocab.get
    for t, fs in enumerate(feats):
        ids = [i for f in fs if (i := get(f, 0))]
        k = min(len(ids), FEAT_CAP)
        out[t, :k] = ids[:k]
    return out


def valid_transitions(labels: Sequence[str]) -> np.ndarray:
    """``[L, L]`` additive mask: 0 where tag j may follow tag i in BIO, -inf where it may not.

    >>> m = valid_transitions(["O", "B-PERS", "I-PERS"])
    >>> bool(np.isinf(m[0, 2])), bool(m[1, 2] == 0)
    (True, True)
    """
    n = len(labels)
    m = np.zeros((n, n), dtype=np.float32)
    for j, b in enumerate(labels):
        if b.startswith("I-"):
            for i, a in enumerate(labels):
                if a[2:] != b[2:]:
                    m[i, j] = -np.inf
    return m


def viterbi(scores: np.ndarray, trans: np.ndarray, start: np.ndarray) -> list[int]:
    """Best tag path through ``[T, L]`` log scores with additive transition and start masks."""
    T = scores.shape[0]
    if T == 0:
        return []
    delta = scores[0] + start
    back = np.zeros((T, scores.shape[1]), dtype=np.int32)
    for t in range(1, T):
        cand = delta[:, None] + trans
        back[t] = cand.argmax(0)
        delta = cand.max(0) + scores[t]
    path = [int(delta.argmax())]
    for t in range(T - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return path[::-1]


def viterbi_batch(
    scores: np.ndarray, lens: Sequence[int], trans: np.ndarray, start: np.ndarray
) -> list[list[int]]:
    """:func:`viterbi` for a padded batch ``[B, T, L]`` at once (one numpy step per position, not per sentence)."""
    B, T, L = scores.shape
    lens_a = np.asarray(lens)
    delta = scores[:, 0] + start
    back = np.zeros((B, T, L), dtype=np.int32)
    stay = np.arange(L)
    for t in range(1, T):
        cand = delta[:, :, None] + trans
        arg = cand.argmax(1)
        nxt = np.take_along_axis(cand, arg[:, None, :], 1)[:, 0] + scores[:, t]
        live = (t < lens_a)[:, None]
        delta = np.where(live, nxt, delta)  # a finished sentence keeps its final scores
        back[:, t] = np.where(live, arg, stay)
    out = []
    for b in range(B):
        path = [int(delta[b].argmax())]
        for t in range(lens[b] - 1, 0, -1):
            path.append(int(back[b, t, path[-1]]))
        out.append(path[::-1])
    return out


def _conv(h: np.ndarray, w: np.ndarray, b: np.ndarray, d: int) -> np.ndarray:
    """Width-3 convolution over axis 1 of ``[B, T, H]`` with dilation ``d`` (zero padding)."""
    B, T, H = h.shape
    pad = np.zeros((B, d, H), dtype=h.dtype)
    hp = np.concatenate([pad, h, pad], axis=1)
    x = np.concatenate([hp[:, :T], h, hp[:, 2 * d : 2 * d + T]], axis=2)
    return x @ w + b


class NeuralModel:
    """The weights and feature vocabulary of one trained network, and its forward pass in numpy."""

    DILATIONS = (1, 2)

    def __init__(
        self,
        params: dict[str, np.ndarray],
        vocab: Sequence[str],
        labels: Sequence[str],
        words: Sequence[str] = (),
    ) -> None:
        self.p = {k: np.array(v, dtype=np.float32) for k, v in params.items()}
        self.p["emb"][0] = 0.0  # id 0 is padding and unknown features
        self.vocab = {f: i + 1 for i, f in enumerate(vocab)}
        # optional static word vectors (row 0: a word without one), keyed by the caller's word form
        self.words = {w: i + 1 for i, w in enumerate(words)}
        self.labels = list(labels)
        self.trans = valid_transitions(self.labels)
        self.start = np.array([-np.inf if t.startswith("I-") else 0.0 for t in self.labels], np.float32)

    def logits(self, ids: np.ndarray, mask: np.ndarray, wids: np.ndarray | None = None) -> np.ndarray:
        """``[B, T, L]`` tag scores for padded feature ids ``[B, T, F]`` and token mask ``[B, T]``."""
        p = self.p
        m = mask[..., None].astype(np.float32)
        # sum the embeddings of real tokens only: padding rows would cost as much as words
        e = np.zeros((*ids.shape[:2], p["emb"].shape[1]), dtype=np.float32)
        e[mask] = p["emb"][ids[mask]].sum(axis=1)
        if wids is not None and "wv" in p:
            e = e + p["wv"][wids] @ p["w_vec"]
        h = np.tanh(e @ p["w_in"] + p["b_in"]) * m
        for k, d in enumerate(self.DILATIONS):
            h = (h + np.maximum(_conv(h, p[f"w_c{k}"], p[f"b_c{k}"], d), 0.0)) * m
        return h @ p["w_out"] + p["b_out"] + e @ p["w_lin"]

    def predict_features(
        self, doc_feats: Sequence[Sequence[Sequence[str]]], doc_words: Sequence[Sequence[str]] | None = None
    ) -> list[list[str]]:
        """BIO tags for each sentence, given each token's CRF feature strings (one batch per call).

        ``doc_words`` are the tokens' keys for the static word vectors, where the model has them.
        """
        if not doc_feats:
            return []
        lens = [len(s) for s in doc_feats]
        # all sentences in one row, apart by the widest dilation in zeros: the same scores as one
        # row each (padding is zero again after every layer) without padding every row to the longest
        gap = max(self.DILATIONS)
        starts = np.cumsum([0] + [n + gap for n in lens[:-1]])
        N = int(starts[-1]) + lens[-1]
        ids = np.zeros((1, N, FEAT_CAP), dtype=np.int32)
        mask = np.zeros((1, N), dtype=bool)
        wids = np.zeros((1, N), dtype=np.int32)
        for i, s in enumerate(doc_feats):
            a, b = starts[i], starts[i] + lens[i]
            ids[0, a:b] = featurize(s, self.vocab)
            mask[0, a:b] = True
            if doc_words is not None:
                wids[0, a:b] = [self.words.get(w, 0) for w in doc_words[i]]
        flat = self.logits(ids, mask, wids if doc_words is not None else None)[0]
        z = np.zeros((len(lens), max(lens), flat.shape[1]), dtype=np.float32)
        for i, a in enumerate(starts):
            z[i, : lens[i]] = flat[a : a + lens[i]]
        zmax = z.max(axis=2, keepdims=True)
        z = z - zmax - np.log(np.exp(z - zmax).sum(axis=2, keepdims=True))
        return [[self.labels[j] for j in path] for path in viterbi_batch(z, lens, self.trans, self.start)]

    def save(self, path: str | Path) -> None:
        """Write the weights (float16) and vocabulary to one ``.npz`` file."""
        arrays = {k: v.astype(np.float16) for k, v in self.p.items()}
        vocab = sorted(self.vocab, key=self.vocab.__getitem__)
        words = sorted(self.words, key=self.words.__getitem__)
        np.savez_compressed(
            path, vocab=np.array(vocab), labels=np.array(self.labels), words=np.array(words), **arrays
        )

    @classmethod
    def load(cls, path: str | Path) -> NeuralModel:
        """A model from a file written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as z:
            params = {k: z[k] for k in z.files if k not in ("vocab", "labels", "words")}
            words = [str(v) for v in z["words"]] if "words" in z.files else []
            return cls(params, [str(v) for v in z["vocab"]], [str(v) for v in z["labels"]], words)
