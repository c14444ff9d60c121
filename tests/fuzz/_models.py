"""Tiny models for the fuzz tests: built by kind, fitted once and cached.

The point is the input handling, not learning: every model uses ``TINY``.
"""

from __future__ import annotations

import copy
import functools
import warnings
from typing import Any

import numpy as np

from sklstm import (
    LSTMClassifier,
    LSTMRegressor,
    TextTokenizer,
    sliding_windows,
)

from .._params import TINY

__all__ = [
    "FITTED",
    "KINDS",
    "fitted",
    "forecaster",
    "labels",
    "make",
    "text_model",
]

#: Kinds of estimator: what it predicts, and "-ids" for token-id input.
KINDS = ["regressor", "classifier", "regressor-ids", "classifier-ids"]

#: Fitted models, as "kind:layout" of the X they were fitted on.
FITTED = [
    "regressor:2d",
    "classifier:3d",
    "regressor:ragged",
    "classifier:ragged",
    "regressor-ids:ids",
    "classifier-ids:ids",
]


def make(kind: str, **params: Any) -> Any:
    """An unfitted estimator of ``kind`` (see KINDS) with TINY settings."""
    cls = LSTMClassifier if kind.startswith("classifier") else LSTMRegressor
    if kind.endswith("-ids"):
        params = {"embedding_dim": 2, **params}
    return cls(**{**TINY, **params})


def labels(kind: str, n: int) -> np.ndarray:
    """A valid target of length n (two classes for classifiers when n > 1)."""
    if kind.startswith("classifier"):
        return np.arange(n) % 2
    return np.linspace(-1.0, 1.0, n)


@functools.cache
def _fitted(name: str) -> Any:
    rng = np.random.RandomState(0)
    kind, layout = name.split(":")
    if layout == "ids":
        X: Any = rng.randint(0, 8, size=(12, 4))
    elif layout == "ragged":
        X = [rng.normal(size=(int(rng.randint(1, 6)), 2)) for _ in range(12)]
    elif layout == "3d":
        X = rng.normal(size=(12, 4, 2))
    else:
        X = rng.normal(size=(12, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return make(kind).fit(X, labels(kind, 12))


def fitted(name: str) -> Any:
    """A fitted model; a copy, so that partial_fit cannot change the cached one."""
    return copy.deepcopy(_fitted(name))


@functools.cache
def forecaster() -> LSTMRegressor:
    """A one-step regressor on windows of 3 values of a sine."""
    series = np.sin(np.arange(40) * 0.3)
    return make("regressor").fit(*sliding_windows(series, 3))


@functools.cache
def text_model() -> tuple[LSTMClassifier, TextTokenizer]:
    """A next-character classifier and its character-level tokenizer."""
    corpus = "the cat sat on the mat. " * 4
    tok = TextTokenizer(char_level=True).fit([corpus])
    X, y = sliding_windows(tok.encode(corpus), 5)
    return make("classifier-ids").fit(X, y), tok
