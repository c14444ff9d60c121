"""The input contract: what the estimators, the windowing and the text tools accept.

numpy and scikit-learn only; no torch. One entry point reads X
(:func:`check_sequences`: dense 2D/3D arrays, ragged lists, token ids), one
reads y (:func:`check_target`), one reads sample weights
(:func:`check_sample_weight`). Errors name the problem and the fix;
:func:`explain` turns the conversion errors of numpy, pandas and scikit-learn
into such messages from one table of their phrases.
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Real
from typing import Any

import numpy as np
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from ._compat import _check_sample_weight, _check_y
from ._sequences import (
    CHUNK_ROWS,
    RaggedSequences,
    WindowArray,
    first_invalid,
    memory_mapped,
    row_chunks,
)

__all__ = [
    "FLOAT32_MAX",
    "PAD_ID",
    "UNKNOWN_ID",
    "check_labels",
    "check_sample_weight",
    "check_sequences",
    "check_target",
    "describe",
    "explain",
    "find_dates",
    "has_complex",
    "input_bounds",
    "is_sequence",
    "numeric_target",
    "quiet_checks",
    "short_repr",
]

FLOAT32_MAX = float(np.finfo(np.float32).max)  # the network computes in float32
PAD_ID = 0  # token id of padding (see sklstm.text)
UNKNOWN_ID = 1  # token id of tokens not in the vocabulary (see sklstm.text)
_MAX_TOKEN_ID = 2**24  # embedding tables beyond this are a mistake, not a vocabulary

# ------------------------------------------------------- third-party errors

# Phrases of the conversion errors of numpy, pandas and scikit-learn, and what
# each means. tests/test_validation.py provokes each row on the installed
# versions, so that a change of wording is noticed.
PHRASES: tuple[tuple[str, str], ...] = (
    ("inhomogeneous", "shapes"),  # numpy: ragged nesting
    ("array element with a sequence", "shapes"),  # numpy: sequence in a number
    ("could not convert", "not_numeric"),  # numpy: text to float
    ("dtype='numeric'", "not_numeric"),  # scikit-learn: text in check_array
    ("argument must be a string or a", "not_numeric"),  # numpy: odd objects
)
_PANDAS_NA = "'NAType'"  # pandas.NA in a numeric conversion
_PANDAS_NA_HINT = " (pandas.NA marks a missing value: drop or impute it first)"


def problem(exc: Exception) -> str | None:
    """The kind of conversion problem ``exc`` reports: a value of :data:`PHRASES`."""
    message = str(exc)
    for phrase, kind in PHRASES:
        if phrase in message:
            return kind
    return None


def explain(
    exc: Exception,
    *,
    shapes: str | Callable[[], str],
    not_numeric: str | Callable[[str], str],
) -> Exception:
    """Rewrite a conversion error of numpy, pandas or scikit-learn.

    Parameters
    ----------
    exc : TypeError or ValueError
        The error raised while reading the data.
    shapes : str or callable
        The message when the data's items have different shapes or nest
        unevenly (always a ValueError), or a function returning it.
    not_numeric : str or callable
        The message when the data holds values that are not numbers, or a
        function of the original message returning it.

    Returns
    -------
    error : Exception
        A ValueError, or a TypeError where ``exc`` was one (scikit-learn's
        checks expect a TypeError for values such as a dict); other errors
        keep their message.
    """
    message = str(exc)
    if _PANDAS_NA in message:
        message += _PANDAS_NA_HINT
    error = TypeError if isinstance(exc, TypeError) else ValueError
    kind = problem(exc)
    if kind == "shapes":
        return ValueError(shapes() if callable(shapes) else shapes)
    if kind == "not_numeric":
        return error(not_numeric(message) if callable(not_numeric) else not_numeric)
    return error(message)


def quiet_checks() -> Any:
    """Silence numpy's floating-point warnings inside scikit-learn's checks.

    Its finiteness check sums the data first, which warns on inf + -inf before
    the clear "contains infinity" error is raised.
    """
    return np.errstate(invalid="ignore", over="ignore")


# ----------------------------------------------------------- descriptions


def describe(item: Any) -> str:
    """A short description of a value, for error messages."""
    if item is None:
        return "None"
    shape = getattr(item, "shape", None)
    if shape is not None and len(shape):
        return f"an array of shape {tuple(shape)}"
    if is_sequence(item):
        return f"a {type(item).__name__} of {len(item)} items"
    return f"a {type(item).__name__} ({short_repr(item)})"


def short_repr(value: Any) -> str:
    """``repr(value)``, cut to 40 characters."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _number(value: float) -> str:
    """An int in full; a float (a whole number here) in at most 6 digits."""
    return str(value) if isinstance(value, int) else f"{value:.6g}"


def is_sequence(item: Any) -> bool:
    """True for a sized, non-text, non-scalar item (a candidate sequence)."""
    return (
        hasattr(item, "__len__")
        and not isinstance(item, (str, bytes))
        and getattr(item, "ndim", 1) != 0
    )


def has_complex(values: Any) -> bool:
    """Whether values (an array, a scalar or a list) hold complex numbers."""
    dtype = getattr(values, "dtype", None)
    if dtype is not None:
        return bool(dtype.kind == "c")
    if isinstance(values, (list, tuple)):
        return any(isinstance(v, (complex, np.complexfloating)) for v in values)
    return isinstance(values, (complex, np.complexfloating))


def find_dates(data: Any) -> str | None:
    """Describe the first date or duration values in an array or DataFrame.

    Returns e.g. ``"datetime64[ns] values (column 'day')"``, or None when
    ``data`` holds no ``datetime64``/``timedelta64`` (numpy or pandas) values.
    """
    dtypes: Any = getattr(data, "dtypes", None)  # per column for a DataFrame
    found = list(dtypes.items()) if hasattr(dtypes, "items") else []
    if not found and hasattr(data, "dtype"):
        found = [(None, data.dtype)]
    for column, dtype in found:
        if getattr(dtype, "kind", "") in "mM":
            where = "" if column is None else f" (column {column!r})"
            return f"{dtype} values{where}"
    return None


# ------------------------------------------------------------------- X


def check_sequences(estimator: Any, X: Any, *, reset: bool) -> Any:
    """Read X as the estimators do: the one entry point for sequences.

    Parameters
    ----------
    estimator : LSTMRegressor or LSTMClassifier
        Records ``n_features_in_``, ``feature_names_in_``, ``n_channels_``
        (and ``n_tokens_``) when ``reset``, and is checked against them
        otherwise.
    X : array-like or list of array-like
        2D ``(n_samples, seq_len)`` or 3D ``(n_samples, seq_len, n_features)``
        numbers, a list of sequences of different lengths, or (with the
        estimator's ``embedding_dim``) 2D integer token ids.
    reset : bool
        Whether this is a fresh fit.

    Returns
    -------
    X : ndarray or WindowArray of shape (n_samples, seq_len, n_channels), \
RaggedSequences, or ndarray of int64 of shape (n_samples, seq_len)
        Dense input keeps its float dtype (and may be a view); windows of a
        panel stay unread; ragged input is stored end to end; token ids unseen
        in fit become the unknown id.
    """
    _check_container(X, estimator)
    if reset:  # steps after each window with known-future covariates
        reads_future = isinstance(X, WindowArray) and X.future is not None
        estimator.n_future_steps_ = X.horizon if reads_future else 0
        # what forecast and window_scaling need to know of the windows' columns
        estimator._window_layout = (
            {
                "target": X.target,
                "future": None if X.future is None else X.future.tolist(),
                "names": X.names,
            }
            if isinstance(X, WindowArray)
            else None
        )
    if estimator.embedding_dim is not None:
        if isinstance(X, WindowArray):  # token windows are small: read them
            X = np.asarray(X)
        return _check_tokens(estimator, X, reset=reset)
    if isinstance(X, WindowArray):
        return _check_windows(estimator, X, reset=reset)
    if _is_ragged(X):
        return _check_ragged(estimator, X, reset=reset)
    name = type(estimator).__name__
    ndim = getattr(X, "ndim", None)
    flat = isinstance(X, (list, tuple)) and len(X) and not is_sequence(X[0])
    if ndim == 1 or flat:
        shape = X.shape if ndim == 1 else (len(X),)
        raise ValueError(
            f"Expected a 2D or 3D array, got a 1D array of shape {shape}. "
            f"{name} reads one sequence per row: (n_samples, seq_len) or "
            "(n_samples, seq_len, n_features). Reshape your data with "
            "X.reshape(1, -1) if it is a single sequence; to learn from one "
            "long series, cut it into windows first."
        )
    if ndim is not None and ndim > 3:
        raise ValueError(
            f"Expected a 2D or 3D array, got a {ndim}D array of shape "
            f"{X.shape}. {name} reads (n_samples, seq_len) or "
            "(n_samples, seq_len, n_features); reshape or flatten the extra "
            "axes into n_features."
        )
    try:
        with quiet_checks():
            Xa = validate_data(
                estimator,
                X,
                reset=reset,
                allow_nd=True,
                dtype=[np.float64, np.float32],
                ensure_all_finite=False,
            )
    except (TypeError, ValueError) as exc:
        raise _explain_x(exc, estimator, X) from exc
    Xa = _check_shape(estimator, Xa, reset=reset)
    bad = first_invalid(Xa, *input_bounds(estimator, Xa.shape[2], reset=reset))
    if bad is not None:
        _raise_invalid(estimator, Xa[bad], *bad)
    return Xa


def _check_windows(estimator: Any, X: WindowArray, *, reset: bool) -> WindowArray:
    """Validate the windows of a panel through its series, reading no window."""
    name = type(estimator).__name__
    if len(X) == 0:
        raise ValueError(
            f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of "
            f"1 is required by {name}."
        )
    values = X.values
    if values.dtype.kind not in "f":
        try:
            values = values.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"{name} reads numeric sequences, but the windows hold "
                f"{values.dtype} values ({exc})."
            ) from exc
    steps, n_channels = X.shape[1], X.shape[-1] if X.ndim == 3 else 1
    if reset:
        estimator.n_features_in_ = steps
        if hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_
    elif steps != estimator.n_features_in_:
        raise _explain_x(
            ValueError(
                f"X has {steps} features, but {name} is expecting "
                f"{estimator.n_features_in_} features as input."
            ),
            estimator,
            X,
        )
    _check_channels(estimator, n_channels, reset=reset)
    windows = X._like(X._starts, X.groups, values)
    windows.squeeze = False
    bounds = input_bounds(estimator, n_channels, reset=reset)
    bounds = (bounds[0][: values.shape[1]], bounds[1][: values.shape[1]])
    # row by row, in chunks: a long (memory-mapped) series is never copied
    bad = first_invalid(values[:, np.newaxis], *bounds)
    if bad is None and X.head is not None:
        head = X.head.astype(values.dtype)
        if first_invalid(head[:, np.newaxis], *bounds) is not None:
            raise ValueError(
                f"{name} cannot read the windows: the rows before the series "
                "(its padding or continued history) hold values that are not "
                "finite or beyond the float32 range. Fit the windower again."
            )
    if bad is not None:
        starts = X.starts
        covered = np.zeros(len(values) + 1, dtype=np.intp)
        np.add.at(covered, np.maximum(starts, 0), 1)
        np.add.at(covered, np.maximum(starts + steps, 0), -1)
        read = np.flatnonzero(np.cumsum(covered[:-1]) > 0)  # rows some window reads
        bad = first_invalid(values[read][np.newaxis], *bounds)
        if bad is not None:
            row, feature = int(read[bad[1]]), bad[2]
            sample = int(np.flatnonzero((starts <= row) & (row < starts + steps))[0])
            step = row - int(starts[sample])
            _raise_invalid(estimator, values[row, feature], sample, step, feature)
    return windows


def _explain_x(exc: Exception, estimator: Any, X: Any) -> Exception:
    name = type(estimator).__name__
    message = str(exc)
    if (
        problem(exc) is None
        and message.startswith("X has")
        and "is expecting" in message
    ):
        expected = getattr(estimator, "n_features_in_", "?")
        return type(exc)(
            f"{message} {name} counts time steps as features: it was fitted on "
            f"sequences of {expected} steps, and sequences passed to predict "
            "must have the same length."
        )
    return explain(
        exc,
        shapes=lambda: (
            f"X could not be read as an array: {_inconsistency(X)}. {name} reads "
            "a 2D or 3D array, or a list of sequences, each an array of shape "
            "(len_i,) or (len_i, n_features)."
        ),
        not_numeric=lambda message: (
            f"{message}. {name} reads numeric sequences; turn text into token "
            "ids with sklstm.TextTokenizer and set embedding_dim."
        ),
    )


def _inconsistency(X: Any) -> str:
    """Describe the first item of X whose shape differs from the first one's."""
    if isinstance(X, (list, tuple)) and X:
        shapes: list[tuple[int, ...]] = []
        for i, item in enumerate(X):
            try:
                shape = np.shape(item)
            except ValueError:
                return f"item {i} holds nested sequences of different lengths"
            if shapes and shape != shapes[0]:
                return f"item 0 has shape {shapes[0]} but item {i} has shape {shape}"
            shapes.append(shape)
    return "its items have different shapes or are nested unevenly"


def _check_container(X: Any, estimator: Any) -> None:
    """Refuse X that cannot hold numeric sequences, before numpy reads it."""
    name = type(estimator).__name__
    if X is None or np.isscalar(X) or getattr(X, "ndim", None) == 0:
        if estimator.embedding_dim is not None:
            expected = "a 2D array of token ids (n_samples, seq_len)"
        else:
            expected = (
                "one sequence per row: (n_samples, seq_len) or (n_samples, "
                "seq_len, n_features), or a list of arrays of different lengths"
            )
        raise ValueError(
            f"Expected an array of sequences, got {describe(X)}. {name} reads "
            f"{expected}."
        )
    dates = find_dates(X)
    if dates is not None:
        raise ValueError(
            f"X holds {dates}, but {name} reads numeric sequences. Turn dates "
            "and durations into numbers first (e.g. elapsed seconds, or the hour "
            "of day), or drop them."
        )
    if isinstance(X, (list, tuple)) and X:
        is_seq = [is_sequence(item) for item in X]
        if any(is_seq) and not all(is_seq):
            i = is_seq.index(not is_seq[0])
            raise ValueError(
                f"X mixes sequences and single values: item 0 is "
                f"{describe(X[0])} but item {i} is {describe(X[i])}. {name} reads "
                "a list of sequences, each an array of shape (len_i,) or (len_i, "
                "n_features); drop or fix the odd items."
            )


def _is_ragged(X: Any) -> bool:
    """True for a list/tuple of sequences that do not all have the same length."""
    if not isinstance(X, (list, tuple)) or len(X) == 0:
        return False
    if not all(hasattr(item, "__len__") and not isinstance(item, str) for item in X):
        return False
    return len({len(item) for item in X}) > 1


def _check_shape(estimator: Any, X: np.ndarray, *, reset: bool) -> np.ndarray:
    name = type(estimator).__name__
    if X.ndim not in (2, 3):  # a list can nest deeper than the array checks
        raise ValueError(
            f"Expected a 2D or 3D array, got a {X.ndim}D array of shape "
            f"{X.shape}. {name} reads (n_samples, seq_len) or "
            "(n_samples, seq_len, n_features); a list of sequences must hold "
            "arrays of shape (len_i,) or (len_i, n_features)."
        )
    if X.ndim == 2:
        X = X[:, :, np.newaxis]
    if X.shape[1] < 1 or X.shape[2] < 1:
        raise ValueError(
            f"Found array with shape {X.shape} while a minimum of 1 time step "
            "and 1 feature per step is required."
        )
    _check_channels(estimator, X.shape[2], reset=reset)
    return X


def _check_channels(estimator: Any, n_channels: int, *, reset: bool) -> None:
    if reset:
        estimator.n_channels_ = n_channels
    elif n_channels != estimator.n_channels_:
        raise ValueError(
            f"X has {n_channels} features per time step, but "
            f"{type(estimator).__name__} was fitted with {estimator.n_channels_}."
        )


def input_bounds(
    estimator: Any, n_channels: int, *, reset: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel range of X whose standardised values float32 can hold."""
    low = np.full(n_channels, -FLOAT32_MAX)
    high = np.full(n_channels, FLOAT32_MAX)
    mean = None if reset else getattr(estimator, "x_mean_", None)
    scale = None if reset else getattr(estimator, "x_scale_", None)
    if mean is not None and scale is not None and len(mean) == n_channels:
        low = np.maximum(low, mean - scale * FLOAT32_MAX)
        high = np.minimum(high, mean + scale * FLOAT32_MAX)
    return low, high


def _raise_invalid(
    estimator: Any, value: float, sample: int, step: int, feature: int
) -> None:
    """Raise the error for a NaN, infinite or out-of-range value, naming where."""
    name = type(estimator).__name__
    where = f"at sample {sample}, time step {step}, feature {feature}"
    if not np.isfinite(value):
        kind = "NaN" if np.isnan(value) else "infinity (inf)"
        raise ValueError(
            f"Input X contains {kind} {where}. {name} cannot learn from missing "
            "or infinite values: drop or impute them first (e.g. with "
            "sklearn.impute.SimpleImputer on the raw series)."
        )
    if abs(value) > FLOAT32_MAX:
        raise ValueError(
            f"Input X contains {value:.3g} {where}, beyond the float32 range "
            f"(+-{FLOAT32_MAX:.3g}) in which {name} computes. Rescale X, e.g. "
            "divide it by a power of ten."
        )
    # only bounds from the fitted statistics are left to break
    mean, scale = np.asarray(estimator.x_mean_), np.asarray(estimator.x_scale_)
    distance = abs(value - mean[feature]) / scale[feature]
    raise ValueError(
        f"Input X contains {value:.3g} {where}: {distance:.3g} standard "
        "deviations from the mean seen in fit, which standardised is beyond the "
        f"float32 range (+-{FLOAT32_MAX:.3g}) in which {name} computes. Scale X "
        "as the training data was scaled."
    )


def _check_tokens(estimator: Any, X: Any, *, reset: bool) -> np.ndarray:
    """Validate integer token ids (n_samples, seq_len); 0 is padding."""
    name = type(estimator).__name__
    advice = (
        f"With embedding_dim set, {name} reads token ids: a 2D integer array "
        "(n_samples, seq_len), 0 for padding, as sklstm.TextTokenizer makes."
    )
    if _is_ragged(X) or getattr(X, "ndim", 2) != 2:
        shape = getattr(X, "shape", None)
        got = (
            f"an array of shape {shape}"
            if shape is not None
            else f"a {type(X).__name__} of sequences of different lengths"
        )
        raise ValueError(f"{advice} Got {got}.")
    try:
        with quiet_checks():
            ids = np.asarray(validate_data(estimator, X, reset=reset, dtype=None))
    except (TypeError, ValueError) as exc:
        raise _explain_x(exc, estimator, X) from exc
    if ids.dtype.kind == "f":  # finite: validate_data refuses NaN and inf
        if not np.array_equal(ids, np.round(ids)):
            raise ValueError(
                f"{advice} Got values of dtype {ids.dtype} that are not all "
                "whole numbers."
            )
    elif ids.dtype.kind not in "iu":
        raise ValueError(f"{advice} Got values of dtype {ids.dtype}.")
    # Python numbers compare exactly, before any cast can wrap or overflow
    lowest, highest = (ids.min().item(), ids.max().item()) if ids.size else (0, 0)
    if lowest < 0:
        raise ValueError(f"{advice} Got a negative id ({_number(lowest)}).")
    if highest > _MAX_TOKEN_ID:
        raise ValueError(
            f"{advice} Got id {_number(highest)}, too large for an embedding "
            f"table (ids must be below {_MAX_TOKEN_ID + 1}); map tokens to "
            "consecutive ids."
        )
    ids = ids.astype(np.int64, copy=False)
    if reset:
        estimator.n_channels_ = 1
        estimator.n_tokens_ = max(int(ids.max()) + 1, 2)
    else:  # ids never seen in fit are unknown tokens
        ids = np.where(ids >= estimator.n_tokens_, UNKNOWN_ID, ids)
    return ids


def _check_ragged(estimator: Any, X: Any, *, reset: bool) -> RaggedSequences:
    """Validate a list of sequences of different lengths."""
    name = type(estimator).__name__
    sequences: list[np.ndarray] = []
    for i, item in enumerate(X):
        try:
            seq = np.asarray(item)
            if seq.dtype.kind in "USO":
                seq = seq.astype(np.float64)
        except (TypeError, ValueError) as exc:
            reason = str(exc)
            if not reason.startswith("could not convert"):
                reason = "it holds items that are not numbers, or sequences "
                reason += "of different lengths"
            raise ValueError(
                f"Sequence {i} is not numeric ({reason}). {name} reads numeric "
                "sequences; turn text into token ids with sklstm.TextTokenizer "
                "and set embedding_dim."
            ) from exc
        if seq.dtype.kind == "c":
            raise ValueError(f"Complex data not supported (sequence {i}).")
        if seq.dtype.kind not in "fiub":
            raise ValueError(f"Sequence {i} has non-numeric dtype {seq.dtype}.")
        if seq.dtype != np.float32:
            seq = seq.astype(np.float64)
        if seq.ndim == 1:
            seq = seq[:, np.newaxis]
        if seq.ndim != 2 or seq.shape[0] == 0 or seq.shape[1] == 0:
            raise ValueError(
                f"Sequence {i} has shape {seq.shape}; each sequence of a list "
                "must be (seq_len,) or (seq_len, n_features) with seq_len >= 1."
            )
        if sequences and seq.shape[1] != sequences[0].shape[1]:
            raise ValueError(
                f"Ragged sequences must have the same number of features per "
                f"time step: sequence 0 has {sequences[0].shape[1]}, sequence "
                f"{i} has {seq.shape[1]}."
            )
        sequences.append(seq)
    lengths = np.array([len(seq) for seq in sequences], dtype=np.int64)
    dtype = np.result_type(*{seq.dtype for seq in sequences})
    ragged = RaggedSequences(np.concatenate(sequences).astype(dtype), lengths)
    _check_channels(estimator, ragged.n_channels, reset=reset)
    bounds = input_bounds(estimator, ragged.n_channels, reset=reset)
    bad = first_invalid(ragged.values[np.newaxis], *bounds)
    if bad is not None:
        sample, step = ragged.locate(bad[1])
        _raise_invalid(estimator, ragged.values[bad[1], bad[2]], sample, step, bad[2])
    if reset:
        for attribute in ("n_features_in_", "feature_names_in_"):
            estimator.__dict__.pop(attribute, None)  # lengths vary: no fixed count
    return ragged


# ------------------------------------------------------------------- y


def check_target(estimator: Any, y: Any, *, task: str, n_samples: int | None) -> Any:
    """Read y as the estimators do: the one entry point for targets.

    Parameters
    ----------
    estimator : LSTMRegressor or LSTMClassifier
        Named in messages.
    y : array-like
        Targets: numbers (1D or 2D) for ``task="regression"``, class labels
        (1D) for ``task="classification"``.
    task : {"regression", "classification"}
    n_samples : int or None
        The number of samples in X, which y must match; None in ``score``.

    Returns
    -------
    y : ndarray
        As scikit-learn's ``_check_y`` returns it; labels are checked further
        by :func:`check_labels`, numeric targets by :func:`numeric_target`.
    """
    name = type(estimator).__name__
    if y is None:
        raise ValueError(
            f"This {name} estimator requires y to be passed, but the target y is None."
        )
    regression = task == "regression"
    try:
        with quiet_checks():
            checked: np.ndarray = _check_y(
                y, multi_output=regression, y_numeric=regression, estimator=estimator
            )
    except (TypeError, ValueError) as exc:
        raise explain(
            exc,
            shapes=(
                "y could not be read as an array: its items have different "
                "shapes or are nested. Pass one target (or one row of "
                "targets) per sample."
            ),
            not_numeric=lambda message: (
                f"y holds values that are not numbers ({message}). {name} "
                "needs numeric targets; for class labels use LSTMClassifier."
            ),
        ) from exc
    if n_samples is not None and len(checked) != n_samples:
        raise ValueError(  # scikit-learn's wording, which its checks expect
            "Found input variables with inconsistent numbers of samples: "
            f"[{n_samples}, {len(checked)}]"
        )
    return checked


def numeric_target(y: Any, name: str) -> np.ndarray:
    """y as float64, refusing text, dates and values float32 cannot hold."""
    y = np.asarray(y)
    if y.dtype.kind in "mM":
        raise ValueError(
            f"y holds {y.dtype} values, but {name} predicts numbers. Turn dates "
            "and durations into numbers first (e.g. elapsed seconds)."
        )
    if memory_mapped(y) and y.dtype.kind == "f":
        values: np.ndarray = y  # read in parts, never copied whole
    else:
        try:
            values = y.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"y holds values that are not numbers ({exc}). {name} needs "
                "numeric targets; for class labels use LSTMClassifier."
            ) from exc
    for rows in row_chunks(len(values), CHUNK_ROWS):
        too_large = np.abs(values[rows]) > FLOAT32_MAX
        if too_large.any():
            index = np.unravel_index(int(np.argmax(too_large)), too_large.shape)
            value = values[rows][index]
            raise ValueError(
                f"y contains {value:.3g} at sample {int(index[0]) + rows.start}, "
                f"beyond the float32 range (+-{FLOAT32_MAX:.3g}) in which {name} "
                "computes. Rescale y, e.g. divide it by a power of ten."
            )
    return values


def check_labels(labels: Any, what: str) -> None:
    """check_classification_targets, with odd and mixed label types explained."""
    try:
        values = np.asarray(labels)
    except ValueError as exc:  # nested sequences of different lengths
        raise ValueError(
            f"{what} could not be read as a 1D array of class labels: its items "
            "are sequences of different lengths."
        ) from exc
    if values.ndim != 1:
        raise ValueError(
            f"{what} must be a 1D array of class labels, got an array of shape "
            f"{values.shape}."
        )
    if values.dtype.kind == "O":
        kinds = set()
        for value in values.ravel():
            if isinstance(value, str):
                kinds.add("strings")
            elif isinstance(value, (Real, np.bool_)):
                kinds.add("numbers")
            else:
                raise ValueError(
                    f"{what} holds a label of type {type(value).__name__} "
                    f"({short_repr(value)}); class labels must be numbers or "
                    "strings."
                )
        if len(kinds) > 1:
            raise ValueError(
                f"{what} mixes strings and numbers as class labels; convert them "
                "to one type first (e.g. all to str)."
            )
    with np.errstate(invalid="ignore", over="ignore"):  # huge float labels
        check_classification_targets(values)


# ------------------------------------------------------------ sample_weight


def check_sample_weight(sample_weight: Any, X: Any) -> np.ndarray:
    """Sample weights as finite float64 numbers >= 0, one per sample of X."""
    if has_complex(sample_weight):  # numpy would drop the imaginary part
        raise ValueError("Complex data not supported in sample_weight.")
    with quiet_checks():
        weights: np.ndarray = _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
    if not np.isfinite(weights).all():  # a scalar weight is not checked
        raise ValueError(
            f"sample_weight contains {weights[~np.isfinite(weights)][0]}; weights "
            "must be finite numbers >= 0."
        )
    return weights
