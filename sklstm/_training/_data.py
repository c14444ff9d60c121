"""Batches of float32 tensors from validated arrays, for training and inference.

The estimators hand this module arrays of shape ``(n, seq_len, n_channels)``
(possibly float64, possibly a read-only strided view of windows), ragged
sequences, or token ids. Conversion to float32 happens one batch at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from sklearn.model_selection import train_test_split

from .._sequences import (
    RaggedSequences,
    WindowArray,
    as_array,
    pick,
    row_chunks,
    rows_of,
)

__all__ = [
    "BatchIterator",
    "SequenceDataset",
    "ValidationSplit",
    "convert",
    "draw_distinct",
    "predict_chunks",
    "to_batch",
]


class SequenceDataset(torch.utils.data.Dataset):  # type: ignore[type-arg]
    """Sequences (and targets) that yield float32 tensors one batch at a time.

    Parameters
    ----------
    X : ndarray of shape (n_samples, seq_len, n_channels) or RaggedSequences
        Any float dtype; a strided view is never copied as a whole.
    y : ndarray of shape (n_samples, ...), default=None
        Targets, already in the dtype the loss expects.
    sample_weight : ndarray of shape (n_samples,), default=None
        Per-sample loss weights.
    mean, scale : ndarray of shape (n_channels,) or (n_samples, n_channels), \
default=None
        Standardisation applied per batch: ``(X - mean) / scale``, with the
        same statistics for every sequence or a row of them per sequence.
    rows : ndarray of int or range, default=None
        Restrict the dataset to these rows of ``X`` (used for validation
        splits without copying ``X``; a ``range`` holds a block of rows in no
        memory).
    """

    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray | None = None,
        sample_weight: np.ndarray | None = None,
        *,
        mean: np.ndarray | None = None,
        scale: np.ndarray | None = None,
        rows: np.ndarray | range | None = None,
    ) -> None:
        self.X = X
        self.y = y
        self.sample_weight = sample_weight
        self.mean = mean
        self.scale = scale
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows) if self.rows is not None else len(self.X)

    def __getitem__(self, index: int) -> tuple[Any, torch.Tensor | None]:
        Xb, yb = self.batch(np.array([index]))
        single = {k: v[0] for k, v in Xb.items()} if isinstance(Xb, dict) else Xb[0]
        return single, (yb[0] if yb is not None else None)

    def subset(self, rows: np.ndarray | range) -> SequenceDataset:
        """The dataset restricted to ``rows`` (positions within this dataset)."""
        base = pick(self.rows, rows) if self.rows is not None else rows
        return SequenceDataset(
            self.X,
            self.y,
            self.sample_weight,
            mean=self.mean,
            scale=self.scale,
            rows=base,
        )

    def window_starts(self) -> np.ndarray | None:
        """Where each row's window starts in its panel (its time), or None."""
        if not isinstance(self.X, WindowArray):
            return None
        starts = self.X._starts
        return as_array(starts if self.rows is None else pick(starts, self.rows))

    def series(self) -> np.ndarray | None:
        """The series of each row, when X is the windows of a panel (else None)."""
        groups = self.X.groups if isinstance(self.X, WindowArray) else None
        if groups is None:
            return None
        return groups if self.rows is None else as_array(pick(groups, self.rows))

    def targets(self) -> np.ndarray | None:
        """The targets of the rows in this dataset."""
        if self.y is None:
            return None
        return self.y if self.rows is None else pick(self.y, self.rows)

    def batch(self, index: np.ndarray) -> tuple[Any, torch.Tensor | None]:
        """Return ``(X_batch, y_batch)`` for positions ``index`` of this dataset."""
        if self.rows is not None:
            index = pick(self.rows, index)
        Xb: Any = to_batch(self.X, index, self.mean, self.scale)
        yb = torch.from_numpy(self.y[index]) if self.y is not None else None
        if self.sample_weight is None:
            return Xb, yb
        if not isinstance(Xb, dict):
            Xb = {"X": Xb}
        Xb["sample_weight"] = torch.from_numpy(self.sample_weight[index])
        return Xb, yb


def to_batch(
    X: np.ndarray | RaggedSequences,
    index: np.ndarray,
    mean: np.ndarray | None,
    scale: np.ndarray | None,
) -> torch.Tensor | dict[str, torch.Tensor]:
    """Rows ``index`` of X as a float32 tensor, or a dict with ``lengths``."""
    if mean is not None and scale is not None:
        mean, scale = _stats_of(mean, index), _stats_of(scale, index)
    if isinstance(X, RaggedSequences):
        padded, lengths = X.take(index)
        return {
            "X": torch.from_numpy(convert(padded, mean, scale)),
            "lengths": torch.from_numpy(lengths),
        }
    if X.dtype.kind in "iu":
        return _token_batch(X[index])
    return torch.from_numpy(convert(rows_of(X, index), mean, scale))


def _stats_of(stats: np.ndarray, index: Any) -> np.ndarray:
    """The statistics of rows ``index``: per-sequence ones (n, n_channels) as
    (b, 1, n_channels); shared ones (n_channels,) unchanged."""
    if stats.ndim == 1:
        return stats
    picked: np.ndarray = stats[index][:, np.newaxis, :]
    return picked


def _token_batch(ids: np.ndarray) -> dict[str, torch.Tensor]:
    """Token ids with the padding (id 0) moved to the end, and the lengths.

    Pre- and post-padded texts (and padding in between) give the same batch.
    An all-padding row keeps one padding token, whose embedding is zero.
    """
    real = ids != 0
    order = np.argsort(~real, axis=1, kind="stable")
    compact = np.take_along_axis(ids, order, axis=1)
    lengths = np.maximum(real.sum(axis=1), 1)
    compact = compact[:, : int(lengths.max())]
    return {
        "X": torch.from_numpy(np.ascontiguousarray(compact, dtype=np.int64)),
        "lengths": torch.from_numpy(lengths.astype(np.int64)),
    }


def convert(
    X: np.ndarray, mean: np.ndarray | None, scale: np.ndarray | None
) -> np.ndarray:
    """Standardise a batch (in float64 when the input is float64) to float32."""
    if mean is not None and scale is not None:
        X = (X - mean) / scale
    return np.ascontiguousarray(X, dtype=np.float32)


class BatchIterator:
    """Iterate over a :class:`SequenceDataset` in batches, without a DataLoader.

    Slicing pre-validated arrays by a permutation avoids the per-sample Python
    calls and collation of ``torch.utils.data.DataLoader``.

    Parameters
    ----------
    dataset : SequenceDataset
    batch_size : int
    shuffle : bool, default=False
    generator : torch.Generator, default=None
        Source of the shuffling permutation (seeded by the estimator).
    shard : tuple of (int, int), default=None
        ``(rank, world)`` in data-parallel training: every process draws the
        same permutation and yields rows ``rank::world`` of each global batch
        of ``batch_size`` rows, with a ``loss_scale`` of ``world / rows in the
        global batch`` per row, so that the gradients averaged over the
        processes are those of the global batch. A process whose share of a
        (last, short) batch is empty gets the batch's first row with scale 0.
    samples : int or float, default=None
        Rows per pass (an epoch), drawn at random without repeats and in a
        random order (with ``shuffle``): an int is a count, a float in (0, 1]
        a share of the dataset (rounded up); either is at most the dataset's
        size. The draw holds only the rows drawn, never a permutation of the
        whole dataset. None: every row, once.

    Attributes
    ----------
    global_sizes_ : list of int
        The rows of each global batch of the last pass (sharded only).
    """

    def __init__(
        self,
        dataset: SequenceDataset,
        batch_size: int,
        shuffle: bool = False,
        generator: torch.Generator | None = None,
        shard: tuple[int, int] | None = None,
        samples: float | None = None,
    ) -> None:
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator
        self.shard = shard
        self.samples = samples

    def _n_rows(self) -> int:
        """The rows of one pass."""
        n = len(self.dataset)
        if self.samples is None:
            return n
        if isinstance(self.samples, float):
            return min(n, int(np.ceil(self.samples * n)))
        return min(n, int(self.samples))

    def __len__(self) -> int:
        return -(-self._n_rows() // self.batch_size)

    def _order(self) -> np.ndarray | range:
        """The rows of this pass, in the order they are read."""
        n, k = len(self.dataset), self._n_rows()
        if not self.shuffle:
            return range(k)
        if 2 * k > n:  # most rows: a permutation costs little more
            return torch.randperm(n, generator=self.generator)[:k].numpy()
        return draw_distinct(n, k, self.generator).numpy()

    def __iter__(self) -> Iterator[tuple[Any, torch.Tensor | None]]:
        order = self._order()
        n = len(order)
        if self.shard is None:
            for start in range(0, n, self.batch_size):
                yield self.dataset.batch(_block(order, start, self.batch_size))
            return
        rank, world = self.shard
        self.global_sizes_: list[int] = []
        for start in range(0, n, self.batch_size):
            rows = _block(order, start, self.batch_size)
            self.global_sizes_.append(len(rows))
            mine, scale = rows[rank::world], world / len(rows)
            if len(mine) == 0:
                mine, scale = rows[:1], 0.0
            Xb, yb = self.dataset.batch(mine)
            Xb = dict(Xb) if isinstance(Xb, dict) else {"X": Xb}
            Xb["loss_scale"] = torch.full((len(mine),), scale)
            yield Xb, yb


def _block(order: np.ndarray | range, start: int, size: int) -> np.ndarray:
    """Rows ``start:start + size`` of ``order`` as an int array."""
    return as_array(order[start : start + size])


def draw_distinct(
    n: int, k: int, generator: torch.Generator | None = None
) -> torch.Tensor:
    """``k`` distinct ints of ``range(n)``, uniformly at random, in random order.

    Draws with repeats and tops up until ``k`` distinct ones are found, so it
    holds O(k) ints, not a permutation of ``n``: the set found is that of the
    first draws of an i.i.d. uniform sequence that show ``k`` distinct
    values, uniform over the ``k``-subsets by symmetry. Quick while ``k`` is
    at most about half of ``n``.
    """
    picked = torch.empty(0, dtype=torch.int64)
    while len(picked) < k:
        more = torch.randint(n, (k - len(picked),), generator=generator)
        picked = torch.unique(torch.cat([picked, more]))  # sorted
    return picked[torch.randperm(k, generator=generator)]


class ValidationSplit:
    """Hold out part of the training data for early stopping (skorch ``train_split``).

    Parameters
    ----------
    fraction : float
        Share of the samples held out.
    mode : {"tail", "random", "stratified"}
        ``"tail"`` holds out the last samples, so that nothing from the future of
        a time-ordered series leaks into training. ``"random"`` shuffles and
        ``"stratified"`` also keeps the class proportions.
    seed : int
        Seed of the shuffled splits.
    """

    def __init__(self, fraction: float, mode: str, seed: int) -> None:
        self.fraction = fraction
        self.mode = mode
        self.seed = seed

    def __call__(
        self, dataset: SequenceDataset, y: Any = None, **_: Any
    ) -> tuple[SequenceDataset, SequenceDataset]:
        n = len(dataset)
        n_valid = int(np.ceil(self.fraction * n))
        if n_valid < 1 or n - n_valid < 1:
            raise ValueError(
                f"early_stopping needs at least one training and one validation "
                f"sample, but validation_fraction={self.fraction} of {n} samples "
                f"leaves {n - n_valid} for training and {n_valid} for validation. "
                "Pass more samples or change validation_fraction."
            )
        if self.mode == "tail":
            series = dataset.series()
            if series is not None:
                return self._tail_of_each(dataset, series)
            # blocks of rows: no memory per sample, however many there are
            return dataset.subset(range(n - n_valid)), dataset.subset(
                range(n - n_valid, n)
            )
        stratify = dataset.targets() if self.mode == "stratified" else None
        train, valid = train_test_split(
            np.arange(n), test_size=n_valid, random_state=self.seed, stratify=stratify
        )
        return dataset.subset(np.sort(train)), dataset.subset(np.sort(valid))

    def _tail_of_each(
        self, dataset: SequenceDataset, series: np.ndarray
    ) -> tuple[SequenceDataset, SequenceDataset]:
        """The last ``fraction`` of each series' windows held out (at least one).

        A series of a single window trains only.
        """
        _, which, lengths = np.unique(series, return_inverse=True, return_counts=True)
        # within a series, windows in time order: by where they start
        starts = dataset.window_starts()
        time = np.arange(len(series)) if starts is None else starts
        order = np.lexsort((time, which))
        by_series = np.split(order, np.cumsum(lengths)[:-1])
        is_valid = np.zeros(len(series), dtype=bool)
        for positions in by_series:  # each series' windows, in time order
            n_held = min(
                int(np.ceil(self.fraction * len(positions))), len(positions) - 1
            )
            is_valid[positions[len(positions) - n_held :]] = True
        if not is_valid.any() or is_valid.all():
            raise ValueError(
                "early_stopping holds out the last windows of each series, but "
                f"the {len(lengths)} series have too few windows (at most "
                f"{int(lengths.max())}) to keep some for training and some for "
                "validation. Pass longer series or set early_stopping=False."
            )
        return (
            dataset.subset(np.flatnonzero(~is_valid)),
            dataset.subset(np.flatnonzero(is_valid)),
        )


def predict_chunks(
    X: np.ndarray | RaggedSequences,
    mean: np.ndarray | None,
    scale: np.ndarray | None,
    chunk: int,
) -> Iterator[tuple[Any, int]]:
    """Yield float32 tensors of exactly ``chunk`` rows and the number of real rows.

    ``mean`` and ``scale`` standardise as in :class:`SequenceDataset`.

    Every forward pass then has the same shape, so a sample's prediction does
    not depend on which other samples share its batch (bitwise, on one machine).
    The yielded tensor is reused for the next chunk: consume it before asking
    for the next one.
    Ragged sequences and token ids are packed instead, which makes a sample's
    prediction independent of the others up to float rounding; they yield
    dicts with ``lengths``.
    """
    if isinstance(X, RaggedSequences) or X.dtype.kind in "iu":
        for rows in row_chunks(len(X), chunk):
            index = np.arange(rows.start, rows.stop)
            yield to_batch(X, index, mean, scale), len(index)
        return
    # one float64 and one float32 buffer serve every chunk: no per-chunk
    # allocations, and the same arithmetic as convert()
    staged = np.empty((chunk, *X.shape[1:]))
    batch = np.zeros((chunk, *X.shape[1:]), dtype=np.float32)
    for rows in row_chunks(X.shape[0], chunk):
        n_real = rows.stop - rows.start
        if mean is not None and scale is not None:
            part = staged[:n_real]
            np.subtract(rows_of(X, rows), _stats_of(mean, rows), out=part)
            np.divide(part, _stats_of(scale, rows), out=part)
            batch[:n_real] = part
        else:
            batch[:n_real] = rows_of(X, rows)
        batch[n_real:] = 0.0
        yield torch.from_numpy(batch), n_real
