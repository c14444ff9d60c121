"""Hypothesis strategies for the fuzz tests: malformed and valid input.

Wrong dimensions, ragged garbage, odd dtypes, NaN/inf, huge and tiny values,
odd pandas indexes and dtypes, bad targets and bad sample weights, odd series
and texts; and valid problems of random shapes, which must be accepted.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ._models import KINDS

F32_MAX = float(np.finfo(np.float32).max)
F64_MAX = float(np.finfo(np.float64).max)

# ----------------------------------------------------------------- values

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


# ---------------------------------------------------------------- targets


@st.composite
def _pandas_targets(draw: st.DrawFn, length: int) -> pd.Series:
    series = pd.Series(
        np.arange(length) % 3, index=draw(odd_index(length)) if length else None
    )
    dtype = draw(st.sampled_from(["Int64", "category", "Float64", "string"]))
    series = series.astype(dtype)
    if length and draw(st.booleans()):
        series.iloc[0] = pd.NA
    return series


def _nested(length: int) -> list[list[float]]:
    return [[1.0, 2.0], [3.0]][: max(length, 1)] + [[0.0]] * max(length - 2, 0)


#: Kinds of (mostly bad) targets, by name: each maps a length to a strategy.
TARGETS: dict[str, Callable[[int], st.SearchStrategy[Any]]] = {
    "floats": lambda n: hnp.arrays(np.float64, n, elements=small_floats),
    "specials": lambda n: hnp.arrays(np.float64, n, elements=floats_or_specials),
    "ints": lambda n: hnp.arrays(np.int64, n),
    "text": lambda n: st.lists(
        st.sampled_from(["a", "b", "c"]), min_size=n, max_size=n
    ).map(np.array),
    "mixed": lambda n: st.lists(scalars, min_size=n, max_size=n).map(
        lambda values: np.array(values, dtype=object)
    ),
    "bool": lambda n: hnp.arrays(np.bool_, n),
    "complex": lambda n: st.builds(lambda: np.arange(n) + 1j),
    "datetime": lambda n: st.builds(lambda: np.arange(n).astype("datetime64[D]")),
    "2d": lambda n: st.integers(0, 3).flatmap(
        lambda k: hnp.arrays(np.float64, (n, k), elements=small_floats)
    ),
    "column": lambda n: st.builds(lambda: (np.arange(n) % 2)[:, None]),
    "one class": lambda n: st.sampled_from([0, 7, "x"]).map(
        lambda label: np.full(n, label)
    ),
    "pandas": _pandas_targets,
    "scalar": lambda n: scalars,
    "none": lambda n: st.none(),
    "nested": lambda n: st.builds(_nested, st.just(n)),
}


def bad_targets(n: int) -> st.SearchStrategy[Any]:
    """Targets for n samples: wrong length or shape, NaN, text, mixed, ..."""
    lengths = st.sampled_from([n, n, n, 0, n + 1, max(n - 1, 0)])
    return lengths.flatmap(
        lambda length: st.one_of(*(kind(length) for kind in TARGETS.values()))
    )


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


# ----------------------------------------------------------- for a model


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
    cell = draw(st.sampled_from(["lstm", "gru", "slstm", "mlstm", "xlstm"]))
    params = {
        "cell": cell,
        # the xLSTM cells read forwards only, and the mixed stack needs 2 blocks
        "bidirectional": draw(st.booleans()) if cell in ("lstm", "gru") else False,
        "num_layers": draw(st.integers(2 if cell == "xlstm" else 1, 2)),
        "batch_size": draw(st.integers(1, 4)),
        "hidden_size": draw(st.integers(2, 4)),
    }
    if cell == "slstm":
        params["cell_params"] = {"num_heads": 1}
    elif cell in ("mlstm", "xlstm"):  # small chunks: the chunkwise form too
        params["cell_params"] = {"num_heads": 1, "chunk_size": draw(st.integers(1, 4))}
    return kind, X, y, params


# --------------------------------------------------------- series and text


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
