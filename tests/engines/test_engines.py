"""Searches on Ray and Spark through their joblib backends (opt-in).

Heavy and slow to start on a small machine, so left out of the default run:
``nox -s scale_out_engines`` (or ``pytest -m engines tests/engines``) runs
them. Each search must equal the same search in this process, bit for bit.
"""

from __future__ import annotations

import joblib
import numpy as np
import pytest
from packaging.version import Version
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import Pipeline

from sklstm import LSTMRegressor, SequenceWindower

pytestmark = pytest.mark.engines

GRID = {"m__hidden_size": [4, 8]}


def series() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    values = np.sin(np.arange(401) / 4) + 0.1 * rng.normal(size=401)
    return values[:-1], values[1:]


def search(n_jobs: int) -> GridSearchCV:
    model = LSTMRegressor(
        hidden_size=8, max_epochs=3, batch_size=32, random_state=0, device="cpu"
    )
    pipe = Pipeline([("w", SequenceWindower(8)), ("m", model)])
    return GridSearchCV(pipe, GRID, cv=TimeSeriesSplit(3), n_jobs=n_jobs)


def assert_same_search(remote: GridSearchCV, local: GridSearchCV) -> None:
    for split in range(3):
        key = f"split{split}_test_score"
        np.testing.assert_array_equal(remote.cv_results_[key], local.cv_results_[key])
    assert remote.best_params_ == local.best_params_


def test_ray_search_equals_the_local_one():
    ray = pytest.importorskip("ray")
    from ray.util.joblib import register_ray

    X, y = series()
    local = search(1).fit(X, y)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        register_ray()
        with joblib.parallel_config(backend="ray", n_jobs=2):
            remote = search(2).fit(X, y)
    finally:
        ray.shutdown()
    assert_same_search(remote, local)


# joblibspark asks for a resource profile per task, which local mode ignores
@pytest.mark.filterwarnings("ignore:Spark local mode doesn't support stage-level")
# pyspark's note that job tags need a session given to the backend
@pytest.mark.filterwarnings("ignore:Spark session is not provided")
@pytest.mark.xfail(
    Version(joblib.__version__) >= Version("1.5"),
    reason="joblibspark 0.6.0 (its latest release) fails with joblib 1.5 and "
    "later: AttributeError: 'Parallel' object has no attribute '_backend_args'",
    strict=True,
)
def test_spark_search_equals_the_local_one():
    pytest.importorskip("pyspark")
    joblibspark = pytest.importorskip("joblibspark")
    from pyspark.sql import SparkSession

    X, y = series()
    local = search(1).fit(X, y)
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.task.cpus", "1")
        .config("spark.task.maxFailures", "1")
        .getOrCreate()
    )
    try:
        joblibspark.register_spark()
        with joblib.parallel_config(backend="spark", n_jobs=2):
            remote = search(2).fit(X, y)
    finally:
        spark.stop()
    assert_same_search(remote, local)
