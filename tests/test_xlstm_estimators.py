"""The xLSTM cells through the estimators: every feature the LSTM cell has."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

from sklstm import LSTMClassifier, LSTMRegressor, load_model, save_model

from ._datasets import multivariate, sine_windows
from ._params import FAST

CELLS = ["slstm", "mlstm", "xlstm"]


def _params(cell: str, **extra) -> dict:
    layers = 2 if cell == "xlstm" else 1
    return {
        **FAST,
        "hidden_size": 8,
        "max_epochs": 15,
        "cell": cell,
        "num_layers": layers,
        "cell_params": {"num_heads": 2},
        **extra,
    }


@pytest.fixture(scope="module", params=CELLS)
def fitted(request):
    X, y = sine_windows(200, seq_len=12)
    return LSTMRegressor(**_params(request.param)).fit(X, y), X, y


def test_learns_a_sine(fitted):
    model, X, y = fitted
    assert model.score(X, y) > 0.9


def test_same_random_state_gives_identical_predictions(fitted):
    model, X, y = fitted
    again = LSTMRegressor(**model.get_params()).fit(X, y)
    np.testing.assert_array_equal(again.predict(X), model.predict(X))


def test_pickle_and_save_model_round_trips_predict_identically(fitted, tmp_path):
    model, X, _ = fitted
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(model)).predict(X), model.predict(X)
    )
    save_model(model, tmp_path / "model.sklstm")
    restored = load_model(tmp_path / "model.sklstm")
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))


def test_state_dict_is_plain_tensors_on_the_cpu(fitted):
    model, _, _ = fitted
    state = model.net_.module_.state_dict()
    assert all(
        t.device.type == "cpu" and t.dtype == torch.float32 for t in state.values()
    )
    rebuilt = type(model.net_.module_)(**model.net_.get_params_for("module"))
    rebuilt.load_state_dict(state)  # the same keys and shapes on a fresh module


@pytest.mark.parametrize("cell", CELLS)
def test_ragged_input_predicts_each_sequence_as_if_alone(cell):
    rng = np.random.RandomState(0)
    ragged = [rng.normal(size=(n, 2)) for n in rng.randint(2, 15, size=60)]
    y = np.array([seq[-1, 0] + seq[0, 1] for seq in ragged])
    model = LSTMRegressor(**_params(cell, max_epochs=3)).fit(ragged, y)
    together = model.predict(ragged)
    alone = np.concatenate([model.predict([seq]) for seq in ragged])
    np.testing.assert_allclose(together, alone, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cell", CELLS)
def test_multi_output_regression(cell):
    X, y = multivariate(300)
    Y = np.column_stack([y, -2 * y])
    model = LSTMRegressor(**_params(cell, max_epochs=30)).fit(X, Y)
    assert model.predict(X).shape == (300, 2)
    assert model.score(X, Y) > 0.7


@pytest.mark.parametrize("cell", CELLS)
def test_token_ids_with_an_embedding(cell):
    # label: does token 3 occur? token ids are 1..5, 0 pads to length 12
    rng = np.random.RandomState(0)
    X = np.zeros((240, 12), dtype=np.int64)
    for row, n in enumerate(rng.randint(6, 13, size=240)):
        X[row, :n] = rng.randint(1, 6, size=n)
    y = (X == 3).any(axis=1).astype(int)
    params = _params(cell, embedding_dim=6, max_epochs=30)
    model = LSTMClassifier(**params).fit(X, y)
    assert model.score(X, y) > 0.85


@pytest.mark.parametrize("cell", CELLS)
def test_zero_sample_weight_removes_corrupted_rows(cell):
    X, y = sine_windows(240, seq_len=12)
    corrupted = y.copy()
    corrupted[::3] = 5.0  # a third of the targets are wrong
    weight = np.ones_like(y)
    weight[::3] = 0.0
    clean = slice(1, None, 3)
    params = _params(cell)
    weighted = LSTMRegressor(**params).fit(X, corrupted, sample_weight=weight)
    unweighted = LSTMRegressor(**params).fit(X, corrupted)
    assert weighted.score(X[clean], y[clean]) > 0.8
    assert (
        weighted.score(X[clean], y[clean]) > unweighted.score(X[clean], y[clean]) + 0.3
    )


@pytest.mark.parametrize("cell", CELLS)
def test_balanced_class_weight_raises_minority_recall(cell):
    # labels independent of the inputs, 1 in 5 of class 0: unweighted, the
    # model does best by rarely predicting class 0
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 8))
    y = (rng.uniform(size=200) > 0.2).astype(int)
    params = _params(cell, max_epochs=5)
    plain = LSTMClassifier(**params).fit(X, y)
    balanced = LSTMClassifier(**params, class_weight="balanced").fit(X, y)

    def recall(model):
        return np.mean(model.predict(X[y == 0]) == 0)

    assert recall(balanced) > recall(plain)


@pytest.mark.parametrize("cell", CELLS)
def test_early_stopping_warm_start_and_partial_fit(cell):
    X, y = sine_windows(200, seq_len=12)
    stopped = LSTMRegressor(
        **_params(cell, max_epochs=200, early_stopping=True, n_iter_no_change=3)
    ).fit(X, y)
    assert stopped.n_iter_ < 200
    assert len(stopped.validation_scores_) == stopped.n_iter_

    model = LSTMRegressor(**_params(cell, max_epochs=2)).fit(X, y)
    first = model.predict(X)
    model.set_params(warm_start=True).fit(X, y)
    assert model.n_iter_ == 4
    model.partial_fit(X, y)
    assert model.n_iter_ == 5
    assert not np.array_equal(model.predict(X), first)


@pytest.mark.gpu
@pytest.mark.parametrize("cell", CELLS)
def test_a_cuda_fit_matches_the_cpu_forward_pass(cell):
    X, y = sine_windows(64, seq_len=12)
    model = LSTMRegressor(**_params(cell, max_epochs=2, device="cuda")).fit(X, y)
    on_gpu = model.predict(X)
    module = model.net_.module_
    model.net_.module_ = module.to("cpu")
    model.device_ = "cpu"
    np.testing.assert_allclose(model.predict(X), on_gpu, rtol=1e-4, atol=1e-5)
