"""Sequences as arrays: the ragged container and chunked scans over rows.

numpy only. The estimators' arrays may be large read-only strided views of
windows: nothing here copies a whole array; statistics and finiteness are
computed in chunks of rows.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

__all__ = ["RaggedSequences", "channel_stats", "first_invalid", "row_chunks"]

# rows per chunk when scanning a whole array (statistics, finiteness)
_SCAN_ROWS = 4096


def row_chunks(n: int, size: int) -> Iterator[slice]:
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))


def channel_stats(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of each channel over all samples and steps.

    Parameters
    ----------
    X : ndarray of shape (n_samples, seq_len, n_channels)

    Returns
    -------
    mean, scale : ndarray of shape (n_channels,), float64
        ``scale`` is 1 where a channel is constant.
    """
    count = X.shape[0] * X.shape[1]
    total = np.zeros(X.shape[2])
    for rows in row_chunks(X.shape[0], _SCAN_ROWS):
        total += X[rows].sum(axis=(0, 1), dtype=np.float64)
    mean = total / count
    squares = np.zeros(X.shape[2])
    buffer = np.empty((min(_SCAN_ROWS, X.shape[0]), *X.shape[1:]))
    for rows in row_chunks(X.shape[0], _SCAN_ROWS):
        part = buffer[: rows.stop - rows.start]
        np.subtract(X[rows], mean, out=part)
        np.square(part, out=part)
        squares += part.sum(axis=(0, 1))
    scale = np.sqrt(squares / count)
    scale[scale < 10 * np.finfo(np.float64).eps * np.maximum(1.0, np.abs(mean))] = 1.0
    return mean, scale


def first_invalid(
    X: np.ndarray, low: np.ndarray | None = None, high: np.ndarray | None = None
) -> tuple[int, ...] | None:
    """Index of the first value of ``X`` that is not finite or not in [low, high].

    Parameters
    ----------
    X : ndarray of shape (n_samples, seq_len, n_channels)
    low, high : ndarray of shape (n_channels,), default=None
        Per-channel bounds (inclusive); None checks finiteness only.

    Returns
    -------
    index : tuple of int or None
        ``(sample, step, channel)`` of the first offending value, in row order.
    """
    buffer = np.empty((min(_SCAN_ROWS, X.shape[0]), *X.shape[1:]), dtype=bool)
    bounded = low is not None and high is not None
    for rows in row_chunks(X.shape[0], _SCAN_ROWS):
        chunk = X[rows]
        ok = buffer[: rows.stop - rows.start]
        np.isfinite(chunk, out=ok)
        if not ok.size:
            continue
        if ok.all():
            # min/max per channel first: no temporary arrays when all is well
            if not bounded or (
                np.all(chunk.min(axis=(0, 1)) >= low)
                and np.all(chunk.max(axis=(0, 1)) <= high)
            ):
                continue
        if bounded:
            ok &= chunk >= low
            ok &= chunk <= high
        index = np.unravel_index(int(np.argmin(ok)), ok.shape)
        return (int(index[0]) + rows.start, *(int(i) for i in index[1:]))
    return None


class RaggedSequences:
    """Sequences of different lengths, stored end to end.

    Parameters
    ----------
    values : ndarray of shape (total_steps, n_channels)
        All time steps of all sequences, one sequence after the other.
    lengths : ndarray of int of shape (n_samples,)
        Number of steps of each sequence (each at least 1).
    """

    def __init__(self, values: np.ndarray, lengths: np.ndarray) -> None:
        self.values = values
        self.lengths = lengths
        self.offsets = np.concatenate([[0], np.cumsum(lengths)])

    def __len__(self) -> int:
        return len(self.lengths)

    @property
    def n_channels(self) -> int:
        return int(self.values.shape[1])

    def take(self, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sequences ``index`` padded at the end to their longest, and lengths."""
        lengths = self.lengths[index]
        padded = np.zeros(
            (len(index), int(lengths.max()), self.n_channels), self.values.dtype
        )
        for row, (i, n) in enumerate(zip(index, lengths, strict=True)):
            start = self.offsets[i]
            padded[row, :n] = self.values[start : start + n]
        return padded, lengths.astype(np.int64)

    def locate(self, position: int) -> tuple[int, int]:
        """(sample, step) of a position in ``values``."""
        sample = int(np.searchsorted(self.offsets, position, side="right")) - 1
        return sample, position - int(self.offsets[sample])
