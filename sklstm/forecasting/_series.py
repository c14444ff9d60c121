"""Reading a time-ordered series: numbers, one row per time step.

numpy only (no torch). Shared by the windowing transformer and functions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import explain, find_dates

__all__ = [
    "as_array",
    "check_dtypes",
    "explain_series",
    "numeric_series",
    "trailing_windows",
]


def check_dtypes(data: Any, name: str) -> None:
    """Refuse dates and durations (numpy or pandas), which are no numbers here."""
    dates = find_dates(data)
    if dates is not None:
        raise ValueError(
            f"{name} got {dates}; it reads numbers. Turn dates and durations "
            "into numbers first (e.g. elapsed seconds), or drop them."
        )


def as_array(data: Any, name: str) -> np.ndarray:
    """``np.asarray(data)``, explaining lists that do not form an array."""
    try:
        return np.asarray(data)
    except ValueError as exc:
        raise explain_series(exc, name) from exc


def explain_series(exc: Exception, name: str) -> Exception:
    """numpy's conversion errors, rewritten to name the series and the fix."""
    return explain(
        exc,
        shapes=(
            f"{name} could not read the data as an array: its items mix numbers "
            "and sequences, or rows of different lengths. Pass a 1D series, or "
            "a 2D array with one row per time step."
        ),
        not_numeric=lambda message: (
            f"{name} reads numeric series, but the data holds other values "
            f"({message}). Convert or drop the non-numeric values first."
        ),
    )


def numeric_series(data: Any, what: str, *, keep_integers: bool = False) -> np.ndarray:
    """``data`` as a finite float64 array (integer arrays kept if asked)."""
    if data is None or isinstance(data, (str, bytes)):
        raise ValueError(
            f"{what} must be an array of numbers, one row per time step; got "
            f"{type(data).__name__}."
        )
    check_dtypes(data, what)
    columns = list(getattr(data, "columns", []))
    values = as_array(data, what)
    if values.dtype.kind == "O":  # pandas.NA is a missing value, not text
        missing = [type(v).__name__ == "NAType" for v in values.ravel()]
        values = np.where(np.reshape(missing, values.shape), np.nan, values)
    if values.dtype.kind in "mM":
        check_dtypes(values, what)
    if values.dtype.kind == "c":
        raise ValueError(f"Complex data not supported in {what}.")
    if keep_integers and values.dtype.kind in "iu":  # integer token ids
        return values
    try:
        values = values.astype(np.float64)
    except (TypeError, ValueError) as exc:
        text = [c for c in columns if data[c].dtype.kind not in "biuf"]
        hint = (
            f" Column {text[0]!r} is not numeric: if it holds series ids, pass "
            f"groups={text[0]!r}."
            if text
            else ""
        )
        raise ValueError(
            f"{what} holds values that are not numbers ({exc}). Convert or drop "
            f"them first.{hint}"
        ) from exc
    finite = np.isfinite(values)
    if not finite.all():
        index = np.unravel_index(int(np.argmin(finite)), values.shape)
        kind = "NaN" if np.isnan(values[index]) else "infinity (inf)"
        if len(index) == 2 and columns:
            where = f"row {int(index[0])}, column {columns[int(index[1])]!r}"
        else:
            where = "position " + ", ".join(str(int(i)) for i in index)
        raise ValueError(
            f"{what} contains {kind} at {where}. Drop or impute missing and "
            "infinite values first."
        )
    return values


def trailing_windows(series: np.ndarray, window: int, padding: str) -> np.ndarray:
    """Read-only view (n_rows, window, n_features) of trailing windows."""
    if window > 1:
        pad = ((window - 1, 0), (0, 0))
        if padding == "edge":
            series = np.pad(series, pad, mode="edge")
        else:
            series = np.pad(series, pad, mode="constant")
    view = np.lib.stride_tricks.sliding_window_view(series, window, axis=0)
    windows: np.ndarray = view.transpose(0, 2, 1)
    return windows
