"""Batches, iterators and validation splits (sklstm._training._data)."""

from __future__ import annotations

import numpy as np
import torch

from sklstm._training._data import (
    BatchIterator,
    SequenceDataset,
    ValidationSplit,
    draw_distinct,
    predict_chunks,
)


def _windows(n=50, window=7, channels=2):
    series = np.random.RandomState(0).normal(size=(n + window - 1, channels))
    view = np.lib.stride_tricks.sliding_window_view(series, window, axis=0)
    return view.transpose(0, 2, 1)  # (n, window, channels), a read-only view


def test_batches_are_standardised_float32_and_leave_the_view_alone():
    X = _windows()
    assert not X.flags.writeable
    assert not X.flags.c_contiguous
    mean, scale = X.mean(axis=(0, 1)), X.std(axis=(0, 1))
    y = np.arange(len(X), dtype=np.float32)[:, None]
    data = SequenceDataset(X, y, mean=mean, scale=scale)
    Xb, yb = data.batch(np.array([3, 1]))
    assert Xb.dtype == torch.float32
    assert Xb.shape == (2, 7, 2)
    np.testing.assert_allclose(Xb.numpy(), ((X[[3, 1]] - mean) / scale), rtol=1e-6)
    assert yb[:, 0].tolist() == [3.0, 1.0]


def test_sample_weight_travels_with_the_batch():
    X = np.zeros((6, 3, 1))
    w = np.arange(6, dtype=np.float32)
    Xb, _ = SequenceDataset(X, None, w).batch(np.array([5, 0]))
    assert Xb["sample_weight"].tolist() == [5.0, 0.0]


def test_iterator_visits_every_row_once_per_epoch_in_seeded_order():
    X = np.arange(10, dtype=float).reshape(10, 1, 1)
    data = SequenceDataset(X, np.arange(10))

    def epoch(seed):
        it = BatchIterator(
            data,
            batch_size=4,
            shuffle=True,
            generator=torch.Generator().manual_seed(seed),
        )
        assert len(it) == 3
        return torch.cat([yb for _, yb in it]).tolist()

    first = epoch(0)
    assert sorted(first) == list(range(10))
    assert first == epoch(0)
    assert first != epoch(1)
    ordered = BatchIterator(data, batch_size=4)
    assert torch.cat([yb for _, yb in ordered]).tolist() == list(range(10))


def test_an_epoch_budget_draws_that_many_rows_afresh_each_pass():
    X = np.arange(1000, dtype=float).reshape(1000, 1, 1)
    data = SequenceDataset(X, np.arange(1000))
    it = BatchIterator(
        data,
        batch_size=32,
        shuffle=True,
        generator=torch.Generator().manual_seed(0),
        samples=100,
    )
    assert len(it) == 4  # batches of 32, 32, 32 and 4
    first = torch.cat([yb for _, yb in it]).tolist()
    second = torch.cat([yb for _, yb in it]).tolist()
    for rows in (first, second):
        assert len(rows) == len(set(rows)) == 100  # no repeats in an epoch
        assert all(0 <= r < 1000 for r in rows)
    assert set(first) != set(second)  # a new draw every epoch
    assert first != sorted(first)  # read in random order
    # a share of the rows, rounded up; never more than all of them
    for samples, expected in ((0.05, 50), (0.0001, 1), (5000, 1000), (1.0, 1000)):
        it.samples = samples
        assert len(torch.cat([yb for _, yb in it]).unique()) == expected
    # unshuffled (validation, prediction): the first rows in order
    ordered = BatchIterator(data, batch_size=32, samples=40)
    assert torch.cat([yb for _, yb in ordered]).tolist() == list(range(40))


def test_without_a_budget_the_order_is_the_seeded_permutation():
    data = SequenceDataset(np.zeros((50, 1, 1)), np.arange(50))
    it = BatchIterator(
        data, batch_size=8, shuffle=True, generator=torch.Generator().manual_seed(3)
    )
    order = torch.cat([yb for _, yb in it]).tolist()
    permutation = torch.randperm(50, generator=torch.Generator().manual_seed(3))
    assert order == permutation.tolist()


def test_distinct_draws_are_uniform_and_need_no_permutation():
    generator = torch.Generator().manual_seed(0)
    counts = np.zeros(20)
    for _ in range(4000):
        drawn = draw_distinct(20, 5, generator).numpy()
        assert len(set(drawn.tolist())) == 5
        counts[drawn] += 1
    # each value is drawn with probability 5/20: 1000 times in 4000 draws,
    # with a standard deviation of about 27
    assert np.abs(counts - 1000).max() < 150
    # a trillion rows: a permutation could not be held, the draw holds 1000
    huge = draw_distinct(10**12, 1000, generator)
    assert len(huge.unique()) == 1000
    assert int(huge.min()) >= 0
    assert int(huge.max()) < 10**12


def test_tail_split_holds_out_the_last_rows():
    data = SequenceDataset(np.zeros((20, 2, 1)), np.arange(20))
    train, valid = ValidationSplit(0.2, "tail", seed=0)(data)
    assert train.targets().tolist() == list(range(16))
    assert valid.targets().tolist() == [16, 17, 18, 19]
    # blocks of rows, held in no memory per row
    assert isinstance(train.rows, range)
    assert isinstance(valid.rows, range)
    _, yb = valid.batch(np.array([3, 0]))
    assert yb.tolist() == [19, 16]
    # a subset of a subset picks within it
    assert train.subset(np.array([15, 2])).targets().tolist() == [15, 2]
    assert valid.subset(range(1, 3)).targets().tolist() == [17, 18]


def test_stratified_split_keeps_class_proportions():
    y = np.array([0] * 80 + [1] * 20)
    data = SequenceDataset(np.zeros((100, 2, 1)), y)
    train, valid = ValidationSplit(0.2, "stratified", seed=0)(data)
    assert len(valid) == 20
    assert valid.targets().sum() == 4
    assert len(set(train.rows) & set(valid.rows)) == 0


def test_random_split_is_seeded():
    data = SequenceDataset(np.zeros((30, 2, 1)), np.arange(30))
    _, a = ValidationSplit(0.3, "random", seed=0)(data)
    _, b = ValidationSplit(0.3, "random", seed=0)(data)
    _, c = ValidationSplit(0.3, "random", seed=1)(data)
    assert a.rows.tolist() == b.rows.tolist() != c.rows.tolist()


def test_predict_chunks_have_a_fixed_number_of_rows():
    X = np.arange(10 * 3, dtype=float).reshape(10, 3, 1) + 1
    seen = []
    for batch, n_real in predict_chunks(X, None, None, chunk=4):
        assert batch.shape == (4, 3, 1)
        assert batch[n_real:].abs().sum() == 0  # padding rows are zeros
        seen.append(batch[:n_real].clone())
    assert [len(b) for b in seen] == [4, 4, 2]
    np.testing.assert_array_equal(torch.cat(seen).numpy(), X.astype(np.float32))


def test_predict_chunks_standardise_like_training_batches():
    X = _windows(n=9)
    mean, scale = X.mean(axis=(0, 1)), X.std(axis=(0, 1))
    data = SequenceDataset(X, mean=mean, scale=scale)
    expected, _ = data.batch(np.arange(9))
    got = torch.cat([b[:n].clone() for b, n in predict_chunks(X, mean, scale, chunk=4)])
    assert torch.equal(got, expected)
