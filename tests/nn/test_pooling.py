"""Pooling the per-step outputs: over the valid steps only."""

from __future__ import annotations

import pytest
import torch

from sklstm._nn import POOLINGS, Pooling, SequenceModule

CELLS = [
    ("lstm", {}),
    ("gru", {"bidirectional": True}),
    ("mlstm", {"cell_params": {"num_heads": 2}}),
]


@pytest.mark.parametrize("how", ["mean", "max", "attention"])
@pytest.mark.parametrize(("cell", "kwargs"), CELLS)
def test_padding_never_enters_a_pooled_vector(how, cell, kwargs):
    torch.manual_seed(0)
    module = SequenceModule(3, 2, hidden_size=8, cell=cell, pooling=how, **kwargs)
    module.eval()
    lengths = torch.tensor([5, 2, 7])
    X = torch.randn(3, 7, 3)
    padded = X.clone()
    for row, length in enumerate(lengths):
        padded[row, length:] = 1e3  # loud padding: any leak shows
    with torch.no_grad():
        batch = module(padded, lengths)
        for row, length in enumerate(lengths):
            alone = module(X[row : row + 1, :length])
            torch.testing.assert_close(batch[row], alone[0], rtol=1e-5, atol=1e-6)


def test_each_pooling_computes_what_it_says():
    steps = torch.tensor([[[1.0, -2.0], [3.0, 0.0], [9.0, 9.0]]])  # 3 steps, 2 units
    lengths = torch.tensor([2])  # the third step is padding
    torch.testing.assert_close(
        Pooling("mean", 2)(steps, lengths), torch.tensor([[2.0, -1.0]])
    )
    torch.testing.assert_close(
        Pooling("max", 2)(steps, lengths), torch.tensor([[3.0, 0.0]])
    )
    attention = Pooling("attention", 2)
    with torch.no_grad():
        attention.score.weight.copy_(torch.tensor([[1.0, 0.0]]))
        attention.score.bias.zero_()
    weights = torch.softmax(torch.tensor([1.0, 3.0]), 0)
    expected = weights[0] * steps[0, 0] + weights[1] * steps[0, 1]
    torch.testing.assert_close(attention(steps, lengths)[0], expected)
    # without lengths every step counts
    torch.testing.assert_close(Pooling("max", 2)(steps), torch.tensor([[9.0, 9.0]]))


def test_pooling_names():
    assert POOLINGS == ("last", "mean", "max", "attention")
    with pytest.raises(ValueError, match="how must be one of"):
        Pooling("last", 4)
