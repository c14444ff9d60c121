"""sliding_windows(groups=): the windows of each series of a panel, read when used."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import Ridge
from sklearn.model_selection import cross_val_score

from sklstm import LSTMRegressor, PanelTimeSeriesSplit, sliding_windows
from sklstm.forecasting import WindowArray

from .._params import FAST


def _panel(lengths, offset=1000.0):
    """Series k holds k * offset + 0, 1, 2, ...: every value names its series."""
    groups = np.repeat(np.arange(len(lengths)), lengths)
    values = np.concatenate([k * offset + np.arange(n) for k, n in enumerate(lengths)])
    return values, groups


@settings(max_examples=60, deadline=None)
@given(
    lengths=st.lists(st.integers(1, 30), min_size=1, max_size=6),
    window=st.integers(1, 6),
    horizon=st.integers(1, 3),
)
def test_no_window_or_target_spans_two_series(lengths, window, horizon):
    values, groups = _panel(lengths)
    if max(lengths) < window + horizon:
        with pytest.raises(ValueError, match="Every series is too short"):
            sliding_windows(values, window, horizon, groups=groups)
        return
    with pytest.warns() if min(lengths) < window + horizon else _no_warning():
        X, y = sliding_windows(values, window, horizon, groups=groups)
    dense, y = np.asarray(X), y.reshape(len(X), horizon)
    series = np.floor(np.concatenate([dense, y], axis=1) / 1000.0)
    # every value of a window and of its targets comes from the window's series
    np.testing.assert_array_equal(
        series, np.broadcast_to(X.groups[:, np.newaxis], series.shape)
    )
    # ... in order: the windows of one series, then its targets, step by step
    np.testing.assert_array_equal(np.diff(np.concatenate([dense, y], axis=1)), 1.0)
    # and every window of every long enough series is there, once
    expected = sum(max(n - window - horizon + 1, 0) for n in lengths)
    assert len(X) == expected == len(np.unique(dense[:, 0]))


class _no_warning:
    def __enter__(self):
        import warnings

        self._catch = warnings.catch_warnings()
        self._catch.__enter__()
        warnings.simplefilter("error")

    def __exit__(self, *exc):
        self._catch.__exit__(*exc)


def test_one_series_gives_the_windows_of_sliding_windows():
    values = np.random.default_rng(0).normal(size=(40, 2))
    X, y = sliding_windows(values, 5, 2, target=1, groups=np.zeros(40))
    X_one, y_one = sliding_windows(values, 5, 2, target=1)
    assert isinstance(X, WindowArray)
    assert X.shape == X_one.shape == (34, 5, 2)
    np.testing.assert_array_equal(np.asarray(X), X_one)
    np.testing.assert_array_equal(y, y_one)


def test_a_window_array_indexes_like_the_array_of_its_windows():
    values, groups = _panel([10, 12])
    X, _ = sliding_windows(values, 4, groups=groups)
    dense = np.asarray(X)
    assert X.ndim == 2
    assert len(X) == 14
    assert X.dtype == np.float64
    np.testing.assert_array_equal(X[3], dense[3])
    for key in ([0, 7, 13], slice(2, 9), dense[:, 0] > 1003):
        part = X[key]
        assert isinstance(part, WindowArray)
        np.testing.assert_array_equal(np.asarray(part), dense[key])
        np.testing.assert_array_equal(part.groups, X.groups[key])
    np.testing.assert_array_equal(X[[1, 2], 1:3], dense[[1, 2], 1:3])
    np.testing.assert_array_equal(np.asarray(X[[1, 2], ...]), dense[[1, 2]])
    # a window is a read-only view of the panel
    with pytest.raises(ValueError, match="read-only"):
        X[0][0] = 5.0


def test_the_windows_are_never_copied_as_a_whole():
    rng = np.random.default_rng(0)
    values = rng.normal(size=200_000)
    groups = np.repeat(np.arange(100), 2000)
    tracemalloc.start()
    X, _ = sliding_windows(values, 256, groups=groups)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    dense_size = len(X) * 256 * 8  # about 360 MB
    # a few copies of the 1.6 MB panel and of one index per window, at most
    assert peak < 16 * values.nbytes < dense_size / 10, (peak, dense_size)


def test_a_dataframe_names_its_id_column_and_keeps_the_features():
    frame = pd.DataFrame(
        {
            "store": np.repeat(["a", "b"], [6, 7]),
            "sales": np.arange(13.0),
            "price": np.arange(13.0) * 10,
        }
    )
    X, y = sliding_windows(frame, 3, groups="store", target="sales")
    assert X.shape == (7, 3, 2)
    np.testing.assert_array_equal(np.asarray(X)[0], frame[["sales", "price"]][:3])
    np.testing.assert_array_equal(y, [3, 4, 5, 9, 10, 11, 12])
    np.testing.assert_array_equal(X.groups, list("aaabbbb"))


def test_short_series_are_left_out_with_a_warning_naming_them():
    values, groups = _panel([10, 3, 10, 2])
    with pytest.warns(UserWarning, match=r"2 of 4 series .* 1, 3\. They are left out"):
        X, _ = sliding_windows(values, 4, groups=groups)
    assert set(X.groups) == {0, 2}


@pytest.mark.parametrize(
    ("groups", "match"),
    [
        (np.array([0, 0, 1, 1, 0, 0]), "series 0 are not consecutive.*row 4"),
        (np.array([0, 0, 1]), "groups has 3 ids but series has 6 rows"),
    ],
)
def test_bad_groups_are_refused(groups, match):
    with pytest.raises(ValueError, match=match):
        sliding_windows(np.arange(6.0), 2, groups=groups)


@pytest.mark.parametrize(
    ("stamps", "match"),
    [
        (["2024-01-01", "2024-01-02", "2024-01-02"], "repeats the time stamp"),
        (["2024-01-01", "2024-01-03", "2024-01-02"], "goes back in time"),
    ],
)
def test_time_stamps_must_increase_within_a_series(stamps, match):
    frame = pd.DataFrame(
        {"id": ["a"] * 3 + ["b"] * 3, "y": np.arange(6.0)},
        index=pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", *stamps]),
    )
    with pytest.raises(ValueError, match=f"Series 'b' {match}.*row 5"):
        sliding_windows(frame, 1, groups="id")


def test_the_estimators_fit_and_cross_validate_on_the_windows():
    rng = np.random.default_rng(0)
    t = np.arange(60)
    values = np.concatenate(
        [level * (2 + np.sin(t / 2 + k)) for k, level in enumerate([1.0, 30.0, 500.0])]
    )
    values += 0.01 * rng.normal(size=values.size)
    groups = np.repeat(["x", "y", "z"], 60)
    X, y = sliding_windows(values, 12, groups=groups)
    model = LSTMRegressor(**FAST, window_scaling="standard").fit(X, y)
    # the same as fitting the materialised windows
    dense = LSTMRegressor(**FAST, window_scaling="standard").fit(np.asarray(X), y)
    np.testing.assert_array_equal(model.predict(X), dense.predict(np.asarray(X)))
    # the splitter reads the series of each window from X
    cv = PanelTimeSeriesSplit(2, test_size=5)
    scores = cross_val_score(model, X, y, cv=cv)
    assert np.all(scores > 0.9), scores
    by_hand = cross_val_score(Ridge(), np.asarray(X), y, groups=X.groups, cv=cv)
    np.testing.assert_allclose(cross_val_score(Ridge(), X, y, cv=cv), by_hand)


def test_early_stopping_holds_out_the_last_windows_of_every_series():
    values, groups = _panel([30, 50, 40], offset=1.0)
    X, y = sliding_windows(values, 5, groups=groups)
    model = LSTMRegressor(
        **{**FAST, "max_epochs": 2}, early_stopping=True, validation_fraction=0.2
    )
    from sklstm._training import _data

    split = _data.ValidationSplit(0.2, "tail", seed=0)
    train, valid = split(_data.SequenceDataset(X, y))
    held = valid.rows
    for k, n_windows in enumerate([25, 45, 35]):
        mine = np.flatnonzero(X.groups == k)
        n_held = int(np.ceil(0.2 * n_windows))
        np.testing.assert_array_equal(np.intersect1d(held, mine), mine[-n_held:])
    assert len(train) + len(valid) == len(X)
    model.fit(X, y)
    assert len(model.validation_loss_curve_) == model.n_iter_


def test_bad_values_in_the_panel_name_the_window():
    values, groups = _panel([10, 10])
    X, y = sliding_windows(values, 3, groups=groups)
    broken = values.copy()
    broken[14] = np.nan  # first read by window 9 (rows 12-14 of the panel)
    X = WindowArray(broken[:, np.newaxis], X.starts, 3, X.groups, squeeze=True)
    with pytest.raises(ValueError, match="NaN at sample 9, time step 2"):
        LSTMRegressor(**FAST).fit(X, y)
    # a bad value that no window reads is no error
    values[19] = np.nan  # the last row: only a target
    X, _ = WindowArray(values[:, np.newaxis], X.starts, 3, X.groups), None
    LSTMRegressor(**{**FAST, "max_epochs": 1}).fit(X, y)


def test_early_stopping_holds_out_the_latest_windows_after_a_shuffle():
    from sklearn.utils import shuffle

    from sklstm._training import _data

    values, groups = _panel([30, 40], offset=1.0)
    X, y = sliding_windows(values, 5, groups=groups)
    mixed, _ = shuffle(X, y, random_state=0)
    split = _data.ValidationSplit(0.2, "tail", seed=0)
    _, valid = split(_data.SequenceDataset(mixed, y))
    held_starts = np.sort(mixed.starts[valid.rows])
    expected = np.r_[X.starts[X.groups == 0][-5:], X.starts[X.groups == 1][-7:]]
    np.testing.assert_array_equal(held_starts, np.sort(expected))
