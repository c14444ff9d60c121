"""The convolutional branch (LSTM-FCN): ragged-aware, batch-independent."""

from __future__ import annotations

import pytest
import torch

from sklstm._nn import SequenceModule
from sklstm._nn._conv import ConvBranch


@pytest.mark.parametrize(("cell", "pooling"), [("lstm", "last"), ("gru", "max")])
def test_padding_never_reaches_the_conv_branch(cell, pooling):
    torch.manual_seed(0)
    module = SequenceModule(
        3, 2, hidden_size=8, cell=cell, pooling=pooling, conv_filters=4
    )
    module.eval()
    lengths = torch.tensor([5, 1, 12, 3])
    X = torch.randn(4, 12, 3)
    padded = X.clone()
    for row, length in enumerate(lengths):
        padded[row, length:] = 1e3  # loud padding: any leak shows
    with torch.no_grad():
        batch = module(padded, lengths)
        for row, length in enumerate(lengths):
            alone = module(X[row : row + 1, :length])
            torch.testing.assert_close(batch[row], alone[0], rtol=1e-5, atol=1e-6)


def test_the_branch_is_three_same_length_convolutions_averaged_over_time():
    torch.manual_seed(0)
    branch = ConvBranch(2, 3)
    widths = [
        (b.conv.in_channels, b.conv.out_channels, b.conv.kernel_size[0])
        for b in branch.blocks
    ]
    assert widths == [(2, 3, 8), (3, 6, 5), (6, 3, 3)]
    X = torch.randn(2, 9, 2)
    with torch.no_grad():
        steps = X.transpose(1, 2)
        for block in branch.blocks:
            steps = block(steps)
            assert steps.shape[2] == 9  # "same" length, even kernels included
            assert (steps >= 0).all()  # after the ReLU
        torch.testing.assert_close(branch(X), steps.mean(2))
    assert branch.output_size == 3


def test_a_prediction_does_not_depend_on_the_rest_of_its_batch():
    # layer norm over the filters of each step, not batch norm: a row's output
    # is the same alone and in any batch, and a batch of one trains
    torch.manual_seed(0)
    branch = ConvBranch(1, 4)
    X = torch.randn(5, 7, 1)
    with torch.no_grad():
        torch.testing.assert_close(branch(X)[2:3], branch(X[2:3]))
    branch.train()
    branch(X[:1, :1]).sum().backward()  # one sequence of one step
    assert all(p.grad is not None for p in branch.parameters())


def test_the_head_reads_both_vectors():
    module = SequenceModule(2, 3, hidden_size=8, conv_filters=5)
    assert module.head.in_features == 8 + 5
    assert SequenceModule(2, 3, hidden_size=8).conv is None


def test_non_finite_padding_leaves_outputs_and_gradients_finite():
    torch.manual_seed(0)
    module = SequenceModule(2, 1, hidden_size=4, conv_filters=3)
    X = torch.randn(3, 6, 2)
    X[0, 4:] = torch.nan
    X[1, 2:] = torch.inf
    out = module(X, torch.tensor([4, 2, 6]))
    out.sum().backward()
    assert torch.isfinite(out).all()
    assert all(torch.isfinite(p.grad).all() for p in module.parameters())
