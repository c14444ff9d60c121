"""Data-parallel fits for tests/test_data_parallel.py, run under torchrun.

``python -m torch.distributed.run --standalone --nproc-per-node 2
tests/_data_parallel_script.py OUT SCENARIO`` writes what each process saw to
``OUT/<scenario>-<rank>.pkl``:

- ``train``: weights, predictions and histories of data-parallel fits;
- ``errors``: the error each process raised for bad settings or data;
- ``raises``: process 1 raises in the middle of training (nothing written).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

from sklstm import LSTMClassifier, LSTMRegressor


def data(n: int = 256, window: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Windows of a noisy sine and the next value of each."""
    rng = np.random.default_rng(0)
    series = np.sin(np.arange(n + window) / 4) + 0.1 * rng.normal(size=n + window)
    X = np.lib.stride_tricks.sliding_window_view(series[:-1], window)[:n]
    return np.ascontiguousarray(X[..., np.newaxis]), series[window:]


def weights_hash(model: Any) -> str:
    """A hash of every weight's bytes."""
    digest = hashlib.sha256()
    for name, tensor in sorted(model.net_.module_.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().numpy().tobytes())
    return digest.hexdigest()


REGRESSOR = {
    "hidden_size": 8,
    "max_epochs": 3,
    "batch_size": 32,
    "random_state": 0,
    "data_parallel": True,
}
#: a fit that stops early (at epoch 17 of 40)
EARLY_STOPPED = {
    **REGRESSOR,
    "max_epochs": 40,
    "lr": 0.01,
    "early_stopping": True,
    "n_iter_no_change": 2,
    "tol": 0.001,
    "validation_fraction": 0.25,
}


def train(rank: int) -> dict[str, Any]:
    X, y = data()
    model = LSTMRegressor(**REGRESSOR).fit(X, y)
    stopped = LSTMRegressor(**EARLY_STOPPED).fit(X, y)
    unseeded = LSTMRegressor(**{**REGRESSOR, "random_state": None}).fit(X, y)
    labels = (y > 0).astype(int)
    classifier = LSTMClassifier(
        hidden_size=8,
        max_epochs=3,
        batch_size=30,  # a last, short batch of 16: each process gets 8
        random_state=0,
        data_parallel=True,
    ).fit(X, labels)
    weighted = LSTMRegressor(**REGRESSOR).fit(X, y, sample_weight=1 + (y > 0))
    return {
        "hash": weights_hash(model),
        "predictions": model.predict(X),
        "loss_curve": model.loss_curve_,
        "pickle": pickle.dumps(model) if rank == 0 else None,
        "stopped_hash": weights_hash(stopped),
        "stopped_n_iter": stopped.n_iter_,
        "stopped_validation": stopped.validation_loss_curve_,
        "unseeded_hash": weights_hash(unseeded),
        "classifier_hash": weights_hash(classifier),
        "classifier_proba": classifier.predict_proba(X),
        "weighted_hash": weights_hash(weighted),
        "weighted_predictions": weighted.predict(X),
    }


def errors(rank: int) -> dict[str, Any]:
    X, y = data()
    cases = {
        "fewer samples": lambda: LSTMRegressor(**REGRESSOR).fit(
            X[: len(X) - rank], y[: len(y) - rank]
        ),
        "nan": lambda: LSTMRegressor(**REGRESSOR).fit(
            np.where(rank == 1, np.nan, X), y
        ),
        "small batch": lambda: LSTMRegressor(**{**REGRESSOR, "batch_size": 1}).fit(
            X, y
        ),
        "other targets": lambda: LSTMRegressor(**REGRESSOR).fit(X, y + rank),
        "diverges": lambda: LSTMRegressor(**REGRESSOR, lr=1e12, optimizer="sgd").fit(
            X, 1e3 * y
        ),
    }
    seen = {}
    for name, fit in cases.items():
        try:
            fit()
        except ValueError as error:
            seen[name] = str(error)
        else:
            seen[name] = None
    return seen


def raises(rank: int) -> None:
    from skorch.callbacks import Callback

    class Fails(Callback):  # type: ignore[misc]
        def on_epoch_end(self, net: Any, **kwargs: Any) -> None:
            if rank == 1 and len(net.history) == 2:
                raise RuntimeError("process 1 failed in epoch 2")

    X, y = data()
    LSTMRegressor(**{**REGRESSOR, "max_epochs": 50}, callbacks=[Fails()]).fit(X, y)


def main() -> None:
    out, scenario = Path(sys.argv[1]), sys.argv[2]
    torch.set_num_threads(1)
    rank = int(os.environ.get("RANK", "0"))
    result = {"train": train, "errors": errors, "raises": raises}[scenario](rank)
    with open(out / f"{scenario}-{rank}.pkl", "wb") as file:
        pickle.dump(result, file)


if __name__ == "__main__":
    main()
