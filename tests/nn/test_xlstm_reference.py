"""The xLSTM blocks against the reference implementation (NX-AI ``xlstm``).

The same weights are loaded into the reference package's blocks (its pure-torch
"vanilla" sLSTM backend and its parallel mLSTM form, both on the CPU) and into
sklstm's; the outputs must agree to float64 rounding in float64, and to
float32 rounding in float32. ``xlstm`` is a test dependency only (the ``test``
extra); without it these tests skip.
"""

from __future__ import annotations

import math

import pytest
import torch

from sklstm._nn._xlstm import MLSTMBlock, SLSTMBlock

xlstm = pytest.importorskip(
    "xlstm", reason="the reference package xlstm is not installed"
)

from xlstm.blocks.mlstm.block import mLSTMBlock, mLSTMBlockConfig  # noqa: E402
from xlstm.blocks.mlstm.layer import mLSTMLayerConfig  # noqa: E402
from xlstm.blocks.slstm.block import sLSTMBlock, sLSTMBlockConfig  # noqa: E402
from xlstm.blocks.slstm.layer import sLSTMLayerConfig  # noqa: E402
from xlstm.components.feedforward import FeedForwardConfig  # noqa: E402


def _randomise(module: torch.nn.Module, seed: int) -> None:
    # the reference's own init zeroes the recurrence and some gate weights,
    # which would hide a wrong mapping of those weights
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for param in module.parameters():
            param.copy_(
                0.3 * torch.randn(param.shape, generator=gen, dtype=param.dtype)
            )


def _slstm_pair(width, heads, exp_forget=False):
    config = sLSTMBlockConfig(
        slstm=sLSTMLayerConfig(
            embedding_dim=width,
            num_heads=heads,
            conv1d_kernel_size=4,
            backend="vanilla",
            function="slstm",
            dtype="float32",
        ),
        # sklstm rounds the feed-forward width up to a multiple of 8, not 64
        feedforward=FeedForwardConfig(proj_factor=1.3, round_proj_up_to_multiple_of=8),
        _num_blocks=1,
        _block_idx=0,
    )
    ref = sLSTMBlock(config).double()
    _randomise(ref, width + heads)
    ours = SLSTMBlock(
        width,
        num_heads=heads,
        conv_kernel_size=4,
        ffn_proj_factor=1.3,
        forget_gate="sigmoid",
        dropout=0.0,
        block_index=0,
        num_blocks=1,
    ).double()
    layer, cell = ref.xlstm, ref.xlstm.slstm_cell
    with torch.no_grad():
        # the reference LayerNorms store weight - 1
        ours.norm.weight.copy_(1 + ref.xlstm_norm.weight)
        ours.conv.weight.copy_(layer.conv1d.conv.weight[:, 0].flip(-1).T)
        ours.conv.bias.copy_(layer.conv1d.conv.bias)
        # the reference layer computes the input gate with its module named
        # "fgate" and the forget gate with "igate" (sLSTMLayer.forward)
        ours.gates_if[0].weight.copy_(layer.fgate.weight)
        ours.gates_if[1].weight.copy_(layer.igate.weight)
        ours.gates_zo[0].weight.copy_(layer.zgate.weight)
        ours.gates_zo[1].weight.copy_(layer.ogate.weight)
        # reference: (head, input unit, gate, output unit); ours: (head, gate, out, in)
        ours.recurrent.copy_(cell.recurrent_kernel[...].permute(0, 2, 3, 1))
        ours.bias.copy_(cell.bias[...].permute(1, 0, 2).reshape(4, width))
        ours.out_norm.weight.copy_(1 + layer.group_norm.weight)
        ours.ffn_norm.weight.copy_(1 + ref.ffn_norm.weight)
        ours.ffn_up.weight.copy_(ref.ffn.proj_up.weight)
        ours.ffn_down.weight.copy_(ref.ffn.proj_down.weight)
    return ref.eval(), ours.eval()


def _mlstm_pair(width, heads, seq_len, chunk_size):
    multiple = math.lcm(heads, 4)  # sklstm rounds the inner width to what heads need
    config = mLSTMBlockConfig(
        mlstm=mLSTMLayerConfig(
            embedding_dim=width,
            num_heads=heads,
            conv1d_kernel_size=4,
            qkv_proj_blocksize=4,
            proj_factor=2.0,
            round_proj_up_to_multiple_of=multiple,
            context_length=seq_len,
            _num_blocks=1,
        ),
        _num_blocks=1,
        _block_idx=0,
    )
    ref = mLSTMBlock(config).double()
    _randomise(ref, width + heads + seq_len)
    ours = MLSTMBlock(
        width,
        num_heads=heads,
        conv_kernel_size=4,
        proj_factor=2.0,
        qkv_blocksize=4,
        chunk_size=chunk_size,
        dropout=0.0,
        num_blocks=1,
    ).double()
    layer, cell = ref.xlstm, ref.xlstm.mlstm_cell
    with torch.no_grad():
        ours.norm.weight.copy_(1 + ref.xlstm_norm.weight)
        ours.proj_up.weight.copy_(layer.proj_up.weight)
        ours.conv.weight.copy_(layer.conv1d.conv.weight[:, 0].flip(-1).T)
        ours.conv.bias.copy_(layer.conv1d.conv.bias)
        ours.q_proj.weight.copy_(layer.q_proj.weight)
        ours.k_proj.weight.copy_(layer.k_proj.weight)
        ours.v_proj.weight.copy_(layer.v_proj.weight)
        ours.gates.weight.copy_(torch.cat([cell.igate.weight, cell.fgate.weight]))
        ours.gates.bias.copy_(torch.cat([cell.igate.bias, cell.fgate.bias]))
        ours.out_norm.weight.copy_(1 + cell.outnorm.weight)
        ours.skip.copy_(layer.learnable_skip)
        ours.proj_down.weight.copy_(layer.proj_down.weight)
    return ref.eval(), ours.eval()


def _compare(ref, ours, x):
    with torch.no_grad():
        expected, got = ref(x), ours(x)
        torch.testing.assert_close(got, expected, rtol=1e-10, atol=1e-10)
        expected32 = ref.float()(x.float())
        got32 = ours.float()(x.float())
    # float32: both round differently from the float64 result; compare each
    # to it at float32 tolerance, and to each other
    scale = expected.abs().max().item()
    torch.testing.assert_close(got32.double(), expected, rtol=0, atol=2e-5 * scale)
    torch.testing.assert_close(got32, expected32, rtol=0, atol=4e-5 * scale)


@pytest.mark.parametrize(
    ("width", "heads", "seq_len", "batch"),
    [(16, 4, 23, 3), (8, 2, 1, 1), (24, 1, 40, 2), (32, 8, 9, 5)],
)
def test_slstm_block_equals_the_reference(width, heads, seq_len, batch):
    ref, ours = _slstm_pair(width, heads)
    x = torch.randn(
        batch,
        seq_len,
        width,
        dtype=torch.float64,
        generator=torch.Generator().manual_seed(seq_len),
    )
    _compare(ref, ours, x)


@pytest.mark.parametrize(
    ("width", "heads", "seq_len", "batch", "chunk_size"),
    [
        (16, 4, 23, 3, 64),  # parallel form
        (16, 4, 23, 3, 5),  # chunkwise, last chunk padded
        (32, 2, 70, 2, 16),
        (8, 1, 9, 5, 3),
        (16, 8, 1, 1, 64),
    ],
)
def test_mlstm_block_equals_the_reference(width, heads, seq_len, batch, chunk_size):
    ref, ours = _mlstm_pair(width, heads, seq_len, chunk_size)
    x = torch.randn(
        batch,
        seq_len,
        width,
        dtype=torch.float64,
        generator=torch.Generator().manual_seed(seq_len),
    )
    _compare(ref, ours, x)
