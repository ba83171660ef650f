"""The numpy form of the comparison model (khabar.compare.trees): it predicts what scikit-learn predicts,
the shipped file scores as the pickled model did, files are deterministic, and what it cannot repeat
is refused."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from khabar.compare import features as F
from khabar.compare import model as M
from khabar.compare import training as S
from khabar.compare import trees
from khabar.compare.comparison import analyse

# The scores of the two example articles (both orders) from the pickled scikit-learn model
# (similarity.joblib, before its conversion to similarity.npz): Overall, Entities, Geography, Time, Narrative.
OLD_PATH_SCORES = [1.0239685974876234, 1.2669682456771407, 1.0, 1.8263129110236773, 2.0303144130602435]


@pytest.fixture(scope="module")
def semeval_rows(semeval_path):
    """Pair features and gold of the first 200 SemEval pairs (profiles without analysis: quick)."""
    pairs = S.load_pairs(semeval_path)[:200]
    bg = M.load_model().background
    profiles = S.prepare_profiles(pairs, bg, analysed=False)
    X = F.pair_features_batch([(profiles[p.a.id], profiles[p.b.id]) for p in pairs])
    return X, S.gold_matrix(pairs)


def _with_nan(X: np.ndarray, share: float, seed: int) -> np.ndarray:
    X = X.copy()
    X[np.random.default_rng(seed).random(X.shape) < share] = np.nan
    return X


@pytest.mark.parametrize("train_nan", [0.0, 0.1], ids=["trained-without-nan", "trained-with-nan"])
def test_numpy_predictor_equals_sklearn_on_semeval_features(semeval_rows, train_nan):
    X, Y = semeval_rows
    Xt = _with_nan(X, train_nan, 1) if train_nan else X
    fitted = S.SimilarityModel(max_iter=60, stretch_folds=2).fit(Xt, Y)
    new = trees.Regressor.from_sklearn(fitted)
    for rows in (X, _with_nan(X, 0.2, 2), np.full((3, X.shape[1]), np.nan)):
        assert np.abs(new.predict_targets(rows) - fitted.predict_targets(rows)).max() <= 1e-9
        # each target's boosted trees alone, against HistGradientBoostingRegressor.predict
        for k, est in enumerate(fitted.trees_):
            mine = new.forest.predict(rows, new.baseline[k], trees=new.tree_target == k)
            assert np.abs(mine - est.predict(rows[:, fitted.tree_columns_])).max() <= 1e-9
    assert np.isnan(X).any()  # the features themselves have missing values (no entities, no dates)


def test_shipped_scores_equal_the_pickled_models(examples, model):
    ps = [model.profile(a, *analyse(a)) for a in examples]
    got = model.predict_targets([(ps[0], ps[1]), (ps[1], ps[0])])
    assert isinstance(model.regressor, trees.Regressor)
    assert np.abs(got - np.array([OLD_PATH_SCORES] * 2)).max() <= 1e-9


def test_model_file_is_deterministic_and_round_trips(tmp_path, model):
    one, two = tmp_path / "a.npz", tmp_path / "b.npz"
    model.save(one)
    model.save(two)
    assert one.read_bytes() == two.read_bytes() == M.MODEL_PATH.read_bytes()
    again = M.load_model(one)
    X = np.vstack([np.zeros(len(model.feature_names)), np.full(len(model.feature_names), np.nan)])
    assert np.array_equal(again.regressor.predict_targets(X), model.regressor.predict_targets(X))
    assert (again.feature_names, again.targets) == (model.feature_names, model.targets)
    assert np.array_equal(again.background.char_df, model.background.char_df)


def test_a_file_that_is_not_a_model_is_refused(tmp_path):
    pickled = tmp_path / "old.joblib"
    pickled.write_bytes(b"\x80\x04\x95 not a model")
    with pytest.raises(ValueError, match="khabar.compare.convert"):
        M.load_model(pickled)
    other = tmp_path / "other.npz"
    trees.save_arrays(other, {"x": np.zeros(3)})
    with pytest.raises(ValueError, match="not a khabar-similarity model"):
        M.load_model(other)
    with pytest.raises(FileNotFoundError):
        M.load_model(tmp_path / "absent.npz")


def test_categorical_splits_are_refused():
    from sklearn.ensemble import HistGradientBoostingRegressor

    rng = np.random.default_rng(0)
    X = np.column_stack([rng.integers(0, 4, 300), rng.random(300)]).astype(float)
    est = HistGradientBoostingRegressor(max_iter=5, categorical_features=[0]).fit(X, X[:, 0] % 2 + X[:, 1])
    with pytest.raises(ValueError, match="categorical"):
        trees._forest(est, np.arange(2), 2)


def test_rows_beyond_a_chunk_are_scored_as_alone(model):
    X = np.random.default_rng(3).uniform(0, 1, size=(trees.CHUNK_ROWS + 7, len(model.feature_names)))
    whole = model.regressor.predict_targets(X)
    assert np.array_equal(whole[-7:], model.regressor.predict_targets(X[-7:]))


def test_asking_for_some_targets_gives_their_columns_exactly(model):
    X = _with_nan(np.random.default_rng(5).uniform(0, 1, size=(50, len(model.feature_names))), 0.2, 5)
    whole = model.regressor.predict_targets(X)
    assert np.array_equal(model.regressor.predict_targets(X, (0,)), whole[:, :1])
    assert np.array_equal(model.regressor.predict_targets(X, (4, 1)), whole[:, [4, 1]])
    with pytest.raises(ValueError, match="consecutive"):
        model.regressor.forest.part(np.array([0, 2]))


def test_comparing_two_files_imports_no_sklearn_or_joblib(examples_dir):
    files = [str(examples_dir / n) for n in ("orient-ghouta-denial.txt", "alghad-ghouta-denial.txt")]
    probe = ("import sys, json\nfrom khabar.cli import main\n"
             f"sys.argv = ['khabar', 'compare', {files[0]!r}, {files[1]!r}, '--json']\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'joblib'))))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
