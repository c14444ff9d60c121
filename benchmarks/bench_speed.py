"""Training and prediction speed of sklstm against a plain torch loop and skorch.

All three train the same ``SequenceModule`` with Adam on the same rows, the
learning rate lowered along a cosine at every step (the regressor's default
``lr_schedule``), in one process, interleaved, and report the best of
``--repeats`` runs:

- a hand-written torch loop over pre-made float32 tensors (the baseline);
- ``skorch.NeuralNetRegressor`` with its default DataLoader and no validation split;
- ``sklstm.LSTMRegressor``.

Run with ``nox -s bench`` or ``python benchmarks/bench_speed.py``.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from skorch import NeuralNetRegressor
from skorch.callbacks import LRScheduler
from torch.optim.lr_scheduler import CosineAnnealingLR

from sklstm import LSTMRegressor
from sklstm._nn import SequenceModule

SIZES = {
    # name: (n_samples, seq_len, hidden_size, n_channels, shortest, epochs);
    # shortest=None: every sequence has seq_len steps, else lengths are drawn
    # from shortest..seq_len and padded (a ragged set the size of the
    # JapaneseVowels speakers: 270 sequences of 7-29 steps, 12 channels)
    "tutorial": (10_000, 50, 64, 1, None, 3),
    "small": (10_000, 10, 16, 1, None, 3),
    "ragged": (270, 29, 64, 12, 7, 30),
}
BATCH = 32
LR = 1e-3


@dataclass
class Data:
    """One data set in the forms each contender takes."""

    X: np.ndarray  # (n, seq_len, channels), padded with zeros when ragged
    y: np.ndarray  # (n,)
    lengths: np.ndarray | None  # (n,) int64 when ragged

    def for_sklstm(self) -> np.ndarray | list[np.ndarray]:
        if self.lengths is None:
            return self.X[:, :, 0] if self.X.shape[2] == 1 else self.X
        return [row[:length] for row, length in zip(self.X, self.lengths, strict=True)]

    def for_skorch(self) -> np.ndarray | dict[str, np.ndarray]:
        if self.lengths is None:
            return self.X
        return {"X": self.X, "lengths": self.lengths}


def make_data(n: int, seq_len: int, channels: int, shortest: int | None) -> Data:
    rng = np.random.RandomState(0)
    t = np.arange(seq_len + 1) * 0.1
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1, channels))
    series = np.sin(t[:, None] + phase) + 0.05 * rng.normal(
        size=(n, seq_len + 1, channels)
    )
    X, y = series[:, :-1].astype(np.float32), series[:, -1, 0].astype(np.float32)
    lengths = None
    if shortest is not None:
        lengths = rng.randint(shortest, seq_len + 1, size=n).astype(np.int64)
        X[np.arange(seq_len)[None, :] >= lengths[:, None]] = 0.0
    return Data(X, y, lengths)


DEVICE = "cpu"


def _steps(n_samples: int, epochs: int) -> int:
    """Optimiser steps of a fit: the length of every trainer's cosine."""
    return epochs * -(-n_samples // BATCH)


def loop_fit(data: Data, hidden: int, epochs: int) -> SequenceModule:
    torch.manual_seed(0)
    module = SequenceModule(data.X.shape[2], 1, hidden_size=hidden).to(DEVICE)
    opt = torch.optim.Adam(module.parameters(), lr=LR)
    loss_fn = torch.nn.MSELoss()
    # the whole set on the device up front: the fastest a hand loop can feed it
    Xt = torch.from_numpy(data.X).to(DEVICE)
    yt = torch.from_numpy(data.y).unsqueeze(-1).to(DEVICE)
    lengths = None if data.lengths is None else torch.from_numpy(data.lengths)
    module.train()
    steps, step = _steps(len(Xt), epochs), 0
    for _ in range(epochs):
        perm = torch.randperm(len(Xt), device=DEVICE)
        for start in range(0, len(Xt), BATCH):
            idx = perm[start : start + BATCH]
            for group in opt.param_groups:
                group["lr"] = LR * (1 + math.cos(math.pi * step / steps)) / 2
            step += 1
            opt.zero_grad()
            batch_lengths = None if lengths is None else lengths[idx.cpu()]
            loss = loss_fn(module(Xt[idx], batch_lengths), yt[idx])
            loss.backward()
            opt.step()
    _sync()
    return module


def _sync() -> None:
    if DEVICE.startswith("cuda"):
        torch.cuda.synchronize()


def loop_predict(module: SequenceModule, data: Data) -> np.ndarray:
    module.eval()
    Xt = torch.from_numpy(data.X)
    lengths = None if data.lengths is None else torch.from_numpy(data.lengths)
    out = []
    with torch.inference_mode():  # from host arrays to host results, as predict
        for i in range(0, len(Xt), 1024):
            chunk = None if lengths is None else lengths[i : i + 1024]
            out.append(module(Xt[i : i + 1024].to(DEVICE), chunk).cpu())
    return torch.cat(out).numpy()


def skorch_net(
    hidden: int, epochs: int, channels: int, n_samples: int
) -> NeuralNetRegressor:
    steps = _steps(n_samples, epochs)
    return NeuralNetRegressor(
        SequenceModule,
        module__n_inputs=channels,
        module__n_outputs=1,
        module__hidden_size=hidden,
        optimizer=torch.optim.Adam,
        lr=LR,
        batch_size=BATCH,
        max_epochs=epochs,
        train_split=None,
        callbacks=[LRScheduler(CosineAnnealingLR, T_max=steps, step_every="batch")],
        verbose=0,
        device=DEVICE,
    )


def sklstm_model(hidden: int, epochs: int) -> LSTMRegressor:
    return LSTMRegressor(
        hidden_size=hidden,
        batch_size=BATCH,
        lr=LR,
        max_epochs=epochs,
        random_state=0,
        device=DEVICE,
    )


def best_of(repeats: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        _sync()
        times.append(time.perf_counter() - start)
    return min(times)


def run(size: str, epochs: int | None, repeats: int) -> None:
    n, seq_len, hidden, channels, shortest, default_epochs = SIZES[size]
    epochs = epochs or default_epochs
    data = make_data(n, seq_len, channels, shortest)
    X_sk, X_skorch, y2 = data.for_sklstm(), data.for_skorch(), data.y[:, None]
    shape = f"{n} x {seq_len} steps x {channels} channel(s)"
    if shortest is not None:
        shape = f"{n} x {shortest}-{seq_len} steps (padded) x {channels} channels"
    print(
        f"\n== {size}: {shape}, hidden {hidden}, batch {BATCH}, "
        f"{epochs} epoch(s), best of {repeats} =="
    )

    fits = {
        "loop": lambda: loop_fit(data, hidden, epochs),
        "skorch": lambda: skorch_net(hidden, epochs, channels, n).fit(X_skorch, y2),
        "sklstm": lambda: sklstm_model(hidden, epochs).fit(X_sk, data.y),
    }
    names = list(fits)
    fit_times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):  # interleaved, in a rotating order, so that
        for name in names[r % 3 :] + names[: r % 3]:  # drifts hit all alike
            fit_times[name].append(best_of(1, fits[name]))
    per_epoch = {k: min(v) / epochs for k, v in fit_times.items()}
    # ratios of runs made back to back, which cancels slow drifts of the machine
    paired = {
        k: float(np.median(np.array(v) / np.array(fit_times["loop"])))
        for k, v in fit_times.items()
    }

    module = loop_fit(data, hidden, 1)
    net = skorch_net(hidden, 1, channels, n).fit(X_skorch, y2)
    model = sklstm_model(hidden, 1).fit(X_sk, data.y)
    predict = {
        "loop": best_of(repeats, lambda: loop_predict(module, data)),
        "skorch": best_of(repeats, lambda: net.predict(X_skorch)),
        "sklstm": best_of(repeats, lambda: model.predict(X_sk)),
    }

    print(
        f"{'':8} {'s/epoch':>9} {'x loop':>7} {'paired':>7}"
        f"   {'predict (s)':>15} {'x loop':>7}"
    )
    for name in ("loop", "skorch", "sklstm"):
        fit_ratio = per_epoch[name] / per_epoch["loop"]
        predict_ratio = predict[name] / predict["loop"]
        print(
            f"{name:8} {per_epoch[name]:9.3f} {fit_ratio:7.3f} {paired[name]:7.3f}"
            f"   {predict[name]:15.3f} {predict_ratio:7.3f}"
        )
    print(
        "(x loop: ratio of the best times; paired: median ratio of back-to-back runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=SIZES)
    parser.add_argument(
        "--epochs", type=int, default=None, help="default: 3, and 30 for ragged"
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    args = parser.parse_args()
    global DEVICE
    DEVICE = args.device
    torch.set_num_threads(args.threads)
    where = torch.cuda.get_device_name() if DEVICE.startswith("cuda") else "CPU"
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), {where}")
    for size in args.sizes:
        run(size, args.epochs, args.repeats)


if __name__ == "__main__":
    main()
