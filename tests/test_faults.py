"""Training faults: a diverging loss, an interrupted fit.

Degenerate targets (a constant target, a single class) are the output heads'
business: tests/test_targets.py.
"""

from __future__ import annotations

import _thread
import threading

import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning
from skorch.callbacks import Callback

from sklstm import LSTMClassifier, LSTMRegressor

from ._params import FAST

# this file's variant of FAST: a smaller model, a few epochs
PARAMS = {**FAST, "hidden_size": 4, "max_epochs": 6}
#: the first k epochs of a longer fit equal a fit of k epochs at a constant rate
CONSTANT = {**PARAMS, "lr_schedule": "constant"}


def _data(n: int = 96, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    X = np.random.default_rng(seed).normal(size=(n, 8))
    return X, X[:, -1] + 0.5 * X[:, -2]


class _PoisonWeights(Callback):  # type: ignore[misc]
    """Make the weights NaN at the start of a given epoch (1-based)."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch

    def on_epoch_begin(self, net, **kwargs):
        if len(net.history) == self.epoch:
            with torch.no_grad():
                next(net.module_.parameters()).fill_(float("nan"))


class _PoisonAfterLastBatch(Callback):  # type: ignore[misc]
    """Make the weights infinite after the last training batch of an epoch."""

    def __init__(self, epoch: int, batches: int) -> None:
        self.epoch, self.batches = epoch, batches

    def on_batch_end(self, net, training=False, **kwargs):
        row = net.history[-1]
        if training and len(net.history) == self.epoch:
            if len(row["batches"]) == self.batches:
                with torch.no_grad():
                    next(net.module_.parameters())[0, 0] = float("inf")


class _InterruptAt(Callback):  # type: ignore[misc]
    """Raise KeyboardInterrupt, as Ctrl-C does, in the middle of a given epoch."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch

    def on_batch_end(self, net, training=False, **kwargs):
        if training and len(net.history) == self.epoch:
            raise KeyboardInterrupt


# ----------------------------------------------------------- divergence


def test_a_diverging_loss_warns_and_keeps_the_last_finite_epoch():
    X, y = _data()
    model = LSTMRegressor(**CONSTANT, callbacks=[_PoisonWeights(epoch=4)])
    with pytest.warns(ConvergenceWarning, match=r"training loss became nan in epoch 4"):
        model.fit(X, y)
    assert model.n_iter_ == 3
    assert len(model.loss_curve_) == 3
    assert np.isfinite(model.loss_curve_).all()
    # the weights are exactly those after 3 epochs of the same training
    reference = LSTMRegressor(**{**CONSTANT, "max_epochs": 3}).fit(X, y)
    np.testing.assert_array_equal(model.predict(X), reference.predict(X))


def test_weights_that_end_an_epoch_infinite_roll_back_to_the_epoch_before():
    X, y = _data()  # 96 rows: 3 batches of 32 an epoch
    model = LSTMRegressor(**CONSTANT, callbacks=[_PoisonAfterLastBatch(5, batches=3)])
    with pytest.warns(ConvergenceWarning, match=r"weights became infinite or NaN"):
        model.fit(X, y)
    assert model.n_iter_ == 4
    # the copy kept after epoch 4 was refreshed in place each epoch before
    reference = LSTMRegressor(**{**CONSTANT, "max_epochs": 4}).fit(X, y)
    np.testing.assert_array_equal(model.predict(X), reference.predict(X))
    # and the optimizer's state too: two more epochs continue as one fit would
    model.set_params(callbacks=None, warm_start=True, max_epochs=2).fit(X, y)
    longer = LSTMRegressor(**{**CONSTANT, "max_epochs": 4, "warm_start": True})
    longer.fit(X, y).set_params(max_epochs=2).fit(X, y)
    np.testing.assert_array_equal(model.predict(X), longer.predict(X))


def test_a_diverged_model_can_continue_training():
    X, y = _data()
    model = LSTMRegressor(**PARAMS, callbacks=[_PoisonWeights(epoch=3)])
    with pytest.warns(ConvergenceWarning):
        model.fit(X, y)
    model.set_params(callbacks=None, warm_start=True, max_epochs=2).fit(X, y)
    assert model.n_iter_ == 4
    assert np.isfinite(model.predict(X)).all()


def test_an_absurd_learning_rate_fails_with_advice():
    X, y = _data(256)
    model = LSTMRegressor(**{**PARAMS, "lr": 1e20, "optimizer": "sgd"})
    with pytest.raises(ValueError, match=r"could not train: the training loss") as exc:
        model.fit(X, y)
    assert "Lower the learning rate (lr=1e+20)" in str(exc.value)
    assert not hasattr(model, "net_")  # unfitted, not silently broken


def test_divergence_with_early_stopping_keeps_finite_weights():
    X, y = _data(200)
    model = LSTMRegressor(
        **PARAMS, early_stopping=True, callbacks=[_PoisonWeights(epoch=3)]
    )
    with pytest.warns(ConvergenceWarning, match="epoch 3"):
        model.fit(X, y)
    assert model.n_iter_ == 2
    assert np.isfinite(model.validation_loss_curve_).all()
    assert np.isfinite(model.predict(X)).all()


def test_the_classifier_rolls_back_too():
    X, y = _data()
    model = LSTMClassifier(**PARAMS, callbacks=[_PoisonWeights(epoch=2)])
    with pytest.warns(ConvergenceWarning, match="epoch 2"):
        model.fit(X, y > 0)
    proba = model.predict_proba(X)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_no_copy_of_the_weights_stays_in_the_fitted_net():
    X, y = _data()
    model = LSTMRegressor(**PARAMS).fit(X, y)
    guard = dict(model.net_.callbacks_)["finite_guard"]
    assert guard._good is None
    assert guard.message_ is None


# ---------------------------------------------------------- interruption


def test_an_interrupted_fit_raises_and_leaves_a_usable_estimator():
    X, y = _data()
    model = LSTMRegressor(**PARAMS, callbacks=[_InterruptAt(epoch=3)])
    with pytest.raises(KeyboardInterrupt, match="after 2 complete epochs"):
        model.fit(X, y)
    assert model.n_iter_ == 2
    assert np.isfinite(model.predict(X)).all()
    # continuing works both ways
    model.set_params(callbacks=None, warm_start=True, max_epochs=2).fit(X, y)
    assert model.n_iter_ == 4
    model.partial_fit(X, y)
    assert model.n_iter_ == 5


def test_an_interrupted_partial_fit_raises_and_keeps_the_model():
    X, y = _data()
    model = LSTMRegressor(**PARAMS).partial_fit(X, y)
    before = model.predict(X)
    model.set_params(callbacks=[_InterruptAt(epoch=2)])
    with pytest.raises(KeyboardInterrupt, match="after 1 complete epochs"):
        model.partial_fit(X, y)
    assert model.n_iter_ == 1
    after = model.predict(X)
    assert np.isfinite(after).all()
    assert not np.array_equal(before, after)  # the interrupted batches count


def test_interrupted_in_the_first_epoch_is_still_usable():
    X, y = _data()
    model = LSTMClassifier(**PARAMS, callbacks=[_InterruptAt(epoch=1)])
    with pytest.raises(KeyboardInterrupt, match="after 0 complete epochs"):
        model.fit(X, y > 0)
    assert model.n_iter_ == 0
    assert model.best_loss_ == np.inf
    assert set(model.predict(X)) <= {False, True}


def test_a_real_interrupt_signal_during_fit():
    X, y = _data(64)
    model = LSTMRegressor(**{**PARAMS, "max_epochs": 100_000})
    timer = threading.Timer(1.0, _thread.interrupt_main)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt, match="complete epochs"):
            model.fit(X, y)
    finally:
        timer.cancel()
    assert 0 < model.n_iter_ < 100_000
    assert np.isfinite(model.predict(X)).all()
