"""Shared test setup: one torch thread, hypothesis profiles, fixtures, the gpu skip.

The estimator presets live in tests/_params.py, small datasets in
tests/_datasets.py; tests import those, never this file.
"""

from __future__ import annotations

import os

# Lets scikit-learn's check_array_api_input run (SciPy reads this at import).
os.environ.setdefault("SCIPY_ARRAY_API", "1")

from datetime import timedelta

import numpy as np
import pytest
import torch

# Small models gain nothing from two threads, and OpenMP spin-waits make them
# 10-300x slower when another process is busy on the same cores.
torch.set_num_threads(1)

# Hypothesis profiles for tests/fuzz/, chosen with HYPOTHESIS_PROFILE.
# "ci" (default): 200 examples per test, the same ones on every run, about a
# minute in all on one thread. "fuzz": 3000 fresh random examples per test,
# about 15 minutes (nox -s fuzz).
# Deadlines only flag slow examples; a stuck call is stopped by the fuzz
# suite's own time limit (tests/fuzz/_contract.py), since hypothesis can only
# time an example once it returns.
try:
    from hypothesis import HealthCheck, settings
except ImportError:  # tests/fuzz/ is skipped then
    pass
else:
    _SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.data_too_large]
    settings.register_profile(
        "ci",
        max_examples=200,
        derandomize=True,
        database=None,
        deadline=timedelta(seconds=5),
        suppress_health_check=_SLOW_IS_FINE,
        print_blob=True,
    )
    settings.register_profile(
        "fuzz",
        max_examples=3000,
        database=None,
        deadline=timedelta(seconds=5),
        suppress_health_check=_SLOW_IS_FINE,
        print_blob=True,
    )
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def rng() -> np.random.RandomState:
    return np.random.RandomState(0)


def pytest_collection_modifyitems(config: pytest.Config, items: list) -> None:
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA device")
    for item in items:
        if item.get_closest_marker("gpu") is not None:
            item.add_marker(skip)
