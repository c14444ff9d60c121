"""xLSTM encoders: stacks of residual sLSTM and mLSTM blocks.

Pure torch: this module does not import scikit-learn or skorch. The memory
recurrences and their equations are in :mod:`sklstm._nn._xlstm_kernels`.

The blocks follow Beck et al., "xLSTM: Extended Long Short-Term Memory"
(NeurIPS 2024, arXiv:2405.04517), section 2.4 and figures 9-11:

- sLSTM block (post up-projection): ``x + GroupNorm(sLSTM(LN(x)))``, then
  ``x + FFN(LN(x))`` with a GELU-gated feed-forward network of width
  ``ffn_proj_factor * hidden_size``. A causal depthwise convolution with SiLU
  feeds the input and forget gates; the cell and output gates read the
  normalised input. Gate projections and the recurrence are block-diagonal,
  one block per head.
- mLSTM block (pre up-projection): ``x + Down(((GroupNorm(mLSTM) + s * a) *
  SiLU(z)))`` with ``LN(x)`` projected up to ``proj_factor * hidden_size``
  (two branches, ``m`` and ``z``), a causal convolution with SiLU on ``m``
  giving ``a``, queries and keys projected from ``a`` and values from ``m``
  (block-diagonal projections of ``qkv_blocksize`` units), and a learnable skip
  ``s``.
- The stack: ``Linear(input_size, hidden_size)`` -> blocks -> LayerNorm; every
  part is causal and acts on each step alone, so right padding never reaches a
  sequence's last valid output.

Widths are rounded up to the nearest multiple that the heads and blocks need,
and the feed-forward width to a multiple of 8 (the paper's code rounds both to
multiples of 64, a GPU tiling detail that would multiply the size of small
models).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, cast

import torch
import torch.nn.functional as F
from torch import nn

from ._encoders import CausalEncoder
from ._xlstm_kernels import mlstm_chunkwise, slstm_scan

__all__ = ["MLSTMEncoder", "SLSTMEncoder", "XLSTMEncoder", "check_xlstm_options"]


def _round_up(value: float, multiple: int) -> int:
    return math.ceil(value / multiple - 1e-9) * multiple


def _small_init(weight: torch.Tensor, dim: int) -> None:
    """Normal init with std sqrt(2 / (5 dim)) (Nguyen & Salazar, 2019)."""
    nn.init.normal_(weight, std=math.sqrt(2 / (5 * dim)))


def _wang_init(weight: torch.Tensor, dim: int, num_blocks: int) -> None:
    """Normal init with std 2 / (num_blocks sqrt(dim)) for output projections."""
    nn.init.normal_(weight, std=2 / num_blocks / math.sqrt(dim))


class HeadwiseLinear(nn.Module):
    """A block-diagonal linear map without bias: ``blocks`` independent squares.

    Stored as ``(blocks, block_size, block_size)``, output units first.
    """

    def __init__(self, features: int, blocks: int) -> None:
        super().__init__()
        size = features // blocks
        self.weight = nn.Parameter(torch.empty(blocks, size, size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return headwise(x, [self])


#: Up to this many features a block-diagonal map is applied as one dense
#: matrix product, above it block by block: on one CPU thread the dense product
#: of 1,600 rows is faster up to 128 features (4 or 8 units per block) and
#: slower from 256 on (measured; the blocked product pays for two transposes).
_DENSE_FEATURES = 128


def headwise(x: torch.Tensor, maps: Iterable[nn.Module]) -> torch.Tensor:
    """Apply block-diagonal maps of one shape to ``x``, outputs side by side."""
    weights = [cast(torch.Tensor, m.weight) for m in maps]
    blocks, size, _ = weights[0].shape
    if blocks * size <= _DENSE_FEATURES or blocks == 1:
        dense = [_block_diagonal(w) for w in weights]
        return F.linear(x, dense[0] if len(dense) == 1 else torch.cat(dense))
    stacked = torch.stack(weights)  # (maps, blocks, size, size)
    out = torch.einsum(
        "...hi,mhoi->...mho", x.reshape(*x.shape[:-1], blocks, size), stacked
    )
    return out.flatten(-3)


def _block_diagonal(weight: torch.Tensor) -> torch.Tensor:
    """The (features, features) matrix of ``(blocks, size, size)`` blocks."""
    blocks, size, _ = weight.shape
    eye = torch.eye(blocks, dtype=weight.dtype, device=weight.device)
    full = torch.einsum("hoi,hg->hogi", weight, eye)
    return full.reshape(blocks * size, blocks * size)


#: The feed-forward width is rounded up to a multiple of this: a float32 matrix
#: product whose inner size is a multiple of 4 rounds each row the same
#: wherever the row sits in the batch (MKL, measured), so predictions do not
#: depend on the order of the rows.
_FFN_MULTIPLE = 8


class CausalConv(nn.Module):
    """Depthwise 1-D convolution over time that sees no later step.

    Computed as ``kernel_size`` shifted multiply-adds (faster on CPU than a
    grouped convolution for kernels this short). ``weight[j]`` multiplies the
    input ``j`` steps back.
    """

    def __init__(self, features: int, kernel_size: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(kernel_size, features))
        self.bias = nn.Parameter(torch.empty(features))
        bound = 1 / math.sqrt(kernel_size)  # torch's default for Conv1d
        nn.init.uniform_(self.weight, -bound, bound)
        nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map (batch, seq_len, features) to the same shape."""
        seq_len, lags = x.shape[1], len(self.weight)
        padded = F.pad(x, (0, 0, lags - 1, 0))
        out = torch.addcmul(self.bias, x, self.weight[0])
        for lag in range(1, lags):
            start = lags - 1 - lag
            out = out.addcmul(padded[:, start : start + seq_len], self.weight[lag])
        return out


class HeadNorm(nn.Module):
    """Layer norm within each head at each step, with one scale per unit."""

    def __init__(self, features: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.weight = nn.Parameter(torch.ones(features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = x.shape
        per_head = x.reshape(*shape[:-1], self.heads, -1)
        normed = F.layer_norm(per_head, per_head.shape[-1:], eps=1e-5)
        return normed.reshape(shape) * self.weight


class SLSTMBlock(nn.Module):
    """Residual sLSTM block followed by a gated feed-forward network."""

    def __init__(
        self,
        width: int,
        *,
        num_heads: int,
        conv_kernel_size: int,
        ffn_proj_factor: float,
        forget_gate: str,
        dropout: float,
        block_index: int,
        num_blocks: int,
    ) -> None:
        super().__init__()
        self.width = width
        self.num_heads = num_heads
        self.exp_forget = forget_gate == "exp"
        self.norm = nn.LayerNorm(width, bias=False)
        self.conv = CausalConv(width, conv_kernel_size) if conv_kernel_size else None
        self.gates_if = nn.ModuleList([HeadwiseLinear(width, num_heads) for _ in "if"])
        self.gates_zo = nn.ModuleList([HeadwiseLinear(width, num_heads) for _ in "zo"])
        head_dim = width // num_heads
        # recurrent weights: head, gate, output unit, input unit
        self.recurrent = nn.Parameter(torch.zeros(num_heads, 4, head_dim, head_dim))
        self.bias = nn.Parameter(torch.zeros(4, width))
        self.dropout = nn.Dropout(dropout)
        self.out_norm = HeadNorm(width, num_heads)
        up = _round_up(ffn_proj_factor * width, _FFN_MULTIPLE)
        self.ffn_norm = nn.LayerNorm(width, bias=False)
        self.ffn_up = nn.Linear(width, 2 * up, bias=False)
        self.ffn_down = nn.Linear(up, width, bias=False)
        self._init(block_index, num_blocks)

    def _init(self, block_index: int, num_blocks: int) -> None:
        for gate in (*self.gates_if, *self.gates_zo):
            _small_init(gate.weight, self.width)
        head_dim = self.width // self.num_heads
        # forget-gate bias spread over a power law, later blocks remembering longer
        ratio = block_index / (num_blocks - 1) if num_blocks > 1 else 0.0
        ramp = torch.arange(head_dim) / (head_dim - 1)
        with torch.no_grad():
            self.bias[1] = (5.0 - 12.0 * ramp ** (0.3 + 1.3 * ratio)).repeat(
                self.num_heads
            )
        _small_init(self.ffn_up.weight, self.width)
        _wang_init(self.ffn_down.weight, self.width, num_blocks)

    def recurrent_matrix(self) -> torch.Tensor:
        """The block-diagonal (width, 4 * width) matrix that multiplies h."""
        heads, _, size, _ = self.recurrent.shape
        eye = torch.eye(heads, dtype=self.recurrent.dtype, device=self.recurrent.device)
        # rows: input unit (head g, j); columns: gate, head h, output unit k
        full = torch.einsum("hgkj,hH->Hjghk", self.recurrent, eye)
        return full.reshape(heads * size, 4 * heads * size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.norm(x)
        y_conv = F.silu(self.conv(y)) if self.conv is not None else y
        preact = torch.cat(
            [headwise(y_conv, self.gates_if), headwise(y, self.gates_zo)], dim=-1
        ) + self.bias.reshape(-1)
        h = slstm_scan(preact, self.recurrent_matrix(), exp_forget=self.exp_forget)
        x = x + self.out_norm(self.dropout(h))
        gate, up = self.ffn_up(self.ffn_norm(x)).chunk(2, dim=-1)
        out: torch.Tensor = x + self.dropout(self.ffn_down(F.gelu(gate) * up))
        return out


class MLSTMBlock(nn.Module):
    """Residual mLSTM block with up- and down-projection."""

    def __init__(
        self,
        width: int,
        *,
        num_heads: int,
        conv_kernel_size: int,
        proj_factor: float,
        qkv_blocksize: int,
        chunk_size: int,
        dropout: float,
        num_blocks: int,
    ) -> None:
        super().__init__()
        self.width = width
        self.num_heads = num_heads
        self.chunk_size = chunk_size
        inner = _round_up(proj_factor * width, math.lcm(num_heads, qkv_blocksize))
        self.inner = inner
        self.norm = nn.LayerNorm(width, bias=False)
        self.proj_up = nn.Linear(width, 2 * inner, bias=False)
        self.conv = CausalConv(inner, conv_kernel_size) if conv_kernel_size else None
        blocks = inner // qkv_blocksize
        self.q_proj = HeadwiseLinear(inner, blocks)
        self.k_proj = HeadwiseLinear(inner, blocks)
        self.v_proj = HeadwiseLinear(inner, blocks)
        self.gates = nn.Linear(3 * inner, 2 * num_heads)  # input, forget per head
        self.out_norm = HeadNorm(inner, num_heads)
        self.skip = nn.Parameter(torch.ones(inner))
        self.proj_down = nn.Linear(inner, width, bias=False)
        self.dropout = nn.Dropout(dropout)
        self._init(num_blocks)

    def _init(self, num_blocks: int) -> None:
        _small_init(self.proj_up.weight, self.width)
        _wang_init(self.proj_down.weight, self.width, num_blocks)
        for proj in (self.q_proj, self.k_proj, self.v_proj):
            _small_init(proj.weight, self.width)
        heads = self.num_heads
        with torch.no_grad():
            self.gates.weight.zero_()
            nn.init.normal_(self.gates.bias[:heads], std=0.1)
            self.gates.bias[heads:] = torch.linspace(3.0, 6.0, heads)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, seq_len, _ = x.shape
        m_branch, z = self.proj_up(self.norm(x)).chunk(2, dim=-1)
        a = F.silu(self.conv(m_branch) if self.conv is not None else m_branch)
        qk = headwise(a, (self.q_proj, self.k_proj))
        q, k = qk.chunk(2, dim=-1)
        v = self.v_proj(m_branch)
        # the gates read [q, k, v]; q and k already lie side by side
        w_qk = self.gates.weight[:, : 2 * self.inner]
        w_v = self.gates.weight[:, 2 * self.inner :]
        gates = torch.addmm(
            F.linear(v, w_v, self.gates.bias).flatten(0, 1),
            qk.flatten(0, 1),
            w_qk.T,
        ).view(batch, seq_len, -1)
        i_pre, f_pre = gates.transpose(1, 2).chunk(2, 1)

        def heads(t: torch.Tensor) -> torch.Tensor:
            return t.view(batch, seq_len, self.num_heads, -1).transpose(1, 2)

        h = mlstm_chunkwise(
            heads(q), heads(k), heads(v), i_pre, f_pre, chunk_size=self.chunk_size
        )
        h = self.out_norm(h.transpose(1, 2).reshape(batch, seq_len, self.inner))
        out = self.proj_down((h + self.skip * a) * F.silu(z))
        result: torch.Tensor = x + self.dropout(out)
        return result


#: Options of each xLSTM cell with their defaults (the estimators' cell_params).
SLSTM_OPTIONS: dict[str, Any] = {
    "num_heads": 4,
    "conv_kernel_size": 4,
    "ffn_proj_factor": 1.3,
    "forget_gate": "sigmoid",
}
MLSTM_OPTIONS: dict[str, Any] = {
    "num_heads": 4,
    "conv_kernel_size": 4,
    "proj_factor": 2.0,
    "qkv_blocksize": 4,
    "chunk_size": 64,
}
XLSTM_OPTIONS: dict[str, Any] = {**MLSTM_OPTIONS, **SLSTM_OPTIONS, "slstm_at": None}


def check_xlstm_options(
    cell: str, options: Mapping[str, Any], *, hidden_size: int, num_layers: int
) -> None:
    """Raise ValueError or TypeError naming the fix for bad xLSTM options."""
    heads = options["num_heads"]
    _check_int(cell, "num_heads", heads, 1)
    if hidden_size % heads or hidden_size // heads < 2:
        raise ValueError(
            f"cell={cell!r} splits hidden_size={hidden_size} into "
            f"num_heads={heads} heads, so hidden_size must be a multiple of "
            f"num_heads with at least 2 units per head (e.g. hidden_size="
            f"{2 * heads * max(1, -(-hidden_size // (2 * heads)))}, or fewer "
            "heads in cell_params)."
        )
    _check_int(cell, "conv_kernel_size", options["conv_kernel_size"], 0)
    if "chunk_size" in options:
        _check_int(cell, "chunk_size", options["chunk_size"], 1)
        _check_int(cell, "qkv_blocksize", options["qkv_blocksize"], 1)
        _check_factor(cell, "proj_factor", options["proj_factor"])
    if "ffn_proj_factor" in options:
        _check_factor(cell, "ffn_proj_factor", options["ffn_proj_factor"])
        if options["forget_gate"] not in ("sigmoid", "exp"):
            raise ValueError(
                f"cell_params['forget_gate'] must be 'sigmoid' or 'exp'; got "
                f"{options['forget_gate']!r}."
            )
    if cell == "xlstm":
        slstm_blocks(options["slstm_at"], num_layers)


def slstm_blocks(slstm_at: Sequence[int] | str | None, num_layers: int) -> set[int]:
    """Positions of the sLSTM blocks in a mixed stack (the rest are mLSTM)."""
    if num_layers < 2:
        raise ValueError(
            "cell='xlstm' mixes mLSTM and sLSTM blocks, so it needs num_layers >= 2 "
            f"(got {num_layers}); use cell='mlstm' or cell='slstm' for one block."
        )
    if slstm_at is None:
        return set(range(1, num_layers, 2))
    if isinstance(slstm_at, str) or not isinstance(slstm_at, Sequence):
        raise TypeError(
            "cell_params['slstm_at'] must be a list of block positions (e.g. [1]) or "
            f"None; got {slstm_at!r}."
        )
    positions = set()
    for pos in slstm_at:
        if isinstance(pos, bool) or not isinstance(pos, int):
            raise TypeError(
                f"cell_params['slstm_at'] holds block positions (int); got {pos!r}."
            )
        if not 0 <= pos < num_layers:
            raise ValueError(
                f"cell_params['slstm_at'] names block {pos}, but the stack has "
                f"num_layers={num_layers} blocks, numbered 0 to {num_layers - 1}."
            )
        positions.add(pos)
    return positions


def _check_int(cell: str, name: str, value: Any, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(
            f"cell_params[{name!r}] of cell={cell!r} must be an int >= {low}; "
            f"got {value!r}."
        )


def _check_factor(cell: str, name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(
            f"cell_params[{name!r}] of cell={cell!r} must be a number > 0; got "
            f"{value!r}."
        )


class _XLSTMStack(CausalEncoder):
    """Input projection, residual xLSTM blocks and a final LayerNorm."""

    cell_name: ClassVar[str]

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int,
        bidirectional: bool,
        dropout: float,
        **cell_params: Any,
    ) -> None:
        super().__init__()
        if bidirectional:
            raise ValueError("xLSTM cells read sequences forwards only.")
        self.check_options(cell_params, hidden_size=hidden_size, num_layers=num_layers)
        self.proj_in = nn.Linear(input_size, hidden_size)
        self.blocks = nn.ModuleList(
            self._block(i, hidden_size, num_layers, dropout, cell_params)
            for i in range(num_layers)
        )
        self.norm = nn.LayerNorm(hidden_size, bias=False)
        self.output_size = hidden_size

    @classmethod
    def check_options(
        cls, options: Mapping[str, Any], *, hidden_size: int, num_layers: int
    ) -> None:
        check_xlstm_options(
            cls.cell_name, options, hidden_size=hidden_size, num_layers=num_layers
        )

    def _is_slstm(
        self, index: int, num_layers: int, options: Mapping[str, Any]
    ) -> bool:
        return self.cell_name == "slstm"

    def _block(
        self,
        index: int,
        width: int,
        num_layers: int,
        dropout: float,
        options: Mapping[str, Any],
    ) -> nn.Module:
        common = {
            "num_heads": options["num_heads"],
            "conv_kernel_size": options["conv_kernel_size"],
            "dropout": dropout,
            "num_blocks": num_layers,
        }
        if self._is_slstm(index, num_layers, options):
            return SLSTMBlock(
                width,
                ffn_proj_factor=options["ffn_proj_factor"],
                forget_gate=options["forget_gate"],
                block_index=index,
                **common,
            )
        return MLSTMBlock(
            width,
            proj_factor=options["proj_factor"],
            qkv_blocksize=options["qkv_blocksize"],
            chunk_size=options["chunk_size"],
            **common,
        )

    def steps(self, X: torch.Tensor) -> torch.Tensor:
        x = self.proj_in(X)
        for block in self.blocks:
            x = block(x)
        out: torch.Tensor = self.norm(x)
        return out


class SLSTMEncoder(_XLSTMStack):
    """A stack of ``num_layers`` sLSTM blocks (scalar memory, memory mixing).

    Options (``cell_params``): ``num_heads=4`` (must divide ``hidden_size``
    with at least 2 units per head), ``conv_kernel_size=4`` (0: none),
    ``ffn_proj_factor=1.3`` and ``forget_gate="sigmoid"`` or ``"exp"``.
    """

    cell_name = "slstm"
    cell_params = SLSTM_OPTIONS


class MLSTMEncoder(_XLSTMStack):
    """A stack of ``num_layers`` mLSTM blocks (matrix memory, parallel training).

    Options (``cell_params``): ``num_heads=4``, ``conv_kernel_size=4`` (0:
    none), ``proj_factor=2.0`` (inner width), ``qkv_blocksize=4`` (block size of
    the query, key and value projections) and ``chunk_size=64`` (steps computed
    together; longer sequences run chunk by chunk, in memory linear in length).
    """

    cell_name = "mlstm"
    cell_params = MLSTM_OPTIONS


class XLSTMEncoder(_XLSTMStack):
    """A mixed stack: sLSTM blocks at the positions ``slstm_at``, mLSTM elsewhere.

    Options (``cell_params``): those of both cells, and ``slstm_at`` (default
    None: the odd positions 1, 3, ..., so the blocks alternate starting with
    mLSTM). Needs ``num_layers >= 2``.
    """

    cell_name = "xlstm"
    cell_params = XLSTM_OPTIONS

    def _is_slstm(
        self, index: int, num_layers: int, options: Mapping[str, Any]
    ) -> bool:
        return index in slstm_blocks(options["slstm_at"], num_layers)
