"""save_model / load_model: a model file that loads without running code."""

from __future__ import annotations

import json
import os
import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklstm import (
    LSTMClassifier,
    LSTMRegressor,
    SequenceWindower,
    TextTokenizer,
    load_model,
    save_model,
)
from sklstm._persistence import FORMAT_VERSION, _digest
from sklstm.datasets import make_negation_reviews

from ._params import FAST

# this file's variant of FAST: a smaller model, a few epochs
PARAMS = {**FAST, "hidden_size": 4, "max_epochs": 3}


def _data(n: int = 64) -> tuple[np.ndarray, np.ndarray]:
    X = np.random.default_rng(0).normal(size=(n, 6, 2))
    return X, X[:, -1, 0] - X[:, -2, 1]


@pytest.fixture
def regressor() -> LSTMRegressor:
    X, y = _data()
    return LSTMRegressor(**PARAMS).fit(X, y)


def _resave(path, payload: dict, *, fix_digest: bool) -> None:
    if fix_digest:
        payload["digest"] = _digest(payload)
    torch.save(payload, path)


def test_round_trip_predicts_identically_and_keeps_fitted_attributes(
    regressor, tmp_path
):
    X, _ = _data()
    path = tmp_path / "model.sklstm"
    save_model(regressor, path)
    loaded = load_model(path)
    assert type(loaded) is LSTMRegressor
    assert loaded.get_params() == regressor.get_params()
    np.testing.assert_array_equal(loaded.predict(X), regressor.predict(X))
    for attr in ("n_iter_", "loss_curve_", "best_loss_", "n_features_in_", "device_"):
        assert getattr(loaded, attr) == getattr(regressor, attr)
    np.testing.assert_array_equal(loaded.x_mean_, regressor.x_mean_)
    np.testing.assert_array_equal(loaded.y_scale_, regressor.y_scale_)


def test_continuing_after_loading_equals_continuing_the_original(regressor, tmp_path):
    X, y = _data()
    save_model(regressor, tmp_path / "m.sklstm")
    loaded = load_model(tmp_path / "m.sklstm")
    for model in (regressor, loaded):
        model.set_params(warm_start=True, max_epochs=2).fit(X, y)
    assert loaded.n_iter_ == regressor.n_iter_ == 5
    assert loaded.loss_curve_ == regressor.loss_curve_
    np.testing.assert_array_equal(loaded.predict(X), regressor.predict(X))


def test_classifier_with_string_labels_and_dataframe_feature_names(tmp_path):
    X, y = _data()
    frame = pd.DataFrame(X[:, :, 0], columns=[f"t{i}" for i in range(6)])
    labels = np.where(y > 0, "up", "down")
    model = LSTMClassifier(**PARAMS, class_weight={"up": 2.0, "down": 1.0})
    model.fit(frame, labels)
    save_model(model, tmp_path / "c.sklstm")
    loaded = load_model(tmp_path / "c.sklstm")
    assert loaded.classes_.tolist() == ["down", "up"]
    assert loaded.feature_names_in_.tolist() == list(frame.columns)
    assert loaded.class_weight == {"up": 2.0, "down": 1.0}
    np.testing.assert_array_equal(
        loaded.predict_proba(frame), model.predict_proba(frame)
    )


def test_pipelines_of_sklstm_steps_round_trip(tmp_path):
    series = np.sin(np.arange(300) * 0.2)
    pipe = make_pipeline(SequenceWindower(window=8), LSTMRegressor(**PARAMS))
    pipe.fit(series[:-1], series[1:])
    save_model(pipe, tmp_path / "p.sklstm")
    loaded = load_model(tmp_path / "p.sklstm")
    np.testing.assert_array_equal(
        loaded.predict(series[:-1]), pipe.predict(series[:-1])
    )

    texts, labels = make_negation_reviews(120, seed=0)
    text_pipe = make_pipeline(
        TextTokenizer(max_len=12), LSTMClassifier(**PARAMS, embedding_dim=4)
    ).fit(texts, labels)
    save_model(text_pipe, tmp_path / "t.sklstm")
    loaded = load_model(tmp_path / "t.sklstm")
    assert loaded[0].vocabulary_ == text_pipe[0].vocabulary_
    np.testing.assert_allclose(
        loaded.predict_proba(texts), text_pipe.predict_proba(texts), atol=0
    )


def test_ragged_fitted_model_round_trips(tmp_path):
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(n, 2)) for n in rng.integers(3, 12, size=40)]
    y = np.array([seq[:, 0].sum() for seq in X])
    model = LSTMRegressor(**PARAMS).fit(X, y)
    save_model(model, tmp_path / "r.sklstm")
    np.testing.assert_array_equal(
        load_model(tmp_path / "r.sklstm").predict(X), model.predict(X)
    )


def test_what_cannot_be_saved_as_data_is_refused(regressor, tmp_path):
    with pytest.raises(NotFittedError):
        save_model(LSTMRegressor(), tmp_path / "x")
    with pytest.raises(TypeError, match="Pipelines of them; got StandardScaler"):
        save_model(StandardScaler().fit(np.ones((3, 2))), tmp_path / "x")
    X, y = _data()
    with_class = LSTMRegressor(**{**PARAMS, "optimizer": torch.optim.Adam}).fit(X, y)
    with pytest.raises(TypeError, match=r"LSTMRegressor.optimizer is a type"):
        save_model(with_class, tmp_path / "x")
    regressor.set_params(random_state=np.random.RandomState(0))
    with pytest.raises(TypeError, match="an int for random_state"):
        save_model(regressor, tmp_path / "x")
    assert not os.path.exists(tmp_path / "x")


def test_callbacks_must_be_removed_before_saving(regressor, tmp_path):
    from skorch.callbacks import EpochTimer

    regressor.set_params(callbacks=[EpochTimer()])
    with pytest.raises(TypeError, match=r"set_params\(callbacks=None\)"):
        save_model(regressor, tmp_path / "x")
    save_model(regressor.set_params(callbacks=None), tmp_path / "x")


# ------------------------------------------------------------ hostile files


class _Payload:
    """Runs code when unpickled: what a malicious model file would do."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_file_that_would_run_code_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "evil.sklstm"
    torch.save({"format": "sklstm-model", "x": _Payload(str(marker))}, path)
    with pytest.raises(ValueError, match="other than tensors and plain data"):
        load_model(path)
    assert not marker.exists()
    # plain pickles (what joblib writes) are refused the same way
    with open(path, "wb") as f:
        pickle.dump(_Payload(str(marker)), f)
    refused = r"Refusing to load.*not written by save_model"
    with pytest.raises(ValueError, match=refused):
        load_model(path)
    assert not marker.exists()


def test_a_modified_file_is_refused(regressor, tmp_path):
    path = tmp_path / "m.sklstm"
    save_model(regressor, path)
    payload = torch.load(path, weights_only=True)
    header = json.loads(payload["header"])
    header["params"]["hidden_size"] = 5
    payload["header"] = json.dumps(header)
    _resave(path, payload, fix_digest=False)
    with pytest.raises(ValueError, match="modified or damaged"):
        load_model(path)

    save_model(regressor, path)
    payload = torch.load(path, weights_only=True)
    weights = next(iter(payload["tensors"]["root"]["module"].values()))
    weights[0] += 1.0
    _resave(path, payload, fix_digest=False)
    with pytest.raises(ValueError, match="modified or damaged"):
        load_model(path)


def test_a_consistent_but_wrong_file_gives_a_clear_error(regressor, tmp_path):
    path = tmp_path / "m.sklstm"
    save_model(regressor, path)
    payload = torch.load(path, weights_only=True)
    header = json.loads(payload["header"])
    header["params"]["hidden_size"] = 5  # weights no longer fit the network
    payload["header"] = json.dumps(header)
    _resave(path, payload, fix_digest=True)
    with pytest.raises(ValueError, match="not a consistent sklstm model file"):
        load_model(path)


def test_truncated_foreign_and_missing_files(regressor, tmp_path):
    path = tmp_path / "m.sklstm"
    save_model(regressor, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="cannot be read"):
        load_model(path)
    torch.save(regressor.net_.module_.state_dict(), path)
    with pytest.raises(ValueError, match="not an sklstm model file"):
        load_model(path)
    with pytest.raises(FileNotFoundError, match="No model file"):
        load_model(tmp_path / "nothing.sklstm")


def test_a_newer_format_version_names_both_versions(regressor, tmp_path):
    path = tmp_path / "m.sklstm"
    save_model(regressor, path)
    payload = torch.load(path, weights_only=True)
    payload["format_version"] = FORMAT_VERSION + 1
    payload["sklstm_version"] = "9.0.0"
    _resave(path, payload, fix_digest=True)
    with pytest.raises(
        ValueError, match=r"sklstm 9\.0\.0 in model-file format 2"
    ) as exc:
        load_model(path)
    assert "Upgrade sklstm" in str(exc.value)


# ------------------------------------------------------------------ devices


def test_a_cuda_trained_model_loads_on_a_cpu_only_machine(
    regressor, tmp_path, monkeypatch
):
    X, _ = _data()
    expected = regressor.predict(X)
    # As written on a CUDA machine: the file records the device it trained on.
    regressor.device_ = "cuda:0"
    save_model(regressor, tmp_path / "m.sklstm")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(UserWarning, match=r"trained on 'cuda:0'.*loaded on the CPU"):
        loaded = load_model(tmp_path / "m.sklstm")
    assert loaded.device_ == "cpu"
    assert str(next(loaded.net_.module_.parameters()).device) == "cpu"
    np.testing.assert_array_equal(loaded.predict(X), expected)


def test_load_on_a_chosen_device(regressor, tmp_path, monkeypatch):
    save_model(regressor, tmp_path / "m.sklstm")
    assert load_model(tmp_path / "m.sklstm", device="cpu").device_ == "cpu"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="CUDA is not available"):
        load_model(tmp_path / "m.sklstm", device="cuda")


@pytest.mark.parametrize(
    ("path", "match"),
    [
        ("", "needs a file name"),
        ("a\x00b", "needs a file name"),
        (".", "is a directory"),
        ("no_such_folder/m.sklstm", "there is no directory"),
    ],
)
def test_save_model_refuses_paths_it_cannot_write(regressor, tmp_path, path, match):
    # torch.save's own errors came through here, and "a\x00b" wrote "a"
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        with pytest.raises(ValueError, match=match):
            save_model(regressor, path)
        assert os.listdir(tmp_path) == []
    finally:
        os.chdir(cwd)


def test_a_damaged_file_is_not_called_code(regressor, tmp_path):
    path = tmp_path / "m.sklstm"
    path.write_bytes(b"P")
    with pytest.raises(ValueError, match=r"cannot be read: it is damaged") as info:
        load_model(path)
    assert "could run code" not in str(info.value)


# ------------------------------------- files and pickles from before a parameter


def _rewrite_header(path, edit):
    payload = torch.load(path, weights_only=True)
    header = json.loads(payload["header"])
    edit(header)
    payload["header"] = json.dumps(header, sort_keys=True)
    payload["digest"] = _digest(payload)
    torch.save(payload, path)


def test_a_file_written_before_conv_filters_loads_without_the_branch(tmp_path):
    X, y = np.random.RandomState(0).normal(size=(40, 6)), np.arange(40) % 2
    model = LSTMClassifier(**PARAMS, conv_filters=None).fit(X, y)
    path = tmp_path / "old.sklstm"
    save_model(model, path)
    # such a file has no conv_filters: it meant no branch, not today's default
    _rewrite_header(path, lambda header: header["params"].pop("conv_filters"))
    restored = load_model(path)
    assert restored.conv_filters is None
    np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))


def test_a_regressor_file_written_before_lr_schedule_keeps_a_constant_rate(
    tmp_path,
):
    X, y = np.random.RandomState(0).normal(size=(40, 6)), np.arange(40.0)
    model = LSTMRegressor(**PARAMS, lr_schedule="constant").fit(X, y)
    path = tmp_path / "old.sklstm"
    save_model(model, path)
    # such a file has no lr_schedule: it meant a constant rate, not the default
    _rewrite_header(path, lambda header: header["params"].pop("lr_schedule"))
    restored = load_model(path)
    assert restored.lr_schedule == "constant"
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))


def test_a_pickle_from_before_the_branch_and_the_criterion_options_predicts():
    from sklstm._nn import SequenceModule

    X, y = np.random.RandomState(0).normal(size=(40, 6)), np.arange(40.0)
    model = LSTMRegressor(**PARAMS).fit(X, y)
    state = pickle.loads(pickle.dumps(model)).__dict__
    # what an older pickle lacks: the module's conv, the config's criterion options
    module = state["net_"].module_
    del module.__dict__["conv"]
    old_module = SequenceModule.__new__(SequenceModule)
    old_module.__setstate__(module.__dict__)
    assert old_module.conv is None
    config = state["_built_config"]
    del config.__dict__["criterion_params"]
    assert config.criterion_params == ()
    state["net_"].module_ = old_module
    old = LSTMRegressor.__new__(LSTMRegressor)
    old.__setstate__(state)
    np.testing.assert_array_equal(old.predict(X), model.predict(X))
    old.set_params(warm_start=True).fit(X, y)  # the config check reads it too


def test_a_pickled_module_keeps_its_branch():
    X, y = np.random.RandomState(0).normal(size=(40, 6)), np.arange(40) % 2
    model = LSTMClassifier(**PARAMS, conv_filters=3).fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    assert restored.net_.module_.conv is not None
    np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))


def _with_layer_norms(model):
    """``model`` as fitted before the convolutions had a batch norm."""
    import dataclasses

    from sklstm._nn import SequenceModule

    legacy = dataclasses.replace(model._built_config.module, conv_norm="layer")
    model._built_config = dataclasses.replace(model._built_config, module=legacy)
    torch.manual_seed(0)
    model.net_.module_ = SequenceModule(**dataclasses.asdict(legacy)).eval()
    model._conv_norm = "layer"
    return model


def test_a_file_with_layer_normed_convolutions_loads_them(tmp_path):
    X, y = np.random.RandomState(0).normal(size=(40, 6)), np.arange(40) % 2
    model = _with_layer_norms(LSTMClassifier(**PARAMS, conv_filters=3).fit(X, y))
    save_model(model, tmp_path / "old.sklstm")
    restored = load_model(tmp_path / "old.sklstm")
    norm = restored.net_.module_.conv.blocks[0].norm
    assert isinstance(norm, torch.nn.LayerNorm)
    np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))
    # a fresh fit builds today's branch
    restored.fit(X, y)
    assert not isinstance(restored.net_.module_.conv.blocks[0].norm, torch.nn.LayerNorm)


def test_a_pickle_with_layer_normed_convolutions_continues_training():
    X, y = np.random.RandomState(0).normal(size=(40, 6)), np.arange(40) % 2
    model = _with_layer_norms(LSTMClassifier(**PARAMS, conv_filters=3).fit(X, y))
    state = pickle.loads(pickle.dumps(model)).__dict__
    # what such a pickle lacks: the marker, and the config's conv_norm
    del state["_conv_norm"]
    del state["_built_config"].module.__dict__["conv_norm"]
    old = LSTMClassifier.__new__(LSTMClassifier)
    old.__setstate__(state)
    np.testing.assert_array_equal(old.predict_proba(X), model.predict_proba(X))
    old.set_params(warm_start=True).fit(X, y)  # the same network, trained on
    assert isinstance(old.net_.module_.conv.blocks[0].norm, torch.nn.LayerNorm)
