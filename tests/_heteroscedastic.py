"""A seasonal series whose noise scale follows the season, and its true quantiles."""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from sklstm.forecasting import sliding_windows

#: season length, also the window the models read
PERIOD = 24


def seasonal_noise(n_train: int, n_test: int, levels, seed: int = 0):
    """Windows, next values and the true quantiles of the test values.

    The value at step t is sin(2 pi t / 24) plus Gaussian noise of standard
    deviation 0.1 to 0.5, largest at the peak of the season. A window of the
    last 24 values tells the phase, so the conditional quantiles are known:
    the signal plus the scale times the normal quantile.
    """
    n = n_train + n_test + PERIOD
    phase = 2 * np.pi * np.arange(n) / PERIOD
    signal = np.sin(phase)
    scale = 0.1 + 0.2 * (1 + np.sin(phase))
    values = signal + scale * np.random.RandomState(seed).normal(size=n)
    X, y = sliding_windows(values, window=PERIOD)
    test = slice(n_train, n_train + n_test)
    true = signal[PERIOD:][test, None] + scale[PERIOD:][test, None] * norm.ppf(levels)
    return X[:n_train], y[:n_train], X[test], y[test], true
