"""The encoder seam: the table, cell options, and encoders that cannot pack."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pytest
import torch
from torch import nn

from sklstm import LSTMClassifier, LSTMRegressor
from sklstm._compat import StrOptions
from sklstm._nn import (
    ENCODERS,
    CausalEncoder,
    GRUEncoder,
    LSTMEncoder,
    SequenceModule,
    resolve_cell_params,
)

from .._params import FAST


class _DecayingSum(CausalEncoder):
    """A causal encoder for the tests: an exponentially decaying running sum.

    Its output at step t sees steps 0..t only, it has a learned input layer,
    and one option (``decay``) that travels through ``cell_params``.
    """

    cell_params: ClassVar[dict[str, Any]] = {"decay": 0.5}

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int,
        bidirectional: bool,
        dropout: float,
        decay: float,
    ) -> None:
        super().__init__()
        self.decay = decay
        self.project = nn.Linear(input_size, hidden_size)
        self.output_size = hidden_size

    def steps(self, X: torch.Tensor) -> torch.Tensor:
        values = torch.tanh(self.project(X))
        state = torch.zeros_like(values[:, 0])
        outputs = []
        for t in range(values.shape[1]):
            state = self.decay * state + values[:, t]
            outputs.append(state)
        return torch.stack(outputs, dim=1)


@pytest.fixture
def decaying_sum(monkeypatch: pytest.MonkeyPatch) -> str:
    """Register the test encoder as cell "decaying_sum" for one test."""
    monkeypatch.setitem(ENCODERS, "decaying_sum", _DecayingSum)
    cells = StrOptions(set(ENCODERS))
    for estimator in (LSTMRegressor, LSTMClassifier):
        monkeypatch.setitem(estimator._parameter_constraints, "cell", [cells])
    return "decaying_sum"


def test_the_cell_constraint_is_read_from_the_table():
    assert ENCODERS["lstm"] is LSTMEncoder
    assert ENCODERS["gru"] is GRUEncoder
    for estimator in (LSTMRegressor, LSTMClassifier):
        (options,) = estimator._parameter_constraints["cell"]
        assert options.options == set(ENCODERS)


def test_lstm_and_gru_take_no_cell_options():
    sizes = {"hidden_size": 8, "num_layers": 1}
    assert resolve_cell_params("lstm", None, **sizes) == {}
    assert resolve_cell_params("gru", {}, **sizes) == {}
    with pytest.raises(ValueError, match=r"\['peephole'\] that cell='lstm' .* none"):
        resolve_cell_params("lstm", {"peephole": True}, **sizes)


def test_an_unknown_cell_option_fails_fit_and_names_the_accepted_ones(decaying_sum):
    X = np.random.RandomState(0).normal(size=(20, 5))
    model = LSTMRegressor(**FAST, cell=decaying_sum, cell_params={"decy": 0.1})
    with pytest.raises(ValueError, match=r"\['decy'\] .* it takes 'decay'"):
        model.fit(X, X[:, -1])
    assert not hasattr(model, "net_")


def test_cell_params_must_be_a_dict():
    X = np.random.RandomState(0).normal(size=(20, 5))
    with pytest.raises(ValueError, match="'cell_params' parameter"):
        LSTMRegressor(**FAST, cell_params=[("decay", 0.1)]).fit(X, X[:, -1])


def test_cell_options_reach_the_encoder(decaying_sum):
    module = SequenceModule(2, 1, hidden_size=4, cell=decaying_sum)
    assert module.encoder.decay == 0.5  # the documented default
    module = SequenceModule(
        2, 1, hidden_size=4, cell=decaying_sum, cell_params={"decay": 0.9}
    )
    assert module.encoder.decay == 0.9


def test_a_causal_encoder_reads_each_sequence_up_to_its_last_valid_step(
    decaying_sum,
):
    torch.manual_seed(0)
    module = SequenceModule(2, 3, hidden_size=4, cell=decaying_sum).eval()
    lengths = [5, 2, 7]
    sequences = [torch.randn(n, 2) for n in lengths]
    padded = torch.full((3, 7, 2), 99.0)  # padding that must not be read
    for row, seq in enumerate(sequences):
        padded[row, : len(seq)] = seq
    with torch.no_grad():
        batch = module(padded, torch.tensor(lengths))
        alone = torch.cat([module(seq[None]) for seq in sequences])
    torch.testing.assert_close(batch, alone)


def test_a_causal_encoder_refuses_bidirectional(decaying_sum):
    with pytest.raises(ValueError, match=r"forwards only.*bidirectional=False"):
        resolve_cell_params(
            decaying_sum, None, hidden_size=4, num_layers=1, bidirectional=True
        )
    X = np.random.RandomState(0).normal(size=(20, 5))
    model = LSTMRegressor(**FAST, cell=decaying_sum, bidirectional=True)
    with pytest.raises(ValueError, match="forwards only"):
        model.fit(X, X[:, -1])


@pytest.mark.parametrize("Estimator", [LSTMRegressor, LSTMClassifier])
def test_estimators_train_a_registered_causal_encoder(decaying_sum, Estimator):
    rng = np.random.RandomState(0)
    ragged = [rng.normal(size=(n, 2)) for n in rng.randint(2, 9, size=60)]
    y: Any = np.array([seq[-1, 0] for seq in ragged])
    if Estimator is LSTMClassifier:
        y = y > 0
    params = {**FAST, "max_epochs": 3}
    model = Estimator(**params, cell=decaying_sum, cell_params={"decay": 0.8})
    model.fit(ragged, y)
    assert isinstance(model.net_.module_.encoder, _DecayingSum)
    assert model.net_.module_.encoder.decay == 0.8
    assert model.predict(ragged).shape == (60,)
    # padding never reaches the output: a sequence predicts the same alone
    first = model.predict(ragged[:1])
    np.testing.assert_allclose(first, model.predict(ragged)[:1], rtol=1e-6)
    # warm start keeps the options; changing them is refused by name
    model.set_params(warm_start=True, max_epochs=1).fit(ragged, y)
    model.set_params(cell_params={"decay": 0.1})
    with pytest.raises(ValueError, match=r"cell_params \(\{'decay': 0.8\} -> "):
        model.fit(ragged, y)
