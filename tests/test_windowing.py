"""SequenceWindower, sliding_windows and forecast."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline

from sklstm import LSTMRegressor, SequenceWindower, forecast, sliding_windows

from .conftest import FAST_PARAMS


def _noisy_sine(n=600, seed=0):
    rng = np.random.RandomState(seed)
    t = np.arange(n)
    return np.sin(0.2 * t) + 0.05 * rng.normal(size=n)


def test_rows_hold_trailing_windows_with_edge_padding():
    out = SequenceWindower(window=3).fit_transform(np.array([5.0, 6.0, 7.0, 8.0]))
    np.testing.assert_array_equal(out, [[5, 5, 5], [5, 5, 6], [5, 6, 7], [6, 7, 8]])


def test_zero_padding():
    out = SequenceWindower(window=3, padding="zeros").fit_transform(
        np.array([5.0, 6.0, 7.0])
    )
    np.testing.assert_array_equal(out[0], [0, 0, 5])


def test_multivariate_series_gives_3d_windows():
    series = np.arange(12.0).reshape(6, 2)
    out = SequenceWindower(window=4).fit_transform(series)
    assert out.shape == (6, 4, 2)
    np.testing.assert_array_equal(out[5], series[2:6])


def test_output_is_a_read_only_view_not_a_copy():
    import tracemalloc

    series = np.random.RandomState(0).normal(size=(10_000, 3))  # 240 kB
    tracemalloc.start()
    out = SequenceWindower(window=256).fit_transform(series)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert out.shape == (10_000, 256, 3)  # 61 MB if it were materialised
    assert not out.flags.writeable
    assert peak < 1_000_000


def test_float32_is_preserved():
    out = SequenceWindower(window=2).fit_transform(np.arange(5, dtype=np.float32))
    assert out.dtype == np.float32


def test_lag_feature_names_and_pandas_output():
    series = pd.Series(np.arange(5.0), name="load")
    windower = SequenceWindower(window=3).set_output(transform="pandas")
    out = windower.fit_transform(series)
    assert list(out.columns) == ["load_lag2", "load_lag1", "load_lag0"]
    assert out.shape == (5, 3)


def test_pandas_output_of_a_multivariate_series_is_a_clear_error():
    frame = pd.DataFrame({"a": np.arange(5.0), "b": np.arange(5.0)})
    windower = SequenceWindower(window=2).set_output(transform="pandas")
    with pytest.raises(ValueError, match="only available for a univariate series"):
        windower.fit_transform(frame)


def test_windows_feed_a_ridge_model():
    series = _noisy_sine()
    X, y = series[:-1], series[1:]
    scores = cross_val_score(
        make_pipeline(SequenceWindower(10), Ridge()), X, y, cv=TimeSeriesSplit(3)
    )
    assert scores.mean() > 0.9


def test_pipeline_with_lstm_fits_and_predicts():
    series = _noisy_sine()
    X, y = series[:-1], series[1:]  # y[t] is the value after row t
    pipe = Pipeline(
        [
            ("sequencewindower", SequenceWindower(window=30)),
            ("lstmregressor", LSTMRegressor(**FAST_PARAMS)),
        ]
    )
    pipe.fit(X[:500], y[:500])
    pred = pipe.predict(X[500:])
    assert pred.shape == (99,)
    assert np.mean((pred[30:] - y[530:]) ** 2) < 0.02


@pytest.mark.slow
def test_cross_val_score_with_time_series_split_5():
    series = _noisy_sine()
    pipe = Pipeline(
        [
            ("sequencewindower", SequenceWindower(window=30)),
            ("lstmregressor", LSTMRegressor(**FAST_PARAMS)),
        ]
    )
    scores = cross_val_score(pipe, series[:-1], series[1:], cv=TimeSeriesSplit(5))
    assert scores.shape == (5,)
    assert scores.mean() > 0.8


@pytest.mark.slow
def test_grid_search_over_window_and_hidden_size():
    series = _noisy_sine(400)
    pipe = Pipeline(
        [
            ("sequencewindower", SequenceWindower()),
            ("lstmregressor", LSTMRegressor(**{**FAST_PARAMS, "max_epochs": 15})),
        ]
    )
    grid = GridSearchCV(
        pipe,
        {"sequencewindower__window": [5, 20], "lstmregressor__hidden_size": [4, 16]},
        cv=TimeSeriesSplit(3),
    ).fit(series[:-1], series[1:])
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_score_ > 0.7


@pytest.mark.parametrize("window", [0, -2])
def test_window_must_be_positive(window):
    with pytest.raises(
        ValueError, match="'window' parameter of SequenceWindower must be"
    ):
        SequenceWindower(window=window).fit(np.arange(10.0))


def test_series_shorter_than_the_window():
    with pytest.raises(
        ValueError, match=r"window=10\) got 4 sample\(s\).*fewer than the window"
    ):
        SequenceWindower(window=10).fit(np.arange(4.0))


def test_3d_series_is_refused_with_advice():
    with pytest.raises(ValueError, match=r"expects one series.*estimators directly"):
        SequenceWindower(window=2).fit(np.zeros((4, 3, 2)))


def test_nan_in_the_series_is_refused():
    with pytest.raises(ValueError, match="NaN"):
        SequenceWindower(window=2).fit(np.array([1.0, np.nan, 2.0]))


def test_sliding_windows_tutorial_form():
    X, y = sliding_windows(np.arange(10.0), window=4)
    assert X.shape == (6, 4)
    assert y.shape == (6,)
    np.testing.assert_array_equal(X[0], [0, 1, 2, 3])
    assert y[0] == 4
    assert y[-1] == 9


def test_sliding_windows_multi_step_horizon_gives_2d_y():
    X, y = sliding_windows(np.arange(10.0), window=3, horizon=2)
    assert X.shape == (6, 3)
    assert y.shape == (6, 2)
    np.testing.assert_array_equal(y[-1], [8, 9])


def test_sliding_windows_multivariate_needs_a_target():
    frame = pd.DataFrame({"temp": np.arange(8.0), "load": 10 * np.arange(8.0)})
    with pytest.raises(ValueError, match="pass target="):
        sliding_windows(frame, window=3)
    X, y = sliding_windows(frame, window=3, target="load")
    assert X.shape == (5, 3, 2)
    assert y[0] == 30.0


def test_sliding_windows_too_short():
    with pytest.raises(ValueError, match="needs at least 5 rows"):
        sliding_windows(np.arange(4.0), window=3, horizon=2)


def test_multi_output_regressor_on_a_horizon():
    series = _noisy_sine(400)
    X, y = sliding_windows(series, window=20, horizon=3)
    model = LSTMRegressor(**FAST_PARAMS).fit(X, y)
    assert model.predict(X[:5]).shape == (5, 3)


def test_recursive_forecast_follows_the_series():
    series = np.sin(0.2 * np.arange(500))
    X, y = sliding_windows(series[:400], window=30)
    model = LSTMRegressor(**FAST_PARAMS).fit(X, y)
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


def test_forecast_needs_enough_history():
    X, y = sliding_windows(np.arange(30.0), window=4)
    model = Ridge().fit(X, y)
    with pytest.raises(ValueError, match="history has 2 values"):
        forecast(model, [1.0, 2.0], steps=3)


def test_transform_pads_inputs_shorter_than_the_window():
    windower = SequenceWindower(window=4).fit(np.arange(10.0))
    out = windower.transform(np.array([7.0, 8.0]))
    np.testing.assert_array_equal(out, [[7, 7, 7, 7], [7, 7, 7, 8]])


def test_sliding_windows_target_by_position_and_unknown_targets():
    data = np.column_stack([np.arange(8.0), 10 * np.arange(8.0)])
    _, y = sliding_windows(data, window=3, target=1)
    assert y[0] == 30.0
    with pytest.raises(ValueError, match=r"positions 0..1"):
        sliding_windows(data, window=3, target=2)
    frame = pd.DataFrame({1: np.arange(8.0), 0: 10 * np.arange(8.0)})
    _, y = sliding_windows(frame, window=3, target=0)  # a name, not a position
    assert y[0] == 30.0
    with pytest.raises(ValueError, match="not one of the series' columns"):
        sliding_windows(frame, window=3, target="lod")
