"""Chunked scans over (possibly strided, read-only) arrays of sequences."""

from __future__ import annotations

import numpy as np
import pytest

from sklstm._sequences import (
    WindowArray,
    as_array,
    channel_stats,
    first_invalid,
    pick,
)


def _windows(n=50, window=7, channels=2):
    series = np.random.RandomState(0).normal(size=(n + window - 1, channels))
    view = np.lib.stride_tricks.sliding_window_view(series, window, axis=0)
    return view.transpose(0, 2, 1)  # (n, window, channels), a read-only view


def test_channel_stats_match_numpy_in_chunks(monkeypatch):
    import sklstm._sequences as data

    monkeypatch.setattr(data, "_SCAN_ROWS", 7)  # force several chunks
    X = _windows()
    mean, scale = channel_stats(X)
    np.testing.assert_allclose(mean, X.mean(axis=(0, 1)), rtol=1e-12)
    np.testing.assert_allclose(scale, X.std(axis=(0, 1)), rtol=1e-12)


def test_constant_channel_gets_unit_scale():
    X = np.ones((5, 4, 2))
    X[:, :, 1] = np.arange(4)
    _, scale = channel_stats(X)
    assert scale[0] == 1.0
    assert scale[1] == pytest.approx(np.arange(4).std())


def test_first_invalid_finds_the_first_bad_value(monkeypatch):
    import sklstm._sequences as data

    monkeypatch.setattr(data, "_SCAN_ROWS", 3)
    X = np.zeros((10, 4, 2))
    assert first_invalid(X) is None
    X[8, 1, 0] = np.inf
    X[5, 3, 1] = np.nan
    assert first_invalid(X) == (5, 3, 1)


@pytest.mark.parametrize(
    "index",
    [
        5,
        -1,
        slice(None),
        slice(3, 17, 2),
        slice(None, None, -1),
        np.array([0, 19, -20, 7, 7]),
        np.arange(20) % 3 == 0,
        np.array([], dtype=int),
        range(4, 9),
    ],
)
def test_a_range_of_positions_picks_as_its_array(index):
    positions = range(-3, 37, 2)
    as_numpy = np.arange(-3, 37, 2)
    expected = as_numpy[slice(4, 9) if isinstance(index, range) else index]
    picked = pick(positions, index)
    np.testing.assert_array_equal(np.asarray(as_array(picked)), expected)
    if isinstance(index, (slice, range)):
        assert isinstance(picked, range)  # stays free of memory
    # an array of positions picks the same
    np.testing.assert_array_equal(as_array(pick(as_numpy, index)), expected)


@pytest.mark.parametrize("index", [np.array([20]), np.array([-21]), np.ones(3, bool)])
def test_a_range_refuses_positions_beyond_it(index):
    with pytest.raises(IndexError):
        pick(range(20), index)


def test_windows_with_regular_starts_equal_those_with_an_array():
    values = np.arange(40.0).reshape(20, 2)
    head = -np.ones((3, 2))
    regular = WindowArray(values, range(-3, 14), 4, head=head)
    listed = WindowArray(values, np.arange(-3, 14), 4, head=head)
    assert isinstance(regular._starts, range)
    assert regular.shape == listed.shape == (17, 4, 2)
    np.testing.assert_array_equal(regular.starts, listed.starts)
    np.testing.assert_array_equal(np.asarray(regular), np.asarray(listed))
    for key in (0, 2, 16, -1):
        np.testing.assert_array_equal(regular[key], listed[key])
    for rows in (slice(2, 9), np.array([16, 0, 5]), np.arange(17) % 2 == 1):
        part = regular[rows]
        np.testing.assert_array_equal(np.asarray(part), np.asarray(listed[rows]))
    assert isinstance(regular[2:9]._starts, range)
