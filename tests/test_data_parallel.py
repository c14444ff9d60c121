"""Data-parallel training (``data_parallel=True``) across torch.distributed processes.

The multi-process tests start ``torchrun`` with 2 CPU processes (gloo) on
``tests/_data_parallel_script.py`` and compare what each process ends with,
with each other and with the same fit in this process.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from sklstm import LSTMClassifier, LSTMRegressor
from sklstm._training import Shard, shard_device
from sklstm._training._data import BatchIterator, SequenceDataset

sys.path.insert(0, str(Path(__file__).parent))
from _data_parallel_script import EARLY_STOPPED, REGRESSOR, data

SCRIPT = Path(__file__).parent / "_data_parallel_script.py"
TIMEOUT = 120  # seconds: a hang fails the test instead of the run


def torchrun(
    scenario: str, out: Path
) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run the script's ``scenario`` in 2 processes; the result and its seconds."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "GLOO_SOCKET_IFNAME": "lo"}
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone"]
    command += ["--nproc-per-node", "2", str(SCRIPT), str(out), scenario]
    start = time.perf_counter()
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    return done, time.perf_counter() - start


def results(scenario: str, out: Path) -> list[Any]:
    done, _ = torchrun(scenario, out)
    assert done.returncode == 0, done.stdout + done.stderr
    return [
        pickle.loads((out / f"{scenario}-{rank}.pkl").read_bytes()) for rank in (0, 1)
    ]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    return results("train", tmp_path_factory.mktemp("train"))


@pytest.fixture(scope="module")
def refused(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    return results("errors", tmp_path_factory.mktemp("errors"))


@pytest.mark.parametrize(
    "name",
    ["hash", "stopped_hash", "unseeded_hash", "classifier_hash", "weighted_hash"],
)
def test_every_process_ends_with_the_same_weights(
    trained: list[dict[str, Any]], name: str
) -> None:
    assert trained[0][name] == trained[1][name]


def test_histories_agree(trained: list[dict[str, Any]]) -> None:
    first, second = trained
    assert first["loss_curve"] == second["loss_curve"]
    assert first["stopped_n_iter"] == second["stopped_n_iter"]
    assert first["stopped_validation"] == second["stopped_validation"]


def test_equals_a_fit_in_one_process(trained: list[dict[str, Any]]) -> None:
    """Half of each global batch per process: the gradients of the whole batch."""
    X, y = data()
    alone = {**REGRESSOR, "data_parallel": False}
    single = LSTMRegressor(**alone).fit(X, y)
    np.testing.assert_allclose(
        trained[0]["predictions"], single.predict(X), rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(trained[0]["loss_curve"], single.loss_curve_, rtol=1e-5)
    weighted = LSTMRegressor(**alone).fit(X, y, sample_weight=1 + (y > 0))
    np.testing.assert_allclose(
        trained[0]["weighted_predictions"], weighted.predict(X), rtol=1e-5, atol=1e-6
    )
    classifier = LSTMClassifier(
        hidden_size=8, max_epochs=3, batch_size=30, random_state=0
    ).fit(X, (y > 0).astype(int))
    np.testing.assert_allclose(
        trained[0]["classifier_proba"], classifier.predict_proba(X), atol=1e-5
    )


def test_early_stopping_stops_where_one_process_does(
    trained: list[dict[str, Any]],
) -> None:
    X, y = data()
    single = LSTMRegressor(**{**EARLY_STOPPED, "data_parallel": False}).fit(X, y)
    assert 2 < single.n_iter_ < 40  # it does stop early
    assert trained[0]["stopped_n_iter"] == single.n_iter_
    np.testing.assert_allclose(
        trained[0]["stopped_validation"], single.validation_loss_curve_, rtol=1e-4
    )


def test_the_fitted_model_pickles_and_predicts_in_one_process(
    trained: list[dict[str, Any]],
) -> None:
    model = pickle.loads(trained[0]["pickle"])
    assert model.data_parallel
    X, _ = data()
    np.testing.assert_array_equal(model.predict(X), trained[0]["predictions"])
    model.set_params(warm_start=True, max_epochs=1).fit(*data())  # here: one process
    assert model.n_iter_ == 4


@pytest.mark.parametrize(
    ("case", "messages"),
    [
        (
            "fewer samples",
            [
                "numbers of samples differ: 256 in process 0 and 255 in process 1",
                "numbers of samples differ: 255 in process 1 and 256 in process 0",
            ],
        ),
        ("other targets", ["targets (fingerprints) differ"]),
        ("small batch", ["batch_size=1 leave some of them nothing to train on"]),
        ("diverges", ["training loss became inf in epoch 1, batch 3"]),
        (
            "nan",
            [
                "Process 1 of the 2 that train together with data_parallel=True "
                "could not start training: ValueError: Input X contains NaN",
                "Input X contains NaN at sample 0",
            ],
        ),
    ],
)
def test_bad_input_is_an_error_in_every_process(
    refused: list[dict[str, Any]], case: str, messages: list[str]
) -> None:
    for rank in (0, 1):
        message = refused[rank][case]
        assert message is not None, f"process {rank} trained on {case}"
        assert messages[min(rank, len(messages) - 1)] in message


def test_a_failing_process_ends_them_all(tmp_path: Path) -> None:
    done, seconds = torchrun("raises", tmp_path)
    assert done.returncode != 0
    assert "RuntimeError: process 1 failed in epoch 2" in done.stdout + done.stderr
    assert seconds < TIMEOUT / 2  # ended by the failure, not by the timeout
    assert not list(tmp_path.iterdir())  # neither process finished


def test_one_process_trains_as_without_data_parallel() -> None:
    X, y = data()
    apart = LSTMRegressor(**REGRESSOR).fit(X, y)
    alone = LSTMRegressor(**{**REGRESSOR, "data_parallel": False}).fit(X, y)
    np.testing.assert_array_equal(apart.predict(X), alone.predict(X))
    assert not torch.distributed.is_initialized()


def test_a_world_of_one_from_the_environment_starts_no_group(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WORLD_SIZE", "1")
    X, y = data(64)
    LSTMRegressor(**{**REGRESSOR, "max_epochs": 1}).fit(X, y)
    assert not torch.distributed.is_initialized()


@pytest.mark.parametrize(
    ("world", "batch", "n", "samples"),
    [(2, 32, 256, None), (3, 8, 20, None), (4, 5, 7, None), (2, 16, 300, 50)],
)
def test_every_row_of_every_global_batch_goes_to_one_process(
    world: int, batch: int, n: int, samples: int | None
) -> None:
    dataset = SequenceDataset(np.arange(n, dtype=float).reshape(n, 1, 1))

    def shares(rank: int) -> list[tuple[list[int], np.ndarray]]:
        iterator = BatchIterator(
            dataset,
            batch,
            shuffle=True,
            generator=torch.Generator().manual_seed(0),
            shard=(rank, world),
            samples=samples,
        )
        return [
            (b["X"][:, 0, 0].int().tolist(), b["loss_scale"].numpy())
            for b, _ in iterator
        ]

    alone = BatchIterator(
        dataset,
        batch,
        shuffle=True,
        generator=torch.Generator().manual_seed(0),
        samples=samples,
    )
    whole = [b[:, 0, 0].int().tolist() for b, _ in alone]
    assert sum(map(len, whole)) == (samples or n)  # an epoch budget: its draw
    per_rank = [shares(rank) for rank in range(world)]
    for i, rows in enumerate(whole):
        taken = [per_rank[rank][i] for rank in range(world)]
        real = [r for part, scale in taken if scale.any() for r in part]
        assert sorted(real) == sorted(rows)
        # the scales make the mean over processes the mean over the batch
        total = sum(float(scale.sum()) for _, scale in taken)
        assert total == pytest.approx(world)


def test_a_device_of_its_own_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    shard = Shard(rank=3, world=4, local_rank=1, backend="nccl")
    assert shard_device(shard, "auto", "cuda") == "cuda:1"
    assert shard_device(shard, "cuda", "cuda") == "cuda:1"
    assert shard_device(shard, "cuda:0", "cuda:0") == "cuda:0"  # as the user says
    crowded = Shard(rank=2, world=4, local_rank=2, backend="nccl")
    with pytest.raises(ValueError, match=r"LOCAL_RANK=2 and its machine has 2 GPU"):
        shard_device(crowded, "auto", "cuda")
    with pytest.raises(ValueError, match=r"cannot train on device='cpu'.*'nccl'"):
        shard_device(shard, "cpu", "cpu")
    gloo = Shard(rank=0, world=2, local_rank=0, backend="gloo")
    assert shard_device(gloo, "cpu", "cpu") == "cpu"
    with pytest.raises(ValueError, match=r"device='mps'"):
        shard_device(gloo, "mps", "mps")
