"""Small synthetic datasets for the tests (no downloads)."""

from __future__ import annotations

import numpy as np


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
    """Label 1 when the up-spike comes before the down-spike.

    Every sequence holds the same multiset of spikes, so a model that ignores
    the order of the steps is at chance level.
    """
    rng = np.random.RandomState(seed)
    X = rng.normal(scale=0.1, size=(n, seq_len))
    up = rng.randint(0, seq_len, n)
    down = (up + rng.randint(1, seq_len, n)) % seq_len
    X[np.arange(n), up] += 1.0
    X[np.arange(n), down] -= 1.0
    return X, (up < down).astype(int)


def multivariate(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """3 features per step; the target mixes features at several time steps."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 12, 3))
    y = 2.0 * X[:, -1, 0] + X[:, -4:, 1].mean(axis=1) - X[:, 0, 2]
    return X, y
