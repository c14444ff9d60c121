"""Predictions from several threads at once, and torch threads in joblib workers."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch
from joblib import cpu_count
from sklearn.model_selection import TimeSeriesSplit, cross_validate
from skorch.callbacks import Callback

from sklstm import LSTMClassifier, LSTMRegressor

from ._datasets import sine_windows
from ._params import FAST


@pytest.mark.parametrize("Estimator", [LSTMRegressor, LSTMClassifier])
def test_predictions_from_many_threads_equal_single_threaded(Estimator):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1300, 12, 2))  # more than two inference chunks
    y = X[:, -1, 0] + X[:, 0, 1]
    if Estimator is LSTMClassifier:
        y = y > 0
    model = Estimator(**{**FAST, "max_epochs": 2}).fit(X[:200], y[:200])
    method = model.predict_proba if Estimator is LSTMClassifier else model.predict
    expected = method(X)
    # each task predicts a different slice, so chunk borders fall differently
    slices = [slice(int(a), int(a) + int(n)) for a, n in rng.integers(0, 600, (48, 2))]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda s: method(X[s]), slices))
    for part, result in zip(slices, results, strict=True):
        if Estimator is LSTMRegressor:  # sklstm's own fixed-size inference
            np.testing.assert_array_equal(result, expected[part])
        else:  # scipy's softmax on top of it: third-party numerics
            np.testing.assert_allclose(result, expected[part], rtol=1e-12, atol=0)


class _RecordThreads(Callback):  # type: ignore[misc]
    """Record torch's intra-op thread count where training runs."""

    def on_epoch_end(self, net, **kwargs):
        net.history.record("torch_threads", torch.get_num_threads())
        net.history.record("pid", os.getpid())


@pytest.mark.slow
def test_two_joblib_workers_do_not_oversubscribe_the_cpu():
    X, y = sine_windows(120, seq_len=6)
    model = LSTMRegressor(**{**FAST, "max_epochs": 2}, callbacks=[_RecordThreads()])
    result = cross_validate(
        model, X, y, cv=TimeSeriesSplit(4), n_jobs=2, return_estimator=True
    )
    rows = [est.net_.history[-1] for est in result["estimator"]]
    assert {row["pid"] for row in rows} - {os.getpid()}, "ran in worker processes"
    # joblib gives each of the 2 workers its share of the cores (or the
    # OMP_NUM_THREADS the user set), and torch reads it when it starts
    share = max(1, cpu_count() // 2)
    expected = int(os.environ.get("OMP_NUM_THREADS", share))
    assert {row["torch_threads"] for row in rows} == {expected}
