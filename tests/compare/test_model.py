"""The learned scorer: the shipped model file loads (numpy arrays, no pickle), batch scoring."""

from __future__ import annotations

import numpy as np
import pytest

from khabar.compare import features as F
from khabar.compare import model as S
from khabar.compare.comparison import analyse


def test_model_file_loads_and_is_small(model):
    assert S.MODEL_PATH.stat().st_size < 5_000_000
    assert model.background.n_docs > 500 and not model.uses_embedding
    assert model.feature_names[: len(F.FEATURE_NAMES)] == F.FEATURE_NAMES
    assert model.regressor.predict_targets(np.zeros((0, len(model.feature_names)))).shape[0] == 0


def test_loading_gives_the_numpy_regressor(model):
    from khabar.compare.trees import Regressor

    assert type(model.regressor) is Regressor
    assert model.regressor.forest.roots.size == 5 * 200  # 200 boosting rounds per target


def test_score_pairs_is_symmetric_and_checks_lengths(examples, model):
    ps = [model.profile(a, *analyse(a)) for a in examples]
    scores = S.score_pairs([ps[0], ps[1]], [ps[1], ps[0]], model)
    assert scores.shape == (2,)
    assert scores[0] == pytest.approx(scores[1])  # symmetric
    with pytest.raises(ValueError):
        S.score_pairs(ps, ps[:1], model)


def test_save_and_load_round_trip(tmp_path, model):
    path = tmp_path / "m.npz"
    model.save(path)
    again = S.load_model(path)
    X = np.zeros((1, len(model.feature_names)))
    assert np.array_equal(again.regressor.predict_targets(X), model.regressor.predict_targets(X))
    assert again.background.n_docs == model.background.n_docs
