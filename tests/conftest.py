"""Shared test setup: one torch thread, fast estimator settings, small data."""

from __future__ import annotations

import os

# Lets scikit-learn's check_array_api_input run (SciPy reads this at import).
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np
import pytest
import torch

# Small models gain nothing from two threads, and OpenMP spin-waits make them
# 10-300x slower when another process is busy on the same cores.
torch.set_num_threads(1)

# Settings that keep each fit well under a second while still learning the
# scikit-learn check datasets (see tests/test_common.py).
FAST_PARAMS = {
    "hidden_size": 16,
    "max_epochs": 40,
    "lr": 0.01,
    "batch_size": 32,
    "random_state": 0,
    "device": "cpu",
}


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
