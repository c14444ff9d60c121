"""lr_schedule: the learning rate of every optimiser step."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from skorch.callbacks import Callback, LRScheduler

from sklstm import LSTMClassifier, LSTMRegressor

from .._datasets import sine_windows
from .._params import FAST


class _RecordLR(Callback):  # type: ignore[misc]
    """The rate each training step of one fit is taken with."""

    def on_train_begin(self, net, **kwargs):
        self.rates_: list[float] = []

    def on_batch_end(self, net, training=False, **kwargs):
        if training:
            self.rates_.append(net.optimizer_.param_groups[0]["lr"])


def _rates(model, X, y, *, partial=False):
    """The recorded rates of one fit (or partial_fit) of ``model``."""
    model.fit(X, y) if not partial else model.partial_fit(X, y)
    return dict(model.net_.callbacks_)["user_0__RecordLR"].rates_


def _warm_model(schedule):
    """Two steps an epoch (40 rows), two epochs a fit, each fit continuing."""
    return LSTMRegressor(
        **{**FAST, "max_epochs": 2, "batch_size": 20},
        lr_schedule=schedule,
        warm_start=True,
        callbacks=[_RecordLR()],
    )


def _cosine(lr, steps):
    return [lr * (1 + math.cos(math.pi * s / steps)) / 2 for s in range(steps)]


def test_cosine_lowers_the_rate_step_by_step_and_restores_it():
    X, y = sine_windows(40, seq_len=5)  # batches of 16, 16 and 8
    model = LSTMRegressor(
        **{**FAST, "max_epochs": 3, "batch_size": 16},
        lr_schedule="cosine",
        callbacks=[_RecordLR()],
    )
    rates = _rates(model, X, y)
    np.testing.assert_allclose(rates, _cosine(FAST["lr"], 9), rtol=1e-12)
    assert rates[0] == FAST["lr"]
    assert rates[-1] < 0.035 * FAST["lr"]
    # after fit the optimizer holds lr again, for whatever continues training
    assert model.net_.optimizer_.param_groups[0]["lr"] == FAST["lr"]


def test_constant_keeps_the_rate():
    X, y = sine_windows(40, seq_len=5)
    model = LSTMRegressor(
        **{**FAST, "max_epochs": 2}, lr_schedule="constant", callbacks=[_RecordLR()]
    )
    assert _rates(model, X, y) == [FAST["lr"]] * 4


def test_the_defaults_are_cosine_for_the_regressor_and_constant_for_the_classifier():
    # chosen with benchmarks/bench_quality.py (see the user guide)
    assert LSTMRegressor().lr_schedule == "cosine"
    assert LSTMClassifier().lr_schedule == "constant"
    assert LSTMRegressor().lr == LSTMClassifier().lr == 3e-3


def test_the_schedule_counts_the_steps_of_an_epoch_budget_and_the_holdout():
    X, y = np.random.RandomState(0).normal(size=(100, 5)), np.arange(100) % 2
    model = LSTMClassifier(
        **{**FAST, "max_epochs": 4, "batch_size": 8},
        conv_filters=None,
        samples_per_epoch=0.5,
        early_stopping=True,
        n_iter_no_change=10,
        validation_fraction=0.2,
        lr_schedule="cosine",
        callbacks=[_RecordLR()],
    )
    # 80 training rows, 40 a epoch: 5 steps in each of 4 epochs
    np.testing.assert_allclose(_rates(model, X, y), _cosine(FAST["lr"], 20))


def test_a_warm_start_decays_afresh_and_partial_fit_keeps_the_rate():
    X, y = sine_windows(40, seq_len=5)
    model = _warm_model("cosine")
    first = _rates(model, X, y)
    second = _rates(model, X, y)
    np.testing.assert_allclose(first, _cosine(FAST["lr"], 4))
    np.testing.assert_allclose(second, first)
    assert _rates(model, X, y, partial=True) == [FAST["lr"]] * 2
    assert model.n_iter_ == 5


def test_cosine_trains_to_other_weights_than_constant_from_one_seed():
    X, y = sine_windows(60, seq_len=5)
    settings = {**FAST, "max_epochs": 3}
    constant = LSTMRegressor(**settings, lr_schedule="constant").fit(X, y)
    cosine = LSTMRegressor(**settings, lr_schedule="cosine").fit(X, y)
    again = LSTMRegressor(**settings, lr_schedule="cosine").fit(X, y)
    assert not np.allclose(constant.predict(X), cosine.predict(X))
    np.testing.assert_array_equal(cosine.predict(X), again.predict(X))


class _StepDecay(LRScheduler):  # type: ignore[misc]
    """A user's own scheduler class."""


@pytest.mark.parametrize(
    "given",
    [
        LRScheduler(policy="StepLR", step_size=1, gamma=0.5),
        ("decay", LRScheduler(policy="StepLR", step_size=1, gamma=0.5)),
        LRScheduler,  # skorch builds a callback given as a class
        _StepDecay(policy="StepLR", step_size=1, gamma=0.5),
    ],
    ids=["instance", "named", "class", "subclass"],
)
def test_a_user_lr_scheduler_with_cosine_is_refused_with_the_fix(given):
    X, y = sine_windows(40, seq_len=5)
    model = LSTMRegressor(**FAST, lr_schedule="cosine", callbacks=[given])
    with pytest.raises(ValueError, match="lr_schedule='constant'"):
        model.fit(X, y)
    assert not hasattr(model, "net_")  # a failed fresh fit leaves it unfitted
    model.set_params(lr_schedule="constant", max_epochs=1).fit(X, y)
    assert model.n_iter_ == 1


def test_an_unknown_schedule_is_refused():
    X, y = sine_windows(40, seq_len=5)
    with pytest.raises(ValueError, match="lr_schedule"):
        LSTMRegressor(**FAST, lr_schedule="linear").fit(X, y)


def test_a_pickle_from_before_schedules_trains_at_a_constant_rate():
    X, y = sine_windows(40, seq_len=5)
    model = LSTMRegressor(**{**FAST, "max_epochs": 1}, lr_schedule="constant")
    model.fit(X, y)
    state = pickle.loads(pickle.dumps(model)).__dict__
    del state["lr_schedule"]  # what such a pickle lacks
    old = LSTMRegressor.__new__(LSTMRegressor)
    old.__setstate__(state)
    assert old.get_params()["lr_schedule"] == "constant"
    np.testing.assert_array_equal(old.predict(X), model.predict(X))
    old.set_params(warm_start=True, callbacks=[_RecordLR()])
    assert _rates(old, X, y) == [FAST["lr"]] * 2


def test_the_schedule_may_change_between_warm_starts():
    X, y = sine_windows(40, seq_len=5)
    model = _warm_model("constant")
    assert _rates(model, X, y) == [FAST["lr"]] * 4
    model.set_params(lr_schedule="cosine")
    np.testing.assert_allclose(_rates(model, X, y), _cosine(FAST["lr"], 4))
    assert model.n_iter_ == 4


class _FailMidway(Callback):  # type: ignore[misc]
    """Raise after the fourth training step of a fit (of six, with FAST)."""

    def on_train_begin(self, net, **kwargs):
        self.steps_ = 0

    def on_batch_end(self, net, training=False, **kwargs):
        self.steps_ += training
        if self.steps_ == 4:
            raise RuntimeError("out of memory")


def test_an_error_during_a_cosine_fit_leaves_the_optimizer_at_lr():
    X, y = sine_windows(40, seq_len=5)
    model = LSTMRegressor(**{**FAST, "max_epochs": 3}, lr_schedule="cosine")
    model.fit(X, y)
    model.set_params(warm_start=True, callbacks=[_FailMidway()])
    with pytest.raises(RuntimeError, match="out of memory"):
        model.fit(X, y)  # stopped halfway down the cosine
    # a continuing fit keeps the network, whose optimizer holds lr again
    assert model.net_.optimizer_.param_groups[0]["lr"] == FAST["lr"]
