"""The callbacks sklstm adds to skorch's training loop."""

from __future__ import annotations

import io
import sys

import numpy as np
import pytest
import torch
from sklearn.metrics import accuracy_score, r2_score
from skorch.history import History

from sklstm import LSTMClassifier, LSTMRegressor
from sklstm._targets import accuracy_of_raw, r2_of_raw
from sklstm._training._callbacks import ValidationScore

from .._datasets import sine_windows
from .._params import FAST


class _Net:
    """What ValidationScore uses of a skorch net: its history."""

    def __init__(self) -> None:
        self.history = History()
        self.history.new_epoch()


@pytest.mark.parametrize(
    ("score", "reference"),
    [(r2_of_raw, "r2"), (accuracy_of_raw, "accuracy")],
    ids=["r2", "accuracy"],
)
def test_validation_score_joins_the_validation_batches(score, reference):
    rng = np.random.RandomState(0)
    if reference == "r2":
        raw = rng.normal(size=(30, 2))
        true = raw + rng.normal(scale=0.5, size=(30, 2))
        expected = r2_score(true, raw)
        target = torch.tensor(true, dtype=torch.float32)
    else:
        raw = rng.normal(size=(30, 3))
        labels = rng.randint(0, 3, size=30)
        expected = accuracy_score(labels, raw.argmax(axis=1))
        target = torch.tensor(labels)
    callback, net = ValidationScore(score), _Net()
    callback.on_epoch_begin(net)
    for rows in (slice(0, 12), slice(12, 30)):  # two validation batches
        batch = (None, target[rows])
        prediction = torch.tensor(raw[rows], dtype=torch.float32)
        callback.on_batch_end(net, batch=batch, training=False, y_pred=prediction)
        # training batches are not validation data
        callback.on_batch_end(net, batch=batch, training=True, y_pred=prediction * 0)
    callback.on_epoch_end(net)
    assert net.history[-1]["valid_score"] == pytest.approx(expected, rel=1e-6)
    callback.on_train_end(net)
    assert callback.preds_ == []
    assert callback.trues_ == []


def test_early_stopping_keeps_the_weights_of_the_best_epoch():
    X, y = sine_windows(200, seq_len=8)
    params = {**FAST, "max_epochs": 30, "lr": 0.05}
    model = LSTMRegressor(**params, early_stopping=True, n_iter_no_change=3)
    model.fit(X, y)
    curve = model.validation_loss_curve_
    assert model.best_loss_ == min(curve)
    assert model.n_iter_ < 30  # it stopped early
    # the kept weights give the best epoch's validation loss (tail 10 %)
    valid = slice(len(X) - 20, None)
    raw = model._raw_outputs(X[valid])[:, 0]
    target = (y[valid] - model.y_mean_[0]) / model.y_scale_[0]
    assert np.mean((raw - target) ** 2) == pytest.approx(model.best_loss_, rel=1e-4)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _epoch_table(monkeypatch: pytest.MonkeyPatch, stream: io.StringIO) -> str:
    monkeypatch.setattr(sys, "stdout", stream)
    X = np.random.RandomState(0).normal(size=(40, 6))
    params = {**FAST, "max_epochs": 3, "verbose": 1}
    LSTMClassifier(**params, early_stopping=True).fit(X, X[:, -1] > 0)
    return stream.getvalue()


def test_the_epoch_table_is_plain_text_where_stdout_is_no_terminal(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    text = _epoch_table(monkeypatch, io.StringIO())
    assert "train_loss" in text
    assert "valid_score" in text
    assert "\x1b[" not in text


def test_the_epoch_table_is_coloured_on_a_terminal_unless_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\x1b[" in _epoch_table(monkeypatch, _Terminal())
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in _epoch_table(monkeypatch, _Terminal())
