"""Calibrated intervals: the conformal wrapper, the scorers, and the proof on
a series with known, season-dependent noise."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_validate
from sklearn.pipeline import make_pipeline

from sklstm import CalibratedQuantileRegressor, LSTMRegressor, SequenceWindower
from sklstm.metrics import (
    interval_coverage,
    make_coverage_scorer,
    make_width_scorer,
    mean_interval_width,
    mean_pinball_loss,
    pinball_scorer,
)

from ._heteroscedastic import seasonal_noise
from ._params import FAST

QUANTILE = {**FAST, "loss": "quantile", "max_epochs": 5}


class _ConstantQuantiles(RegressorMixin, BaseEstimator):
    """Quantiles 0.1, 0.5, 0.9 of -1, 0, 1 whatever X: the shifts are plain."""

    def fit(self, X, y):
        self.quantiles_ = np.array([0.1, 0.5, 0.9])
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict_quantiles(self, X):
        return np.tile([-1.0, 0.0, 1.0], (len(X), 1))


def test_each_level_is_shifted_by_the_conformal_order_statistic():
    X = np.zeros((60, 2))
    y = np.r_[np.zeros(41), np.arange(19.0)]  # the tail (last 19): 0..18
    model = CalibratedQuantileRegressor(_ConstantQuantiles(), calibration_fraction=0.3)
    model.fit(X, y)
    assert model.n_calibration_ == 18
    tail = np.arange(1.0, 19.0)  # the last 18 targets
    # errors y - q: tail + 1, tail, tail - 1, sorted; ranks (n + 1) a of 19 * a:
    # floor(1.9) = 1, ceil(9.5) = 10, ceil(17.1) = 18 (1-based)
    np.testing.assert_array_equal(
        model.corrections_, [[tail[0] + 1, tail[9], tail[17] - 1]]
    )
    np.testing.assert_array_equal(model.predict_quantiles(X[:1]), [[1.0, 10.0, 18.0]])
    np.testing.assert_array_equal(model.predict(X[:2]), [10.0, 10.0])
    np.testing.assert_array_equal(model.predict_interval(X[:1], 0.8), [[1.0, 18.0]])
    # on the tail it was calibrated on, the 80 % interval holds at least 80 %
    assert interval_coverage(tail, model.predict_interval(X[:18], 0.8)) >= 0.8


def test_the_tail_is_held_out_in_time_order():
    X = np.arange(100.0)[:, None] * np.ones((1, 3))
    model = CalibratedQuantileRegressor(_Recording(), calibration_fraction=0.25)
    model.fit(X, np.arange(100.0))
    np.testing.assert_array_equal(model.estimator_.seen_[:, 0], np.arange(75.0))


class _Recording(_ConstantQuantiles):
    def fit(self, X, y):
        self.seen_ = np.asarray(X)
        return super().fit(X, y)


def test_too_few_samples_and_point_regressors_are_refused():
    X, y = np.zeros((5, 2)), np.arange(5.0)
    with pytest.raises(
        ValueError, match="cannot be split into a fit and a calibration"
    ):
        CalibratedQuantileRegressor(_ConstantQuantiles()).fit(X, y)
    with pytest.raises(ValueError, match="needs a quantile regressor"):
        CalibratedQuantileRegressor(LSTMRegressor(**{**FAST, "max_epochs": 1})).fit(
            np.zeros((20, 3)), np.arange(20.0)
        )


def test_a_tail_too_short_for_a_level_leaves_it_unbounded():
    X, y = np.zeros((20, 2)), np.arange(20.0)
    with pytest.warns(
        UserWarning, match=r"too short to bound the quantile\(s\) \[0.1, 0.9\]"
    ):
        model = CalibratedQuantileRegressor(_ConstantQuantiles()).fit(X, y)
    assert model.n_calibration_ == 4  # (4 + 1) * 0.9 rounds up past 4
    np.testing.assert_array_equal(
        model.predict_interval(X[:1], 0.8), [[-np.inf, np.inf]]
    )


def test_calibrated_levels_never_move_inward():
    from sklstm.calibration import _outward

    levels = np.array([0.1, 0.3, 0.5, 0.7, 0.9])
    crossed = np.array([[-1.0, -3.0, 0.0, 2.0, 1.0]])  # 0.3 below 0.1, 0.9 below 0.7
    np.testing.assert_array_equal(_outward(crossed, levels), [[-3, -3, 0, 2, 2]])


def test_levels_that_were_not_fitted_are_refused():
    model = CalibratedQuantileRegressor(_ConstantQuantiles()).fit(
        np.zeros((60, 2)), np.arange(60.0)
    )
    with pytest.raises(ValueError, match=r"quantiles \[0.3\] were not fitted"):
        model.predict_quantiles(np.zeros((2, 2)), [0.3])
    with pytest.raises(ValueError, match="coverage must be strictly between 0 and 1"):
        model.predict_interval(np.zeros((2, 2)), 1.2)


def test_sample_weights_reach_a_pipelines_final_step():
    series = np.sin(0.3 * np.arange(200))
    pipe = make_pipeline(SequenceWindower(window=5), LSTMRegressor(**QUANTILE))
    weights = np.ones(199)
    model = CalibratedQuantileRegressor(pipe).fit(series[:-1], series[1:], weights)
    assert model.predict(series[-20:-1]).shape == (19,)


def test_a_windowing_pipeline_is_calibrated_and_scored():
    series = np.sin(0.3 * np.arange(300)) + 0.2 * np.random.RandomState(0).normal(
        size=300
    )
    pipe = make_pipeline(SequenceWindower(window=10), LSTMRegressor(**QUANTILE))
    model = CalibratedQuantileRegressor(pipe).fit(series[:-1], series[1:])
    bounds = model.predict_interval(series[-50:-1], 0.8)
    assert bounds.shape == (49, 2)
    assert (bounds[:, 0] <= bounds[:, 1]).all()
    expected = mean_pinball_loss(
        series[-49:], model.predict_quantiles(series[-50:-1]), model.quantiles_
    )
    assert pinball_scorer(model, series[-50:-1], series[-49:]) == -expected
    fitted_pipe = model.estimator_  # Pipeline forwards no predict_quantiles
    raw = fitted_pipe[-1].predict_quantiles(fitted_pipe[0].transform(series[-50:-1]))
    assert pinball_scorer(fitted_pipe, series[-50:-1], series[-49:]) == -(
        mean_pinball_loss(series[-49:], raw, model.quantiles_)
    )


def test_scorers_work_in_grid_search_and_cross_validate():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 6))
    y = X[:, -1] + 0.3 * rng.normal(size=200)
    search = GridSearchCV(
        LSTMRegressor(**QUANTILE),
        {"hidden_size": [4, 8]},
        scoring=pinball_scorer,
        cv=TimeSeriesSplit(2),
    ).fit(X, y)
    assert search.best_score_ < 0
    scores = cross_validate(
        LSTMRegressor(**QUANTILE),
        X,
        y,
        cv=TimeSeriesSplit(2),
        scoring={
            "pinball": pinball_scorer,
            "coverage": make_coverage_scorer(0.8),
            "width": make_width_scorer(0.8),
        },
    )
    last = LSTMRegressor(**QUANTILE).fit(X[:134], y[:134])  # the last fold's fit
    bounds = last.predict_interval(X[134:], 0.8)
    assert scores["test_coverage"][-1] == interval_coverage(y[134:], bounds)
    assert scores["test_width"][-1] == -mean_interval_width(bounds)


def test_metric_functions_compute_what_they_say():
    y = np.array([0.0, 1.0, 2.0, 3.0])
    bounds = np.array([[-1, 1], [2, 3], [1, 2], [3, 3]], dtype=float)
    assert interval_coverage(y, bounds) == 0.75
    assert mean_interval_width(bounds) == 1.0
    quantiles = np.column_stack([y - 1, y])  # levels 0.25 and 0.5
    # level 0.25: error 1 each, 0.25 * 1; level 0.5: error 0
    assert mean_pinball_loss(y, quantiles, [0.25, 0.5]) == pytest.approx(0.125)
    with pytest.raises(ValueError, match="one value per row"):
        interval_coverage(y[:3], bounds)


# ------------------------------------------------------------ the proof

LEVELS = np.array([0.1, 0.5, 0.9])
SETTINGS = {"hidden_size": 16, "max_epochs": 30, "lr": 0.01, "random_state": 0}


@pytest.fixture(scope="module")
def seasonal():
    return seasonal_noise(5000, 2400, LEVELS)


@pytest.mark.parametrize("calibrated", [False, True], ids=["network", "conformal"])
def test_intervals_hold_their_coverage_on_season_dependent_noise(seasonal, calibrated):
    X_train, y_train, X_test, y_test, true = seasonal
    model = LSTMRegressor(loss="quantile", **SETTINGS)
    if calibrated:
        model = CalibratedQuantileRegressor(model)
    model.fit(X_train, y_train)
    predicted = model.predict_quantiles(X_test)
    bounds = model.predict_interval(X_test, coverage=0.8)
    assert 0.77 <= interval_coverage(y_test, bounds) <= 0.83  # 2,400 steps
    width = mean_interval_width(bounds) / mean_interval_width(true[:, [0, 2]])
    assert 0.85 <= width <= 1.15
    loss = mean_pinball_loss(y_test, predicted, LEVELS)
    assert loss <= 1.10 * mean_pinball_loss(y_test, true, LEVELS)
