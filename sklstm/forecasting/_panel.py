"""Long-format panels: many series stacked, one block of rows per series.

numpy only (pandas objects are read, not imported). Shared by the windowing
function, the panel splitter and the panel forecast.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["check_time_order", "id_column", "series_blocks"]


def id_column(data: Any, groups: Any, what: str) -> tuple[Any, Any, str | None]:
    """Split the series ids from ``data``: ``(data without ids, ids, id name)``.

    ``groups`` is one id per row, or the name of a column of a DataFrame
    ``data`` (dropped from the returned data).
    """
    if not isinstance(groups, str):
        return data, groups, None
    if not hasattr(data, "columns"):
        raise ValueError(
            f"groups={groups!r} names a column, but {what} is not a DataFrame: "
            "pass the series ids as an array, one per row."
        )
    if groups not in data.columns:
        raise ValueError(
            f"groups={groups!r} is not a column of {what}; its columns are "
            f"{list(data.columns)}."
        )
    return data.drop(columns=[groups]), data[groups].to_numpy(), groups


def series_blocks(groups: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The series of a long-format panel: ids, first rows, and lengths.

    Rows must be sorted by (series, time): each series one block of
    consecutive rows.

    Raises
    ------
    ValueError
        If ``groups`` is not one-dimensional, is empty, or a series' rows are
        not consecutive (naming the series and the row where it comes back).
    """
    ids = np.asarray(groups)
    if ids.ndim != 1:
        raise ValueError(
            f"groups must be one series id per row (1D), got shape {ids.shape}."
        )
    if len(ids) == 0:
        raise ValueError("groups is empty: pass one series id per row.")
    missing = _missing(ids)
    if missing.any():
        row = int(np.argmax(missing))
        raise ValueError(
            f"The series id of row {row} is missing ({ids[row]!r}). Every row "
            "needs the id of its series: fill or drop the rows without one."
        )
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    block_ids = ids[starts]
    _, position, counts = np.unique(block_ids, return_inverse=True, return_counts=True)
    repeated = counts[position] > 1
    if repeated.any():
        block = _first_repeat(block_ids.tolist())
        again, row = block_ids.tolist()[block], int(starts[block])
        raise ValueError(
            f"The rows of series {again!r} are not consecutive: it comes back at "
            f"row {row} after other series. Sort the panel by (series, time), "
            "e.g. frame.sort_values([id_column, time_column]); nothing is "
            "reordered for you."
        )
    lengths = np.diff(np.r_[starts, len(ids)])
    return block_ids, starts, lengths


def _missing(ids: np.ndarray) -> np.ndarray:
    """Which ids are missing: NaN, None or pandas' NA/NaT."""
    if ids.dtype.kind in "fM":
        missing: np.ndarray = np.isnan(ids) if ids.dtype.kind == "f" else np.isnat(ids)
        return missing
    if ids.dtype.kind != "O":
        return np.zeros(len(ids), dtype=bool)
    return np.array(
        [
            v is None
            or (isinstance(v, float) and v != v)
            or type(v).__name__ in ("NAType", "NaTType")
            for v in ids
        ],
        dtype=bool,
    )


def _first_repeat(names: list[Any]) -> int:
    """Position of the first name that occurred before it."""
    seen: set[Any] = set()
    for position, name in enumerate(names):
        if name in seen:
            return position
        seen.add(name)
    raise AssertionError("no name repeats")  # pragma: no cover - callers check


def check_time_order(
    data: Any, ids: np.ndarray, starts: np.ndarray, lengths: np.ndarray, what: str
) -> None:
    """Refuse repeated or decreasing time stamps within a series.

    The time stamps are the index of a pandas ``data`` when it holds dates,
    periods or durations; other data carries none, and its rows are taken to
    be in time order.
    """
    stamps = _time_stamps(getattr(data, "index", None))
    if stamps is None:
        return
    index = data.index
    for name, start, length in zip(ids.tolist(), starts, lengths, strict=True):
        block = stamps[start : start + length]
        later = block[1:] > block[:-1]
        if later.all():
            continue
        row = int(start) + int(np.argmin(later)) + 1
        same = block[row - start] == block[row - start - 1]
        problem = "repeats the time stamp" if same else "goes back in time to"
        raise ValueError(
            f"Series {name!r} {problem} {index[row]} at row {row} of {what}. "
            "Each series needs one row per time step in increasing time order: "
            + (
                "aggregate or drop the duplicates first (e.g. "
                "frame.groupby([id, time]).mean())."
                if same
                else "sort the panel by (series, time), e.g. "
                "frame.sort_values([id_column, time_column]); nothing is "
                "reordered for you."
            )
        )


def _time_stamps(index: Any) -> np.ndarray | None:
    """The time stamps of a pandas index: dates, periods or durations (else None).

    Other indexes, such as the integer positions left by ``sort_values``, say
    nothing about time.
    """
    if index is None:
        return None
    if hasattr(index, "asi8") and hasattr(index, "to_timestamp"):  # PeriodIndex
        return np.asarray(index.asi8)
    stamps = np.asarray(index)
    return stamps if stamps.dtype.kind in "mM" else None
