"""WindowStepper: the windows of a stream, one batched cell step per value."""

from __future__ import annotations

import pytest
import torch

from sklstm._nn import SequenceModule, WindowStepper


def _windows_one_by_one(module, stream, window):
    """What the module returns for the window ending at each value, re-read."""
    outs = []
    with torch.no_grad():
        for end in range(1, len(stream) + 1):
            outs.append(module(stream[max(0, end - window) : end].unsqueeze(0))[0])
    return torch.stack(outs)


@pytest.mark.parametrize(
    ("cell", "num_layers", "window"), [("lstm", 1, 5), ("lstm", 2, 7), ("gru", 2, 1)]
)
def test_each_output_is_the_window_read_from_a_zero_state(cell, num_layers, window):
    torch.manual_seed(0)
    module = SequenceModule(3, 2, hidden_size=8, num_layers=num_layers, cell=cell)
    module.eval()
    stream = torch.randn(23, 3)
    expected = _windows_one_by_one(module, stream, window)
    stepper = WindowStepper(module, window)
    got = torch.stack([stepper.push(value) for value in stream])
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-6)


def test_token_ids_step_through_the_embedding():
    torch.manual_seed(1)
    module = SequenceModule(1, 6, hidden_size=8, num_embeddings=6, embedding_dim=4)
    module.eval()
    stream = torch.randint(1, 6, (15,))
    expected = _windows_one_by_one(module, stream, 4)
    stepper = WindowStepper(module, 4)
    got = torch.stack([stepper.push(token) for token in stream])
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"bidirectional": True},
        {"cell": "mlstm", "cell_params": {"num_heads": 2}},
        {"pooling": "max"},
        {"conv_filters": 4},
    ],
)
def test_encoders_that_cannot_step_are_refused(kwargs):
    module = SequenceModule(2, 1, hidden_size=8, **kwargs)
    assert not WindowStepper.supports(module)
    with pytest.raises(ValueError, match="one-directional LSTM or GRU encoder read"):
        WindowStepper(module, 3)
