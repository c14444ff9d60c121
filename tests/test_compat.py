"""The private scikit-learn and skorch names sklstm relies on still exist.

CI runs this with the oldest supported and the newest versions, so that a
rename in either shows up here rather than as a failure deep in training.
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest
import skorch
from skorch.callbacks import EarlyStopping

from sklstm import LSTMRegressor, _compat

from ._params import FAST


@pytest.mark.parametrize(
    ("path", "attribute"), _compat.SKORCH_PRIVATE, ids=lambda x: str(x)
)
def test_each_private_skorch_name_exists(path, attribute):
    module_name, class_name = path.rsplit(".", 1)
    owner = getattr(importlib.import_module(module_name), class_name)
    assert hasattr(owner, attribute), f"skorch {skorch.__version__}: {path}.{attribute}"


def test_the_skorch_helpers_read_a_trained_net():
    X = np.random.RandomState(0).normal(size=(40, 6))
    model = LSTMRegressor(**{**FAST, "max_epochs": 1}).fit(X, X[:, -1])
    assert _compat.module_names(model.net_) == ["module", "criterion"]


def test_the_early_stopping_helpers_follow_skorch(capsys):
    callback = EarlyStopping(monitor="valid_loss", threshold=0.1, threshold_mode="abs")
    callback.initialize()
    callback.on_train_begin(net=None)
    assert _compat.score_improved(callback, 1.0)
    assert _compat.new_threshold(callback, 1.0) == pytest.approx(0.9)
    # print is silenced unless verbose; any other sink always receives the text
    _compat.sink(callback, "quiet", verbose=0)
    _compat.sink(callback, "stopping", verbose=1)
    assert capsys.readouterr().out == "stopping\n"
    printed: list[str] = []
    callback.sink = printed.append
    _compat.sink(callback, "logged", verbose=0)
    assert printed == ["logged"]


def test_skorch_calls_the_overridden_set_training(monkeypatch):
    from sklstm._training._net import _SequenceNet

    calls: list[bool] = []
    original = _SequenceNet._set_training

    def spy(self, training=True):
        calls.append(training)
        original(self, training)

    monkeypatch.setattr(_SequenceNet, "_set_training", spy)
    X = np.random.RandomState(0).normal(size=(40, 6))
    LSTMRegressor(**{**FAST, "max_epochs": 1}).fit(X, X[:, -1])
    assert True in calls  # skorch switched to training through sklstm's override
