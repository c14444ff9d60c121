"""Device selection, and loading a CUDA-trained model on a CPU-only machine."""

from __future__ import annotations

import dataclasses
import pickle
import warnings

import numpy as np
import pytest
import torch

from sklstm import LSTMRegressor
from sklstm._training import resolve_device

from .._datasets import sine_windows
from .._params import FAST, ONE_EPOCH


def test_auto_is_cpu_without_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == "cpu"


def test_auto_is_cuda_when_available(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == "cuda"


def test_explicit_cuda_without_cuda_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match=r"CUDA is not available.*device='auto'"):
        resolve_device("cuda")


def test_cuda_index_beyond_the_devices_is_an_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    assert resolve_device("cuda:0") == "cuda:0"
    with pytest.raises(ValueError, match="1 CUDA device"):
        resolve_device("cuda:1")


@pytest.mark.parametrize("device", ["gpu", "CUDA", "cuda:x", "", "tpu"])
def test_unknown_device_strings_are_rejected(device):
    with pytest.raises(ValueError, match="not a valid device"):
        resolve_device(device)


def test_unknown_device_fails_in_fit():
    X, y = sine_windows(20, seq_len=5)
    with pytest.raises(ValueError, match="not a valid device"):
        LSTMRegressor(device="gpu").fit(X, y)


def test_estimator_records_the_resolved_device(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    X, y = sine_windows(20, seq_len=5)
    model = LSTMRegressor(**{**ONE_EPOCH, "device": "auto"}).fit(X, y)
    assert model.device == "auto"  # the parameter is untouched
    assert model.device_ == "cpu"


def test_a_model_whose_net_was_on_cuda_loads_on_a_cpu_only_machine():
    X, y = sine_windows(40, seq_len=5)
    model = LSTMRegressor(**{**FAST, "max_epochs": 2}).fit(X, y)
    expected = model.predict(X)
    # what a CUDA-trained model carries: skorch's device and ours say "cuda"
    model.net_.device = "cuda"
    model.device_ = "cuda"
    model._built_config = dataclasses.replace(model._built_config, device="cuda")
    blob = pickle.dumps(model)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        restored = pickle.loads(blob)
    assert any("cuda" in str(w.message) for w in caught)
    assert restored.device_ == "cpu"
    np.testing.assert_array_equal(restored.predict(X), expected)
    # and it continues training here
    restored.set_params(warm_start=True, max_epochs=1).fit(X, y)
    restored.partial_fit(X, y)
    assert restored.n_iter_ == 4


@pytest.mark.gpu
def test_fits_and_predicts_on_cuda():
    X, y = sine_windows(100, seq_len=8)
    model = LSTMRegressor(**{**FAST, "device": "cuda"}).fit(X, y)
    assert next(model.net_.module_.parameters()).is_cuda
    assert np.isfinite(model.predict(X)).all()


# ------------------------------------------------ the optimizer's step kernel


@pytest.mark.parametrize("name", ["adam", "adamw", "sgd", "rmsprop"])
def test_named_optimizers_take_torchs_fastest_step_where_it_has_one(name):
    from sklstm._training._net import _fast_step

    fast = _fast_step(name, "cpu")
    model = LSTMRegressor(**{**ONE_EPOCH, "optimizer": name}).fit(
        *sine_windows(64, seq_len=6)
    )
    defaults = model.net_.optimizer_.defaults
    if fast is None:
        assert not defaults.get("fused")
        assert not defaults.get("foreach")
    else:
        assert defaults[fast] is True
    # torch 2.4 and later have fused CPU kernels for these three
    major, minor = (int(part) for part in torch.__version__.split(".")[:2])
    if name in ("adam", "adamw", "sgd") and (major, minor) >= (2, 4):
        assert fast == "fused"


def test_an_optimizer_class_is_used_as_given():
    model = LSTMRegressor(**{**ONE_EPOCH, "optimizer": torch.optim.Adam})
    defaults = model.fit(*sine_windows(64, seq_len=6)).net_.optimizer_.defaults
    assert not defaults.get("fused")
    assert not defaults.get("foreach")


def test_no_fast_step_is_asked_of_a_device_that_cannot_run_it():
    from sklstm._training._net import _fast_step

    if torch.cuda.is_available():
        pytest.skip("a CUDA device is here")
    # the trial step on the missing device fails, so no option is passed
    assert _fast_step("adam", "cuda") is None


@pytest.mark.gpu
def test_a_cuda_trained_model_pickles_and_its_state_is_plain_cpu_tensors():
    from sklstm._training import net_state

    X, y = sine_windows(300, seq_len=12)
    model = LSTMRegressor(**{**FAST, "device": "cuda", "max_epochs": 5}).fit(X, y)
    assert model.device_.startswith("cuda")
    assert model.net_.optimizer_.defaults.get("fused") is True
    on_cuda = model.predict(X)
    copy = pickle.loads(pickle.dumps(model))
    np.testing.assert_allclose(copy.predict(X), on_cuda, rtol=1e-6, atol=1e-6)
    state = net_state(model.net_)["module"]
    assert all(tensor.device.type == "cpu" for tensor in state.values())


@pytest.mark.gpu
def test_two_cuda_fits_with_one_seed_agree():
    X, y = sine_windows(300, seq_len=12)
    params = {**FAST, "device": "cuda", "max_epochs": 3}
    a = LSTMRegressor(**params).fit(X, y).predict(X)
    b = LSTMRegressor(**params).fit(X, y).predict(X)
    # cuDNN's LSTM kernels are deterministic for a fixed seed in training
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
