"""A memory-mapped series trains and predicts without being copied into memory."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.pipeline import Pipeline
from skorch.callbacks import Callback

from sklstm import LSTMRegressor, SequenceWindower, WindowArray
from sklstm._sequences import memory_mapped

from ._params import FAST


@pytest.fixture
def on_disk(tmp_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """A float32 series saved with np.save, and the same opened as a memmap."""
    rng = np.random.default_rng(0)
    series = (np.sin(np.arange(600) / 4) + 0.1 * rng.normal(size=600)).astype(
        np.float32
    )
    np.save(tmp_path / "series.npy", series)
    return series, np.load(tmp_path / "series.npy", mmap_mode="r")


@pytest.mark.parametrize("padding", ["edge", "zeros"])
def test_windows_of_a_memmap_are_read_from_the_file(on_disk, padding):
    series, mapped = on_disk
    windower = SequenceWindower(5, padding=padding).fit(mapped)
    windows = windower.transform(mapped)
    assert isinstance(windows, WindowArray)
    assert memory_mapped(windows.values)  # the file itself, not a copy
    expected = SequenceWindower(5, padding=padding).fit(series).transform(series)
    np.testing.assert_array_equal(np.asarray(windows), expected)
    np.testing.assert_array_equal(windows[2], expected[2])  # a padded one
    # rows after the fitted series continue from its last rows
    later = windower.transform(mapped[100:150])
    fitted_on_memory = SequenceWindower(5, padding=padding).fit(series)
    np.testing.assert_array_equal(
        np.asarray(later), fitted_on_memory.transform(series[100:150])
    )


def test_a_pipeline_on_a_memmap_equals_one_in_memory(on_disk):
    series, mapped = on_disk

    def fitted(values):
        model = LSTMRegressor(**{**FAST, "max_epochs": 2})
        pipe = Pipeline([("w", SequenceWindower(8)), ("m", model)])
        return pipe.fit(values[:-1], values[1:]).predict(values[:-1])

    np.testing.assert_array_equal(fitted(mapped), fitted(series))


def test_memmap_targets_are_standardised_batch_by_batch(on_disk):
    series, mapped = on_disk
    X = np.lib.stride_tricks.sliding_window_view(series[:-1], 8)[:, :, np.newaxis]
    on_file = LSTMRegressor(**{**FAST, "max_epochs": 2}).fit(X, mapped[8:])
    in_memory = LSTMRegressor(**{**FAST, "max_epochs": 2}).fit(X, series[8:])
    np.testing.assert_allclose(on_file.y_mean_, in_memory.y_mean_, rtol=1e-12)
    np.testing.assert_allclose(on_file.y_scale_, in_memory.y_scale_, rtol=1e-12)
    np.testing.assert_allclose(on_file.predict(X), in_memory.predict(X), rtol=1e-5)


def test_a_memmap_with_a_huge_target_is_refused(tmp_path):
    y = np.ones(50, dtype=np.float32)
    y[7] = np.float32(3e38)
    y = np.append(y, np.float32(np.finfo(np.float32).max))
    np.save(tmp_path / "y.npy", y.astype(np.float64) * 10)
    mapped = np.load(tmp_path / "y.npy", mmap_mode="r")
    X = np.zeros((len(mapped), 3, 1))
    with pytest.raises(ValueError, match=r"y contains 3e\+39 at sample 7"):
        LSTMRegressor(**FAST).fit(X, mapped)


def test_the_windows_of_a_memmap_hold_no_memory_per_window(on_disk):
    _, mapped = on_disk
    windows = SequenceWindower(8).fit(mapped).transform(mapped)
    # the starts are a range, whatever the series' length
    assert isinstance(windows._starts, range)
    np.testing.assert_array_equal(windows.starts, np.arange(len(mapped)) - 7)


class _RowsSeen(Callback):
    """Records the targets of every training batch, per epoch."""

    def initialize(self):
        self.epochs = []
        return self

    def on_epoch_begin(self, net, **kwargs):
        self.epochs.append([])

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        if training:
            self.epochs[-1].extend(batch[1][:, 0].tolist())


@pytest.mark.parametrize(
    ("budget", "per_epoch"), [(100, 100), (0.25, 150), (10**6, 599)]
)
def test_an_epoch_budget_trains_on_distinct_windows(on_disk, budget, per_epoch):
    _, mapped = on_disk
    model = LSTMRegressor(
        **{**FAST, "max_epochs": 3},
        samples_per_epoch=budget,
        standardize_target=False,
        callbacks=[_RowsSeen()],
    )
    Pipeline([("w", SequenceWindower(8)), ("m", model)]).fit(mapped[:-1], mapped[1:])
    callbacks = dict(model.net_.callbacks_).values()
    (seen,) = [c for c in callbacks if isinstance(c, _RowsSeen)]
    assert len(seen.epochs) == model.n_iter_ == 3
    # targets are the series' values, distinct here: one per window drawn
    for rows in seen.epochs:
        assert len(rows) == len(set(rows)) == per_epoch
    draws = {frozenset(rows) for rows in seen.epochs}
    assert len(draws) == (1 if per_epoch == 599 else 3)  # all, or new each epoch


def test_a_budgeted_pipeline_on_a_memmap_equals_one_in_memory(on_disk):
    series, mapped = on_disk

    def fitted(values):
        model = LSTMRegressor(
            **FAST, samples_per_epoch=64, early_stopping=True, n_iter_no_change=3
        )
        pipe = Pipeline([("w", SequenceWindower(8)), ("m", model)])
        return pipe.fit(values[:-1], values[1:])

    on_file, in_memory = fitted(mapped), fitted(series)
    assert on_file[-1].n_iter_ == in_memory[-1].n_iter_
    np.testing.assert_array_equal(
        on_file.predict(series[:-1]), in_memory.predict(series[:-1])
    )


def test_auto_epochs_count_the_steps_of_the_budget():
    model = LSTMRegressor(batch_size=32)
    assert model._max_epochs(3200) == 50  # 100 steps an epoch: the fewest epochs
    model.set_params(samples_per_epoch=64)
    assert model._max_epochs(3200) == 500  # 2 steps an epoch: the most
    model.set_params(samples_per_epoch=0.05)
    assert model._max_epochs(3200) == 200  # 160 rows, 5 steps an epoch


def test_a_memmap_target_far_from_the_first_fit_is_refused_by_sample(tmp_path):
    X = np.random.default_rng(0).normal(size=(50, 3, 1))
    # first targets of a tiny spread: 1e4 is then 3e40 standard deviations away
    model = LSTMRegressor(**FAST).partial_fit(X, np.linspace(0.0, 1e-36, 50))
    y = np.linspace(0.0, 1e-36, 50)
    y[31] = 1e4
    np.save(tmp_path / "y.npy", y)
    mapped = np.load(tmp_path / "y.npy", mmap_mode="r")
    message = r"y contains 1e\+04 at sample 31: 3.4e\+40 standard deviations"
    with pytest.raises(ValueError, match=message):
        model.partial_fit(X, mapped)
