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
    windower = SequenceWindower(window=4, continue_series=False).fit(np.arange(10.0))
    out = windower.transform(np.array([7.0, 8.0]))
    np.testing.assert_array_equal(out, [[7, 7, 7, 7], [7, 7, 7, 8]])


# ------------------------------------------- continuing the fitted series


def test_rows_after_the_fitted_series_are_windowed_on_its_tail():
    series = np.arange(20.0)
    windower = SequenceWindower(window=4).fit(series[:12])
    np.testing.assert_array_equal(windower.history_, [[9.0], [10.0], [11.0]])
    full = SequenceWindower(window=4).fit_transform(series)
    np.testing.assert_array_equal(windower.transform(series[12:]), full[12:])
    np.testing.assert_array_equal(
        windower.transform(series[12:14]), [[9, 10, 11, 12], [10, 11, 12, 13]]
    )


def test_the_fitted_series_itself_is_windowed_as_in_fit():
    series = np.random.RandomState(0).normal(size=(30, 2)).astype(np.float32)
    windower = SequenceWindower(window=5).fit(series)
    np.testing.assert_array_equal(
        windower.transform(series), windower.fit_transform(series)
    )
    np.testing.assert_array_equal(
        windower.transform(series)[0, :, 0], [series[0, 0]] * 5
    )
    assert windower.transform(series[3:]).dtype == np.float32
    # same length, other values: a continuation, not the fitted series
    other = series + 1
    assert windower.transform(other)[0, 0, 0] == series[-4, 0]


def test_without_continuing_every_series_is_padded_on_its_own():
    series = np.arange(20.0)
    windower = SequenceWindower(window=3, continue_series=False).fit(series[:10])
    np.testing.assert_array_equal(
        windower.transform(series[10:12]), [[10, 10, 10], [10, 10, 11]]
    )


def _hand_made_cv(estimator, series, y, window, cv):
    """Fit on the windower's training windows, score on windows of the whole
    series at the test rows: each test row on its true history."""
    from sklearn.base import clone

    everything = SequenceWindower(window=window).fit_transform(series)
    scores = []
    for train, test in cv.split(series):
        model = clone(estimator).fit(
            SequenceWindower(window=window).fit_transform(series[train]), y[train]
        )
        scores.append(model.score(everything[test], y[test]))
    return np.array(scores)


@pytest.mark.parametrize(
    "estimator",
    [Ridge(alpha=1.0), LSTMRegressor(**{**FAST, "max_epochs": 3})],
    ids=["ridge", "lstm"],
)
def test_pipeline_cv_scores_equal_a_hand_made_cv_on_true_history(estimator):
    series = noisy_sine(400)
    X, y = series[:-1], series[1:]
    cv = TimeSeriesSplit(4)
    pipeline = make_pipeline(SequenceWindower(window=12), estimator)
    scores = cross_val_score(pipeline, X, y, cv=cv)
    np.testing.assert_allclose(
        scores, _hand_made_cv(estimator, X, y, 12, cv), rtol=1e-12
    )
    padded = make_pipeline(
        SequenceWindower(window=12, continue_series=False), estimator
    )
    assert not np.allclose(cross_val_score(padded, X, y, cv=cv), scores, rtol=1e-6)


def test_a_saved_or_pickled_windower_keeps_continuing(tmp_path):
    import pickle

    from sklstm import load_model, save_model

    series = np.arange(30.0)
    pipe = make_pipeline(
        SequenceWindower(window=5), LSTMRegressor(**{**FAST, "max_epochs": 1})
    )
    pipe.fit(series[:20], series[1:21])
    save_model(pipe, tmp_path / "p")
    for restored in (load_model(tmp_path / "p"), pickle.loads(pickle.dumps(pipe))):
        np.testing.assert_array_equal(
            restored[0].transform(series[20:]), pipe[0].transform(series[20:])
        )
        np.testing.assert_array_equal(
            restored.predict(series[:20]), pipe.predict(series[:20])
        )


def test_a_windower_pickled_before_continuing_still_pads():
    windower = SequenceWindower(window=3).fit(np.arange(10.0))
    state = windower.__getstate__()
    for name in ("continue_series", "_fitted_rows", "_fitted_edges", "history_"):
        state.pop(name)
    old = SequenceWindower.__new__(SequenceWindower)
    old.__setstate__(state)
    assert old.get_params()["continue_series"] is False
    np.testing.assert_array_equal(
        old.transform(np.array([5.0, 6.0])), [[5, 5, 5], [5, 5, 6]]
    )


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
