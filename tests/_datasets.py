"""Small synthetic datasets for the tests (no downloads)."""

from __future__ import annotations

import numpy as np

from sklstm.datasets import make_event_order


def sine_windows(
    n: int, seq_len: int = 50, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Windows of a random-phase sine and the value that follows each window."""
    rng = np.random.RandomState(seed)
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1))
    t = np.arange(seq_len + 1) * 0.1
    series = np.sin(t + phase)
    return series[:, :-1], series[:, -1]


def event_order(
    n: int, seq_len: int = 20, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Label 1 when the up-spike comes before the down-spike (order-only task)."""
    return make_event_order(n, seq_len, seed=seed)


def multivariate(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """3 features per step; the target mixes features at several time steps."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 12, 3))
    y = 2.0 * X[:, -1, 0] + X[:, -4:, 1].mean(axis=1) - X[:, 0, 2]
    return X, y


def noisy_sine(n: int = 600, seed: int = 0) -> np.ndarray:
    """One long series: a sine with a little Gaussian noise."""
    rng = np.random.RandomState(seed)
    t = np.arange(n)
    return np.sin(0.2 * t) + 0.05 * rng.normal(size=n)
