"""Fuzzing the forecasting tools: SequenceWindower, sliding_windows, forecast."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("hypothesis")

from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sklstm import SequenceWindower, forecast, sliding_windows

from ._contract import check_call, n_rows
from ._models import forecaster
from .strategies import floats_or_specials, series_inputs


@given(
    window=st.integers(1, 6) | st.just(True),
    padding=st.sampled_from(["edge", "zeros"]),
    data=st.data(),
)
def test_sequence_windower(window, padding, data):
    X = data.draw(series_inputs(), label="X")
    windower = SequenceWindower(window=window, padding=padding)
    fit = check_call(lambda: windower.fit(X))
    if not fit.ok:
        return
    other = data.draw(st.one_of(st.just(X), series_inputs()), label="X_transform")
    out = check_call(lambda: windower.transform(other))
    if out.ok:
        windows = out.value
        n = n_rows(other)
        features = windower.n_features_in_
        expected = (n, int(window)) if features == 1 else (n, int(window), features)
        assert windows.shape == expected
        assert np.isfinite(windows).all()


@given(
    window=st.one_of(st.integers(1, 4), st.sampled_from([-1, 0, True, 2.0, 1.5])),
    horizon=st.one_of(st.integers(1, 3), st.sampled_from([0, True, 2.0])),
    target=st.one_of(
        st.none(),
        st.integers(-1, 3),
        st.sampled_from(["c0", "same", 1.0, ("a",), [0]]),
    ),
    data=st.data(),
)
def test_sliding_windows(window, horizon, target, data):
    series = data.draw(series_inputs(), label="series")
    out = check_call(lambda: sliding_windows(series, window, horizon, target=target))
    if not out.ok:
        return
    X, y = out.value
    n = len(X)
    assert n >= 1
    assert X.shape[1] == int(window)
    assert y.shape == ((n,) if int(horizon) == 1 else (n, int(horizon)))
    for part in (X, y):
        assert part.dtype.kind in "iu" or np.isfinite(part).all()


@given(
    steps=st.one_of(st.integers(1, 5), st.sampled_from([-1, 0, True, 2.5, None])),
    history=st.one_of(
        hnp.arrays(np.float64, st.integers(0, 8), elements=floats_or_specials),
        series_inputs(),
    ),
)
def test_forecast(steps, history):
    out = check_call(lambda: forecast(forecaster(), history, steps))
    if out.ok:
        assert out.value.shape == (int(steps),)
        assert np.isfinite(out.value).all()
