"""LSTMRegressor(window_scaling=...): each sequence scaled by its own statistics."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from sklstm import LSTMRegressor, forecast, load_model, save_model, sliding_windows
from sklstm._sequences import RaggedSequences, window_stats

from ._params import FAST

SCALINGS = ["standard", "mean_abs", "robust"]
LEVELS = (1.0, 1e3, 1e6)
WINDOW = 24


def _panel(seed: int = 0, n_steps: int = 240) -> list[np.ndarray]:
    """Three seasonal series of one shape, at levels 1, 1,000 and 1,000,000."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_steps)
    return [
        level
        * (2 + np.sin(2 * np.pi * t / 12 + phase) + 0.05 * rng.normal(size=t.size))
        for level, phase in zip(LEVELS, (0.0, 1.0, 2.0), strict=True)
    ]


def _windows(series: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    pairs = [sliding_windows(s, WINDOW) for s in series]
    return np.concatenate([p[0] for p in pairs]), np.concatenate([p[1] for p in pairs])


@pytest.fixture(scope="module")
def panel_model() -> LSTMRegressor:
    X, y = _windows(_panel())
    return LSTMRegressor(**FAST, window_scaling="standard").fit(X, y)


# --------------------------------------------------------------- statistics


@pytest.mark.parametrize("how", SCALINGS)
def test_window_stats_are_each_sequences_own(how):
    X = np.random.default_rng(0).normal(3.0, 2.0, size=(5, 7, 2))
    loc, scale = window_stats(X, how, channel=1)
    assert loc.shape == scale.shape == (5,)
    column = X[:, :, 1]
    if how == "standard":
        np.testing.assert_allclose(loc, column.mean(axis=1))
        np.testing.assert_allclose(scale, column.std(axis=1))
    elif how == "mean_abs":
        np.testing.assert_array_equal(loc, 0.0)
        np.testing.assert_allclose(scale, np.abs(column).mean(axis=1))
    else:
        median = np.median(column, axis=1)
        np.testing.assert_allclose(loc, median)
        mad = np.median(np.abs(column - median[:, None]), axis=1)
        np.testing.assert_allclose(scale, 1.4826 * mad)
    # only the first steps, when asked
    first, _ = window_stats(X, how, channel=1, steps=3)
    np.testing.assert_allclose(first, window_stats(X[:, :3], how, channel=1)[0])


@pytest.mark.parametrize("how", SCALINGS)
def test_window_stats_of_ragged_sequences_skip_padding(how):
    rng = np.random.default_rng(1)
    sequences = [rng.normal(5.0, 1.0, size=(n, 1)) for n in (3, 8, 5)]
    ragged = RaggedSequences(
        np.concatenate(sequences), np.array([len(s) for s in sequences])
    )
    loc, scale = window_stats(ragged, how)
    for row, seq in enumerate(sequences):
        one_loc, one_scale = window_stats(seq[np.newaxis], how)
        np.testing.assert_allclose(loc[row], one_loc[0])
        np.testing.assert_allclose(scale[row], one_scale[0])


@pytest.mark.parametrize("how", SCALINGS)
def test_flat_and_zero_sequences_get_a_moderate_scale(how):
    X = np.stack([np.full((6, 1), 2e6), np.zeros((6, 1))])
    loc, scale = window_stats(X, how)
    assert loc[0] == pytest.approx(0.0 if how == "mean_abs" else 2e6)
    # a flat sequence: 1 % of its level (mean_abs: the level itself)
    assert scale[0] == pytest.approx(2e6 if how == "mean_abs" else 2e4)
    assert loc[1] == 0.0
    assert scale[1] == 1.0


def test_robust_scaling_of_a_sparse_sequence_uses_the_mean_deviation():
    sparse = np.zeros((1, 14, 1))
    sparse[0, [4, 9], 0] = [3.0, 2.0]  # median 0, median absolute deviation 0
    loc, scale = window_stats(sparse, "robust")
    assert loc[0] == 0.0
    assert scale[0] == pytest.approx(1.2533 * 5.0 / 14)
    assert (3.0 - loc[0]) / scale[0] < 10  # no blown-up inputs


# ---------------------------------------------------------- the estimator


def test_series_of_levels_one_to_a_million_are_all_forecast():
    series = _panel()
    X, y = _windows([s[:-12] for s in series])
    errors = {}
    for how in (None, "standard"):
        model = LSTMRegressor(**FAST, window_scaling=how).fit(X, y)
        # MASE of a 12-step recursive forecast, per series
        errors[how] = [
            np.mean(np.abs(forecast(model, s[:-12], 12) - s[-12:]))
            / np.mean(np.abs(np.diff(s[:-12])))
            for s in series
        ]
    assert max(errors["standard"]) < 0.5, errors
    # without it, the smallest series drowns in the scale of the largest
    assert errors[None][0] > 10 * max(errors["standard"]), errors


@pytest.mark.parametrize("loss", ["squared_error", "quantile"])
def test_scaling_a_sequence_scales_its_predictions(panel_model, loss):
    X, y = _windows(_panel())
    model = panel_model
    if loss == "quantile":
        model = LSTMRegressor(
            **{**FAST, "max_epochs": 5}, window_scaling="standard", loss="quantile"
        ).fit(X, y)
    scaled = X.copy()
    scaled[:10] *= 1000.0
    before, after = model.predict(X), model.predict(scaled)
    np.testing.assert_allclose(after[:10], 1000.0 * before[:10], rtol=1e-4)
    np.testing.assert_array_equal(after[10:], before[10:])
    if loss == "quantile":
        q_before, q_after = model.predict_quantiles(X), model.predict_quantiles(scaled)
        np.testing.assert_allclose(q_after[:10], 1000.0 * q_before[:10], rtol=1e-4)
        assert np.all(np.diff(q_after, axis=-1) >= 0)


def test_forecast_scales_with_its_history(panel_model):
    history = _panel()[1]
    base = forecast(panel_model, history, 10)
    np.testing.assert_allclose(forecast(panel_model, history * 1000, 10), base * 1000)
    # each step re-reads its window, as predict on the windows would
    window = history[-WINDOW:].copy()
    by_hand = []
    for _ in range(3):
        by_hand.append(panel_model.predict(window[np.newaxis])[0])
        window = np.append(window[1:], by_hand[-1])
    np.testing.assert_allclose(base[:3], by_hand, rtol=1e-6)


def test_the_target_channel_is_scaled_and_the_others_standardised():
    rng = np.random.default_rng(2)
    level = rng.choice([1.0, 100.0], size=200)
    X = rng.normal(size=(200, 12, 2)) + 5.0
    X[:, :, 0] *= level[:, None]
    X[:, :, 1] = rng.integers(0, 2, size=(200, 12))  # a flag, the same everywhere
    y = np.stack([X[:, -1, 0], X[:, -2, 0]], axis=1)
    model = LSTMRegressor(**{**FAST, "max_epochs": 5}, window_scaling="mean_abs")
    model.fit(X, y)
    scaled = X.copy()
    scaled[:, :, 0] *= 3.0
    np.testing.assert_allclose(model.predict(scaled), 3.0 * model.predict(X), rtol=1e-4)
    # the flag is standardised with the statistics of fit, not per window
    np.testing.assert_allclose(model.x_mean_[1], X[:, :, 1].mean())
    flipped = X.copy()
    flipped[:, :, 1] = 1 - flipped[:, :, 1]
    assert not np.allclose(model.predict(flipped), model.predict(X))


def test_the_target_of_panel_windows_sets_the_scale():
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(
        {
            "promo": rng.integers(0, 2, size=120).astype(float),
            "sales": 1000 + rng.normal(size=120).cumsum(),
        }
    )
    X, y = sliding_windows(frame, 10, target="sales", groups=np.zeros(120))
    model = LSTMRegressor(**{**FAST, "max_epochs": 3}, window_scaling="standard")
    model.fit(X, y)
    assert model._target_channel() == 1
    larger, _ = sliding_windows(
        frame.assign(sales=frame["sales"] * 50),
        10,
        target="sales",
        groups=np.zeros(120),
    )
    np.testing.assert_allclose(model.predict(larger), 50 * model.predict(X), rtol=1e-4)


def test_ragged_sequences_are_scaled_by_their_valid_steps():
    rng = np.random.default_rng(3)
    X = [rng.normal(10.0, 1.0, size=int(n)) for n in rng.integers(5, 20, size=60)]
    y = np.array([s[-1] for s in X])
    model = LSTMRegressor(**{**FAST, "max_epochs": 3}, window_scaling="robust")
    model.fit(X, y)
    batch = model.predict(X[:5])
    # the padding of longer neighbours never enters a sequence's statistics
    np.testing.assert_allclose([model.predict([s])[0] for s in X[:5]], batch, rtol=1e-5)
    np.testing.assert_allclose(
        model.predict([s * 50.0 for s in X[:5]]), 50.0 * batch, rtol=1e-4
    )


def test_the_fitted_scaling_decides_predictions(panel_model):
    X, _ = _windows(_panel())
    model = pickle.loads(pickle.dumps(panel_model))
    expected = model.predict(X[:20])
    model.set_params(window_scaling=None)
    assert model.window_scaling_ == "standard"
    np.testing.assert_array_equal(model.predict(X[:20]), expected)


def test_save_and_load_keep_the_scaling(panel_model, tmp_path):
    X, _ = _windows(_panel())
    path = tmp_path / "model.sklstm"
    save_model(panel_model, path)
    loaded = load_model(path)
    assert loaded.window_scaling_ == "standard"
    np.testing.assert_array_equal(loaded.predict(X), panel_model.predict(X))


# ------------------------------------------------------------ bad settings


def test_a_continued_fit_refuses_another_scaling(panel_model):
    X, y = _windows(_panel())
    model = pickle.loads(pickle.dumps(panel_model))
    model.set_params(window_scaling="robust", warm_start=True)
    with pytest.raises(ValueError, match=r"window_scaling='standard'.*now 'robust'"):
        model.fit(X, y)
    with pytest.raises(ValueError, match="window_scaling"):
        model.partial_fit(X, y)


def test_token_ids_refuse_window_scaling():
    X = np.random.default_rng(0).integers(1, 9, size=(20, 6))
    model = LSTMRegressor(**FAST, embedding_dim=4, window_scaling="standard")
    with pytest.raises(ValueError, match=r"token ids.*window_scaling=None"):
        model.fit(X, X[:, -1].astype(float))


def test_unknown_scaling_is_refused():
    with pytest.raises(ValueError, match="window_scaling"):
        LSTMRegressor(window_scaling="minmax").fit(np.ones((4, 3)), np.ones(4))
