"""Build and drive the skorch net that trains a :class:`SequenceModule`.

skorch runs the training loop, callbacks, history, device moves and pickling.
This module builds the net from a :class:`NetConfig`, seeds training, and runs
inference in fixed-size chunks.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import GradientNormClipping, LRScheduler, ProgressBar
from skorch.history import History
from skorch.utils import noop
from torch import nn

from .. import _compat as skorch_private
from .._nn import SequenceBatchNorm, SequenceModule, WindowStepper, refresh_statistics
from .._sequences import RaggedSequences
from ._callbacks import (
    CosineDecay,
    EarlyStoppingBest,
    FiniteGuard,
    PlainPrintLog,
    StopTraining,
    ValidationScore,
)
from ._data import (
    BatchIterator,
    SequenceDataset,
    ValidationSplit,
    convert,
    predict_chunks,
)
from ._distributed import Shard

__all__ = [
    "OPTIMIZERS",
    "ModuleConfig",
    "NetConfig",
    "TrainingStop",
    "build_net",
    "config_changes",
    "net_state",
    "predict_raw",
    "rebuild_net",
    "refresh_callbacks",
    "train",
    "training_history",
]

OPTIMIZERS: dict[str, type[torch.optim.Optimizer]] = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}

# Rows per inference forward pass. Every pass has exactly this many rows (the
# last one padded), so predictions do not depend on batch composition.
PREDICT_CHUNK = 512


def _run_module(module: nn.Module, x: Any, device: str) -> torch.Tensor:
    """Forward a batch: a tensor, or a dict with ``X`` and optional ``lengths``."""
    lengths = None
    if isinstance(x, Mapping):
        x, lengths = x["X"], x.get("lengths")
    out: torch.Tensor = module(x.to(device), lengths)
    return out


class _SequenceNet(NeuralNet):  # type: ignore[misc]
    """skorch net whose batches are a tensor or a dict with ``sample_weight``."""

    def get_default_callbacks(self) -> list[tuple[str, Any]]:
        # skorch's epoch table, without colour codes where they are noise
        return [
            (name, PlainPrintLog() if name == "print_log" else callback)
            for name, callback in super().get_default_callbacks()
        ]

    # True after the user interrupted the last training call (Ctrl-C)
    _interrupted = False

    def fit_loop(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().fit_loop(*args, **kwargs)
        except StopTraining:
            raise
        except KeyboardInterrupt:
            self._interrupted = True
            raise

    def _set_training(self, training: bool = True) -> None:
        # nn.Module.train() walks every submodule; skorch calls it on each
        # batch, so only switch when the mode actually changes.
        for name in skorch_private.module_names(self):
            module = getattr(self, name + "_")
            if isinstance(module, nn.Module) and module.training != training:
                module.train(training)

    def infer(self, x: Any, **fit_params: Any) -> torch.Tensor:
        # in data-parallel training the training passes go through the
        # DistributedDataParallel wrapper, which averages the gradients
        wrapper = self.__dict__.get("_ddp")
        module = wrapper if wrapper is not None and torch.is_grad_enabled() else None
        return _run_module(module or self.module_, x, self.device)

    def train_step_single(self, batch: Any, **fit_params: Any) -> dict[str, Any]:
        step: dict[str, Any] = super().train_step_single(batch, **fit_params)
        if self.__dict__.get("_ddp") is not None:
            # every process records (and guards on) the global batch's loss
            loss = step["loss"].detach().clone()
            torch.distributed.all_reduce(loss)
            step["loss"] = loss / torch.distributed.get_world_size()
        return step

    def run_single_epoch(
        self, iterator: Any, training: bool, prefix: str, step_fn: Any, **kw: Any
    ) -> None:
        super().run_single_epoch(iterator, training, prefix, step_fn, **kw)
        sizes = getattr(iterator, "global_sizes_", None)
        if training and sizes and getattr(iterator, "shard", None) is not None:
            # the epoch's loss averages the global batches, as in one process
            batches = self.history[-1]["batches"][-len(sizes) :]
            for row, size in zip(batches, sizes, strict=True):
                row[prefix + "_batch_size"] = size

    def get_loss(
        self,
        y_pred: torch.Tensor,
        y_true: torch.Tensor,
        X: Any = None,
        training: bool = False,
    ) -> torch.Tensor:
        loss = self.criterion_(y_pred, y_true.to(self.device))
        weighted = isinstance(X, Mapping) and (
            "sample_weight" in X or "loss_scale" in X
        )
        if weighted and loss.ndim > 1:  # one loss per output: average per sample
            loss = loss.mean(dim=tuple(range(1, loss.ndim)))
        if isinstance(X, Mapping) and "sample_weight" in X:
            loss = loss * X["sample_weight"].to(loss.device)
        if isinstance(X, Mapping) and "loss_scale" in X:
            # a share of a global batch (data-parallel): its part of the mean
            total: torch.Tensor = (loss * X["loss_scale"].to(loss.device)).sum()
            return total
        mean: torch.Tensor = loss.mean()
        return mean


@dataclass(frozen=True)
class ModuleConfig:
    """The arguments of :class:`SequenceModule` (skorch's ``module__*``)."""

    n_inputs: int
    n_outputs: int
    hidden_size: int
    num_layers: int
    bidirectional: bool
    dropout: float
    cell: str
    num_embeddings: int | None
    embedding_dim: int | None
    cell_params: Mapping[str, Any]
    pooling: str = "last"
    conv_filters: int | None = None
    # the default is what configs pickled before the batch norm had
    conv_norm: str = "layer"


@dataclass(frozen=True)
class NetConfig:
    """Everything needed to build the skorch net, resolved from estimator params."""

    module: ModuleConfig
    criterion: type[nn.Module]  # built with reduction="none"
    score: Callable[[torch.Tensor, torch.Tensor], float]  # validation score
    optimizer: str | type
    lr: float
    weight_decay: float
    batch_size: int
    clip_grad_norm: float | None
    early_stopping: bool
    validation_fraction: float
    validation_split: str
    n_iter_no_change: int
    tol: float
    callbacks: Sequence[Any]
    device: str
    verbose: int
    # the criterion's other arguments (a default: configs pickled before it)
    criterion_params: tuple[tuple[str, Any], ...] = ()
    # "constant" or "cosine" (the default: what configs pickled before it had)
    lr_schedule: str = "constant"


def config_changes(built: NetConfig, now: NetConfig) -> list[str]:
    """The settings a built net depends on that differ, as "name (old -> new)".

    Callbacks, verbosity and the learning-rate schedule are per fit and
    never count.
    """

    def fields(config: NetConfig) -> dict[str, Any]:
        flat = {**dataclasses.asdict(config.module)}
        for field in dataclasses.fields(config):
            if field.name not in ("module", "callbacks", "verbose", "lr_schedule"):
                flat[field.name] = getattr(config, field.name)
        return flat

    def show(value: Any) -> str:
        return getattr(value, "__name__", None) or repr(value)

    old, new = fields(built), fields(now)
    return [f"{k} ({show(old[k])} -> {show(new[k])})" for k in old if old[k] != new[k]]


def _optimizer_class(optimizer: str | type) -> type[torch.optim.Optimizer]:
    if isinstance(optimizer, str):
        return OPTIMIZERS[optimizer]
    if not issubclass(optimizer, torch.optim.Optimizer):
        raise TypeError(
            f"optimizer={optimizer!r} is not a torch.optim.Optimizer subclass. "
            f"Pass one of {sorted(OPTIMIZERS)} or an optimizer class such as "
            "torch.optim.Adam."
        )
    return optimizer


@functools.cache
def _fast_step(name: str, device_type: str) -> str | None:
    """``"fused"`` or ``"foreach"``: the fastest step torch has for an optimizer.

    Both run the same algorithm as the default per-tensor loop, in fewer
    kernel calls (the results differ in float rounding only; measured on one
    CPU thread for a 50k-weight LSTM: 0.12 ms a step fused, 0.34 foreach, 0.57
    per tensor). Found by trying a step on a
    one-element tensor, since which optimizers have which kernel on which
    device depends on the torch version; None when neither works.
    """
    optimizer = OPTIMIZERS[name]
    accepted = inspect.signature(optimizer).parameters
    for option in ("fused", "foreach"):
        if option not in accepted:
            continue
        try:
            weight = torch.zeros(1, device=device_type, requires_grad=True)
            weight.grad = torch.zeros_like(weight)
            kwargs: dict[str, Any] = {"lr": 0.1, option: True}
            optimizer([weight], **kwargs).step()
        except (RuntimeError, ValueError, TypeError, AssertionError):
            continue
        return option
    return None


def _optimizer_options(config: NetConfig) -> dict[str, Any]:
    """The net's ``optimizer__*`` arguments."""
    options: dict[str, Any] = {"optimizer__weight_decay": config.weight_decay}
    if isinstance(config.optimizer, str):  # a class given by the user is as given
        fast = _fast_step(config.optimizer, torch.device(config.device).type)
        if fast is not None:
            options[f"optimizer__{fast}"] = True
    return options


def _callbacks(config: NetConfig) -> list[tuple[str, Any]]:
    # the guard comes first, so that no other callback sees a diverged epoch
    callbacks: list[tuple[str, Any]] = [("finite_guard", FiniteGuard())]
    if config.lr_schedule == "cosine":
        _check_no_scheduler(config.callbacks)
        callbacks.append(("lr_schedule", CosineDecay()))
    if config.early_stopping:
        callbacks.append(("valid_score", ValidationScore(config.score)))
        callbacks.append(
            (
                "early_stopping",
                EarlyStoppingBest(
                    monitor="valid_loss",
                    patience=config.n_iter_no_change,
                    threshold=config.tol,
                    threshold_mode="abs",
                    load_best=True,
                    sink=print if config.verbose else noop,
                ),
            )
        )
    if config.clip_grad_norm is not None:
        callbacks.append(
            ("clip_grad_norm", GradientNormClipping(config.clip_grad_norm))
        )
    if config.verbose >= 2:
        callbacks.append(("progress_bar", ProgressBar()))
    for i, callback in enumerate(config.callbacks):
        if isinstance(callback, tuple):
            callbacks.append(callback)
        else:
            callbacks.append((f"user_{i}_{type(callback).__name__}", callback))
    return callbacks


def _check_no_scheduler(given: Sequence[Any]) -> None:
    """A user's LRScheduler and lr_schedule="cosine" would both set the rate."""
    for callback in given:
        given_as = callback[1] if isinstance(callback, tuple) else callback
        # skorch also takes callback classes, which it instantiates itself
        kind = given_as if isinstance(given_as, type) else type(given_as)
        if issubclass(kind, LRScheduler):
            raise ValueError(
                "callbacks include an LRScheduler, which sets the learning rate, "
                "and lr_schedule='cosine' sets it too. Pass "
                "lr_schedule='constant' to train with your scheduler alone."
            )


def build_net(config: NetConfig, seed: int) -> NeuralNet:
    """Build (uninitialised) the skorch net described by ``config``."""
    split = (
        ValidationSplit(config.validation_fraction, config.validation_split, seed)
        if config.early_stopping
        else None
    )
    module_args = {
        f"module__{name}": value
        for name, value in dataclasses.asdict(config.module).items()
    }
    return _SequenceNet(
        module=SequenceModule,
        **module_args,
        criterion=config.criterion,
        criterion__reduction="none",
        **{f"criterion__{name}": value for name, value in config.criterion_params},
        optimizer=_optimizer_class(config.optimizer),
        **_optimizer_options(config),
        lr=config.lr,
        batch_size=config.batch_size,
        train_split=split,
        iterator_train=BatchIterator,
        iterator_train__shuffle=True,
        iterator_train__generator=torch.Generator().manual_seed(seed),
        iterator_train__shard=None,
        iterator_train__samples=None,
        iterator_valid=BatchIterator,
        callbacks=_callbacks(config),
        predict_nonlinearity=None,
        device=config.device,
        verbose=config.verbose,
    )


def refresh_callbacks(net: NeuralNet, config: NetConfig) -> None:
    """Give a built net the callbacks and verbosity of ``config``.

    Continuing training (warm start, ``partial_fit``) uses the estimator's
    current ``callbacks`` and ``verbose``, not those it was first fitted with.
    """
    net.callbacks = _callbacks(config)
    net.verbose = config.verbose
    net.initialize_callbacks()


@contextlib.contextmanager
def _seeded(seed: int, device: str) -> Iterator[None]:
    """Seed torch for init, shuffling and dropout without touching the caller's RNG."""
    kind = torch.device(device).type
    devices: list[int] = []
    if kind == "cuda":
        devices = [torch.device(device).index or torch.cuda.current_device()]
    with torch.random.fork_rng(devices=devices, device_type=kind):
        torch.manual_seed(seed)
        yield


@dataclass(frozen=True)
class TrainingStop:
    """How a call to :func:`train` ended."""

    diverged: str | None  # what stopped being finite, if training diverged
    interrupted: bool  # the user interrupted training (Ctrl-C)


def train(
    net: NeuralNet,
    dataset: SequenceDataset,
    *,
    epochs: int,
    seed: int,
    holdout: bool = True,
    shard: Shard | None = None,
    samples: float | None = None,
    schedule: bool = True,
) -> TrainingStop:
    """Train ``net`` for up to ``epochs`` epochs, seeded by ``seed``.

    The net is initialised on its first call; later calls continue training
    (warm start and ``partial_fit``). With ``holdout=False`` no validation part
    is split off, even when the net was built for early stopping. A diverging
    loss or a user's interrupt ends training early and is reported, not raised.

    With a ``shard``, this process trains together with the others of its
    world: on its rows of every global batch, through DistributedDataParallel
    (which starts every process from rank 0's weights and averages the
    gradients). Every process gets the same data, evaluates the whole
    validation part, and ends with the same weights.

    ``samples`` (an int, or a float share) bounds the training rows of each
    epoch, drawn afresh every epoch; None trains on every row. With
    ``schedule=False`` a learning-rate schedule leaves the rate at ``lr``.
    """
    split = net.train_split
    net._interrupted = False
    decay: CosineDecay | None = None
    try:
        if not holdout:
            net.train_split = None
        with _seeded(seed, str(net.device)):
            if not net.initialized_:
                net.initialize()
            net.iterator_train__generator.manual_seed(seed)
            net.max_epochs = epochs
            net.iterator_train__samples = samples
            found = dict(net.callbacks_).get("lr_schedule")
            if isinstance(found, CosineDecay):
                decay = found
                decay.active = schedule
            if shard is not None:
                net.iterator_train__shard = (shard.rank, shard.world)
                net.__dict__["_ddp"] = _wrap(net.module_, str(net.device))
            with _synced_norms(net.module_, shard is not None):
                net.partial_fit(dataset)
            if not net._interrupted:
                _refresh_statistics(net, dataset)
    finally:
        if decay is not None and hasattr(net, "optimizer_"):
            # lr again, however training ended (errors skip on_train_end)
            decay.set_rate(net, net.lr)
        net.__dict__.pop("_ddp", None)
        net.iterator_train__shard = None
        net.train_split = split
        if net.initialized_:
            net.module_.eval()
        for row in net.history:  # per-batch records are only needed in an epoch
            row["batches"] = []
        interrupted = bool(net.__dict__.pop("_interrupted", False))
    guard = dict(net.callbacks_).get("finite_guard")
    return TrainingStop(
        diverged=getattr(guard, "message_", None), interrupted=interrupted
    )


@contextlib.contextmanager
def _synced_norms(module: nn.Module, synced: bool) -> Iterator[None]:
    """Batch norms with the statistics of the global batch while training
    data-parallel (each process sees its share of every batch)."""
    norms = [m for m in module.modules() if isinstance(m, SequenceBatchNorm)]
    if not synced or not norms:
        yield
        return
    for norm in norms:
        norm.synced = True
    try:
        yield
    finally:
        for norm in norms:
            norm.synced = False


def _refresh_statistics(net: NeuralNet, dataset: SequenceDataset) -> None:
    """Give the batch norms the statistics of the training part, for the final
    weights (the running averages of training lag behind them).

    Every process of a data-parallel world reads the whole training part, so
    all end with the same statistics.
    """

    def batches() -> Iterator[Any]:  # split only when there are norms to refresh
        part = dataset if net.train_split is None else net.train_split(dataset)[0]
        for Xb, _ in BatchIterator(part, net.batch_size):
            yield Xb

    refresh_statistics(
        net.module_,
        lambda batch: _run_module(net.module_, batch, net.device),
        batches(),
    )


def _wrap(module: nn.Module, device: str) -> nn.Module:
    """``module`` in DistributedDataParallel, on its device (for CUDA)."""
    where = torch.device(device)
    ids = [where] if where.type == "cuda" else None
    wrapped: nn.Module = nn.parallel.DistributedDataParallel(module, device_ids=ids)
    return wrapped


def net_state(net: NeuralNet) -> dict[str, Any]:
    """The trained state of ``net`` as data: weights, optimizer state, history."""
    history = [
        {key: value for key, value in row.items() if key != "batches"}
        for row in net.history
    ]
    return {
        "module": {k: v.detach().cpu() for k, v in net.module_.state_dict().items()},
        "optimizer": net.optimizer_.state_dict(),
        "history": history,
    }


def rebuild_net(
    config: NetConfig,
    seed: int,
    *,
    module: Mapping[str, torch.Tensor],
    optimizer: dict[str, Any],
    history: list[dict[str, Any]],
) -> NeuralNet:
    """Build the net for ``config`` and restore a state from :func:`net_state`."""
    net = build_net(config, seed)
    with _seeded(seed, config.device):  # initial weights are overwritten below
        net.initialize()
    net.module_.load_state_dict(module)
    net.optimizer_.load_state_dict(optimizer)
    net.history = History([{**row, "batches": []} for row in history])
    net.module_.eval()
    return net


def training_history(net: NeuralNet) -> dict[str, Any]:
    """Per-epoch training loss and, where recorded, validation loss and score."""
    # an interrupted epoch (Ctrl-C) has no loss recorded: leave it out
    rows = [row for row in net.history if "train_loss" in row]
    has_valid = any("valid_loss" in row for row in rows)
    return {
        "loss_curve": [float(row["train_loss"]) for row in rows],
        "valid_loss": [float(row.get("valid_loss", np.nan)) for row in rows]
        if has_valid
        else None,
        "valid_score": [float(row.get("valid_score", np.nan)) for row in rows]
        if has_valid
        else None,
    }


def predict_raw(
    net: NeuralNet,
    X: np.ndarray | RaggedSequences,
    mean: np.ndarray | None,
    scale: np.ndarray | None,
) -> np.ndarray:
    """Module outputs for ``X`` as a float32 array of shape (n_samples, n_outputs)."""
    module = net.module_
    if module.training:
        module.eval()
    # One preallocated result: keeping a small array per chunk alive between the
    # large, short-lived buffers of each forward pass fragments the heap, and
    # peak memory then grows with the number of chunks.
    result: np.ndarray | None = None
    start = 0
    with torch.inference_mode():
        for batch, n_real in predict_chunks(X, mean, scale, PREDICT_CHUNK):
            out = _run_module(module, batch, net.device)[:n_real].cpu().numpy()
            if result is None:
                result = np.empty((len(X), out.shape[1]), dtype=np.float32)
            result[start : start + n_real] = out
            start += n_real
    assert result is not None  # validated input has at least one sample
    return result


def step_windows(
    net: NeuralNet,
    window: int,
    mean: np.ndarray | None,
    scale: np.ndarray | None,
) -> Callable[[Any], np.ndarray] | None:
    """Module outputs for the windows of a stream, one cell step per value.

    Returns a function that takes the next value of the stream (its features,
    or a token id) and returns, as float64 of shape (n_outputs,), what
    :func:`predict_raw` gives for the window of the last ``window`` values;
    or None when the module's encoder cannot be stepped (then re-read each
    window with :func:`predict_raw`).
    """
    module = net.module_
    if not WindowStepper.supports(module):
        return None
    stepper = WindowStepper(module, window, device=net.device)

    def push(value: Any) -> np.ndarray:
        step = np.asarray(value)
        if step.dtype.kind in "iu":
            tensor = torch.as_tensor(step, dtype=torch.int64)
        else:  # the estimator has checked that float32 holds it, standardised
            tensor = torch.from_numpy(convert(step.reshape(1, -1), mean, scale))
        out = stepper.push(tensor).cpu().numpy()
        return np.asarray(out, dtype=np.float64)

    return push
