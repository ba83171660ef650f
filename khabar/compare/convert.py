"""Convert a comparison model saved by an older khabar (``similarity.joblib``: pickled scikit-learn
estimators) into the numpy file the run time reads (``similarity.npz``), with the same scores.

    python -m khabar.compare.convert OLD.joblib [NEW.npz]

Deterministic (the same input gives the same bytes). Before writing, the converted model is checked
against the original on rows of every kind the features take (values seen in training, NaN, the
extremes): the Overall and facet scores must agree to 1e-12, else nothing is written. Needs
scikit-learn and joblib (training's dependencies), which the run time does not.
"""

from __future__ import annotations

import argparse
import sys
import types
from pathlib import Path
from typing import Any

import numpy as np

from khabar.compare.background import Background
from khabar.compare.model import MODEL_PATH, ShippedModel
from khabar.compare.trees import Regressor

# Pickle finds a class by the module it was saved from: model files were written when SimilarityModel
# lived in khabar/similarity.py, then khabar/compare/model.py; it now lives in training.
_SAVED_AS = ("khabar.similarity", "khabar.compare.model")
TOLERANCE = 1e-12


def load_joblib(path: str | Path) -> dict[str, Any]:
    """The state dict of an old model file, its ``SimilarityModel`` found where it lives now (training)."""
    import joblib

    from khabar.compare import model, training

    # Pickle looks a class up as module.attribute: give both old places the attribute while loading.
    shim = types.ModuleType(_SAVED_AS[0])
    shim.SimilarityModel = training.SimilarityModel  # type: ignore[attr-defined]
    added = _SAVED_AS[0] not in sys.modules
    if added:
        sys.modules[_SAVED_AS[0]] = shim
    model.SimilarityModel = training.SimilarityModel  # type: ignore[attr-defined]
    try:
        return joblib.load(path)
    finally:
        del model.SimilarityModel  # type: ignore[attr-defined]
        if added:
            del sys.modules[_SAVED_AS[0]]


def check_rows(n_features: int, seed: int = 0) -> np.ndarray:
    """Rows to check a conversion on: random values in and beyond 0..1, NaN, zeros, the extremes."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-0.5, 3.0, size=(2000, n_features))
    X[rng.random(X.shape) < 0.15] = np.nan
    X[:200] = np.round(X[:200])  # exact integers: the thresholds of count features lie between them
    extra = np.stack([np.zeros(n_features), np.ones(n_features), np.full(n_features, np.nan),
                      np.full(n_features, 1e9), np.full(n_features, -1e9)])
    return np.vstack([X, extra])


def convert(src: str | Path, dst: str | Path = MODEL_PATH, extra_rows: np.ndarray | None = None) -> ShippedModel:
    """Convert ``src`` to ``dst``; raises ``ValueError`` (and writes nothing) if the scores differ."""
    state = load_joblib(src)
    old = state["regressor"]
    new = Regressor.from_sklearn(old)
    names = list(state["feature_names"])
    X = check_rows(len(names))
    if extra_rows is not None:
        X = np.vstack([X, extra_rows])
    gap = float(np.max(np.abs(old.predict_targets(X) - new.predict_targets(X))))
    if not gap <= TOLERANCE:
        raise ValueError(f"{src}: the converted model differs from the original by {gap:g} (> {TOLERANCE:g})")
    shipped = ShippedModel(new, Background.from_state(state["background"]), names, tuple(state["targets"]),
                           bool(state["uses_embedding"]))
    shipped.save(dst)
    return shipped


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", type=Path, help="the old model file (joblib)")
    ap.add_argument("dst", type=Path, nargs="?", default=MODEL_PATH, help=f"where to write it (default {MODEL_PATH})")
    args = ap.parse_args(argv)
    try:
        m = convert(args.src, args.dst)
    except (OSError, ValueError) as e:
        sys.exit(str(e))
    print(f"wrote {args.dst} ({args.dst.stat().st_size / 1e6:.2f} MB; {m.regressor.forest.roots.size} trees, "
          f"{len(m.feature_names)} features, {m.background.n_docs} background articles)")


if __name__ == "__main__":
    main()
