"""The small-model presets of the test suite, in one place.

``FAST`` trains in well under a second and still learns scikit-learn's check
datasets (tests/test_common.py). ``ONE_EPOCH`` is ``FAST`` for a single epoch:
for tests of input handling and of the training flow, which need a fitted
model, not a good one. ``TINY`` is smaller still, for the generated inputs of
tests/fuzz/. Derive a variant used in one file only in place, as
``{**FAST, "max_epochs": 5}``; add a named preset here once several files use it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FAST", "ONE_EPOCH", "TINY"]

FAST: dict[str, Any] = {
    "hidden_size": 16,
    "max_epochs": 40,
    "lr": 0.01,
    "batch_size": 32,
    "random_state": 0,
    "device": "cpu",
}

ONE_EPOCH: dict[str, Any] = {**FAST, "max_epochs": 1}

TINY: dict[str, Any] = {
    "hidden_size": 3,
    "max_epochs": 1,
    "batch_size": 4,
    "lr": 0.01,
    "random_state": 0,
    "device": "cpu",
}
