"""The small-model presets of the test suite, in one place.

``FAST`` trains in well under a second and still learns scikit-learn's check
datasets (tests/test_common.py). ``TINY`` is for tests that need a fitted
model, not a good one. Derive variants with ``{**FAST, "max_epochs": 1}``.
"""

from __future__ import annotations

from typing import Any

FAST: dict[str, Any] = {
    "hidden_size": 16,
    "max_epochs": 40,
    "lr": 0.01,
    "batch_size": 32,
    "random_state": 0,
    "device": "cpu",
}

TINY: dict[str, Any] = {
    "hidden_size": 3,
    "max_epochs": 1,
    "batch_size": 4,
    "lr": 0.01,
    "random_state": 0,
    "device": "cpu",
}
