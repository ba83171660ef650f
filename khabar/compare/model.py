"""The learned scorer as it runs: :class:`ShippedModel`, and the shipped model file that holds it.

Scores run from 1 (very similar: the same story) to 4 (very dissimilar), on the SemEval-2022 Task 8
scale, for ``Overall`` and, separately, for the facets ``Entities``, ``Geography``, ``Time`` and
``Narrative``. The model (:class:`~khabar.compare.training.SimilarityModel`, fitted with scikit-learn)
averages a ridge regression and gradient-boosted trees per target; the shipped file
(``khabar/models/similarity.npz``) holds it as numpy arrays (:class:`~khabar.compare.trees.Regressor`),
with the background document frequencies (:class:`~khabar.compare.background.Background`) that weight
the profiles and the names of the features, so scoring imports neither scikit-learn nor joblib.
What a score means: :mod:`khabar.compare.verdict`; the comparison of two articles with its evidence:
:mod:`khabar.compare.comparison`; training and evaluation: :mod:`khabar.compare.training`.

>>> m = load_model()
>>> m.targets[0], m.uses_embedding, m.regressor.predict_targets(np.zeros((2, len(m.feature_names)))).shape
('Overall', False, (2, 5))
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from khabar.compare import features as F
from khabar.compare.background import Background
from khabar.compare.embed import Embedder, embed_profiles
from khabar.compare.profile import Profile, build_profile
from khabar.compare.trees import Regressor, load_arrays, save_arrays
from khabar.types import Article, Mention, Statement

MODEL_PATH = Path(__file__).parents[1] / "models" / "similarity.npz"
TARGETS = ("Overall", "Entities", "Geography", "Time", "Narrative")
#: What the ``meta`` entry of a model file says it is; the version changes with the file's layout.
FORMAT, VERSION = "khabar-similarity", 2


@dataclass
class ShippedModel:
    """What ``similarity.npz`` holds: the regressors, the background, and how features were built.

    ``regressor`` is a :class:`~khabar.compare.trees.Regressor` when loaded; training sets a fitted
    ``SimilarityModel``, which :meth:`save` writes in the numpy form.
    """

    regressor: Any
    background: Background
    feature_names: list[str]
    targets: tuple[str, ...] = TARGETS
    uses_embedding: bool = False
    embedder: Embedder | None = None  # set at run time (never pickled) when uses_embedding

    def features(self, pairs: Sequence[tuple[Profile, Profile]]) -> np.ndarray:
        X = F.pair_features_batch(pairs)
        if self.uses_embedding:
            cos = [float(a.embedding @ b.embedding) if a.embedding is not None and b.embedding is not None
                   else np.nan for a, b in pairs]
            X = np.column_stack([X, cos])
        return X

    def predict_targets(self, pairs: Sequence[tuple[Profile, Profile]],
                        targets: Sequence[int] | None = None) -> np.ndarray:
        """Scores of ``pairs``, a column per target of :data:`TARGETS` (or per index in ``targets``:
        ``(0,)`` is the overall score alone, which costs a fifth of the trees)."""
        X = self.features(pairs)
        if targets is None:
            return self.regressor.predict_targets(X)
        return self.regressor.predict_targets(X, targets)

    def profile(self, article: Article, mentions: Sequence[Mention] | None = None,
                statements: Sequence[Statement] | None = None) -> Profile:
        p = build_profile(article, self.background, mentions, statements)
        if self.uses_embedding and self.embedder is not None:
            embed_profiles([p], self.embedder)
        return p

    def save(self, path: str | Path = MODEL_PATH) -> None:
        """Write the model as numpy arrays (:func:`~khabar.compare.trees.save_arrays`; deterministic)."""
        reg = self.regressor if isinstance(self.regressor, Regressor) else Regressor.from_sklearn(self.regressor)
        meta = {"format": FORMAT, "version": VERSION, "feature_names": list(self.feature_names),
                "targets": list(self.targets), "uses_embedding": bool(self.uses_embedding)}
        bg = self.background.to_state()
        arrays = {f"reg.{k}": v for k, v in reg.to_arrays().items()}
        arrays.update({
            "meta": np.frombuffer(json.dumps(meta, sort_keys=True).encode("utf-8"), dtype=np.uint8),
            "bg.n_docs": np.asarray(bg["n_docs"], dtype=np.int64),
            "bg.word_idx": bg["word"][0], "bg.word_df": bg["word"][1],
            "bg.char_idx": bg["char"][0], "bg.char_df": bg["char"][1],
        })
        save_arrays(path, arrays)

    @classmethod
    def load(cls, path: str | Path) -> ShippedModel:
        """Read a model file; ``ValueError`` for a file that is not one (an older joblib one: convert it
        with ``python -m khabar.compare.convert OLD NEW``)."""
        try:
            a = load_arrays(path)
        except ValueError as e:
            raise ValueError(f"{e}; a model file of an older khabar (joblib) converts with: "
                             f"python -m khabar.compare.convert {path} NEW.npz") from e
        meta = json.loads(a["meta"].tobytes().decode("utf-8")) if "meta" in a else {}
        if meta.get("format") != FORMAT or meta.get("version") != VERSION:
            raise ValueError(f"{path}: not a {FORMAT} model file of version {VERSION} "
                             f"({meta.get('format')} {meta.get('version')})")
        bg = Background.from_state({"n_docs": int(a["bg.n_docs"]), "word": (a["bg.word_idx"], a["bg.word_df"]),
                                    "char": (a["bg.char_idx"], a["bg.char_df"])})
        reg = Regressor.from_arrays({k[4:]: v for k, v in a.items() if k.startswith("reg.")})
        return cls(reg, bg, list(meta["feature_names"]), tuple(meta["targets"]), bool(meta["uses_embedding"]))


@lru_cache(maxsize=1)
def _default_model() -> ShippedModel:
    if not MODEL_PATH.exists():
        raise FileNotFoundError(f"{MODEL_PATH}: no similarity model (train it: khabar train similarity FILE.jsonl)")
    return ShippedModel.load(MODEL_PATH)


def load_model(path: str | Path | None = None) -> ShippedModel:
    """The shipped model (cached), or the one at ``path``."""
    return _default_model() if path is None else ShippedModel.load(path)


def score_pairs(profiles_a: Sequence[Profile], profiles_b: Sequence[Profile],
                model: ShippedModel | None = None) -> np.ndarray:
    """Overall scores of the pairs ``(profiles_a[i], profiles_b[i])``, vectorised (for clustering)."""
    if len(profiles_a) != len(profiles_b):
        raise ValueError(f"{len(profiles_a)} profiles against {len(profiles_b)}")
    m = model or load_model()
    return m.predict_targets(list(zip(profiles_a, profiles_b, strict=True)))[:, 0]
