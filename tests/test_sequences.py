"""Chunked scans over (possibly strided, read-only) arrays of sequences."""

from __future__ import annotations

import numpy as np
import pytest

from sklstm._sequences import channel_stats, first_invalid


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
