"""Training speed of the xLSTM cells against the LSTM cell and the reference.

Seconds per epoch of ``LSTMRegressor(cell=...)`` for ``cell`` in lstm, slstm,
mlstm and xlstm (2 blocks for the xLSTM cells, width 64, 4 heads, batch 32,
MSE, Adam), and, when the ``xlstm`` package is installed, of the reference
blocks (its vanilla sLSTM backend, its parallel mLSTM form) trained by a plain
torch loop with the same input layer, sizes and batches. One run each, one
torch thread, lengths 50 (10,000 sequences) and 200 (2,000 sequences); the
ratio is to the LSTM cell of the same length. ``--epochs`` epochs are timed
after one warm-up batch.

Run with ``nox -s bench_xlstm`` or ``python benchmarks/bench_xlstm.py``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from sklstm import LSTMRegressor

SIZES = {50: 10_000, 200: 2_000}  # seq_len: n_sequences
WIDTH, HEADS, BLOCKS, BATCH = 64, 4, 2, 32
CELLS = ("lstm", "mlstm", "slstm", "xlstm")


def make_data(n: int, seq_len: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, seq_len)).astype(np.float32)
    return X, rng.normal(size=n).astype(np.float32)


def sklstm_epoch(cell: str, X: np.ndarray, y: np.ndarray, epochs: int) -> float:
    params = {"hidden_size": WIDTH, "batch_size": BATCH, "random_state": 0}
    if cell != "lstm":
        params.update(num_layers=BLOCKS, cell_params={"num_heads": HEADS})
    LSTMRegressor(cell=cell, max_epochs=1, **params).fit(X[:BATCH], y[:BATCH])
    start = time.perf_counter()
    LSTMRegressor(cell=cell, max_epochs=epochs, **params).fit(X, y)
    return (time.perf_counter() - start) / epochs


def _reference_stack(kind: str, seq_len: int) -> torch.nn.Module:
    from xlstm import (
        FeedForwardConfig,
        mLSTMBlockConfig,
        mLSTMLayerConfig,
        sLSTMBlockConfig,
        sLSTMLayerConfig,
        xLSTMBlockStack,
        xLSTMBlockStackConfig,
    )

    mlstm = mLSTMBlockConfig(
        mlstm=mLSTMLayerConfig(
            num_heads=HEADS, conv1d_kernel_size=4, qkv_proj_blocksize=4
        )
    )
    slstm = sLSTMBlockConfig(
        slstm=sLSTMLayerConfig(
            num_heads=HEADS, conv1d_kernel_size=4, backend="vanilla", dtype="float32"
        ),
        feedforward=FeedForwardConfig(proj_factor=1.3),
    )
    slstm_at = {"mlstm": [], "slstm": "all", "xlstm": [1]}[kind]
    config = xLSTMBlockStackConfig(
        mlstm_block=None if kind == "slstm" else mlstm,
        slstm_block=None if kind == "mlstm" else slstm,
        context_length=seq_len,
        num_blocks=BLOCKS,
        embedding_dim=WIDTH,
        slstm_at=slstm_at,
    )
    return xLSTMBlockStack(config)


def reference_epoch(kind: str, X: np.ndarray, y: np.ndarray, epochs: int) -> float:
    torch.manual_seed(0)
    seq_len = X.shape[1]
    stack = _reference_stack(kind, seq_len)
    model = torch.nn.ModuleDict(
        {
            "proj": torch.nn.Linear(1, WIDTH),
            "stack": stack,
            "head": torch.nn.Linear(WIDTH, 1),
        }
    )
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    Xt, yt = torch.from_numpy(X).unsqueeze(-1), torch.from_numpy(y).unsqueeze(-1)

    def step(xb: torch.Tensor, yb: torch.Tensor) -> None:
        out = model["head"](model["stack"](model["proj"](xb))[:, -1])
        loss = torch.nn.functional.mse_loss(out, yb)
        opt.zero_grad()
        loss.backward()
        opt.step()

    step(Xt[:BATCH], yt[:BATCH])
    start = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(len(Xt))
        for i in range(0, len(Xt), BATCH):
            idx = order[i : i + BATCH]
            step(Xt[idx], yt[idx])
    return (time.perf_counter() - start) / epochs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--lengths", type=int, nargs="+", default=list(SIZES))
    args = parser.parse_args()
    torch.set_num_threads(1)
    try:
        import xlstm  # noqa: F401

        reference = True
    except ImportError:
        reference = False
    print(
        f"torch {torch.__version__}, 1 thread, batch {BATCH}, width {WIDTH}, "
        f"{BLOCKS} blocks, {HEADS} heads, {args.epochs} epoch(s) timed\n"
    )
    print(f"{'length':>6} {'sequences':>9}  {'model':<22} {'s/epoch':>8} {'ratio':>6}")
    for seq_len in args.lengths:
        n = SIZES.get(seq_len, 2_000)
        X, y = make_data(n, seq_len)
        rows = [(f"sklstm {cell}", sklstm_epoch, cell) for cell in CELLS]
        if reference:
            rows += [(f"reference {kind}", reference_epoch, kind) for kind in CELLS[1:]]
        base = None
        for name, run, kind in rows:
            seconds = run(kind, X, y, args.epochs)
            base = base or seconds
            ratio = seconds / base
            print(f"{seq_len:>6} {n:>9}  {name:<22} {seconds:>8.2f} {ratio:>6.1f}")


if __name__ == "__main__":
    main()
