"""SequenceWindower: one trailing window per time step of a series."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline

from sklstm import LSTMRegressor
from sklstm.forecasting import SequenceWindower

from .._datasets import noisy_sine
from .._params import FAST


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


def test_transform_pads_inputs_shorter_than_the_window():
    windower = SequenceWindower(window=4).fit(np.arange(10.0))
    out = windower.transform(np.array([7.0, 8.0]))
    np.testing.assert_array_equal(out, [[7, 7, 7, 7], [7, 7, 7, 8]])


# ------------------------------------------------------------- in pipelines


def test_windows_feed_a_ridge_model():
    series = noisy_sine()
    X, y = series[:-1], series[1:]
    scores = cross_val_score(
        make_pipeline(SequenceWindower(10), Ridge()), X, y, cv=TimeSeriesSplit(3)
    )
    assert scores.mean() > 0.9


def test_pipeline_with_lstm_fits_and_predicts():
    series = noisy_sine()
    X, y = series[:-1], series[1:]  # y[t] is the value after row t
    pipe = Pipeline(
        [
            ("sequencewindower", SequenceWindower(window=30)),
            ("lstmregressor", LSTMRegressor(**FAST)),
        ]
    )
    pipe.fit(X[:500], y[:500])
    pred = pipe.predict(X[500:])
    assert pred.shape == (99,)
    assert np.mean((pred[30:] - y[530:]) ** 2) < 0.02


@pytest.mark.slow
def test_cross_val_score_with_time_series_split_5():
    series = noisy_sine()
    pipe = Pipeline(
        [
            ("sequencewindower", SequenceWindower(window=30)),
            ("lstmregressor", LSTMRegressor(**FAST)),
        ]
    )
    scores = cross_val_score(pipe, series[:-1], series[1:], cv=TimeSeriesSplit(5))
    assert scores.shape == (5,)
    assert scores.mean() > 0.8


@pytest.mark.slow
def test_grid_search_over_window_and_hidden_size():
    series = noisy_sine(400)
    pipe = Pipeline(
        [
            ("sequencewindower", SequenceWindower()),
            ("lstmregressor", LSTMRegressor(**{**FAST, "max_epochs": 15})),
        ]
    )
    grid = GridSearchCV(
        pipe,
        {"sequencewindower__window": [5, 20], "lstmregressor__hidden_size": [4, 16]},
        cv=TimeSeriesSplit(3),
    ).fit(series[:-1], series[1:])
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_score_ > 0.7


# ------------------------------------------------------- what it refuses


@pytest.mark.parametrize("window", [0, -2])
def test_window_must_be_positive(window):
    with pytest.raises(
        ValueError, match="'window' parameter of SequenceWindower must be"
    ):
        SequenceWindower(window=window).fit(np.arange(10.0))


def test_sequence_windower_with_window_true_is_a_window_of_one():
    # numpy's "an integer is required" at transform
    out = SequenceWindower(window=True).fit_transform(np.arange(4.0))
    np.testing.assert_array_equal(out, np.arange(4.0)[:, None])


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


def test_plus_and_minus_infinity_together_raise_without_warning():
    # found by fuzzing: scikit-learn's finiteness check warned "invalid value"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="infinity"):
            SequenceWindower(window=1).fit(np.array([np.inf, -np.inf]))


@pytest.mark.parametrize(
    ("X", "error", "match"),
    [
        (np.arange(5).astype("datetime64[s]"), ValueError, "datetime64"),
        (pd.DataFrame({"a": ["x", "y", "z"]}), ValueError, "numeric series.*'x'"),
        (
            pd.Series(["1", pd.NA, "2"], dtype="string"),
            TypeError,  # as scikit-learn raises for a non-number object
            "pandas.NA marks a missing value",
        ),
        ([1.0, [1.0, 2.0], 2.0], ValueError, "mix numbers and sequences"),
        ([[[], [0.0]]], ValueError, "mix numbers and sequences"),
    ],
)
def test_sequence_windower_explains_non_numeric_series(X, error, match):
    # found by fuzzing
    with pytest.raises(error, match=match):
        SequenceWindower(window=1).fit(X)
