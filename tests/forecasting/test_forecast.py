"""forecast: many steps ahead from a one-step (or few-step) model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline

from sklstm import LSTMClassifier, LSTMRegressor
from sklstm.forecasting import SequenceWindower, forecast, sliding_windows

from .._params import FAST, ONE_EPOCH


def test_recursive_forecast_follows_the_series():
    series = np.sin(0.2 * np.arange(500))
    X, y = sliding_windows(series[:400], window=30)
    model = LSTMRegressor(**FAST).fit(X, y)
    future = forecast(model, series[:400], steps=20)
    assert future.shape == (20,)
    assert np.max(np.abs(future - series[400:420])) < 0.15


def test_forecast_with_a_multi_step_model_uses_every_step():
    X, y = sliding_windows(np.arange(30.0), window=4, horizon=2)
    model = Ridge(alpha=1e-9).fit(X, y)
    np.testing.assert_allclose(
        forecast(model, np.arange(30.0), steps=5), [30, 31, 32, 33, 34], atol=1e-4
    )


def test_forecast_with_a_windowing_pipeline_equals_its_final_estimator():
    series = np.arange(40.0)
    pipe = make_pipeline(SequenceWindower(window=4), Ridge(alpha=1e-9))
    pipe.fit(series[:-1], series[1:])
    future = forecast(pipe, series, steps=5)
    np.testing.assert_allclose(future, [40, 41, 42, 43, 44], atol=1e-3)
    # Ridge predicts a (window, window) block here and one row there: BLAS may
    # round the two differently in the last bit, so equal means equal to 1e-12.
    np.testing.assert_allclose(
        future, forecast(pipe[-1], series, steps=5), rtol=1e-12, atol=0
    )


def test_forecast_with_a_pipeline_fitted_on_pandas_warns_nothing():
    series = pd.Series(np.arange(40.0), name="load")
    for history in (series, series.to_frame()):
        pipe = make_pipeline(SequenceWindower(window=4), Ridge(alpha=1e-9))
        pipe.fit(history[:-1], series.to_numpy()[1:])
        # filterwarnings=error: a feature-name warning would fail here
        future = forecast(pipe, history, steps=3)
        np.testing.assert_allclose(future, [40, 41, 42], atol=1e-3)


# ------------------------------------------------------- what it refuses


@pytest.fixture
def forecaster():
    X, y = sliding_windows(np.sin(np.arange(40) * 0.3), 3)
    return LSTMRegressor(**ONE_EPOCH).fit(X, y)


@pytest.mark.parametrize("steps", [0, -1, 2.5, "3", None])
def test_bad_steps_get_scikit_learns_message(forecaster, steps):
    history = np.sin(np.arange(40) * 0.3)
    with pytest.raises(ValueError, match=r"The 'steps' parameter of forecast must be"):
        forecast(forecaster, history, steps)


def test_forecast_needs_enough_history():
    X, y = sliding_windows(np.arange(30.0), window=4)
    model = Ridge().fit(X, y)
    with pytest.raises(ValueError, match="history has 2 values"):
        forecast(model, [1.0, 2.0], steps=3)


@pytest.mark.parametrize(
    ("history", "match"),
    [
        (np.arange(5.0) + 1j, "Complex data not supported in history"),
        (np.arange(5).astype("datetime64[D]"), "datetime64"),
        (np.array([1.0, 2.0, np.nan, 3.0]), "history contains NaN at position 2"),
        (None, "history must be an array of numbers"),
        (np.float64(2.0), r"univariate history \(1D\), got an array of shape \(\)"),
    ],
)
def test_forecast_checks_the_history(forecaster, history, match):
    # found by fuzzing
    with pytest.raises(ValueError, match=match):
        forecast(forecaster, history, 2)


# ------------------------------------------- one cell step per forecast value


def _rereading_every_window(monkeypatch):
    """Make forecast re-read each window, as it does for cells that cannot step."""
    import sklstm.forecasting._forecast as module

    monkeypatch.setattr(module, "_window_stepper", lambda model, window: None)


@pytest.mark.parametrize(
    ("params", "horizon"),
    [({}, 1), ({"num_layers": 2, "cell": "gru"}, 3)],
)
def test_carrying_the_state_forward_equals_rereading_each_window(
    monkeypatch, params, horizon
):
    series = np.sin(0.3 * np.arange(120)) + 0.05 * np.arange(120) % 1
    X, y = sliding_windows(series, window=12, horizon=horizon)
    model = LSTMRegressor(**{**ONE_EPOCH, **params}).fit(X, y)
    assert model._window_stepper(12) is not None
    stepped = forecast(model, series, steps=40)
    _rereading_every_window(monkeypatch)
    reread = forecast(model, series, steps=40)
    np.testing.assert_allclose(stepped, reread, rtol=1e-5, atol=1e-5)


def test_a_model_with_a_conv_branch_rereads_each_window():
    series = np.sin(0.3 * np.arange(80))
    X, y = sliding_windows(series, window=10)
    model = LSTMRegressor(**{**ONE_EPOCH, "conv_filters": 4}).fit(X, y)
    assert model._window_stepper(10) is None  # convolutions see the whole window
    values = forecast(model, series, steps=3)
    window = series[-10:]
    for value in values:  # each value: the model on the last 10 values
        assert value == pytest.approx(model.predict(window[None])[0], abs=1e-6)
        window = np.append(window[1:], value)


def test_a_windowing_pipeline_steps_like_its_final_estimator(monkeypatch):
    series = pd.Series(np.cos(0.2 * np.arange(90)), name="load")
    pipe = make_pipeline(SequenceWindower(window=10), LSTMRegressor(**ONE_EPOCH))
    pipe.fit(series[:-1], series.to_numpy()[1:])
    stepped = forecast(pipe, series, steps=25)
    _rereading_every_window(monkeypatch)
    np.testing.assert_allclose(
        stepped, forecast(pipe, series, steps=25), rtol=1e-5, atol=1e-5
    )


def test_cells_that_cannot_step_still_forecast():
    series = np.sin(0.3 * np.arange(80))
    X, y = sliding_windows(series, window=8)
    model = LSTMRegressor(**ONE_EPOCH, bidirectional=True).fit(X, y)
    assert model._window_stepper(8) is None
    future = forecast(model, series, steps=3)
    # re-reading: the first value is predict on the last window
    np.testing.assert_allclose(future[0], model.predict(series[-8:][None])[0])


def test_a_stepped_forecast_refuses_values_float32_cannot_hold():
    series = np.sin(0.3 * np.arange(60))
    X, y = sliding_windows(series, window=6)
    model = LSTMRegressor(**ONE_EPOCH).fit(X, y)
    history = np.r_[series, 3e38]  # beyond float32 once standardised
    with pytest.raises(ValueError, match="beyond the float32 range"):
        forecast(model, history, steps=2)


def test_a_classifier_forecasts_labels_as_before(monkeypatch):
    series = np.tile([0.0, 1.0, 2.0, 1.0], 20)
    X, y = sliding_windows(series, window=5)
    model = LSTMClassifier(**ONE_EPOCH).fit(X, y.astype(int))
    future = forecast(model, series, steps=6)
    assert set(future) <= set(model.classes_)
    _rereading_every_window(monkeypatch)
    np.testing.assert_array_equal(future, forecast(model, series, steps=6))
