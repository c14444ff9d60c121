"""The error contract of every public entry point, and the checks that hold it.

A call either succeeds with finite output of the right shape, or raises a
ValueError/TypeError whose message names the problem. The error must come from
sklstm's or scikit-learn's validation, not from deep inside torch, numpy or
pandas, and no call may hang. :func:`check_call` enforces that contract on one
call; :func:`check_error_is_explained` holds one error to it, and the
hand-written bad-input tests use it too, so that every message meets one
standard.

hypothesis is optional here: outside a hypothesis test (or without it
installed) the checks work the same, they only record no statistics.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import traceback
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
import sklearn
from sklearn.exceptions import (
    ConvergenceWarning,
    DataConversionWarning,
    UndefinedMetricWarning,
)

import sklstm
from sklstm import LSTMClassifier

try:
    from hypothesis import event
    from hypothesis.errors import InvalidArgument
except ImportError:  # the hand-written tests use the checks without hypothesis
    event = None
    InvalidArgument = RuntimeError

__all__ = [
    "ALLOWED_WARNINGS",
    "RAW_MESSAGE",
    "TIME_LIMIT",
    "Hang",
    "Outcome",
    "check_call",
    "check_error_is_explained",
    "check_predict_output",
    "check_predictions",
    "check_proba_output",
    "n_rows",
    "time_limit",
]

TIME_LIMIT = 30.0  # seconds per call; a call that takes longer counts as a hang


class Hang(BaseException):
    """Raised in a call that runs past TIME_LIMIT (BaseException: never swallowed)."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block with Hang after ``seconds`` (POSIX main thread only)."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def on_alarm(signum: int, frame: Any) -> None:
        raise Hang(f"call still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# Phrases of numpy/torch/pandas/Python internals: a message that contains one
# was not written for the user of sklstm.
RAW_MESSAGE = re.compile(
    "|".join(
        [
            r"inhomogeneous",
            r"setting an array element",
            r"could not be promoted",
            r"index out of range",
            r"out of bounds",
            r"an integer is required",
            r"is not iterable",
            r"invalid literal for int",
            r"cannot convert float",
            r"unsupported operand",
            r"not supported between instances",
            r"has no attribute",
            r"object of type",
            r"only integer scalar arrays",
            r"too many indices",
            r"could not broadcast",
            r"operands could not be broadcast",
            r"unhashable type",
            r"mat1 and mat2",
            r"size mismatch",
            r"[Tt]ensor",
            r"expected scalar type",
            r"Dimension out of range",
            r"CUDA",
            r"cannot reshape array",
            r"zero-size array",
            r"division by zero",
            r"overflow",
            r"probabilities contain NaN",
        ]
    )
)
_SKLSTM_DIR = os.path.dirname(sklstm.__file__) + os.sep
_SKLEARN_DIR = os.path.dirname(sklearn.__file__) + os.sep
# scikit-learn code that validates input on sklstm's behalf
_SKLEARN_VALIDATION = tuple(
    _SKLEARN_DIR + part
    for part in ("utils" + os.sep, "metrics" + os.sep, "base.py", "preprocessing")
)

# Warnings that are the right answer to some input; any other warning fails.
ALLOWED_WARNINGS: list[tuple[type[Warning], str]] = [
    (DataConversionWarning, "column-vector y"),  # y of shape (n, 1)
    (ConvergenceWarning, ""),  # training diverged; the last finite weights stay
    (UserWarning, "Every target in y is"),  # constant regression target
    (UserWarning, "feature names"),  # DataFrame in fit, array in predict, ...
    (UndefinedMetricWarning, ""),  # R^2 of a single sample
]


@dataclass
class Outcome:
    """What a call did: returned ``value``, or raised the accepted ``error``."""

    value: Any = None
    error: BaseException | None = None
    warnings: list[warnings.WarningMessage] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

    def warned(self, category: type[Warning]) -> bool:
        return any(issubclass(w.category, category) for w in self.warnings)


def check_call(call: Callable[[], Any]) -> Outcome:
    """Run ``call`` under the contract and return its outcome.

    Fails the test on a hang, on an exception that is not a ValueError or
    TypeError, on an error message that is empty or reads like numpy, torch or
    Python internals, on an error raised outside sklstm and scikit-learn's
    validation code, and on any warning not in ALLOWED_WARNINGS.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with time_limit(TIME_LIMIT):
                value = call()
        except (ValueError, TypeError) as exc:
            outcome = Outcome(error=exc, warnings=list(caught))
        except Hang:
            pytest.fail(f"the call hung (ran longer than {TIME_LIMIT} s)")
        except Exception as exc:
            trace = "".join(traceback.format_exception(exc))
            pytest.fail(f"{type(exc).__name__} is not a ValueError/TypeError:\n{trace}")
        else:
            outcome = Outcome(value=value, warnings=list(caught))
    for w in outcome.warnings:
        if not any(
            issubclass(w.category, category) and text in str(w.message)
            for category, text in ALLOWED_WARNINGS
        ):
            pytest.fail(
                f"unexpected {w.category.__name__}: {w.message} "
                f"({w.filename}:{w.lineno})"
            )
    if outcome.error is not None:
        check_error_is_explained(outcome.error)
    if event is not None:
        with contextlib.suppress(InvalidArgument):  # outside a hypothesis test
            event("refused" if outcome.error is not None else "accepted")
    return outcome


def check_error_is_explained(exc: BaseException) -> None:
    """The error names the problem and comes from input validation."""
    message = str(exc)
    trace = "".join(traceback.format_exception(exc))
    assert len(message) >= 15, f"terse message {message!r}:\n{trace}"
    raw = RAW_MESSAGE.search(message)
    assert raw is None, f"message reads like internals ({raw.group()!r}):\n{trace}"
    origin = os.path.abspath(traceback.extract_tb(exc.__traceback__)[-1].filename)
    assert origin.startswith(_SKLSTM_DIR) or origin.startswith(_SKLEARN_VALIDATION), (
        f"raised outside sklstm and scikit-learn's validation, in {origin}:\n{trace}"
    )


# ------------------------------------------------------ the output contract


def check_predictions(model: Any, X: Any, n: int) -> None:
    """predict (and predict_proba) succeed with finite output of the right shape."""
    pred = check_call(lambda: model.predict(X))
    assert pred.ok, f"fit accepted X but predict refused it: {pred.error!r}"
    check_predict_output(model, pred.value, n)
    if isinstance(model, LSTMClassifier):
        proba = check_call(lambda: model.predict_proba(X))
        assert proba.ok, f"predict_proba refused X: {proba.error!r}"
        check_proba_output(model, proba.value, n)


def check_predict_output(model: Any, y_pred: Any, n: int) -> None:
    assert isinstance(y_pred, np.ndarray)
    assert len(y_pred) == n
    if isinstance(model, LSTMClassifier):
        assert y_pred.shape == (n,)
        assert np.isin(y_pred, model.classes_).all(), "labels outside classes_"
    else:
        expected = (n,) if model.n_outputs_ == 1 else (n, model.n_outputs_)
        assert y_pred.shape == expected
        assert np.isfinite(y_pred).all(), f"non-finite predictions {y_pred}"


def check_proba_output(model: Any, proba: Any, n: int) -> None:
    assert proba.shape == (n, len(model.classes_))
    assert np.isfinite(proba).all(), f"non-finite probabilities {proba}"
    assert (proba >= 0).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-6)


def n_rows(X: Any) -> int | None:
    """The number of samples X would have, if it has a length."""
    try:
        return len(X)
    except TypeError:
        return None
