"""forecast(..., groups=): every series of a panel at once."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline

from sklstm import (
    LSTMRegressor,
    SequenceWindower,
    forecast,
    forecast_quantiles,
    sliding_windows,
)

from .._params import FAST


def _panel():
    t = np.arange(60)
    series = {
        "a": np.sin(0.3 * t),
        "b": 5 + np.cos(0.2 * t[:45]),
        "c": 0.01 * t[:30],
    }
    groups = np.concatenate([[k] * len(v) for k, v in series.items()])
    return series, groups, np.concatenate(list(series.values()))


@pytest.fixture(scope="module")
def lstm():
    series, _, _ = _panel()
    windows = [sliding_windows(v, window=8) for v in series.values()]
    X = np.concatenate([w[0] for w in windows])
    y = np.concatenate([w[1] for w in windows])
    return LSTMRegressor(**{**FAST, "max_epochs": 5}).fit(X, y)


def test_each_series_is_forecast_as_on_its_own(lstm):
    series, groups, values = _panel()
    together = forecast(lstm, values, steps=12, groups=groups)
    assert together.shape == (3, 12)
    for row, one in enumerate(series.values()):
        alone = forecast(lstm, one, steps=12)  # steps the cell; the panel re-reads
        np.testing.assert_allclose(together[row], alone, rtol=1e-5, atol=1e-5)


def test_a_linear_model_gives_exactly_its_own_forecasts():
    series, groups, values = _panel()
    X, y = sliding_windows(series["a"], window=4)
    model = LinearRegression().fit(X, y)
    together = forecast(model, values, steps=5, groups=groups)
    for row, one in enumerate(series.values()):
        np.testing.assert_allclose(together[row], forecast(model, one, 5), rtol=1e-12)


def test_a_long_frame_gives_a_long_frame(lstm):
    _, groups, values = _panel()
    frame = pd.DataFrame({"store": groups, "sales": values})
    out = forecast(lstm, frame, steps=4, groups="store")
    assert list(out.columns) == ["store", "step", "sales"]
    assert len(out) == 12
    assert out["store"].tolist() == ["a"] * 4 + ["b"] * 4 + ["c"] * 4
    assert out["step"].tolist() == [1, 2, 3, 4] * 3
    expected = forecast(lstm, values, steps=4, groups=groups)
    np.testing.assert_array_equal(out["sales"].to_numpy(), expected.ravel())
    # a Series of values with an id array: the id column is "series"
    out = forecast(lstm, pd.Series(values, name="load"), 2, groups=groups)
    assert list(out.columns) == ["series", "step", "load"]


def test_a_multi_step_model_and_a_windowing_pipeline():
    series, groups, values = _panel()
    X, y = sliding_windows(series["a"], window=6, horizon=3)
    direct = LinearRegression().fit(X, y)
    together = forecast(direct, values, steps=7, groups=groups)
    np.testing.assert_allclose(
        together[1], forecast(direct, series["b"], 7), rtol=1e-12
    )
    pipe = make_pipeline(SequenceWindower(window=6), LinearRegression())
    pipe.fit(series["a"][:-1], series["a"][1:])
    together = forecast(pipe, values, steps=3, groups=groups)
    np.testing.assert_allclose(together[2], forecast(pipe, series["c"], 3), rtol=1e-9)


@pytest.mark.parametrize(
    ("history", "groups", "match"),
    [
        (
            np.arange(20.0),
            np.repeat([0, 1], [17, 3]),
            "Series 1 has 3 values, fewer than the window of 8",
        ),
        (
            np.arange(30.0),
            np.repeat([0, 1, 0], 10),
            "series 0 are not consecutive: it comes back at row 20",
        ),
        (np.arange(30.0), np.zeros(29), "groups has 29 ids but history has 30 rows"),
        (np.arange(30.0), "store", "names a column, but history is not a DataFrame"),
        (
            pd.DataFrame({"x": np.arange(30.0)}),
            "store",
            "'store' is not a column of history",
        ),
    ],
)
def test_bad_panels_are_refused(lstm, history, groups, match):
    with pytest.raises(ValueError, match=match):
        forecast(lstm, history, 2, groups=groups)


def test_a_frame_with_an_id_column_but_no_groups_points_to_groups(lstm):
    _, groups, values = _panel()
    frame = pd.DataFrame({"store": groups, "sales": values})
    with pytest.raises(
        ValueError, match="pass groups= \\(the name of its id column\\)"
    ):
        forecast(lstm, frame, 3)


def test_quantiles_of_every_series_in_one_prediction():
    rng = np.random.default_rng(0)
    series = [
        np.sin(0.4 * np.arange(80) + k) + 0.1 * rng.normal(size=80) for k in range(3)
    ]
    parts = [sliding_windows(s, 10, horizon=2) for s in series]
    X = np.concatenate([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    model = LSTMRegressor(**{**FAST, "max_epochs": 3}, loss="quantile").fit(X, y)
    values = np.concatenate(series)
    ids = np.repeat(["a", "b", "c"], 80)
    together = forecast_quantiles(model, values, 2, groups=ids)
    assert together.shape == (3, 2, 3)
    for k, s in enumerate(series):
        np.testing.assert_allclose(
            together[k], forecast_quantiles(model, s, 2), rtol=1e-6
        )
    frame = pd.DataFrame({"id": ids, "value": values})
    long = forecast_quantiles(model, frame, 2, groups="id")
    assert list(long.columns) == ["id", "step", "q0.1", "q0.5", "q0.9"]
    np.testing.assert_allclose(long[["q0.1", "q0.5", "q0.9"]], together.reshape(6, 3))
    with pytest.raises(ValueError, match="predicts 2 step"):
        forecast_quantiles(model, values, 3, groups=ids)
    with pytest.raises(ValueError, match="Series 'c' has 5 values"):
        forecast_quantiles(model, values[:165], 2, groups=ids[:165])
