"""Behaviour shared by both estimators: ecosystem, determinism, persistence,
and the flow of fit: unfitted use, failed fits, early stopping, sample weights."""

from __future__ import annotations

import io
import pickle

import joblib
import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedKFold,
    TimeSeriesSplit,
    cross_val_score,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from sklstm import LSTMClassifier, LSTMRegressor

from ._datasets import event_order, sine_windows
from ._params import FAST, ONE_EPOCH

ESTIMATORS = [LSTMRegressor, LSTMClassifier]


def _data(cls):
    if cls is LSTMClassifier:
        return event_order(120, seq_len=8)
    return sine_windows(120, seq_len=8)


@pytest.fixture(scope="module", params=ESTIMATORS, ids=lambda c: c.__name__)
def fitted(request):
    cls = request.param
    X, y = _data(cls)
    return cls(**{**FAST, "max_epochs": 5}).fit(X, y), X, y


def test_clone_keeps_params_and_drops_the_fit(fitted):
    model, _, _ = fitted
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert not hasattr(copy, "net_")


def test_get_params_lists_only_estimator_hyper_parameters(fitted):
    model, _, _ = fitted
    params = model.get_params()
    assert "hidden_size" in params
    assert "module__hidden_size" not in params
    assert not any("__" in name for name in params)


def test_same_random_state_gives_identical_predictions(fitted):
    model, X, y = fitted
    again = clone(model).fit(X, y)
    np.testing.assert_array_equal(model.predict(X), again.predict(X))


def test_other_random_state_gives_another_model(fitted):
    model, X, y = fitted
    other = clone(model).set_params(random_state=1).fit(X, y)
    predict = "predict_proba" if hasattr(model, "predict_proba") else "predict"
    assert not np.array_equal(getattr(model, predict)(X), getattr(other, predict)(X))


def test_fitting_leaves_the_global_torch_rng_alone(fitted):
    model, X, y = fitted
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    clone(model).fit(X, y)
    np.testing.assert_array_equal(torch.rand(3), expected)


def test_prediction_of_a_row_does_not_depend_on_its_batch(fitted):
    model, X, _ = fitted
    # sklstm's guarantee: every forward pass has the same fixed number of rows,
    # so a row's float32 network output is bitwise the same in any batch. The
    # regressor only rescales it (exact IEEE operations); the classifier's
    # probabilities also pass through scipy's softmax, whose vectorised exp is
    # third-party numerics: equal to 1e-12 there.
    predict = "predict_proba" if hasattr(model, "predict_proba") else "predict"
    full = getattr(model, predict)(X)
    alone = np.concatenate([getattr(model, predict)(X[i : i + 1]) for i in range(20)])
    if predict == "predict":
        np.testing.assert_array_equal(alone, full[:20])
    else:
        np.testing.assert_allclose(alone, full[:20], rtol=1e-12, atol=0)
        np.testing.assert_array_equal(
            np.concatenate([model.predict(X[i : i + 1]) for i in range(20)]),
            model.predict(X[:20]),
        )


@pytest.mark.parametrize(
    "params", [{"cell": "gru"}, {"bidirectional": True, "num_layers": 2}]
)
def test_batch_independence_holds_for_other_architectures(params):
    X, y = sine_windows(1100, seq_len=8)
    model = LSTMRegressor(**{**ONE_EPOCH, **params}).fit(X, y)
    full = model.predict(X)  # spans three inference chunks
    for i in (0, 511, 512, 1099):
        assert model.predict(X[i : i + 1])[0] == full[i]


def test_pickle_round_trip_gives_identical_predictions(fitted):
    model, X, _ = fitted
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    # the weights and Adam's two moments (float32), and little else: no data
    n_weights = sum(p.numel() for p in model.net_.module_.parameters())
    assert len(pickle.dumps(model)) < 3 * 4 * n_weights + 100_000


def test_joblib_round_trip_gives_identical_predictions(fitted, tmp_path):
    model, X, _ = fitted
    path = tmp_path / "model.joblib"
    joblib.dump(model, path)
    np.testing.assert_array_equal(joblib.load(path).predict(X), model.predict(X))


def test_pickled_model_keeps_training_with_warm_start(fitted):
    model, X, y = fitted
    restored = pickle.loads(pickle.dumps(model))
    restored.set_params(warm_start=True, max_epochs=2).fit(X, y)
    assert restored.n_iter_ == model.n_iter_ + 2


def test_in_a_pipeline():
    X, y = sine_windows(150, seq_len=8)
    pipe = Pipeline(
        [
            ("shift", FunctionTransformer(lambda a: a * 10 + 3)),
            ("lstm", LSTMRegressor(**FAST)),
        ]
    )
    pipe.fit(X, y)
    assert pipe.score(X, y) > 0.9


@pytest.mark.slow
def test_grid_search_in_two_processes():
    X, y = sine_windows(160, seq_len=8)
    grid = GridSearchCV(
        LSTMRegressor(**{**FAST, "max_epochs": 10}),
        {"hidden_size": [4, 16], "lr": [0.001, 0.01]},
        cv=TimeSeriesSplit(3),
        n_jobs=2,
    ).fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_params_["lr"] == 0.01
    # scores computed in worker processes match a fit in this process
    best = clone(grid.best_estimator_)
    train, test = next(iter(TimeSeriesSplit(3).split(X)))
    score = best.fit(X[train], y[train]).score(X[test], y[test])
    assert score == pytest.approx(
        grid.cv_results_["split0_test_score"][grid.best_index_], rel=1e-6
    )


def test_cross_val_score_with_time_series_split():
    X, y = sine_windows(150, seq_len=8)
    scores = cross_val_score(LSTMRegressor(**FAST), X, y, cv=TimeSeriesSplit(3))
    assert scores.shape == (3,)
    assert (scores > 0.5).all()


def test_cross_val_score_with_stratified_k_fold():
    X, y = event_order(300, seq_len=8)
    scores = cross_val_score(
        LSTMClassifier(**FAST),
        X,
        y,
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
    )
    assert scores.shape == (3,)
    assert scores.mean() > 0.8


def test_predictions_are_numpy_float64(fitted):
    model, X, _ = fitted
    out = (
        model.predict_proba(X) if hasattr(model, "predict_proba") else model.predict(X)
    )
    assert isinstance(out, np.ndarray)
    assert out.dtype == np.float64


def test_float32_and_float64_input_give_the_same_model():
    X, y = sine_windows(100, seq_len=8)
    a = LSTMRegressor(**FAST).fit(X.astype(np.float32), y)
    b = LSTMRegressor(**FAST).fit(X, y)
    np.testing.assert_allclose(a.predict(X), b.predict(X), atol=1e-5)


def test_model_saved_by_torch_save_of_state_dict_is_plain():
    X, y = sine_windows(50, seq_len=8)
    model = LSTMRegressor(**FAST).fit(X, y)
    buffer = io.BytesIO()
    torch.save(model.net_.module_.state_dict(), buffer)
    buffer.seek(0)
    state = torch.load(buffer, weights_only=True)
    assert "encoder.rnn.weight_ih_l0" in state


# ------------------------------------------------------------ the fit flow


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("method", ["predict", "score"])
def test_using_before_fit_raises_not_fitted(cls, method):
    X, y = event_order(30, 6) if cls is LSTMClassifier else sine_windows(30, 6)
    args = (X, y) if method == "score" else (X,)
    with pytest.raises(NotFittedError):
        getattr(cls(), method)(*args)


def test_early_stopping_on_too_few_samples_is_explained():
    X, y = sine_windows(4, 6)
    model = LSTMRegressor(**FAST, early_stopping=True, validation_fraction=0.99)
    with pytest.raises(ValueError, match=r"leaves 0 for training.*validation_fraction"):
        model.fit(X, y)
    model.set_params(validation_fraction=0.5).fit(X, y)  # two and two is enough
    assert len(model.validation_scores_) == model.n_iter_


def test_a_failed_fit_leaves_the_estimator_unfitted():
    X, y = sine_windows(2, 3)
    model = LSTMRegressor(**FAST, early_stopping=True, validation_fraction=0.9)
    with pytest.raises(ValueError, match="validation_fraction"):
        model.fit(X, y)
    with pytest.raises(NotFittedError):
        model.predict(X)
    assert not [name for name in vars(model) if name.endswith("_")]


def test_huge_sample_weights_keep_their_proportions():
    # found by fuzzing: their mean overflowed to inf, so every normalised
    # weight became 0
    X, y = sine_windows(30, 6)
    big = np.finfo(np.float64).max
    weighted = LSTMRegressor(**ONE_EPOCH).fit(X, y, sample_weight=np.full(30, big))
    plain = LSTMRegressor(**ONE_EPOCH).fit(X, y)
    np.testing.assert_allclose(weighted.predict(X), plain.predict(X), rtol=1e-5)
    # one subnormal weight is still a positive weight (the mean underflowed)
    sample_weight = np.r_[5e-324, np.zeros(29)]
    LSTMRegressor(**ONE_EPOCH).fit(X, y, sample_weight=sample_weight)


# ------------------------------------------------ max_epochs="auto": a step budget


@pytest.mark.parametrize(
    ("n_samples", "params", "epochs"),
    [
        (10_000, {}, 50),  # 313 batches an epoch: the fewest epochs
        (50, {"batch_size": 16}, 250),  # 4 batches: 1,000 steps
        (36, {"batch_size": 16}, 334),  # 3 batches: 1,002 steps
        (5, {}, 500),  # 1 batch: the most epochs
        (100, {"batch_size": 10, "early_stopping": True}, 112),  # 9 train batches
    ],
)
def test_auto_epochs_make_about_a_thousand_optimiser_steps(n_samples, params, epochs):
    model = LSTMRegressor(max_epochs="auto", **params)
    assert model._max_epochs(n_samples) == epochs


def test_auto_epochs_are_the_epochs_fit_runs():
    X, y = sine_windows(40, seq_len=4)
    model = LSTMRegressor(**{**ONE_EPOCH, "hidden_size": 2, "batch_size": 4})
    model.set_params(max_epochs="auto").fit(X, y)  # 10 batches: 100 epochs
    assert model.n_iter_ == 100
    assert len(model.net_.history) == 100
    model.partial_fit(X, y)  # partial_fit stays one epoch
    assert model.n_iter_ == 101
