"""The convolutional branch (LSTM-FCN): ragged-aware, batch-independent."""

from __future__ import annotations

import pytest
import torch

from sklstm._nn import SequenceModule
from sklstm._nn._conv import ConvBranch, SequenceBatchNorm, refresh_statistics


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
    # in evaluation the batch norms use their running statistics: a row's
    # output is the same alone and in any batch
    torch.manual_seed(0)
    branch = ConvBranch(1, 4)
    X = torch.randn(5, 7, 1)
    branch.train()
    branch(X)  # running statistics that are not the initial ones
    branch.eval()
    with torch.no_grad():
        torch.testing.assert_close(branch(X)[2:3], branch(X[2:3]))
    branch.train()
    branch(X[:1, :1]).sum().backward()  # one sequence of one step trains
    assert all(p.grad is not None for p in branch.parameters())


def test_the_batch_norm_is_torchs_on_full_sequences():
    torch.manual_seed(0)
    ours, torchs = SequenceBatchNorm(3), torch.nn.BatchNorm1d(3)
    with torch.no_grad():
        ours.weight.uniform_(0.5, 2)
        ours.bias.uniform_(-1, 1)
    torchs.load_state_dict(ours.state_dict())
    X = 3 * torch.randn(4, 3, 10) + 1
    for norm in (ours, torchs):
        norm.train()
    torch.testing.assert_close(ours(X), torchs(X))
    torch.testing.assert_close(ours.running_mean, torchs.running_mean)
    torch.testing.assert_close(ours.running_var, torchs.running_var)
    for norm in (ours, torchs):
        norm.eval()
    torch.testing.assert_close(ours(X), torchs(X))


def test_the_batch_norm_reads_only_the_valid_steps():
    torch.manual_seed(0)
    norm = SequenceBatchNorm(2)
    lengths = torch.tensor([3, 7, 1])
    X = torch.randn(3, 2, 7)
    valid = (torch.arange(7) < lengths[:, None]).unsqueeze(1)  # (3, 1, 7)
    loud = X.masked_fill(~valid, 1e4)
    out = norm(loud, valid)
    steps = torch.cat([X[i, :, :n] for i, n in enumerate(lengths)], dim=1)
    mean, var = steps.mean(1), steps.var(1, unbiased=False)
    expected = (steps - mean[:, None]) / torch.sqrt(var[:, None] + norm.eps)
    got = torch.cat([out[i, :, :n] for i, n in enumerate(lengths)], dim=1)
    torch.testing.assert_close(got, expected)


def test_refreshed_statistics_are_those_of_all_the_data():
    torch.manual_seed(0)
    module = SequenceModule(2, 3, hidden_size=4, conv_filters=3)
    X = torch.randn(10, 6, 2) * 2 + 1
    lengths = torch.tensor([6, 2, 5, 6, 1, 3, 6, 4, 6, 6])
    batches = [
        {"X": X[i : i + 4], "lengths": lengths[i : i + 4]} for i in range(0, 10, 4)
    ]

    def forward(batch):
        return module(batch["X"], batch["lengths"])

    assert refresh_statistics(module, forward, batches)
    assert not module.training
    # the first block's statistics: its convolution over every valid step
    block = module.conv.blocks[0]
    with torch.no_grad():
        padded = X.masked_fill(~(torch.arange(6) < lengths[:, None])[..., None], 0)
        conv = block.conv(
            torch.nn.functional.pad(padded.transpose(1, 2), block.padding)
        )
    steps = torch.cat([conv[i, :, :n] for i, n in enumerate(lengths)], dim=1)
    torch.testing.assert_close(block.norm.running_mean, steps.mean(1))
    torch.testing.assert_close(block.norm.running_var, steps.var(1))
    # a module without batch norms reads nothing
    plain = SequenceModule(2, 3, hidden_size=4)
    assert not refresh_statistics(plain, forward, batches)


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
