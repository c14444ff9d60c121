"""Known-future covariates: sliding_windows(future_columns=) and forecast(future=)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sklstm import LSTMRegressor, forecast, sliding_windows

from .._params import FAST


def _sales(n=400, seed=0):
    """Weekly sales that jump by 5 on promotion days, which are planned ahead."""
    rng = np.random.default_rng(seed)
    promo = (rng.random(n) < 0.2).astype(float)
    week = np.sin(2 * np.pi * np.arange(n) / 7)
    sales = 10 + week + 5 * promo + 0.1 * rng.normal(size=n)
    return pd.DataFrame({"sales": sales, "promo": promo, "weekday": np.arange(n) % 7})


def test_windows_read_the_covariates_of_the_steps_they_forecast():
    frame = pd.DataFrame(
        {"y": np.arange(8.0), "promo": 10 * np.arange(8.0), "past": -np.arange(8.0)}
    )
    X, y = sliding_windows(frame, 3, 2, target="y", future_columns=["promo"])
    assert X.shape == (4, 5, 4)
    first = np.asarray(X)[0]
    # the window: every column, flag 0; the two forecast steps: promo and flag
    np.testing.assert_array_equal(
        first[:3], [[0, 0, 0, 0], [1, 10, -1, 0], [2, 20, -2, 0]]
    )
    np.testing.assert_array_equal(first[3:], [[0, 30, 0, 1], [0, 40, 0, 1]])
    np.testing.assert_array_equal(y, [[3, 4], [4, 5], [5, 6], [6, 7]])
    # by position, the same
    by_position, _ = sliding_windows(
        frame.to_numpy(), 3, 2, target=0, future_columns=[1]
    )
    np.testing.assert_array_equal(np.asarray(by_position), np.asarray(X))


def test_panel_windows_with_covariates_stay_within_each_series():
    frame = pd.DataFrame(
        {
            "id": np.repeat(["a", "b"], [6, 5]),
            "y": np.r_[np.arange(6.0), 100 + np.arange(5.0)],
            "promo": np.r_[np.arange(6.0), 100 + np.arange(5.0)],
        }
    )
    X, y = sliding_windows(
        frame, 2, 2, target="y", groups="id", future_columns=["promo"]
    )
    dense = np.asarray(X)
    assert dense.shape == (5, 4, 3)
    np.testing.assert_array_equal(X.groups, list("aaabb"))
    series = np.floor(dense[:, :, 1] / 100)  # the promo channel, every step
    np.testing.assert_array_equal(series, np.floor(y[:, :1] / 100).repeat(4, axis=1))


@pytest.mark.parametrize(
    ("future_columns", "match"),
    [
        (["sales"], "the target"),
        (["price"], "future_columns='price' is not one of the series' columns"),
        ([], "future_columns is empty"),
    ],
)
def test_bad_future_columns_are_refused(future_columns, match):
    with pytest.raises(ValueError, match=match):
        sliding_windows(_sales(), 7, target="sales", future_columns=future_columns)


@pytest.fixture(scope="module")
def promo_model():
    frame = _sales()
    X, y = sliding_windows(
        frame[:300], 14, target="sales", future_columns=["promo", "weekday"]
    )
    return LSTMRegressor(**FAST).fit(X, y)


def test_forecast_feeds_back_predictions_and_reads_the_plan(promo_model):
    frame = _sales()
    history, plan = frame[:300], frame[["promo", "weekday"]][300:330]
    predicted = forecast(promo_model, history, 30, future=plan)
    assert promo_model.n_future_steps_ == 1
    # the first two steps by hand
    rows = history.to_numpy()[-14:]
    by_hand = []
    for step in range(2):
        ahead = np.r_[0.0, plan.to_numpy()[step], 1.0]
        window = np.vstack([np.c_[rows[-14:], np.zeros(14)], ahead])
        by_hand.append(promo_model.predict(window[np.newaxis])[0])
        rows = np.vstack([rows, [by_hand[-1], *plan.to_numpy()[step]]])
    np.testing.assert_allclose(predicted[:2], by_hand, rtol=1e-6)
    # the promotions it was told about are in the forecast
    truth = frame["sales"].to_numpy()[300:330]
    assert np.mean(np.abs(predicted - truth)) < 0.6
    lifted = predicted[plan["promo"].to_numpy() == 1].mean()
    assert lifted > predicted[plan["promo"].to_numpy() == 0].mean() + 3


def test_a_direct_model_forecasts_its_horizon_in_one_step():
    frame = _sales()
    frame = frame[["sales", "promo"]]
    X, y = sliding_windows(frame[:300], 14, 3, target="sales", future_columns=["promo"])
    model = LSTMRegressor(**{**FAST, "max_epochs": 3}).fit(X, y)
    history = frame[:300]
    plan = frame[["promo"]][300:306]
    window = np.c_[history.to_numpy()[-14:], np.zeros(14)]
    ahead = np.c_[np.zeros(3), plan.to_numpy()[:3], np.ones(3)]
    expected = model.predict(np.vstack([window, ahead])[np.newaxis])[0]
    np.testing.assert_allclose(forecast(model, history, 3, future=plan[:3]), expected)
    assert forecast(model, history, 5, future=plan).shape == (5,)


def test_bad_future_values_are_refused(promo_model):
    frame = _sales()
    history, plan = frame[:300], frame[["promo", "weekday"]][300:310]
    with pytest.raises(ValueError, match=r"needs their values ahead\. Pass future="):
        forecast(promo_model, history["sales"], 5)
    with pytest.raises(ValueError, match=r"future has 10 rows.*at least 12 rows"):
        forecast(promo_model, history, 12, future=plan)
    with pytest.raises(ValueError, match=r"future lacks the columns \['weekday'\]"):
        forecast(promo_model, history, 5, future=plan[["promo"]])
    with pytest.raises(ValueError, match="future contains NaN"):
        forecast(promo_model, history, 5, future=plan.assign(promo=np.nan))
    with pytest.raises(ValueError, match="two long DataFrames with the same id"):
        forecast(promo_model, history, 5, future=plan, groups=np.zeros(300))
    plain = LSTMRegressor(**{**FAST, "max_epochs": 1}).fit(
        *sliding_windows(frame["sales"][:100], 14)
    )
    with pytest.raises(ValueError, match="was not fitted on windows with known-future"):
        forecast(plain, history, 5, future=plan)


def test_window_scaling_takes_the_scale_from_the_past_steps():
    frame = _sales()[["promo", "sales"]]  # the target second: named in fit
    X, y = sliding_windows(frame[:300], 14, target="sales", future_columns=["promo"])
    model = LSTMRegressor(**{**FAST, "max_epochs": 5}, window_scaling="standard")
    model.fit(X, y)
    history, plan = frame[:300], frame[["promo"]][300:310]
    base = forecast(model, history, 10, future=plan)
    scaled = forecast(
        model, history.assign(sales=history["sales"] * 1000), 10, future=plan
    )
    np.testing.assert_allclose(scaled, 1000 * base, rtol=1e-4)
    # columns are matched by name, whatever their order in forecast's inputs
    swapped = forecast(model, history[["sales", "promo"]], 10, future=plan)
    np.testing.assert_array_equal(swapped, base)
    # the statistics: the sales of the 14 past steps, not the zeroed one after
    loc, scale = model._target_stats(X)
    sales = np.asarray(X)[:, :14, 1]
    np.testing.assert_allclose(loc, sales.mean(axis=1))
    np.testing.assert_allclose(scale, sales.std(axis=1))


def test_array_histories_keep_the_columns_of_fit():
    frame = _sales()[["promo", "sales"]]
    X, y = sliding_windows(frame.to_numpy()[:300], 14, target=1, future_columns=[0])
    model = LSTMRegressor(**{**FAST, "max_epochs": 3}).fit(X, y)
    by_array = forecast(
        model, frame.to_numpy()[:300], 5, future=frame[["promo"]].to_numpy()[300:305]
    )
    # the predictions go to the target column (1), the plan to the promo column
    window = np.c_[frame.to_numpy()[286:300], np.zeros(14)]
    ahead = [frame["promo"].iloc[300], 0.0, 1.0]
    expected = model.predict(np.vstack([window, ahead])[np.newaxis])[0]
    assert by_array[0] == pytest.approx(expected)
    with pytest.raises(ValueError, match="the model's windows have 2 columns"):
        forecast(model, frame.to_numpy()[:300, :1], 5, future=frame[["promo"]][300:305])


def test_a_panel_is_forecast_from_each_series_plan_at_once(promo_model):
    stores = {k: _sales(seed=k) for k in range(3)}
    history = pd.concat([f[:300].assign(store=k) for k, f in stores.items()])
    plan = pd.concat(
        [f[["promo", "weekday"]][300:312].assign(store=k) for k, f in stores.items()]
    )
    together = forecast(promo_model, history, 12, future=plan, groups="store")
    assert list(together.columns) == ["store", "step", "sales"]
    for k, frame in stores.items():
        alone = forecast(
            promo_model, frame[:300], 12, future=frame[["promo", "weekday"]][300:312]
        )
        mine = together[together["store"] == k]
        np.testing.assert_allclose(mine["sales"], alone, rtol=1e-6)
        np.testing.assert_array_equal(mine["step"], np.arange(1, 13))
    with pytest.raises(ValueError, match=r"future has no rows for the series \[2\]"):
        forecast(
            promo_model, history, 5, future=plan[plan["store"] < 2], groups="store"
        )


def test_panel_mistakes_with_a_plan_are_named(promo_model):
    stores = {k: _sales(seed=k) for k in range(2)}
    history = pd.concat([f[:300].assign(store=k) for k, f in stores.items()])
    plan = pd.concat(
        [f[["promo", "weekday"]][300:312].assign(store=k) for k, f in stores.items()]
    )
    # a panel without groups= is not read as one long series
    with pytest.raises(ValueError, match=r"columns \['store'\].*pass groups="):
        forecast(promo_model, history, 5, future=plan)
    with pytest.raises(ValueError, match="needs the id column 'store' in future"):
        forecast(
            promo_model, history, 5, future=plan[["promo", "weekday"]], groups="store"
        )
    with pytest.raises(ValueError, match="column's name, not ndarray of ids"):
        forecast(
            promo_model, history, 5, future=plan, groups=history["store"].to_numpy()
        )
    short = plan[~((plan["store"] == 1) & (np.arange(len(plan)) % 12 >= 4))]
    with pytest.raises(ValueError, match="Series 1: future has 4 rows"):
        forecast(promo_model, history, 7, future=short, groups="store")
    with pytest.raises(ValueError, match="In future: The rows of series 0"):
        forecast(
            promo_model,
            history,
            5,
            future=plan.sort_index(kind="stable"),
            groups="store",
        )


def test_non_numeric_and_missing_values_are_named_by_column():
    frame = _sales().assign(store="s0")
    with pytest.raises(
        ValueError, match=r"Column 'store' is not numeric.*groups='store'"
    ):
        sliding_windows(frame, 7, target="sales")
    with pytest.raises(ValueError, match="NaN at row 3, column 'promo'"):
        sliding_windows(
            _sales().assign(promo=lambda f: f["promo"].where(f.index != 3)),
            7,
            target="sales",
        )
