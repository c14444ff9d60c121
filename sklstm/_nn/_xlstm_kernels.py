"""The xLSTM memory recurrences as plain torch functions.

Pure torch: this module does not import scikit-learn or skorch. The layers
around these kernels (projections, convolution, norms, residual blocks) live in
:mod:`sklstm._nn._xlstm`.

Equations, with ``t`` the step and tildes the pre-activations (Beck et al.,
"xLSTM: Extended Long Short-Term Memory", NeurIPS 2024, arXiv:2405.04517):

sLSTM (section 2.2, eqs. 8-17), per head, with block-diagonal recurrence ``R``::

    z~, i~, f~, o~ = W x_t + R h_{t-1} + b
    c_t = f_t c_{t-1} + i_t tanh(z~)          n_t = f_t n_{t-1} + i_t
    h_t = sigmoid(o~) c_t / n_t
    i_t = exp(i~),  f_t = sigmoid(f~) or exp(f~)

stabilised (eqs. 15-17) by ``m_t = max(log f_t + m_{t-1}, i~)`` and the gates
``exp(i~ - m_t)`` and ``exp(log f_t + m_{t-1} - m_t)``; ``m`` starts at
``-inf``, so the first step takes ``m_1 = i~_1`` with no test on the state.

mLSTM (section 2.3, eqs. 19-27), per head, no hidden-to-hidden recurrence::

    C_t = f_t C_{t-1} + i_t v_t k_t^T          n_t = f_t n_{t-1} + i_t k_t
    h~_t = C_t q_t / max(|n_t^T q_t|, 1)       k_t scaled by 1/sqrt(d_head)
    i_t = exp(i~), f_t = sigmoid(f~)

In parallel form (appendix A.3) the step ``t`` reads every ``s <= t`` with the
weight ``D_ts = exp(F_t - F_s + i~_s - m_t)``, ``F`` the cumulated
``log f``, and divides by ``max(|sum_s D_ts q_t.k_s|, exp(-m_t)) + eps``, the
stabiliser ``m_t`` being the largest exponent of the row. The chunkwise form
below computes exactly these quantities, the same ``m_t`` included, with the
sequence cut into chunks: inside a chunk in parallel, across chunks through
the carried state ``(C, n, m)``. Memory is linear in the length, and with one
chunk it is the parallel form itself.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch.autograd.function import once_differentiable

__all__ = ["mlstm_chunkwise", "slstm_scan"]

#: Added to the mLSTM normaliser, as in the paper's parallel form.
MLSTM_EPS = 1e-6
#: Largest exponent taken of the mLSTM normaliser's floor (exp(80) < float32 max).
_MAX_EXPONENT = 80.0


def slstm_scan(
    preact: torch.Tensor,
    recurrent: torch.Tensor,
    *,
    exp_forget: bool = False,
) -> torch.Tensor:
    """Run the stabilised sLSTM recurrence over a sequence.

    Parameters
    ----------
    preact : tensor of shape (batch, seq_len, 4 * hidden)
        Input part of the pre-activations, bias included, in the gate order
        i, f, z, o; each gate block is ``hidden = num_heads * head_dim`` wide.
    recurrent : tensor of shape (hidden, 4 * hidden)
        The recurrent matrix, block-diagonal per head, laid out like ``preact``
        on its output side.
    exp_forget : bool, default=False
        Exponential forget gate instead of the sigmoid.

    Returns
    -------
    h : tensor of shape (batch, seq_len, hidden)

    Notes
    -----
    The loop over time runs once forwards and, when gradients are needed,
    once backwards with the derivatives written out (:class:`_SLSTMScan`),
    instead of recording some twenty autograd nodes per step. The
    stabiliser ``m`` is a constant for the derivatives: ``c`` and ``n`` are
    both scaled by ``exp(-m)``, which cancels in ``h = o c / n``.
    """
    if torch.is_grad_enabled() and (preact.requires_grad or recurrent.requires_grad):
        out: torch.Tensor = _SLSTMScan.apply(  # type: ignore[no-untyped-call]
            preact, recurrent, exp_forget
        )
        return out
    return _slstm_forward(preact, recurrent, exp_forget)[0]


def _slstm_forward(
    preact: torch.Tensor,
    recurrent: torch.Tensor,
    exp_forget: bool,
    *,
    keep: bool = False,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """The forward loop; with ``keep``, also what the backward loop needs."""
    batch, _, width = preact.shape
    hidden = width // 4
    h = preact.new_zeros(batch, hidden)
    c = preact.new_zeros(batch, hidden)
    n = preact.new_zeros(batch, hidden)
    m = preact.new_full((batch, hidden), -math.inf)
    outputs, saved = [], []
    for step in preact.unbind(1):
        raw = torch.addmm(step, h, recurrent)
        i_raw, f_raw, z_raw, o_raw = raw.view(batch, 4, hidden).unbind(1)
        log_f = (f_raw if exp_forget else F.logsigmoid(f_raw)) + m
        m = torch.maximum(i_raw, log_f)
        i_gate = torch.exp(i_raw - m)
        f_gate = torch.exp(log_f - m)
        z = torch.tanh(z_raw)
        o = torch.sigmoid(o_raw)
        c_prev, n_prev = c, n
        c = torch.addcmul(f_gate * c, i_gate, z)
        n = torch.addcmul(i_gate, f_gate, n)
        h = o * c / n
        outputs.append(h)
        if keep:
            # for the sigmoid forget gate, d log f / d f~ = 1 - sigmoid(f~)
            slope = f_gate if exp_forget else f_gate * torch.sigmoid(-f_raw)
            saved.append(
                torch.stack([i_gate, slope, z, o, c_prev, n_prev, c, n, f_gate])
            )
    hs = torch.stack(outputs, 1)
    return hs, (torch.stack(saved) if keep else None)


class _SLSTMScan(torch.autograd.Function):
    """The sLSTM loop with its backward pass written out."""

    @staticmethod
    def forward(
        ctx: Any, preact: torch.Tensor, recurrent: torch.Tensor, exp_forget: bool
    ) -> torch.Tensor:
        hs, states = _slstm_forward(preact, recurrent, exp_forget, keep=True)
        ctx.save_for_backward(recurrent, hs, states)
        return hs

    @staticmethod
    @once_differentiable
    def backward(
        ctx: Any, grad_hs: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, None]:
        recurrent, hs, states = ctx.saved_tensors
        batch, seq_len, hidden = hs.shape
        grad_raw = hs.new_empty(seq_len, batch, 4 * hidden)
        grad_h = hs.new_zeros(batch, hidden)
        grad_c = hs.new_zeros(batch, hidden)
        grad_n = hs.new_zeros(batch, hidden)
        recurrent_t = recurrent.T
        for t in range(seq_len - 1, -1, -1):
            i_gate, slope, z, o, c_prev, n_prev, c, n, f_gate = states[t].unbind(0)
            dh = grad_h + grad_hs[:, t]
            h = hs[:, t]
            # h = o c / n
            d_o = dh * c / n
            grad_c = grad_c + dh * o / n
            grad_n = grad_n - dh * h / n
            # c = f c_prev + i z,  n = f n_prev + i
            d_f = grad_c * c_prev + grad_n * n_prev
            d_i = grad_c * z + grad_n
            step = grad_raw[t].view(batch, 4, hidden)
            torch.mul(d_i, i_gate, out=step[:, 0])
            torch.mul(d_f, slope, out=step[:, 1])
            torch.mul(grad_c * i_gate, 1 - z * z, out=step[:, 2])
            torch.mul(d_o, o * (1 - o), out=step[:, 3])
            grad_c = grad_c * f_gate
            grad_n = grad_n * f_gate
            grad_h = grad_raw[t] @ recurrent_t
        grad_preact = grad_raw.transpose(0, 1)
        # h_{t-1} meets the recurrence at step t; h_{-1} = 0
        h_prev = torch.cat([hs.new_zeros(batch, 1, hidden), hs[:, :-1]], 1)
        grad_recurrent = h_prev.reshape(-1, hidden).T @ grad_preact.reshape(
            -1, 4 * hidden
        )
        return grad_preact, grad_recurrent, None


def mlstm_chunkwise(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    i_preact: torch.Tensor,
    f_preact: torch.Tensor,
    *,
    chunk_size: int = 64,
) -> torch.Tensor:
    """The stabilised mLSTM over a sequence, in chunks of ``chunk_size`` steps.

    Parameters
    ----------
    q, k : tensor of shape (batch, heads, seq_len, head_dim)
        Queries and keys (keys unscaled).
    v : tensor of shape (batch, heads, seq_len, value_dim)
        Values.
    i_preact, f_preact : tensor of shape (batch, heads, seq_len)
        Input and forget gate pre-activations.
    chunk_size : int, default=64
        Most steps computed together; a sequence no longer than this is
        computed in one piece, the parallel form, a longer one in the fewest
        equal chunks of at most this size.

    Returns
    -------
    h : tensor of shape (batch, heads, seq_len, value_dim)

    Notes
    -----
    With ``b`` the log forget gates cumulated inside a chunk and
    ``beta_s = i~_s - b_s``, the weight of step ``s`` for step ``t`` of the same
    chunk is ``exp(b_t + beta_s - m_t)``; the row maximum ``m_t`` is therefore
    ``b_t + M_t`` with ``M_t`` the running maximum of ``beta`` (and of the
    carried state's exponent), so every exponent is ``beta_s - M_t <= 0``.
    The normaliser's sum comes out of the same product as the numerator, the
    values carrying a column of ones.
    """
    batch, heads, seq_len, head_dim = q.shape
    k = k / math.sqrt(head_dim)
    log_f = F.logsigmoid(f_preact)
    # equal chunks of at most chunk_size steps, so that little padding is added
    n_chunks = -(-seq_len // chunk_size)
    size = -(-seq_len // n_chunks)
    pad = n_chunks * size - seq_len
    if pad:  # causal: steps appended at the end change no earlier output
        q, k, v = (F.pad(t, (0, 0, 0, pad)) for t in (q, k, v))
        i_preact, log_f = (F.pad(t, (0, pad)) for t in (i_preact, log_f))
    v = F.pad(v, (0, 1), value=1.0)  # the ones column: sum of the weights

    def chunked(t: torch.Tensor) -> torch.Tensor:
        return t.reshape(batch, heads, n_chunks, size, *t.shape[3:])

    q, k, v, i_preact, log_f = map(chunked, (q, k, v, i_preact, log_f))
    b = torch.cumsum(log_f, dim=-1)
    beta = i_preact - b
    running = _running_max(beta)
    if n_chunks > 1:
        c_in, m_in = _chunk_states(k, v, beta, b[..., -1])
        running = torch.maximum(running, m_in.unsqueeze(-1))
    out = _within_chunks(q, k, v, beta, running)
    if n_chunks > 1:
        carry = torch.exp(m_in.unsqueeze(-1) - running).unsqueeze(-1)
        out = out + carry * (q @ c_in)
    numerator, total = out[..., :-1], out[..., -1]
    # max(|sum|, exp(-m_t)) with m_t = b_t + M_t; below m_t = -80 the output
    # is below 1e-34 anyway, and the cap keeps exp(-m_t) and its gradient finite
    floor = torch.exp(torch.clamp(-b - running, max=_MAX_EXPONENT))
    normaliser = torch.maximum(total.abs(), floor) + MLSTM_EPS
    h = numerator / normaliser.unsqueeze(-1)
    return h.reshape(batch, heads, n_chunks * size, -1)[:, :, :seq_len]


def _within_chunks(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    beta: torch.Tensor,
    running: torch.Tensor,
) -> torch.Tensor:
    """``sum_{s <= t} (q_t . k_s) exp(beta_s - M_t) v_s`` for each chunk's steps.

    Shapes: ``q, k`` (..., size, dk), ``v`` (..., size, dv), ``beta`` and the
    running maximum ``running`` (..., size).
    """
    tensors = (q, k, v, beta, running)
    if torch.is_grad_enabled() and any(t.requires_grad for t in tensors):
        out: torch.Tensor = _WithinChunks.apply(*tensors)  # type: ignore[no-untyped-call]
        return out
    return _within_chunks_forward(*tensors)[0]


def _within_chunks_forward(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    beta: torch.Tensor,
    running: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The output, the weights and their decay factors."""
    size = q.shape[-2]
    causal = torch.ones(size, size, dtype=torch.bool, device=q.device).tril()
    # row t, column s: beta_s - M_t, at most 0 for s <= t; the later steps get
    # -inf, so their weight is exactly 0
    decay = beta.unsqueeze(-2) - running.unsqueeze(-1)
    decay = decay.masked_fill_(~causal, -math.inf).exp_()
    weights = (q @ k.transpose(-2, -1)).mul_(decay)
    return weights @ v, weights, decay


class _WithinChunks(torch.autograd.Function):
    """The mLSTM's parallel part with its backward pass written out.

    Autograd would record the ``size x size`` exponent, its mask, its
    exponential and the product as separate nodes, each with its own copy and
    reduction; written out, the backward pass is four batched products, two
    elementwise products and two sums. Like the sLSTM's, this backward pass is
    not itself differentiable: no second derivatives.
    """

    @staticmethod
    def forward(
        ctx: Any,
        q: torch.Tensor,
        k: torch.Tensor,
        v: torch.Tensor,
        beta: torch.Tensor,
        running: torch.Tensor,
    ) -> torch.Tensor:
        out, weights, decay = _within_chunks_forward(q, k, v, beta, running)
        ctx.save_for_backward(q, k, v, weights, decay)
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad_out: torch.Tensor) -> tuple[torch.Tensor, ...]:
        q, k, v, weights, decay = ctx.saved_tensors
        grad_weights = grad_out @ v.transpose(-2, -1)
        grad_v = weights.transpose(-2, -1) @ grad_out
        # weights = (q . k) exp(exponent): d/d exponent = grad * weights
        grad_exponent = grad_weights * weights
        grad_scores = grad_weights.mul_(decay)
        grad_q = grad_scores @ k
        grad_k = grad_scores.transpose(-2, -1) @ q
        return (
            grad_q,
            grad_k,
            grad_v,
            grad_exponent.sum(-2),
            -grad_exponent.sum(-1),
        )


def _running_max(x: torch.Tensor) -> torch.Tensor:
    """Inclusive running maximum along the last axis.

    ``log2(n)`` shifted maxima: exported to ONNX, unlike ``cummax``, and with
    no ``n x n`` intermediate.
    """
    shift = 1
    while shift < x.shape[-1]:
        x = torch.maximum(x, F.pad(x[..., :-shift], (shift, 0), value=-math.inf))
        shift *= 2
    return x


def _chunk_states(
    k: torch.Tensor, v: torch.Tensor, beta: torch.Tensor, total: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """The memory ``[C, n]`` entering each chunk, and its exponent.

    The state entering a chunk is stored as ``exp(-M) sum_s exp(F - F_s + i~_s)
    k_s [v_s, 1]^T`` with ``F`` the log forget up to the chunk's start; it
    reaches step ``t`` of the chunk with weight ``exp(b_t + M - m_t)``. Each
    chunk's own contribution is computed for all chunks at once; only the cheap
    combination runs chunk after chunk.
    """
    # in a chunk, step s reaches the chunk's end with exponent total + beta_s
    m_local = beta.amax(dim=-1)
    w = torch.exp(beta - m_local.unsqueeze(-1)).unsqueeze(-1)
    c_local = (k * w).transpose(-2, -1) @ v  # (batch, heads, chunks, dk, dv + 1)
    m_local = m_local + total
    c_state = c_local.new_zeros(c_local[:, :, 0].shape)
    m_state = m_local.new_full(m_local[:, :, 0].shape, -math.inf)
    c_in, m_in = [c_state], [m_state]
    for chunk in range(k.shape[2] - 1):
        m_new = torch.maximum(total[:, :, chunk] + m_state, m_local[:, :, chunk])
        decay = torch.exp(total[:, :, chunk] + m_state - m_new)[..., None, None]
        fresh = torch.exp(m_local[:, :, chunk] - m_new)[..., None, None]
        c_state = decay * c_state + fresh * c_local[:, :, chunk]
        m_state = m_new
        c_in.append(c_state)
        m_in.append(m_state)
    return torch.stack(c_in, 2), torch.stack(m_in, 2)
