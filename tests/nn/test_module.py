"""The torch module on its own."""

from __future__ import annotations

import pytest
import torch

from sklstm._nn import SequenceModule


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_output_shape(cell, bidirectional):
    module = SequenceModule(
        3, 5, hidden_size=8, num_layers=2, bidirectional=bidirectional, cell=cell
    )
    assert module(torch.randn(4, 7, 3)).shape == (4, 5)


def test_packed_lengths_ignore_the_padding():
    torch.manual_seed(0)
    module = SequenceModule(2, 1, hidden_size=8, bidirectional=True).eval()
    short = torch.randn(1, 4, 2)
    padded = torch.cat([short, torch.full((1, 6, 2), 99.0)], dim=1)
    with torch.no_grad():
        alone = module(short)
        packed = module(padded, lengths=torch.tensor([4]))
    torch.testing.assert_close(packed, alone)


def test_single_layer_dropout_does_not_warn():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SequenceModule(1, 1, num_layers=1, dropout=0.5)
