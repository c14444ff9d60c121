"""Batches, iterators and validation splits (sklstm._training._data)."""

from __future__ import annotations

import numpy as np
import torch

from sklstm._training._data import (
    BatchIterator,
    SequenceDataset,
    ValidationSplit,
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


def test_tail_split_holds_out_the_last_rows():
    data = SequenceDataset(np.zeros((20, 2, 1)), np.arange(20))
    train, valid = ValidationSplit(0.2, "tail", seed=0)(data)
    assert train.targets().tolist() == list(range(16))
    assert valid.targets().tolist() == [16, 17, 18, 19]


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
