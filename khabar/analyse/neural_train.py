"""Training of :class:`khabar.analyse.neural.NeuralModel` with JAX (the optional ``[train]`` extra).

Deterministic: parameters start from a seeded numpy generator, batches come in a seeded order, and
JAX on CPU runs the same float operations each time (same machine and library versions give the
same weights; other CPUs may differ in the last bits). JAX is imported only inside :func:`train`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from khabar.analyse.neural import FEAT_CAP, NeuralModel, featurize

__all__ = ["TrainConfig", "train"]


@dataclass(frozen=True)
class TrainConfig:
    """Network size and optimisation, as measured fold by fold in bench/ner_neural.py (README)."""

    emb: int = 64  # feature embedding width
    hidden: int = 128  # conv channels
    epochs: int = 9  # dev F1 flat from epoch 8 on, training loss still falling (overfit)
    batch: int = 32  # sentences per step
    lr: float = 2e-3
    dropout: float = 0.3
    feat_drop: float = 0.0  # share of a token's feature ids hidden per step: leans on the general ones
    min_freq: int = 2  # a feature seen once in training is noise, as CRFsuite's minfreq
    seed: int = 13


def _init(cfg: TrainConfig, n_vocab: int, n_labels: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(cfg.seed)
    E, H, L = cfg.emb, cfg.hidden, n_labels

    def g(*shape: int, fan: int) -> np.ndarray:
        return (rng.standard_normal(shape) / np.sqrt(fan)).astype(np.float32)

    p = {
        "emb": g(n_vocab + 1, E, fan=20),  # ~20 features are summed per token
        "w_in": g(E, H, fan=E),
        "b_in": np.zeros(H, np.float32),
        "w_out": g(H, L, fan=H),
        "b_out": np.zeros(L, np.float32),
        "w_lin": np.zeros((E, L), np.float32),
    }
    for k in range(len(NeuralModel.DILATIONS)):
        p[f"w_c{k}"] = g(3 * H, H, fan=3 * H) * 0.5
        p[f"b_c{k}"] = np.zeros(H, np.float32)
    p["emb"][0] = 0.0
    return p


def _batches(lens: Sequence[int], size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Sentence index batches of similar length (less padding), in a seeded order."""
    order = rng.permutation(len(lens))
    chunk = size * 20
    out = []
    for a in range(0, len(order), chunk):
        part = sorted(order[a : a + chunk], key=lambda i: lens[i])
        out += [np.array(part[b : b + size]) for b in range(0, len(part), size)]
    return [out[i] for i in rng.permutation(len(out))]


def _make_loss(cfg: TrainConfig, wv: object) -> Callable:
    """The training loss in JAX: the forward pass of :class:`NeuralModel` with dropout."""
    import jax
    import jax.numpy as jnp

    dil = NeuralModel.DILATIONS

    def conv(h, w, b, d):
        hp = jnp.pad(h, ((0, 0), (d, d), (0, 0)))
        T = h.shape[1]
        return jnp.concatenate([hp[:, :T], h, hp[:, 2 * d : 2 * d + T]], axis=2) @ w + b

    def drop(x, key):
        keep = jax.random.bernoulli(key, 1.0 - cfg.dropout, x.shape)
        return jnp.where(keep, x / (1.0 - cfg.dropout), 0.0)

    def loss_fn(p, bid, bmask, btag, bw, key):
        keys = jax.random.split(key, 3 + len(dil))
        m = bmask[..., None]
        emb = p["emb"].at[0].set(0.0)
        if cfg.feat_drop:
            bid = jnp.where(jax.random.bernoulli(keys[-2], cfg.feat_drop, bid.shape), 0, bid)
        e = emb[bid].sum(axis=2)
        if wv is not None:
            e = e + wv[bw] @ p["w_vec"]
        e = drop(e, keys[0])
        h = jnp.tanh(e @ p["w_in"] + p["b_in"]) * m
        for k, d in enumerate(dil):
            h = (h + jax.nn.relu(conv(drop(h, keys[1 + k]), p[f"w_c{k}"], p[f"b_c{k}"], d))) * m
        z = drop(h, keys[-1]) @ p["w_out"] + p["b_out"] + e @ p["w_lin"]
        ll = jnp.take_along_axis(jax.nn.log_softmax(z), btag[..., None], axis=2)[..., 0]
        return -(ll * bmask).sum() / bmask.sum()

    return loss_fn


def _pad(bi: np.ndarray, ids: list, tags: list, wids: list) -> tuple[np.ndarray, ...]:
    """One batch padded to a multiple of 16 tokens (a few padded lengths: a few compilations)."""
    lens = [len(tags[i]) for i in bi]
    T = -(-max(lens) // 16) * 16
    bid = np.zeros((len(bi), T, FEAT_CAP), np.int32)
    bmask = np.zeros((len(bi), T), np.float32)
    btag = np.zeros((len(bi), T), np.int32)
    bw = np.zeros((len(bi), T), np.int32)
    for r, i in enumerate(bi):
        n = lens[r]
        bid[r, :n], bmask[r, :n], btag[r, :n], bw[r, :n] = ids[i], 1.0, tags[i], wids[i]
    return bid, bmask, btag, bw


def train(
    feats: Sequence[Sequence[Sequence[str]]],
    y: Sequence[Sequence[str]],
    cfg: TrainConfig = TrainConfig(),
    progress: Callable[[int, float, NeuralModel], None] | None = None,
    words: Sequence[Sequence[str]] | None = None,
    vectors: tuple[Sequence[str], np.ndarray] | None = None,
) -> NeuralModel:
    """Train on CRF feature strings per token (``feats``, one list per sentence) and BIO tags ``y``.

    ``progress(epoch, mean_loss, model)`` is called after each epoch. ``vectors`` (word keys and a
    matrix, kept fixed) adds a projection of each token's static vector, looked up by ``words``.
    """
    import jax
    import jax.numpy as jnp
    import optax

    counts = Counter(f for s in feats for t in s for f in t)
    vocab = sorted(f for f, c in counts.items() if c >= cfg.min_freq)
    labels = sorted({t for s in y for t in s})
    lab = {t: i for i, t in enumerate(labels)}
    vid = {f: i + 1 for i, f in enumerate(vocab)}
    ids = [featurize(s, vid) for s in feats]
    tags = [np.array([lab[t] for t in s], np.int32) for s in y]
    init = _init(cfg, len(vocab), len(labels))
    wv_words: list[str] = []
    wids = [np.zeros(len(t), np.int32) for t in tags]
    wv = None
    if vectors is not None and words is not None:
        wv_words = list(vectors[0])
        wmap = {w: i + 1 for i, w in enumerate(wv_words)}
        wv = jnp.asarray(np.vstack([np.zeros((1, vectors[1].shape[1])), vectors[1]]).astype(np.float32))
        wids = [np.array([wmap.get(w, 0) for w in s], np.int32) for s in words]
        init["w_vec"] = np.zeros((vectors[1].shape[1], cfg.emb), np.float32)
    params = {k: jnp.asarray(v) for k, v in init.items()}

    def finish(p) -> NeuralModel:
        out = {k: np.asarray(v) for k, v in p.items()}
        if wv is not None:
            out["wv"] = np.asarray(wv)
        return NeuralModel(out, vocab, labels, wv_words)

    loss_fn = _make_loss(cfg, wv)
    opt = optax.adam(cfg.lr)
    state = opt.init(params)

    @jax.jit
    def step(p, s, bid, bmask, btag, bw, key):
        loss, grads = jax.value_and_grad(loss_fn)(p, bid, bmask, btag, bw, key)
        upd, s = opt.update(grads, s, p)
        return optax.apply_updates(p, upd), s, loss

    rng = np.random.default_rng(cfg.seed)
    key = jax.random.PRNGKey(cfg.seed)
    lens = [len(t) for t in tags]
    model = None
    for ep in range(cfg.epochs):
        total = 0.0
        batches = _batches(lens, cfg.batch, rng)
        for bi in batches:
            key, sub = jax.random.split(key)
            params, state, loss = step(params, state, *_pad(bi, ids, tags, wids), sub)
            total += float(loss)
        if progress is not None:
            model = finish(params)
            progress(ep, total / len(batches), model)
    return model or finish(params)
