"""Data-parallel training across the processes of a torch.distributed world.

``data_parallel=True`` under a launcher such as ``torchrun`` trains one model
in every process of the world: each process takes its share of every global
batch (rows ``rank::world``), DistributedDataParallel averages the gradients,
and every process ends with the same weights. In a world of one process (plain
``python``) nothing here is used.

The estimator joins the world (:func:`join`), checks with the other processes
that every one of them is ready to train the same data (:func:`agree`), and
hands the :class:`Shard` to :func:`~sklstm._training.train`.
"""

from __future__ import annotations

import atexit
import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist

__all__ = ["Shard", "agree", "join", "shard_device", "telling_others"]


@dataclass(frozen=True)
class Shard:
    """This process's place in the world that trains one model together.

    Attributes
    ----------
    rank : int
        This process's rank, 0 to ``world - 1``.
    world : int
        The number of processes (at least 2).
    local_rank : int
        The rank among the processes of this machine (its GPU, with CUDA).
    backend : str
        The process group's backend ("gloo", "nccl", ...).
    """

    rank: int
    world: int
    local_rank: int
    backend: str


def _leave() -> None:
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def join(device: str) -> Shard | None:
    """The world this process trains in, or None for a single process.

    Uses the process group already initialised (by the user or a framework);
    otherwise initialises one from the environment a launcher such as
    ``torchrun`` sets (``WORLD_SIZE``, ``RANK``, ``MASTER_ADDR``, ...), with
    the "nccl" backend when ``device`` will resolve to CUDA and "gloo"
    otherwise, and destroys it when the process exits.
    """
    if not dist.is_available():
        return None
    if not dist.is_initialized():
        if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
            return None
        cuda = device.startswith("cuda") or (
            device == "auto" and torch.cuda.is_available()
        )
        dist.init_process_group("nccl" if cuda else "gloo")
        atexit.register(_leave)
    world = dist.get_world_size()
    if world <= 1:
        return None
    rank = dist.get_rank()
    local_rank = int(os.environ.get("LOCAL_RANK", rank))
    return Shard(rank, world, local_rank, str(dist.get_backend()))


def shard_device(shard: Shard, device: str, resolved: str) -> str:
    """The device of this process: its own GPU for "auto" and "cuda".

    ``resolved`` is ``device`` as resolved for a single process. Raises
    ValueError for a device the process group cannot reduce on.
    """
    kind = torch.device(resolved).type
    if kind == "cuda" and device in ("auto", "cuda"):
        count = torch.cuda.device_count()
        if shard.local_rank >= count:
            raise ValueError(
                f"data_parallel=True gives each process its own GPU, but this "
                f"process has LOCAL_RANK={shard.local_rank} and its machine has "
                f"{count} GPU(s). Start at most {count} processes per machine "
                f"(torchrun --nproc-per-node {count})."
            )
        resolved = f"cuda:{shard.local_rank}"
    backend = shard.backend
    cpu_ok = "gloo" in backend or "mpi" in backend
    if kind not in ("cpu", "cuda") or (kind == "cpu" and not cpu_ok):
        raise ValueError(
            f"data_parallel=True cannot train on device={resolved!r} in a process "
            f"group with the {backend!r} backend, which cannot average "
            f"gradients there. Use device='auto' or 'cuda' with 'nccl', or "
            f"device='cpu' with 'gloo'."
        )
    return resolved


def _gather(shard: Shard, payload: Any) -> list[Any]:
    """Every process's ``payload``, in rank order."""
    gathered: list[Any] = [None] * shard.world
    context: Any = contextlib.nullcontext()
    if shard.backend == "nccl":  # nccl gathers on the current GPU
        context = torch.cuda.device(shard.local_rank)
    with context:
        dist.all_gather_object(gathered, payload)
    return gathered


@contextlib.contextmanager
def telling_others(shard: Shard | None) -> Iterator[None]:
    """On an exception, tell the other processes (see :func:`agree`), then raise.

    Wraps what a process does before training together, so that one process
    failing (bad input, say) ends every process with an error instead of
    leaving the others waiting for it.
    """
    try:
        yield
    except Exception as error:
        if shard is not None:
            _gather(shard, ("failed", f"{type(error).__name__}: {error}"))
        raise


def agree(shard: Shard, facts: dict[str, Any]) -> list[dict[str, Any]]:
    """Check that every process can train the same data; return their facts.

    Pairs with the gather of :func:`telling_others` in a process that failed.
    Raises ValueError, in every process, when another one failed or when
    the ``facts`` (sample counts, shapes) differ between processes.
    """
    gathered = _gather(shard, ("ready", facts))
    for rank, (state, value) in enumerate(gathered):
        if state == "failed":
            raise ValueError(
                f"Process {rank} of the {shard.world} that train together with "
                f"data_parallel=True could not start training: {value}"
            )
    mine = gathered[shard.rank][1]
    for rank, (_, theirs) in enumerate(gathered):
        for key, value in theirs.items():
            if key.startswith("_") or value == mine[key]:
                continue
            raise ValueError(
                f"data_parallel=True trains one model on the same data in every "
                f"process, but the {key} differ: {mine[key]} in process "
                f"{shard.rank} and {value} in process {rank}. Give every process "
                "the whole training set; each trains on its own share of every "
                "batch."
            )
    return [value for _, value in gathered]
