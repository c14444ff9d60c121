"""Training and prediction speed of sklstm against a plain torch loop and skorch.

All three train the same ``SequenceModule`` with Adam on the same rows, in one
process, interleaved, and report the best of ``--repeats`` runs:

- a hand-written torch loop over pre-made float32 tensors (the baseline);
- ``skorch.NeuralNetRegressor`` with its default DataLoader and no validation split;
- ``sklstm.LSTMRegressor``.

Run with ``nox -s bench`` or ``python benchmarks/bench_speed.py``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import torch
from skorch import NeuralNetRegressor

from sklstm import LSTMRegressor
from sklstm._nn import SequenceModule

SIZES = {
    # name: (n_samples, seq_len, hidden_size)
    "tutorial": (10_000, 50, 64),
    "small": (10_000, 10, 16),
}
BATCH = 32
LR = 1e-3


def make_data(n: int, seq_len: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(0)
    t = np.arange(seq_len + 1) * 0.1
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1))
    series = np.sin(t + phase) + 0.05 * rng.normal(size=(n, seq_len + 1))
    return series[:, :-1].astype(np.float32), series[:, -1].astype(np.float32)


def loop_fit(X: np.ndarray, y: np.ndarray, hidden: int, epochs: int) -> SequenceModule:
    torch.manual_seed(0)
    module = SequenceModule(1, 1, hidden_size=hidden)
    opt = torch.optim.Adam(module.parameters(), lr=LR)
    loss_fn = torch.nn.MSELoss()
    Xt = torch.from_numpy(X).unsqueeze(-1)
    yt = torch.from_numpy(y).unsqueeze(-1)
    module.train()
    for _ in range(epochs):
        perm = torch.randperm(len(Xt))
        for start in range(0, len(Xt), BATCH):
            idx = perm[start : start + BATCH]
            opt.zero_grad()
            loss = loss_fn(module(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    return module


def loop_predict(module: SequenceModule, X: np.ndarray) -> np.ndarray:
    module.eval()
    Xt = torch.from_numpy(X).unsqueeze(-1)
    with torch.inference_mode():
        out = [module(Xt[i : i + 1024]) for i in range(0, len(Xt), 1024)]
    return torch.cat(out).numpy()


def skorch_net(hidden: int, epochs: int) -> NeuralNetRegressor:
    return NeuralNetRegressor(
        SequenceModule,
        module__n_inputs=1,
        module__n_outputs=1,
        module__hidden_size=hidden,
        optimizer=torch.optim.Adam,
        lr=LR,
        batch_size=BATCH,
        max_epochs=epochs,
        train_split=None,
        verbose=0,
        device="cpu",
    )


def sklstm_model(hidden: int, epochs: int) -> LSTMRegressor:
    return LSTMRegressor(
        hidden_size=hidden,
        batch_size=BATCH,
        lr=LR,
        max_epochs=epochs,
        random_state=0,
        device="cpu",
    )


def best_of(repeats: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def run(size: str, epochs: int, repeats: int) -> None:
    n, seq_len, hidden = SIZES[size]
    X, y = make_data(n, seq_len)
    X3, y2 = X[:, :, None], y[:, None]
    print(
        f"\n== {size}: {n} x {seq_len} steps, hidden {hidden}, batch {BATCH}, "
        f"{epochs} epoch(s), best of {repeats} =="
    )

    fits = {
        "loop": lambda: loop_fit(X, y, hidden, epochs),
        "skorch": lambda: skorch_net(hidden, epochs).fit(X3, y2),
        "sklstm": lambda: sklstm_model(hidden, epochs).fit(X, y),
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

    module = loop_fit(X, y, hidden, 1)
    net = skorch_net(hidden, 1).fit(X3, y2)
    model = sklstm_model(hidden, 1).fit(X, y)
    predict = {
        "loop": best_of(repeats, lambda: loop_predict(module, X)),
        "skorch": best_of(repeats, lambda: net.predict(X3)),
        "sklstm": best_of(repeats, lambda: model.predict(X)),
    }

    print(
        f"{'':8} {'s/epoch':>9} {'x loop':>7} {'paired':>7}"
        f"   {'predict 10k (s)':>15} {'x loop':>7}"
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
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)")
    for size in args.sizes:
        run(size, args.epochs, args.repeats)


if __name__ == "__main__":
    main()
