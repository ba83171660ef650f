"""The comparison model as plain numpy arrays: ridge regressions and gradient-boosted trees, evaluated
for all rows at once, with no scikit-learn at run time.

Training (:mod:`khabar.compare.training`) fits scikit-learn estimators; :meth:`Regressor.from_sklearn`
exports each target's ridge pipeline (imputer fill → scaler mean and scale → coefficients and
intercept) and each ``HistGradientBoostingRegressor``'s trees (the node arrays of its predictors and
its baseline), and :meth:`Regressor.predict_targets` repeats what the fitted model computes, in the
same order of floating-point operations, so the scores are the same. :func:`save_arrays` and
:func:`load_arrays` write and read them as a deterministic ``.npz`` (no pickle).

A tree is evaluated level by level for every row and every tree together: each step looks up the
current node's feature and threshold and moves to its right child, or the one before it (a node's
children are numbered side by side) when the value is at most the threshold. A leaf is the node
before its own "right child", with an infinite threshold, so rows that reached one stay there.
Missing values go where each node says: the rows are looked at twice, with NaN read as −∞ (so it
goes left) and as NaN (no comparison holds, so it goes right), and each node reads the copy that
sends NaN its way: one comparison decides a step.

>>> import numpy as np
>>> # one tree: x0 <= 0.5 → leaf 1.0, else leaf 3.0; missing goes right (column 1 + 0); baseline 2.0
>>> forest = Forest(feature=np.array([1, 0, 0]), threshold=np.array([0.5, np.inf, np.inf]),
...                 right=np.array([2, 2, 3]), value=np.array([0.0, 1.0, 3.0]), roots=np.array([0]),
...                 depth=1, n_features=1)
>>> forest.leaf_values(np.array([[0.2], [0.9], [np.nan]])).ravel().tolist()
[1.0, 3.0, 3.0]
>>> forest.predict(np.array([[0.2], [0.9]]), baseline=2.0).tolist()
[3.0, 5.0]
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

# Rows evaluated together: the node matrix (rows × trees) of a step then stays in the CPU's cache
# (measured: 32 rows of a thousand trees run 1.7× faster than 1024), and memory stays bounded.
CHUNK_ROWS = 32


@dataclass(frozen=True, eq=False)
class Forest:
    """Regression trees flattened into one set of node arrays (node ``i`` of the whole forest).

    A step from node ``i`` reads column ``feature[i]`` of the rows doubled as ``[NaN → −∞, as they are]``
    (``n_features`` columns each: a node whose missing values go left reads the first copy) and moves to
    ``right[i] - 1`` (the left child) when the value is ``<= threshold[i]``, else to ``right[i]``. A leaf
    ``i`` has ``right[i] = i + 1``, threshold +∞ and a feature of the first copy (never NaN), so it stays;
    ``value``: a leaf's output; ``roots``: each tree's first node; ``depth``: the longest root-to-leaf
    path (how many steps evaluation takes).
    """

    feature: np.ndarray  # int64, 0 .. 2 * n_features - 1
    threshold: np.ndarray  # float64
    right: np.ndarray  # int64
    value: np.ndarray  # float64
    roots: np.ndarray  # int64
    depth: int
    n_features: int

    @cached_property
    def _by_depth(self) -> tuple[np.ndarray, list[int]]:
        """The trees deepest first, and per step how many of them still have a level to go: a step
        works on those only (most trees are 6–10 levels deep, the deepest 13)."""
        n = self.value.size
        leaf = self.right == np.arange(n) + 1
        depth = np.zeros(n, dtype=np.int64)
        for _ in range(self.depth):
            inner = np.flatnonzero(~leaf)
            depth[self.right[inner]] = depth[self.right[inner] - 1] = depth[inner] + 1
        tree = np.repeat(np.arange(self.roots.size), np.diff(np.append(self.roots, n)))
        deepest = np.zeros(self.roots.size, dtype=np.int64)
        np.maximum.at(deepest, tree, depth)
        order = np.argsort(-deepest, kind="stable")
        return order, [int((deepest > step).sum()) for step in range(self.depth)]

    def leaf_values(self, X: np.ndarray) -> np.ndarray:
        """The output of every tree for every row, ``(n_rows, n_trees)``."""
        X = np.asarray(X, dtype=np.float64)
        nan = np.isnan(X)
        both = np.concatenate([np.where(nan, -np.inf, X), X], axis=1)
        order, active = self._by_depth
        roots = self.roots[order]
        out = np.empty((X.shape[0], self.roots.size))
        for start in range(0, X.shape[0], CHUNK_ROWS):
            x = both[start : start + CHUNK_ROWS]
            flat, base = x.ravel(), (np.arange(x.shape[0]) * x.shape[1])[:, None]
            node = np.repeat(roots[None, :], x.shape[0], axis=0)
            for k in active:
                at = node[:, :k]
                v = flat[base + self.feature[at]]
                node[:, :k] = self.right[at] - (v <= self.threshold[at])
            out[start : start + x.shape[0], order] = self.value[node]
        return out

    def predict(self, X: np.ndarray, baseline: float, trees: np.ndarray | None = None) -> np.ndarray:
        """``baseline`` plus the sum of the trees (``trees``: which ones, in order; default all).

        Added one tree after another, as scikit-learn adds its predictors (a pairwise sum would
        round differently).
        """
        vals = self.leaf_values(X)
        if trees is not None:
            vals = vals[:, trees]
        acc = np.column_stack([np.full(vals.shape[0], baseline), vals])
        return np.add.accumulate(acc, axis=1)[:, -1]

    def part(self, trees: np.ndarray) -> Forest:
        """The forest of trees ``trees`` (consecutive tree numbers, in order) alone: the same outputs
        for those trees, at the cost of those trees only.

        >>> two = Forest.concat([_stump(1.0), _stump(5.0)])
        >>> two.part(np.array([1])).leaf_values(np.array([[0.0]])).tolist()
        [[5.0]]
        """
        first, last = int(trees[0]), int(trees[-1])
        if not np.array_equal(trees, np.arange(first, last + 1)):
            raise ValueError("a part is a run of consecutive trees")
        start = int(self.roots[first])
        stop = int(self.roots[last + 1]) if last + 1 < self.roots.size else self.value.size
        return Forest(feature=self.feature[start:stop], threshold=self.threshold[start:stop],
                      right=self.right[start:stop] - start, value=self.value[start:stop],
                      roots=self.roots[first : last + 1] - start, depth=self.depth, n_features=self.n_features)

    @classmethod
    def concat(cls, forests: list[Forest]) -> Forest:
        """One forest of all the trees of ``forests``, in order (node numbers shifted)."""
        if len({f.n_features for f in forests}) != 1:
            raise ValueError("forests over different numbers of features")
        offsets = np.cumsum([0] + [f.value.size for f in forests[:-1]])
        return cls(
            feature=np.concatenate([f.feature for f in forests]),
            threshold=np.concatenate([f.threshold for f in forests]),
            right=np.concatenate([f.right + o for f, o in zip(forests, offsets, strict=True)]),
            value=np.concatenate([f.value for f in forests]),
            roots=np.concatenate([f.roots + o for f, o in zip(forests, offsets, strict=True)]),
            depth=max(f.depth for f in forests), n_features=forests[0].n_features,
        )


def _stump(value: float) -> Forest:
    """A one-leaf tree that outputs ``value`` (for examples)."""
    return Forest(feature=np.array([0]), threshold=np.array([np.inf]), right=np.array([1]),
                  value=np.array([value]), roots=np.array([0]), depth=0, n_features=1)


@dataclass(frozen=True, eq=False)
class Linear:
    """A standardised linear regression: missing → ``fill``, then ``(x - mean) / scale``, then ``· coef + intercept``."""

    fill: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def predict(self, X: np.ndarray) -> np.ndarray:
        Z = np.where(np.isnan(X), self.fill, X)
        Z -= self.mean
        Z /= self.scale
        return Z @ self.coef + self.intercept


@dataclass
class Regressor:
    """The inference form of :class:`~khabar.compare.training.SimilarityModel`: per target, a
    :class:`Linear` and a boosted forest (``tree_target[t]``: the target of tree ``t``), averaged with
    ``ridge_weight``, stretched about ``centre`` by ``scale``, clipped to 1..4.
    """

    linear: list[Linear]
    forest: Forest
    tree_target: np.ndarray  # int64, one per tree
    baseline: np.ndarray  # float64, one per target
    ridge_weight: float
    centre: np.ndarray
    scale: np.ndarray
    _parts: dict[int, Forest] = field(default_factory=dict, init=False, repr=False, compare=False)

    def predict_targets(self, X: np.ndarray, targets: Sequence[int] | None = None) -> np.ndarray:
        """Predictions for every target (or for ``targets``, in that order), ``(n, n_targets)``,
        clipped to 1..4. A target's score is its own ridge and trees: asking for fewer targets
        evaluates fewer trees and gives the same numbers.
        """
        X = np.asarray(X, dtype=np.float64)
        want = list(range(len(self.linear))) if targets is None else [int(j) for j in targets]
        if X.shape[0] == 0:
            return np.zeros((0, len(want)))
        if targets is None:
            vals, cols = self.forest.leaf_values(X), {j: self.tree_target == j for j in want}
        else:  # only the wanted targets' trees, side by side
            parts = [self._part(j) for j in want]
            vals = np.concatenate([p.leaf_values(X) for p in parts], axis=1)
            ends = np.cumsum([p.roots.size for p in parts])
            cols = {j: slice(e - p.roots.size, e) for j, p, e in zip(want, parts, ends, strict=True)}
        raw = np.empty((X.shape[0], len(want)))
        w = self.ridge_weight
        with _blas().limit(limits=1, user_api="blas"):  # one BLAS thread, as the model was fitted and checked with
            for i, j in enumerate(want):
                acc = np.column_stack([np.full(X.shape[0], self.baseline[j]), vals[:, cols[j]]])
                tree = np.add.accumulate(acc, axis=1)[:, -1]
                raw[:, i] = w * self.linear[j].predict(X) + (1 - w) * tree
        centre, scale = self.centre[want], self.scale[want]
        return np.clip(centre + (raw - centre) * scale, 1.0, 4.0)

    def _part(self, target: int) -> Forest:
        """The trees of one target as a forest of their own (made once: targets' trees are consecutive)."""
        if target not in self._parts:
            self._parts[target] = self.forest.part(np.flatnonzero(self.tree_target == target))
        return self._parts[target]

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.predict_targets(X)[:, 0]

    # --- export from scikit-learn, arrays in and out ------------------------------------------------

    @classmethod
    def from_sklearn(cls, model: Any) -> Regressor:
        """The arrays of a fitted ``SimilarityModel`` (read by attribute: scikit-learn is not imported).

        Raises ``ValueError`` for what this form cannot repeat (categorical splits, a loss other than
        squared error, more than one tree per iteration, an imputer that is not a constant fill).
        """
        cols = np.asarray(model.tree_columns_, dtype=np.int64)
        linear = [_linear(p) for p in model.ridges_]
        forests, baseline = [], []
        for est in model.trees_:
            f, b = _forest(est, cols, int(model.n_features_in_))
            forests.append(f)
            baseline.append(b)
        return cls(linear=linear, forest=Forest.concat(forests),
                   tree_target=np.repeat(np.arange(len(forests)), [f.roots.size for f in forests]),
                   baseline=np.asarray(baseline, dtype=np.float64), ridge_weight=float(model.ridge_weight),
                   centre=np.asarray(model.centre_, dtype=np.float64), scale=np.asarray(model.scale_, dtype=np.float64))

    def to_arrays(self) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for f in fields(Forest):
            out[f"forest.{f.name}"] = np.asarray(getattr(self.forest, f.name))
        for f in fields(Linear):
            out[f"linear.{f.name}"] = np.stack([np.asarray(getattr(lin, f.name)) for lin in self.linear])
        out.update({"tree_target": self.tree_target, "baseline": self.baseline, "centre": self.centre,
                    "scale": self.scale, "ridge_weight": np.asarray(self.ridge_weight)})
        return out

    @classmethod
    def from_arrays(cls, a: Mapping[str, np.ndarray]) -> Regressor:
        ints = ("depth", "n_features")
        forest = Forest(**{f.name: a[f"forest.{f.name}"] for f in fields(Forest) if f.name not in ints},
                        **{k: int(a[f"forest.{k}"]) for k in ints})
        rows = {f.name: a[f"linear.{f.name}"] for f in fields(Linear)}
        linear = [Linear(rows["fill"][j], rows["mean"][j], rows["scale"][j], rows["coef"][j], float(rows["intercept"][j]))
                  for j in range(rows["coef"].shape[0])]
        return cls(linear=linear, forest=forest, tree_target=a["tree_target"], baseline=a["baseline"],
                   ridge_weight=float(a["ridge_weight"]), centre=a["centre"], scale=a["scale"])


@lru_cache(maxsize=1)
def _blas() -> Any:
    """A controller of numpy's BLAS threads, made once (``threadpool_limits`` scans the process's
    libraries on every call: most of the cost of scoring one pair)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _linear(pipe: Any) -> Linear:
    """A ``SimpleImputer(constant) → StandardScaler → Ridge`` pipeline as a :class:`Linear`."""
    names = [name for name, _ in pipe.steps]
    if names != ["impute", "scale", "ridge"]:
        raise ValueError(f"expected impute → scale → ridge, got {' → '.join(names)}")
    imp, sc, ridge = (step for _, step in pipe.steps)
    if imp.strategy != "constant" or getattr(imp, "add_indicator", False):
        raise ValueError(f"imputer strategy {imp.strategy!r} (add_indicator {imp.add_indicator}): only a constant fill")
    n = int(ridge.coef_.shape[-1])
    coef = np.asarray(ridge.coef_, dtype=np.float64)
    if coef.ndim != 1:
        raise ValueError(f"ridge coefficients of shape {coef.shape}: one target per ridge expected")
    mean = np.zeros(n) if sc.mean_ is None else np.asarray(sc.mean_, dtype=np.float64)
    scale = np.ones(n) if sc.scale_ is None else np.asarray(sc.scale_, dtype=np.float64)
    return Linear(fill=np.asarray(imp.statistics_, dtype=np.float64), mean=mean, scale=scale, coef=coef,
                  intercept=float(ridge.intercept_))


def _forest(est: Any, columns: np.ndarray, n_features: int) -> tuple[Forest, float]:
    """The trees of a fitted ``HistGradientBoostingRegressor`` fed ``X[:, columns]`` (of ``n_features``
    columns in all), and its baseline."""
    loss = type(est._loss).__name__
    if loss != "HalfSquaredError":
        raise ValueError(f"loss {loss}: only squared error (identity link) is supported")
    if est.n_trees_per_iteration_ != 1:
        raise ValueError(f"{est.n_trees_per_iteration_} trees per iteration: one expected")
    if getattr(est, "_preprocessor", None) is not None or est.is_categorical_ is not None:
        raise ValueError("categorical features are not supported")
    parts = [_tree(pred.nodes, columns, n_features) for (pred,) in est._predictors]
    offsets = np.cumsum([0] + [p["value"].size for p in parts[:-1]])
    forest = Forest(
        feature=np.concatenate([p["feature"] for p in parts]),
        threshold=np.concatenate([p["threshold"] for p in parts]),
        right=np.concatenate([p["right"] + o for p, o in zip(parts, offsets, strict=True)]),
        value=np.concatenate([p["value"] for p in parts]),
        roots=offsets.astype(np.int64), depth=max(p["depth"] for p in parts), n_features=n_features)
    return forest, float(np.asarray(est._baseline_prediction).ravel()[0])


def _tree(nodes: np.ndarray, columns: np.ndarray, n_features: int) -> dict[str, Any]:
    """One predictor's node records renumbered breadth first (children side by side, root 0)."""
    if nodes["is_categorical"].any():
        raise ValueError("a categorical (bitset) split: not supported")
    leaf = nodes["is_leaf"].astype(bool)
    order, new = [0], {0: 0}
    for i in order:  # grows while it is read: breadth first
        if not leaf[i]:
            for c in (int(nodes["left"][i]), int(nodes["right"][i])):
                new[c] = len(order)
                order.append(c)
    old = np.array(order)
    lf = leaf[old]
    right = np.array([new[int(nodes["right"][i])] if not leaf[i] else new[i] + 1 for i in order], dtype=np.int64)
    col = columns[nodes["feature_idx"][old]] + np.where(nodes["missing_go_to_left"][old].astype(bool), 0, n_features)
    return {"feature": np.where(lf, 0, col).astype(np.int64),
            "threshold": np.where(lf, np.inf, nodes["num_threshold"][old]),
            "right": right, "value": np.where(lf, nodes["value"][old], 0.0),
            "depth": int(nodes["depth"].max())}


# --- files ---------------------------------------------------------------------------------------------

def save_arrays(path: str | Path, arrays: Mapping[str, np.ndarray]) -> None:
    """Write ``arrays`` as an ``.npz`` that :func:`numpy.load` reads (no pickle), byte for byte the same
    for the same arrays: sorted names, fixed timestamps (``numpy.savez`` stamps the current time)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name in sorted(arrays):
            buf = io.BytesIO()
            a = np.asarray(arrays[name])
            # C order written as such (ascontiguousarray would turn a 0-d array into a 1-d one)
            np.lib.format.write_array(buf, a if a.flags.c_contiguous else a.copy(order="C"), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, buf.getvalue(), compresslevel=9)


def load_arrays(path: str | Path) -> dict[str, np.ndarray]:
    """The arrays of a file :func:`save_arrays` wrote (``ValueError`` if it is not one)."""
    try:
        with np.load(path, allow_pickle=False) as f:
            if not isinstance(f, np.lib.npyio.NpzFile):
                raise ValueError(f"{path}: not an .npz model file")
            return {k: f[k] for k in f.files}
    except FileNotFoundError:
        raise
    except (OSError, zipfile.BadZipFile, EOFError, ValueError) as e:  # ValueError: a pickle (joblib) file
        raise ValueError(f"{path}: not an .npz model file ({e})") from e
