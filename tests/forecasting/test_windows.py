"""sliding_windows: a series cut into windows and the values that follow them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sklstm import LSTMRegressor
from sklstm.forecasting import sliding_windows

from .._datasets import noisy_sine
from .._params import FAST


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


def test_multi_output_regressor_on_a_horizon():
    series = noisy_sine(400)
    X, y = sliding_windows(series, window=20, horizon=3)
    model = LSTMRegressor(**FAST).fit(X, y)
    assert model.predict(X[:5]).shape == (5, 3)


def test_sliding_windows_with_window_true():
    X, y = sliding_windows(np.arange(4.0), True)
    assert X.shape == (3, 1)
    np.testing.assert_array_equal(y, [1.0, 2.0, 3.0])


# ------------------------------------------------------------------ target


def test_sliding_windows_multivariate_needs_a_target():
    frame = pd.DataFrame({"temp": np.arange(8.0), "load": 10 * np.arange(8.0)})
    with pytest.raises(ValueError, match="pass target="):
        sliding_windows(frame, window=3)
    X, y = sliding_windows(frame, window=3, target="load")
    assert X.shape == (5, 3, 2)
    assert y[0] == 30.0


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


# ------------------------------------------------------- what it refuses


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"window": 0}, r"The 'window' parameter of sliding_windows must be"),
        ({"window": -1}, r"The 'window' parameter of sliding_windows must be"),
        ({"window": 1.5}, r"The 'window' parameter of sliding_windows must be"),
        ({"window": "3"}, r"The 'window' parameter of sliding_windows must be"),
        (
            {"window": 2, "horizon": 0},
            r"The 'horizon' parameter of sliding_windows must be",
        ),
        (
            {"window": 2, "horizon": 2.0},
            r"The 'horizon' parameter of sliding_windows must be",
        ),
    ],
)
def test_sliding_windows_bad_window_and_horizon(kwargs, match):
    with pytest.raises(ValueError, match=match):
        sliding_windows(np.arange(10.0), **kwargs)


def test_sliding_windows_too_short():
    with pytest.raises(ValueError, match="needs at least 5 rows"):
        sliding_windows(np.arange(4.0), window=3, horizon=2)


@pytest.mark.parametrize(
    ("series", "kwargs", "match"),
    [
        (np.array([0.0, 1.0, np.nan, 3.0, 4.0]), {}, "NaN at position 2"),
        (np.array([np.inf, 1.0, 2.0, 3.0]), {}, r"infinity \(inf\) at position 0"),
        (np.arange(5.0) + 1j, {}, "Complex data not supported in series"),
        (np.arange(5).astype("datetime64[D]"), {}, "datetime64"),
        (np.zeros((5, 0)), {}, "no columns"),
        (pd.Series(["a", "b", "c", "d"], dtype="category"), {}, "not numbers"),
        ([1.0, [1.0, 2.0], 2.0], {}, "mix numbers and sequences"),
        (
            pd.DataFrame(np.ones((5, 2)), columns=["a", "a"]),
            {"target": "a"},
            "names 2 columns",
        ),
    ],
)
def test_sliding_windows_refuses_what_it_cannot_window(series, kwargs, match):
    # found by fuzzing: NaN and inf were windowed silently, complex lost its
    # imaginary part
    with pytest.raises(ValueError, match=match):
        sliding_windows(series, 2, **kwargs)
