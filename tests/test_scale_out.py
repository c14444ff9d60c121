"""Search and cross-validation on a dask.distributed cluster, through joblib.

scikit-learn sends every fit through joblib, so a search runs on a cluster
with no sklstm code: ``joblib.parallel_config(backend="dask")``. The results
must equal, bit for bit, those of the same search in this process.
"""

from __future__ import annotations

import os
import pickle

import joblib
import numpy as np
import pytest
import sklearn
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_validate
from sklearn.pipeline import Pipeline
from skorch.callbacks import Callback

from sklstm import LSTMRegressor, SequenceWindower

distributed = pytest.importorskip("distributed")


def series() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    values = np.sin(np.arange(401) / 4) + 0.1 * rng.normal(size=401)
    return values[:-1], values[1:]


class RecordWorker(Callback):  # type: ignore[misc]
    """Record the process and torch's thread count where training runs."""

    def on_epoch_end(self, net, **kwargs):
        net.history.record("pid", os.getpid())
        net.history.record("torch_threads", torch.get_num_threads())


def pipeline(**params) -> Pipeline:
    model = LSTMRegressor(
        hidden_size=8, max_epochs=3, batch_size=32, random_state=0, device="cpu"
    )
    return Pipeline([("w", SequenceWindower(8)), ("m", model.set_params(**params))])


GRID = {"m__hidden_size": [4, 8]}


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    try:
        with distributed.Client(cluster) as connected:
            yield connected
    finally:
        cluster.close()


def test_grid_search_on_a_cluster_equals_the_local_one(client):
    X, y = series()
    local = GridSearchCV(pipeline(), GRID, cv=TimeSeriesSplit(3)).fit(X, y)
    with joblib.parallel_config(backend="dask"):
        remote = GridSearchCV(pipeline(), GRID, cv=TimeSeriesSplit(3), n_jobs=-1)
        remote.fit(X, y)
    for split in range(3):
        key = f"split{split}_test_score"
        np.testing.assert_array_equal(remote.cv_results_[key], local.cv_results_[key])
    assert remote.best_params_ == local.best_params_
    np.testing.assert_array_equal(remote.predict(X), local.predict(X))


def test_fits_run_in_the_workers_on_one_thread(client):
    X, y = series()
    model = pipeline(callbacks=[RecordWorker()])
    with joblib.parallel_config(backend="dask"):
        result = cross_validate(
            model, X, y, cv=TimeSeriesSplit(3), n_jobs=-1, return_estimator=True
        )
    rows = [fitted[-1].net_.history[-1] for fitted in result["estimator"]]
    assert os.getpid() not in {row["pid"] for row in rows}
    assert {row["torch_threads"] for row in rows} == {1}
    for (train, _), fitted in zip(
        TimeSeriesSplit(3).split(X), result["estimator"], strict=True
    ):
        here = clone(model).fit(X[train], y[train])
        np.testing.assert_array_equal(fitted.predict(X), here.predict(X))


def test_fitting_leaves_the_process_as_it_was():
    X, y = series()
    threads = torch.get_num_threads()
    rng_state = torch.random.get_rng_state()
    config = sklearn.get_config()
    model = pipeline(data_parallel=True)
    assert len(pickle.dumps(model)) < 10_000  # plain parameters only
    model.fit(X, y)
    assert torch.get_num_threads() == threads
    assert torch.equal(torch.random.get_rng_state(), rng_state)
    assert sklearn.get_config() == config
    assert clone(model).get_params()["m__data_parallel"] is True
