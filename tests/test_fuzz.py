"""Property-based fuzzing of every public entry point with malformed input.

Each call must either succeed with finite output of the right shape, or raise a
ValueError/TypeError whose message names the problem. The error must come from
sklstm's or scikit-learn's validation, not from deep inside torch, numpy or
pandas, and no call may hang. ``check_call`` enforces that contract; the tests
feed it wrong dimensions, ragged garbage, odd dtypes, NaN/inf, huge and tiny
values, odd pandas indexes and dtypes, bad targets and bad sample weights.

The hypothesis profile comes from ``HYPOTHESIS_PROFILE`` (see conftest.py):
``ci`` (default) is small and derandomized; ``fuzz`` runs many more examples
(``nox -s fuzz``).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import os
import re
import signal
import traceback
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sklearn

pytest.importorskip("hypothesis")

from hypothesis import assume, event, given
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.extra import numpy as hnp
from sklearn.exceptions import (
    ConvergenceWarning,
    DataConversionWarning,
    UndefinedMetricWarning,
)

import sklstm
from sklstm import (
    LSTMClassifier,
    LSTMRegressor,
    SequenceWindower,
    TextTokenizer,
    forecast,
    generate_text,
    sliding_windows,
)

# Tiny models: the point is the input handling, not learning.
TINY = {
    "hidden_size": 3,
    "max_epochs": 1,
    "batch_size": 4,
    "lr": 0.01,
    "random_state": 0,
    "device": "cpu",
}
KINDS = ["regressor", "classifier", "regressor-ids", "classifier-ids"]
F32_MAX = float(np.finfo(np.float32).max)
F64_MAX = float(np.finfo(np.float64).max)
TIME_LIMIT = 30.0  # seconds per call; a call that takes longer counts as a hang

# ------------------------------------------------------------ the contract


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
    """Run ``call`` under the fuzzing contract and return its outcome.

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


def make(kind: str, **params: Any) -> Any:
    cls = LSTMClassifier if kind.startswith("classifier") else LSTMRegressor
    if kind.endswith("-ids"):
        params = {"embedding_dim": 2, **params}
    return cls(**{**TINY, **params})


def labels(kind: str, n: int) -> np.ndarray:
    """A valid target of length n (two classes for classifiers when n > 1)."""
    if kind.startswith("classifier"):
        return np.arange(n) % 2
    return np.linspace(-1.0, 1.0, n)


# -------------------------------------------------------------- strategies

SPECIAL_FLOATS = [
    0.0,
    -0.0,
    np.nan,
    np.inf,
    -np.inf,
    1e300,
    -1e300,
    F64_MAX,
    -F64_MAX,
    F32_MAX,
    3.5e38,
    1e-300,
    5e-324,
    -5e-324,
    1e38,
    65504.0,
    2.0**53 + 1,
]
DTYPES = [
    np.float64,
    np.float32,
    np.float16,
    np.int8,
    np.int64,
    np.uint8,
    np.uint64,
    np.bool_,
    np.complex128,
    np.dtype("U3"),
    np.dtype("S3"),
    np.dtype("datetime64[s]"),
    np.dtype("timedelta64[ms]"),
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**65), 2**65),
    st.floats(),
    st.sampled_from(SPECIAL_FLOATS),
    st.text(max_size=3),
    st.binary(max_size=3),
    st.complex_numbers(max_magnitude=10),
)
small_floats = st.floats(-10, 10, allow_nan=False)
floats_or_specials = st.one_of(
    small_floats, small_floats, st.sampled_from(SPECIAL_FLOATS)
)


@st.composite
def odd_arrays(draw: st.DrawFn, min_dims: int = 0, max_dims: int = 4) -> np.ndarray:
    """Arrays of any dtype and 0-4 dimensions, with hypothesis' edge values."""
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(
        hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=0, max_side=4)
    )
    if dtype == np.object_:
        return draw(hnp.arrays(object, shape, elements=scalars))
    return draw(hnp.arrays(dtype, shape))


@st.composite
def numeric_with_specials(draw: st.DrawFn) -> np.ndarray:
    """A small float array (2D or 3D) with special values at random places."""
    shape = draw(
        st.sampled_from(
            [(n, s) for n in (1, 2, 5) for s in (1, 3)]
            + [(n, s, f) for n in (1, 4) for s in (1, 3) for f in (1, 2)]
        )
    )
    X = draw(hnp.arrays(np.float64, shape, elements=small_floats))
    for _ in range(draw(st.integers(0, 3))):
        index = tuple(draw(st.integers(0, side - 1)) for side in shape)
        X[index] = draw(st.sampled_from(SPECIAL_FLOATS))
    return X


@st.composite
def ragged_garbage(draw: st.DrawFn) -> list[Any]:
    """Lists mixing sequences of any shape and dtype with None, text and scalars."""
    item = st.one_of(
        odd_arrays(max_dims=3),
        hnp.arrays(np.float64, st.integers(1, 5), elements=floats_or_specials),
        hnp.arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 3))),
        st.lists(floats_or_specials, max_size=4),
        st.lists(
            st.one_of(floats_or_specials, st.none(), st.text(max_size=2)), max_size=4
        ),
        st.lists(st.lists(small_floats, max_size=3), max_size=3),
        st.dictionaries(st.text(max_size=2), small_floats, max_size=2),
        scalars,
    )
    items = draw(st.lists(item, min_size=0, max_size=5))
    return draw(st.sampled_from([items, tuple(items)])) if items else items


def odd_index(n: int) -> st.SearchStrategy[pd.Index]:
    return st.sampled_from(
        [
            pd.RangeIndex(n),
            pd.Index([0] * n),  # not unique
            pd.Index(list(range(n))[::-1]),  # not monotonic
            pd.Index([f"r{i}" for i in range(n)]),
            pd.date_range("2020-01-01", periods=n, freq="h"),
            pd.MultiIndex.from_arrays([[i % 2 for i in range(n)], list(range(n))]),
        ]
    )


@st.composite
def odd_frames(draw: st.DrawFn, max_columns: int = 4) -> pd.DataFrame | pd.Series:
    """DataFrames and Series with odd indexes, column names and dtypes."""
    n = draw(st.integers(1, 5))
    k = draw(st.integers(0, max_columns))
    values = draw(hnp.arrays(np.float64, (n, k), elements=floats_or_specials))
    columns = draw(
        st.sampled_from(
            [
                list(range(k)),
                [f"c{i}" for i in range(k)],
                [f"c{i}" if i % 2 else i for i in range(k)],  # mixed name types
                ["same"] * k,
            ]
        )
    )
    frame = pd.DataFrame(values, index=draw(odd_index(n)), columns=columns)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. float32 overflow: part of the input
        return _odd_dtypes(draw, frame, n, k)


def _odd_dtypes(
    draw: st.DrawFn, frame: pd.DataFrame, n: int, k: int
) -> pd.DataFrame | pd.Series:
    dtype = draw(
        st.sampled_from(
            [
                "float64",
                "float32",
                "Float64",
                "Int64",
                "boolean",
                "category",
                "object",
                "string",
                "datetime",
            ]
        )
    )
    mask = draw(hnp.arrays(np.bool_, (n, k)))
    if dtype == "Int64":
        frame = (
            frame.fillna(0).clip(-1e6, 1e6).round().astype("Int64").mask(mask, pd.NA)
        )
    elif dtype == "Float64":
        frame = frame.astype("Float64").mask(mask, pd.NA)
    elif dtype == "boolean":
        frame = (frame.fillna(0) > 0).astype("boolean").mask(mask, pd.NA)
    elif dtype == "datetime":
        for col in range(0, k, 2):  # some date columns among numbers
            frame.isetitem(col, pd.date_range("2021-01-01", periods=n, freq="D"))
    elif dtype != "float64":
        frame = frame.astype(dtype)
    if draw(st.booleans()) and k:
        return frame.iloc[:, 0]  # a Series
    return frame


def malformed_X() -> st.SearchStrategy[Any]:
    return st.one_of(
        odd_arrays(),
        numeric_with_specials(),
        ragged_garbage(),
        odd_frames(),
        scalars,
        hnp.arrays(
            object,
            hnp.array_shapes(min_dims=1, max_dims=3, max_side=3),
            elements=scalars,
        ),
    )


@st.composite
def _ids(draw: st.DrawFn, shape: tuple[int, int] | None = None) -> np.ndarray:
    if shape is None:
        shape = (draw(st.integers(1, 5)), draw(st.integers(1, 4)))
    rows = draw(hnp.arrays(np.int64, shape, elements=st.integers(0, 9))).tolist()
    odd = st.one_of(
        st.sampled_from([2**24, 2**24 + 1, 2**31, 2**63 - 1, -1, -(2**63), 2**64 - 1]),
        st.sampled_from(SPECIAL_FLOATS),
        st.floats(-5, 5),
    )
    for _ in range(draw(st.integers(0, 2))):
        rows[draw(st.integers(0, shape[0] - 1))][draw(st.integers(0, shape[1] - 1))] = (
            draw(odd)
        )
    X = np.array(rows)  # numpy picks int64, uint64, float64 or object
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # overflow to inf: part of the input
        if X.dtype == np.int64:
            dtypes = [np.int64, np.int32, np.uint8, np.uint64, np.float64, np.float16]
            X = X.astype(draw(st.sampled_from([*dtypes, np.bool_])))
        elif X.dtype == np.float64 and draw(st.booleans()):
            X = X.astype(draw(st.sampled_from([np.float32, np.float16])))
    return X


def token_ids() -> st.SearchStrategy[Any]:
    """Token-id arrays with negative, huge and non-integer ids, of odd dtypes."""
    return st.one_of(_ids(), _ids(), malformed_X())


@st.composite
def bad_targets(draw: st.DrawFn, n: int) -> Any:
    """Targets for n samples: wrong length or shape, NaN, text, mixed, ..."""
    length = draw(st.sampled_from([n, n, n, 0, n + 1, max(n - 1, 0)]))
    kind = draw(
        st.sampled_from(
            [
                "floats",
                "specials",
                "ints",
                "text",
                "mixed",
                "bool",
                "complex",
                "datetime",
                "2d",
                "column",
                "one class",
                "pandas",
                "scalar",
                "none",
                "nested",
            ]
        )
    )
    if kind == "floats":
        return draw(hnp.arrays(np.float64, length, elements=small_floats))
    if kind == "specials":
        return draw(hnp.arrays(np.float64, length, elements=floats_or_specials))
    if kind == "ints":
        return draw(hnp.arrays(np.int64, length))
    if kind == "text":
        return np.array([draw(st.sampled_from(["a", "b", "c"])) for _ in range(length)])
    if kind == "mixed":
        return np.array(
            draw(st.lists(scalars, min_size=length, max_size=length)), dtype=object
        )
    if kind == "bool":
        return draw(hnp.arrays(np.bool_, length))
    if kind == "complex":
        return np.arange(length) + 1j
    if kind == "datetime":
        return np.arange(length).astype("datetime64[D]")
    if kind == "2d":
        return draw(
            hnp.arrays(
                np.float64, (length, draw(st.integers(0, 3))), elements=small_floats
            )
        )
    if kind == "column":
        return (np.arange(length) % 2)[:, None]
    if kind == "one class":
        return np.full(length, draw(st.sampled_from([0, 7, "x"])))
    if kind == "pandas":
        series = pd.Series(
            np.arange(length) % 3, index=draw(odd_index(length)) if length else None
        )
        dtype = draw(st.sampled_from(["Int64", "category", "Float64", "string"]))
        series = series.astype(dtype)
        if length and draw(st.booleans()):
            series.iloc[0] = pd.NA
        return series
    if kind == "scalar":
        return draw(scalars)
    if kind == "nested":
        return [[1.0, 2.0], [3.0]][: max(length, 1)] + [[0.0]] * max(length - 2, 0)
    return None


@st.composite
def bad_sample_weights(draw: st.DrawFn, n: int) -> Any:
    length = draw(st.sampled_from([n, n, n, 0, n + 1]))
    return draw(
        st.one_of(
            hnp.arrays(np.float64, length, elements=floats_or_specials),
            hnp.arrays(
                np.float64,
                length,
                elements=st.sampled_from([0.0, 5e-324, 1e-300, 1e300, F64_MAX, -1.0]),
            ),
            hnp.arrays(np.float64, (length, 2)),
            odd_arrays(max_dims=2),
            scalars,
            st.lists(scalars, min_size=length, max_size=length),
        )
    )


# ------------------------------------------------------ fitted model cache


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


FITTED = [
    "regressor:2d",
    "classifier:3d",
    "regressor:ragged",
    "classifier:ragged",
    "regressor-ids:ids",
    "classifier-ids:ids",
]


@st.composite
def shaped_like(draw: st.DrawFn, name: str) -> Any:
    """Input of the shape a fitted model expects, with odd values and dtypes."""
    layout = name.split(":")[1]
    n = draw(st.integers(1, 5))
    if layout == "ids":
        return draw(_ids(shape=(n, 4)))
    if layout == "ragged":
        dtypes = st.sampled_from([np.float64, np.float32, np.int64, np.bool_])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # float32 overflow: part of the input
            return [
                (
                    draw(hnp.arrays(np.float64, (draw(st.integers(1, 5)), 2)))
                    + draw(hnp.arrays(np.float64, 1, elements=floats_or_specials))
                ).astype(draw(dtypes))
                for _ in range(n)
            ]
    shape = (n, 4, 2) if layout == "3d" else (n, 4)
    X = draw(hnp.arrays(np.float64, shape, elements=floats_or_specials))
    dtype = draw(st.sampled_from(["float64", "float32", "float16", "object", "frame"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # float16 overflow is part of the input
        if dtype == "frame" and layout == "2d":
            return pd.DataFrame(X, index=draw(odd_index(n)))
        return X.astype(dtype if dtype != "frame" else "float64")


def fitted(name: str) -> Any:
    """A fitted model; a copy, so that partial_fit cannot change the cached one."""
    return copy.deepcopy(_fitted(name))


# ------------------------------------------------------------------ tests


@given(kind=st.sampled_from(KINDS), data=st.data())
def test_fit_on_malformed_X(kind, data):
    X = data.draw(token_ids() if kind.endswith("-ids") else malformed_X(), label="X")
    n = n_rows(X)
    y = labels(kind, n if n is not None else 3)
    params = data.draw(
        st.fixed_dictionaries(
            {
                "standardize": st.booleans(),
                "cell": st.sampled_from(["lstm", "gru"]),
                "bidirectional": st.booleans(),
            }
        ),
        label="params",
    )
    model = make(kind, **params)
    fit = check_call(lambda: model.fit(X, y))
    if fit.ok:
        check_predictions(model, X, len(y))


@given(kind=st.sampled_from(KINDS), data=st.data())
def test_fit_with_bad_targets(kind, data):
    n = data.draw(st.integers(1, 6), label="n")
    rng = np.random.RandomState(n)
    X = (
        rng.randint(0, 6, size=(n, 3))
        if kind.endswith("-ids")
        else rng.normal(size=(n, 3))
    )
    y = data.draw(bad_targets(n), label="y")
    model = make(kind)
    if kind.startswith("classifier") and data.draw(st.booleans(), label="partial"):
        # the first partial_fit call lists the classes: fuzz them too
        classes = data.draw(st.one_of(st.just(y), bad_targets(3)), label="classes")
        fit = check_call(lambda: model.partial_fit(X, y, classes=classes))
    else:
        fit = check_call(lambda: model.fit(X, y))
    if fit.ok:
        assert n_rows(y) == n
        check_predictions(model, X, n)
        if isinstance(model, LSTMClassifier):
            assert len(model.classes_) >= 2
        if fit.warned(DataConversionWarning):
            assert np.shape(y)[1:] == (1,)


@given(kind=st.sampled_from(KINDS), data=st.data())
def test_fit_with_bad_sample_weight(kind, data):
    n = data.draw(st.integers(1, 6), label="n")
    X = np.random.RandomState(n).normal(size=(n, 3))
    if kind.endswith("-ids"):
        X = np.abs(X * 3).round().astype(int)
    y = labels(kind, n)
    sample_weight = data.draw(bad_sample_weights(n), label="sample_weight")
    model = make(kind)
    fit = check_call(lambda: model.fit(X, y, sample_weight=sample_weight))
    if fit.ok:
        check_predictions(model, X, n)


@given(
    class_weight=st.dictionaries(
        st.sampled_from([0, 1, 0, 1, 2, "a"]),
        st.one_of(floats_or_specials, scalars, st.integers(-3, 3), small_floats),
        max_size=3,
    )
)
def test_fit_with_bad_class_weight(class_weight):
    X = np.random.RandomState(0).normal(size=(6, 3))
    model = make("classifier", class_weight=class_weight)
    fit = check_call(lambda: model.fit(X, labels("classifier", 6)))
    if fit.ok:
        check_predictions(model, X, 6)


@given(
    name=st.sampled_from(FITTED),
    method=st.sampled_from(
        ["predict", "predict_proba", "predict_log_proba", "score", "partial_fit"]
    ),
    data=st.data(),
)
def test_methods_of_a_fitted_model_on_malformed_X(name, method, data):
    model = fitted(name)
    kind = name.split(":")[0]
    if "proba" in method and not isinstance(model, LSTMClassifier):
        method = "predict"
    anything = token_ids() if kind.endswith("-ids") else malformed_X()
    X = data.draw(st.one_of(anything, shaped_like(name)), label="X")
    n = n_rows(X)
    y = labels(kind, n if n is not None else 3)
    args = (X, y) if method in ("score", "partial_fit") else (X,)
    outcome = check_call(lambda: getattr(model, method)(*args))
    if not outcome.ok:
        return
    assert n is not None
    if method == "predict":
        check_predict_output(model, outcome.value, n)
    elif method == "predict_proba":
        check_proba_output(model, outcome.value, n)
    elif method == "predict_log_proba":
        check_proba_output(model, np.exp(outcome.value), n)
    elif method == "score":
        score = outcome.value
        assert np.isfinite(score) or outcome.warned(UndefinedMetricWarning)
    else:
        check_predictions(model, X, n)


@given(
    name=st.sampled_from(FITTED),
    method=st.sampled_from(["score", "partial_fit"]),
    data=st.data(),
)
def test_score_and_partial_fit_with_bad_targets(name, method, data):
    model = fitted(name)
    rng = np.random.RandomState(1)
    n = data.draw(st.integers(1, 6), label="n")
    layout = name.split(":")[1]
    if layout == "ids":
        X: Any = rng.randint(0, 8, size=(n, 4))
    elif layout == "ragged":
        X = [rng.normal(size=(i + 1, 2)) for i in range(n)]
    elif layout == "3d":
        X = rng.normal(size=(n, 4, 2))
    else:
        X = rng.normal(size=(n, 4))
    y = data.draw(bad_targets(n), label="y")
    outcome = check_call(lambda: getattr(model, method)(X, y))
    if outcome.ok and method == "score":
        assert np.isfinite(outcome.value) or outcome.warned(UndefinedMetricWarning)
    elif outcome.ok:
        check_predictions(model, X, n)


@st.composite
def valid_problems(draw: st.DrawFn) -> tuple[str, Any, Any, dict[str, Any]]:
    """Valid inputs of random shapes and values, and matching targets."""
    kind = draw(st.sampled_from(KINDS))
    n = draw(st.integers(1, 8))
    values = st.one_of(
        st.floats(-1e30, 1e30, allow_nan=False, allow_infinity=False),
        st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False),
        st.sampled_from([0.0, -0.0, 1e-300, 5e-324, -1e-30]),
    )
    if kind.endswith("-ids"):
        X: Any = draw(
            hnp.arrays(
                np.int64, (n, draw(st.integers(1, 6))), elements=st.integers(0, 30)
            )
        )
    else:
        layout = draw(st.sampled_from(["2d", "3d", "ragged", "frame"]))
        steps, features = draw(st.integers(1, 6)), draw(st.integers(1, 3))
        if layout == "ragged":
            X = [
                draw(
                    hnp.arrays(
                        np.float64, (draw(st.integers(1, 6)), features), elements=values
                    )
                )
                for _ in range(n)
            ]
        elif layout == "3d":
            X = draw(hnp.arrays(np.float64, (n, steps, features), elements=values))
        else:
            X = draw(hnp.arrays(np.float64, (n, steps), elements=values))
            if layout == "frame":
                X = pd.DataFrame(X, index=draw(odd_index(n)))
    if kind.startswith("classifier"):
        assume(n >= 2)
        classes = draw(st.sampled_from([[0, 1], [-3, 5, 9], ["a", "b"], [True, False]]))
        y: Any = np.array([classes[i % len(classes)] for i in range(n)])
        y = y[draw(st.permutations(range(n)))]
        assume(len(set(y.tolist())) >= 2)
    else:
        outputs = draw(st.sampled_from([None, 1, 2]))
        shape = (n,) if outputs is None else (n, outputs)
        y = draw(hnp.arrays(np.float64, shape, elements=values))
    params = {
        "cell": draw(st.sampled_from(["lstm", "gru"])),
        "bidirectional": draw(st.booleans()),
        "num_layers": draw(st.integers(1, 2)),
        "batch_size": draw(st.integers(1, 4)),
        "hidden_size": draw(st.integers(2, 4)),
    }
    return kind, X, y, params


@given(problem=valid_problems())
def test_valid_input_gives_finite_predictions_of_the_right_shape(problem):
    kind, X, y, params = problem
    model = make(kind, **params)
    fit = check_call(lambda: model.fit(X, y))
    assert fit.ok, f"valid input refused: {fit.error!r}"
    assert not fit.warned(ConvergenceWarning)
    check_predictions(model, X, len(y))
    if isinstance(model, LSTMClassifier):
        assert set(model.classes_.tolist()) == set(np.asarray(y).tolist())


def series_inputs() -> st.SearchStrategy[Any]:
    clean = hnp.arrays(np.float64, st.integers(3, 12), elements=small_floats)
    return st.one_of(
        clean,
        clean,
        clean.map(pd.Series),
        hnp.arrays(
            st.sampled_from([np.float32, np.int64, np.uint64, np.bool_]),
            st.tuples(st.integers(1, 12), st.integers(1, 3)),
        ),
        hnp.arrays(np.float64, st.integers(0, 12), elements=floats_or_specials),
        hnp.arrays(
            np.float64,
            st.tuples(st.integers(0, 12), st.integers(0, 3)),
            elements=floats_or_specials,
        ),
        malformed_X(),
    )


@given(
    window=st.integers(1, 6) | st.just(True),
    padding=st.sampled_from(["edge", "zeros"]),
    data=st.data(),
)
def test_sequence_windower(window, padding, data):
    X = data.draw(series_inputs(), label="X")
    windower = SequenceWindower(window=window, padding=padding)
    fit = check_call(lambda: windower.fit(X))
    if not fit.ok:
        return
    other = data.draw(st.one_of(st.just(X), series_inputs()), label="X_transform")
    out = check_call(lambda: windower.transform(other))
    if out.ok:
        windows = out.value
        n = n_rows(other)
        features = windower.n_features_in_
        expected = (n, int(window)) if features == 1 else (n, int(window), features)
        assert windows.shape == expected
        assert np.isfinite(windows).all()


@given(
    window=st.one_of(st.integers(1, 4), st.sampled_from([-1, 0, True, 2.0, 1.5])),
    horizon=st.one_of(st.integers(1, 3), st.sampled_from([0, True, 2.0])),
    target=st.one_of(
        st.none(),
        st.integers(-1, 3),
        st.sampled_from(["c0", "same", 1.0, ("a",), [0]]),
    ),
    data=st.data(),
)
def test_sliding_windows(window, horizon, target, data):
    series = data.draw(series_inputs(), label="series")
    out = check_call(lambda: sliding_windows(series, window, horizon, target=target))
    if not out.ok:
        return
    X, y = out.value
    n = len(X)
    assert n >= 1
    assert X.shape[1] == int(window)
    assert y.shape == ((n,) if int(horizon) == 1 else (n, int(horizon)))
    for part in (X, y):
        assert part.dtype.kind in "iu" or np.isfinite(part).all()


@functools.cache
def _forecaster() -> LSTMRegressor:
    series = np.sin(np.arange(40) * 0.3)
    return make("regressor").fit(*sliding_windows(series, 3))


@given(
    steps=st.one_of(st.integers(1, 5), st.sampled_from([-1, 0, True, 2.5, None])),
    history=st.one_of(
        hnp.arrays(np.float64, st.integers(0, 8), elements=floats_or_specials),
        series_inputs(),
    ),
)
def test_forecast(steps, history):
    out = check_call(lambda: forecast(_forecaster(), history, steps))
    if out.ok:
        assert out.value.shape == (int(steps),)
        assert np.isfinite(out.value).all()


words = st.text(alphabet="ab .,\u00e9\U0001f600", min_size=1, max_size=10)
texts = st.one_of(
    st.lists(words, min_size=1, max_size=4),
    st.lists(words, min_size=1, max_size=4),
    st.lists(st.text(max_size=12), max_size=4),
    st.lists(st.one_of(st.text(max_size=6), scalars), max_size=4),
    st.lists(st.text(alphabet=" \t\n.,!", max_size=4), max_size=3),
    scalars,
    st.text(max_size=5),
    hnp.arrays(np.dtype("U4"), st.integers(0, 3)),
    hnp.arrays(
        object, hnp.array_shapes(min_dims=0, max_dims=2, max_side=3), elements=scalars
    ),
    st.builds(
        lambda t: pd.Series(t, dtype="string"),
        st.lists(st.text(max_size=5), max_size=3),
    ),
    st.builds(
        lambda t: pd.DataFrame({"text": t}), st.lists(st.text(max_size=5), max_size=3)
    ),
)


@given(
    fit_texts=texts,
    other=texts,
    char_level=st.booleans(),
    max_len=st.one_of(st.none(), st.integers(1, 8)),
    ids=st.one_of(
        odd_arrays(max_dims=3),
        st.lists(st.lists(st.integers(-3, 2**64), max_size=3), max_size=3),
    ),
)
def test_text_tokenizer(fit_texts, other, char_level, max_len, ids):
    tok = TextTokenizer(char_level=char_level, max_len=max_len)
    fit = check_call(lambda: tok.fit(fit_texts))
    if not fit.ok:
        return
    for X in (fit_texts, other):
        out = check_call(lambda X=X: tok.transform(X))
        if out.ok:
            assert out.value.shape == (n_rows(X), tok.max_len_)
            assert out.value.dtype == np.int64
            assert ((out.value >= 0) & (out.value < tok.n_tokens_)).all()
            back = check_call(lambda value=out.value: tok.inverse_transform(value))
            assert back.ok
            assert back.value.shape == (n_rows(X),)
    inverse = check_call(lambda: tok.inverse_transform(ids))
    if inverse.ok:
        assert all(isinstance(text, str) for text in inverse.value)


@functools.cache
def _text_model() -> tuple[LSTMClassifier, TextTokenizer]:
    corpus = "the cat sat on the mat. " * 4
    tok = TextTokenizer(char_level=True).fit([corpus])
    X, y = sliding_windows(tok.encode(corpus), 5)
    return make("classifier-ids").fit(X, y), tok


@given(
    seed=st.one_of(
        st.text(max_size=8), st.text(alphabet="the cat", max_size=8), scalars
    ),
    n_chars=st.one_of(st.integers(0, 6), st.sampled_from([-1, True, 2.0])),
    temperature=st.one_of(
        st.floats(0.1, 10),
        st.floats(allow_nan=True),
        st.sampled_from([5e-324, 1e-300, 1e300, np.inf, -1.0, 0.0]),
        st.text(max_size=2),
    ),
)
def test_generate_text(seed, n_chars, temperature):
    model, tok = _text_model()
    out = check_call(
        lambda: generate_text(model, tok, seed, n_chars, temperature, random_state=0)
    )
    if out.ok:
        assert isinstance(out.value, str)
        assert out.value.startswith(seed)
        assert len(out.value) == len(seed) + int(n_chars)


# --------------------------------------------------- the contract checker


def test_check_call_flags_internal_errors_and_hangs(monkeypatch):
    def numpy_error():
        np.asarray([[1.0, 2.0], [3.0]])

    with pytest.raises(AssertionError, match="reads like internals"):
        check_call(numpy_error)

    def torch_error():
        import torch

        torch.zeros(2) @ torch.zeros(3)

    with pytest.raises(pytest.fail.Exception, match="not a ValueError/TypeError"):
        check_call(torch_error)

    def deep_value_error():
        pd.Series(["a"]).astype(float)

    with pytest.raises(AssertionError, match="outside sklstm"):
        check_call(deep_value_error)

    def noisy():
        warnings.warn("overflow encountered", RuntimeWarning, stacklevel=1)

    with pytest.raises(pytest.fail.Exception, match="unexpected RuntimeWarning"):
        check_call(noisy)

    if hasattr(signal, "setitimer"):
        monkeypatch.setattr(f"{__name__}.TIME_LIMIT", 0.05)

        def forever():
            while True:
                pass

        with pytest.raises(pytest.fail.Exception, match="hung"):
            check_call(forever)

    explained = check_call(lambda: LSTMRegressor().fit(np.zeros(3), [1.0]))
    assert isinstance(explained.error, ValueError)
