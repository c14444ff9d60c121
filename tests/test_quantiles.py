"""Quantile regression: loss="quantile", predict_quantiles, predict_interval."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.metrics import mean_pinball_loss as sklearn_pinball

from sklstm import LSTMRegressor, forecast_quantiles, load_model, save_model
from sklstm._targets import PinballLoss, monotone_quantiles
from sklstm.forecasting import sliding_windows

from ._params import FAST

QUANTILE = {**FAST, "loss": "quantile", "max_epochs": 20}


def _noisy(n=300, outputs=1, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 6))
    y = X[:, -1:] + 0.5 * rng.normal(size=(n, outputs))
    return X, y[:, 0] if outputs == 1 else y


@pytest.fixture(scope="module")
def fitted():
    X, y = _noisy()
    return LSTMRegressor(**QUANTILE, quantiles=[0.9, 0.1, 0.25, 0.75]).fit(X, y), X, y


# ------------------------------------------------------------ never crossing


@settings(max_examples=200, deadline=None)
@given(
    raw=arrays(
        np.float64,
        st.tuples(st.integers(1, 4), st.integers(1, 3).map(lambda k: 5 * k)),
        elements=st.floats(-1e30, 1e30, allow_nan=False),
    ),
    median=st.integers(0, 4),
)
def test_quantiles_never_cross_whatever_the_raw_outputs(raw, median):
    out = monotone_quantiles(torch.from_numpy(raw), 5, median).numpy()
    assert out.shape == (raw.shape[0], raw.shape[1] // 5, 5)
    assert (np.diff(out, axis=-1) >= 0).all()
    # the median column is the raw median, untouched
    np.testing.assert_array_equal(
        out[..., median], raw.reshape(len(raw), -1, 5)[..., median]
    )


@settings(max_examples=25, deadline=None)
@given(X=arrays(np.float64, (7, 6), elements=st.floats(-1e6, 1e6)))
def test_a_fitted_model_never_crosses_on_any_input(fitted, X):
    model = fitted[0]
    q = model.predict_quantiles(X)
    assert q.shape == (7, 5)
    assert (np.diff(q, axis=-1) >= 0).all()


# ------------------------------------------------------------ what is fitted


def test_levels_are_sorted_with_the_median_added(fitted):
    model, X, y = fitted
    np.testing.assert_array_equal(model.quantiles_, [0.1, 0.25, 0.5, 0.75, 0.9])
    assert model.net_.module_.head.out_features == 5
    q = model.predict_quantiles(X)
    np.testing.assert_array_equal(model.predict(X), q[:, 2])  # predict: median
    np.testing.assert_array_equal(model.predict_interval(X, 0.8), q[:, [0, 4]])
    np.testing.assert_array_equal(model.predict_interval(X, coverage=0.5), q[:, [1, 3]])
    np.testing.assert_array_equal(model.predict_quantiles(X, [0.9, 0.1]), q[:, [4, 0]])
    assert -1 < model.score(X, y) <= 1  # R² of the median, as for any regressor


def test_the_levels_learn_their_share_of_the_training_data(fitted):
    model, X, y = fitted
    below = (y[:, None] < model.predict_quantiles(X)).mean(axis=0)
    np.testing.assert_allclose(below, model.quantiles_, atol=0.08)


def test_multi_output_quantiles_have_the_level_axis_last():
    X, y = _noisy(outputs=3)
    model = LSTMRegressor(**QUANTILE, quantiles=(0.2, 0.8)).fit(X, y)
    q = model.predict_quantiles(X[:4])
    assert q.shape == (4, 3, 3)
    assert model.predict(X[:4]).shape == (4, 3)
    np.testing.assert_array_equal(model.predict(X[:4]), q[..., 1])
    assert model.predict_interval(X[:4], 0.6).shape == (4, 3, 2)


def test_default_levels_are_the_tenth_median_and_ninetieth():
    X, y = _noisy(60)
    model = LSTMRegressor(**{**QUANTILE, "max_epochs": 1}).fit(X, y)
    np.testing.assert_array_equal(model.quantiles_, [0.1, 0.5, 0.9])


def test_point_models_have_no_quantile_methods():
    assert not hasattr(LSTMRegressor(), "predict_quantiles")
    assert not hasattr(LSTMRegressor(), "predict_interval")
    assert hasattr(LSTMRegressor(loss="quantile"), "predict_quantiles")


def test_pinball_loss_is_scikit_learns_at_each_level():
    torch.manual_seed(0)
    levels = (0.1, 0.5, 0.8)
    raw = torch.randn(50, 3, dtype=torch.float64)
    y = torch.randn(50, 1, dtype=torch.float64)
    q = monotone_quantiles(raw, 3, 1)[:, 0].numpy()
    loss = PinballLoss(levels, reduction="none")(raw, y)
    assert loss.shape == (50, 1, 3)
    for k, level in enumerate(levels):
        expected = sklearn_pinball(y.numpy()[:, 0], q[:, k], alpha=level)
        assert loss[:, 0, k].mean().item() == pytest.approx(expected, rel=1e-12)


def test_sample_weights_reach_the_pinball_loss():
    # a block of targets shifted by +20 with zero weight leaves the fit alone
    X, y = _noisy(300)
    shifted = y.copy()
    shifted[:100] += 20
    weight = np.r_[np.zeros(100), np.ones(200)]
    plain = LSTMRegressor(**QUANTILE).fit(X, y)
    weighted = LSTMRegressor(**QUANTILE).fit(X, shifted, sample_weight=weight)
    assert np.abs(weighted.predict(X) - plain.predict(X)).mean() < 1.0
    unweighted = LSTMRegressor(**QUANTILE).fit(X, shifted)
    assert unweighted.predict_quantiles(X)[:, -1].mean() > 5


# ------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("quantiles", "match"),
    [
        ([0.1, 1.0], "strictly between 0 and 1"),
        ([0.0, 0.5], "strictly between 0 and 1"),
        ([-0.2], "strictly between 0 and 1"),
        ([0.1, 0.1, 0.9], r"repeats the level\(s\) \[0.1\]"),
        ([], "quantiles is empty"),
        (["a"], "strictly between 0 and 1"),
        (0.5, "must be an array-like or None"),
        ("0.5", "must be an array-like or None"),
    ],
)
def test_bad_quantiles_are_refused(quantiles, match):
    X, y = _noisy(40)
    with pytest.raises(ValueError, match=match):
        LSTMRegressor(**QUANTILE, quantiles=quantiles).fit(X, y)


def test_quantiles_without_the_quantile_loss_are_refused():
    X, y = _noisy(40)
    with pytest.raises(ValueError, match="quantiles are fitted with loss='quantile'"):
        LSTMRegressor(**FAST, quantiles=[0.1, 0.9]).fit(X, y)


@pytest.mark.parametrize("coverage", [0.0, 1.0, 1.5, -0.1, "0.8", True])
def test_coverage_outside_zero_one_is_refused(fitted, coverage):
    model, X, _ = fitted
    with pytest.raises(ValueError, match="coverage must be strictly between 0 and 1"):
        model.predict_interval(X, coverage)


def test_levels_that_were_not_fitted_are_not_interpolated(fitted):
    model, X, _ = fitted
    with pytest.raises(ValueError, match=r"quantiles \[0.3\] were not fitted"):
        model.predict_quantiles(X, [0.3, 0.5])
    with pytest.raises(ValueError, match=r"\[0.05, 0.95\].*\[0.05, 0.95\] were not"):
        model.predict_interval(X, coverage=0.9)


# ------------------------------------------------------------ with the rest


def test_save_load_and_pickle_keep_the_quantiles(fitted, tmp_path):
    import pickle

    model, X, _ = fitted
    save_model(model, tmp_path / "q")
    for restored in (load_model(tmp_path / "q"), pickle.loads(pickle.dumps(model))):
        np.testing.assert_array_equal(restored.quantiles_, model.quantiles_)
        np.testing.assert_allclose(
            restored.predict_quantiles(X), model.predict_quantiles(X), rtol=1e-6
        )


def test_ragged_input_gives_each_row_its_own_quantiles():
    rng = np.random.RandomState(0)
    X = [rng.normal(size=(n, 2)) for n in rng.randint(3, 15, size=120)]
    y = np.array([x[:, 0].sum() for x in X])
    model = LSTMRegressor(**QUANTILE).fit(X, y)
    together = model.predict_quantiles(X[:5])
    alone = np.vstack([model.predict_quantiles([x]) for x in X[:5]])
    np.testing.assert_allclose(together, alone, rtol=1e-5, atol=1e-6)


def test_warm_start_refuses_changed_levels():
    X, y = _noisy(60)
    model = LSTMRegressor(**{**QUANTILE, "max_epochs": 1}, warm_start=True).fit(X, y)
    model.set_params(quantiles=[0.05, 0.95])
    with pytest.raises(ValueError, match="quantiles"):
        model.fit(X, y)


# ------------------------------------------------------------ multi-step


def test_forecast_quantiles_of_a_direct_multi_step_model():
    series = np.sin(0.3 * np.arange(200)) + 0.1 * np.random.RandomState(0).normal(
        size=200
    )
    X, y = sliding_windows(series, window=12, horizon=4)
    model = LSTMRegressor(**QUANTILE).fit(X, y)
    future = forecast_quantiles(model, series, steps=3)
    assert future.shape == (3, 3)
    np.testing.assert_allclose(
        future, model.predict_quantiles(series[None, -12:])[0, :3], rtol=1e-12
    )
    with pytest.raises(ValueError, match=r"predicts 4 step.*not fed back"):
        forecast_quantiles(model, series, steps=5)
    with pytest.raises(ValueError, match="needs a fitted quantile regressor"):
        forecast_quantiles(LSTMRegressor(**FAST).fit(X, y), series, 2)
    from sklearn.pipeline import make_pipeline

    from sklstm import SequenceWindower

    pipe = make_pipeline(SequenceWindower(window=12), LSTMRegressor(**QUANTILE))
    pipe.fit(series[:-1], series[1:])
    with pytest.raises(ValueError, match="not a Pipeline"):
        forecast_quantiles(pipe, series, 1)


def test_predictions_follow_the_fit_not_a_loss_set_afterwards(fitted):
    from sklearn.base import clone

    model, X, _ = fitted
    quantile = clone(model).fit(X[:100], model.predict(X[:100]))
    median = quantile.predict(X[:7])
    quantile.set_params(loss="squared_error", quantiles=None)
    np.testing.assert_array_equal(quantile.predict(X[:7]), median)  # still (7,)
    assert quantile.predict_quantiles(X[:7]).shape == (7, 5)
    with pytest.raises(ValueError, match="fitted with loss='quantile', but loss"):
        quantile.set_params(warm_start=True).fit(X[:100], median[:1].repeat(100))
    point = LSTMRegressor(**{**FAST, "max_epochs": 1}).fit(X[:50], X[:50, 0])
    point.set_params(loss="quantile")
    assert not hasattr(point, "predict_quantiles")  # fitted as a point model
    assert point.predict(X[:3]).shape == (3,)
    point.fit(X[:50], X[:50, 0])  # a fresh fit follows the new loss
    assert point.predict_quantiles(X[:3]).shape == (3, 3)
    point.set_params(loss="absolute_error").fit(X[:50], X[:50, 0])
    assert not hasattr(point, "quantiles_")  # nothing of the last fit lingers


def test_a_recursive_forecast_steps_the_median(monkeypatch):
    import sklstm.forecasting._forecast as module
    from sklstm import forecast

    series = np.sin(0.3 * np.arange(120))
    X, y = sliding_windows(series, window=10)
    model = LSTMRegressor(**{**QUANTILE, "max_epochs": 2}).fit(X, y)
    assert model._window_stepper(10) is not None
    stepped = forecast(model, series, steps=15)
    monkeypatch.setattr(module, "_window_stepper", lambda model, window: None)
    reread = forecast(model, series, steps=15)
    np.testing.assert_allclose(stepped, reread, rtol=1e-5, atol=1e-5)
    first = model.predict(series[None, -10:])[0]  # the median of the next value
    assert stepped[0] == pytest.approx(first, abs=1e-5)


def test_asking_a_point_model_for_quantiles_says_what_to_do(fitted):
    model, X, _ = fitted
    with pytest.raises(AttributeError) as info:
        LSTMRegressor().predict_interval  # noqa: B018
    assert "need a model fitted with loss='quantile'" in str(info.value.__cause__)
    with pytest.raises(ValueError, match=r"strictly between 0 and 1; got 1\.5"):
        model.predict_quantiles(X, [1.5])
