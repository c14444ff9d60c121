"""The xLSTM cells: their recurrences, blocks, options and the reference."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from sklstm import LSTMRegressor
from sklstm._nn import ENCODERS, SequenceModule, resolve_cell_params
from sklstm._nn._xlstm import XLSTMEncoder
from sklstm._nn._xlstm_kernels import MLSTM_EPS, mlstm_chunkwise, slstm_scan

from .._params import FAST

XLSTM_CELLS = ["slstm", "mlstm", "xlstm"]


def _layers(cell: str) -> int:
    return 2 if cell == "xlstm" else 1


# ------------------------------------------------------------ the recurrences


def _mlstm_step_by_step(q, k, v, i_pre, f_pre):
    """The mLSTM written as its recurrence, one step at a time (paper eqs. 19-27)."""
    batch, heads, seq_len, dk = q.shape
    c = q.new_zeros(batch, heads, dk, v.shape[-1])
    n = q.new_zeros(batch, heads, dk)
    m = q.new_full((batch, heads), -math.inf)
    out = []
    for t in range(seq_len):
        log_f = F.logsigmoid(f_pre[:, :, t])
        m_new = torch.maximum(log_f + m, i_pre[:, :, t])
        f_gate = torch.exp(log_f + m - m_new)[..., None]
        i_gate = torch.exp(i_pre[:, :, t] - m_new)[..., None]
        key = k[:, :, t] / math.sqrt(dk)
        c = (
            f_gate[..., None] * c
            + i_gate[..., None] * key[..., :, None] * v[:, :, t, None, :]
        )
        n = f_gate * n + i_gate * key
        m = m_new
        query = q[:, :, t]
        total = (query * n).sum(-1)
        normaliser = torch.maximum(total.abs(), torch.exp(-m)) + MLSTM_EPS
        out.append((query[..., None] * c).sum(-2) / normaliser[..., None])
    return torch.stack(out, 2)


@pytest.mark.parametrize(
    ("seq_len", "chunk_size"), [(7, 64), (20, 5), (23, 5), (33, 8)]
)
def test_mlstm_parallel_and_chunkwise_forms_equal_the_recurrence(seq_len, chunk_size):
    gen = torch.Generator().manual_seed(seq_len)
    shape = (2, 3, seq_len)
    q, k, v = (
        torch.randn(*shape, 4, generator=gen, dtype=torch.float64) for _ in "qkv"
    )
    i_pre = 3 * torch.randn(*shape, generator=gen, dtype=torch.float64)
    f_pre = 3 * torch.randn(*shape, generator=gen, dtype=torch.float64)
    inputs = [t.requires_grad_() for t in (q, k, v, i_pre, f_pre)]
    expected = _mlstm_step_by_step(*inputs)
    got = mlstm_chunkwise(*inputs, chunk_size=chunk_size)
    torch.testing.assert_close(got, expected, rtol=1e-10, atol=1e-12)
    # the written-out backward pass against autograd through the recurrence
    probe = torch.randn(got.shape, generator=gen, dtype=torch.float64)
    want = torch.autograd.grad((expected * probe).sum(), inputs)
    have = torch.autograd.grad((got * probe).sum(), inputs)
    for name, w, h in zip(["q", "k", "v", "i", "f"], want, have, strict=True):
        torch.testing.assert_close(h, w, rtol=1e-9, atol=1e-11, msg=name)


def _slstm_unstabilised(preact, recurrent, exp_forget):
    """sLSTM eqs. 8-14 without the stabiliser (fine for moderate inputs)."""
    batch, seq_len, width = preact.shape
    hidden = width // 4
    h = c = n = preact.new_zeros(batch, hidden)
    out = []
    for t in range(seq_len):
        i, f, z, o = (preact[:, t] + h @ recurrent).split(hidden, -1)
        f_gate = torch.exp(f) if exp_forget else torch.sigmoid(f)
        c = f_gate * c + torch.exp(i) * torch.tanh(z)
        n = f_gate * n + torch.exp(i)
        h = torch.sigmoid(o) * c / n
        out.append(h)
    return torch.stack(out, 1)


@pytest.mark.parametrize("exp_forget", [False, True])
def test_the_stabilised_slstm_equals_the_plain_equations(exp_forget):
    gen = torch.Generator().manual_seed(1)
    preact = torch.randn(3, 11, 4 * 6, generator=gen, dtype=torch.float64)
    recurrent = 0.5 * torch.randn(6, 4 * 6, generator=gen, dtype=torch.float64)
    inputs = [preact.requires_grad_(), recurrent.requires_grad_()]
    expected = _slstm_unstabilised(*inputs, exp_forget)
    got = slstm_scan(*inputs, exp_forget=exp_forget)
    torch.testing.assert_close(got, expected, rtol=1e-10, atol=1e-12)
    # the written-out backward pass against autograd through the equations
    probe = torch.randn(got.shape, generator=gen, dtype=torch.float64)
    want = torch.autograd.grad((expected * probe).sum(), inputs)
    have = torch.autograd.grad((got * probe).sum(), inputs)
    for w, h in zip(want, have, strict=True):
        torch.testing.assert_close(h, w, rtol=1e-9, atol=1e-11)


def test_huge_gate_inputs_give_finite_outputs_and_gradients():
    # exp(200) overflows float32; the stabilisers keep every exponent <= 0
    gen = torch.Generator().manual_seed(2)
    preact = (200 * torch.randn(2, 30, 16, generator=gen)).requires_grad_()
    out = slstm_scan(preact, torch.zeros(4, 16), exp_forget=True)
    out.sum().backward()
    assert torch.isfinite(out).all()
    assert torch.isfinite(preact.grad).all()
    q, k, v = (torch.randn(2, 2, 30, 4, generator=gen) for _ in "qkv")
    gates = (200 * torch.randn(2, 2, 2, 30, generator=gen)).requires_grad_()
    for chunk_size in (64, 7):
        h = mlstm_chunkwise(q, k, v, gates[0], gates[1], chunk_size=chunk_size)
        (grad,) = torch.autograd.grad(h.sum(), gates)
        assert torch.isfinite(h).all()
        assert torch.isfinite(grad).all()


# ---------------------------------------------------------------- the blocks


@pytest.mark.parametrize("cell", XLSTM_CELLS)
def test_padding_never_reaches_a_sequences_output(cell):
    torch.manual_seed(0)
    module = SequenceModule(
        2,
        3,
        hidden_size=8,
        num_layers=_layers(cell),
        cell=cell,
        cell_params={"num_heads": 2, "chunk_size": 4}
        if cell != "slstm"
        else {"num_heads": 2},
    ).eval()
    lengths = [5, 2, 11]
    sequences = [torch.randn(n, 2) for n in lengths]
    padded = torch.full((3, 11, 2), 1e4)  # padding that must not be read
    for row, seq in enumerate(sequences):
        padded[row, : len(seq)] = seq
    with torch.no_grad():
        batch = module(padded, torch.tensor(lengths))
        alone = torch.cat([module(seq[None]) for seq in sequences])
    torch.testing.assert_close(batch, alone, rtol=1e-5, atol=1e-6)


def test_the_mixed_stack_puts_slstm_blocks_where_asked():
    def kinds(**params):
        encoder = XLSTMEncoder(
            3,
            8,
            bidirectional=False,
            dropout=0.0,
            **{**XLSTMEncoder.cell_params, "num_heads": 2, **params},
        )
        return [type(block).__name__[0] for block in encoder.blocks]

    assert kinds(num_layers=4) == ["M", "S", "M", "S"]  # default: odd positions
    assert kinds(num_layers=3, slstm_at=[0]) == ["S", "M", "M"]
    assert kinds(num_layers=2, slstm_at=[]) == ["M", "M"]


# ---------------------------------------------------------------- the options


def test_the_cells_are_registered_with_documented_defaults():
    assert set(XLSTM_CELLS) <= set(ENCODERS)
    options = resolve_cell_params("xlstm", None, hidden_size=64, num_layers=2)
    assert options == {
        "num_heads": 4,
        "conv_kernel_size": 4,
        "proj_factor": 2.0,
        "qkv_blocksize": 4,
        "chunk_size": 64,
        "ffn_proj_factor": 1.3,
        "forget_gate": "sigmoid",
        "slstm_at": None,
    }


@pytest.mark.parametrize(
    ("cell", "params", "hidden_size", "num_layers", "error", "match"),
    [
        (
            "slstm",
            {"num_heads": 3},
            16,
            1,
            ValueError,
            r"multiple of num_heads.*hidden_size=18",
        ),
        ("mlstm", {"num_heads": 16}, 16, 1, ValueError, r"at least 2 units per head"),
        ("slstm", {"num_heads": 0}, 16, 1, ValueError, r"'num_heads'.*int >= 1"),
        ("mlstm", {"chunk_size": 0}, 16, 1, ValueError, r"'chunk_size'.*int >= 1"),
        ("mlstm", {"proj_factor": -1}, 16, 1, ValueError, r"'proj_factor'.*> 0"),
        ("slstm", {"forget_gate": "tanh"}, 16, 1, ValueError, r"'sigmoid' or 'exp'"),
        (
            "slstm",
            {"slstm_at": [0]},
            16,
            1,
            ValueError,
            r"\['slstm_at'\].*does not take",
        ),
        ("xlstm", {}, 16, 1, ValueError, r"num_layers >= 2.*cell='mlstm'"),
        ("xlstm", {"slstm_at": [2]}, 16, 2, ValueError, r"block 2.*numbered 0 to 1"),
        ("xlstm", {"slstm_at": "1"}, 16, 2, TypeError, r"list of block positions"),
    ],
)
def test_bad_cell_options_fail_fit_and_name_the_fix(
    cell, params, hidden_size, num_layers, error, match
):
    X = np.random.RandomState(0).normal(size=(20, 5))
    params = {"cell": cell, "cell_params": params, "num_layers": num_layers}
    model = LSTMRegressor(
        **{**FAST, "max_epochs": 1, "hidden_size": hidden_size, **params}
    )
    with pytest.raises(error, match=match):
        model.fit(X, X[:, -1])
    assert not hasattr(model, "net_")


@pytest.mark.parametrize("cell", XLSTM_CELLS)
def test_xlstm_cells_refuse_bidirectional(cell):
    X = np.random.RandomState(0).normal(size=(20, 5))
    model = LSTMRegressor(
        **FAST, cell=cell, num_layers=_layers(cell), bidirectional=True
    )
    with pytest.raises(ValueError, match=r"forwards only.*bidirectional=False"):
        model.fit(X, X[:, -1])
