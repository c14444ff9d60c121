"""The callbacks sklstm adds to skorch's training loop.

One concern each: a validation score, a guard against diverging training,
early stopping that restores the best epoch, the learning-rate schedule, and
the epoch table.
"""

from __future__ import annotations

import copy
import math
import os
import re
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping, PrintLog

from .. import _compat as skorch_private

__all__ = [
    "CosineDecay",
    "EarlyStoppingBest",
    "FiniteGuard",
    "PlainPrintLog",
    "StopTraining",
    "ValidationScore",
]


class StopTraining(KeyboardInterrupt):
    """Raised by sklstm's own callbacks to end training (not a user's Ctrl-C).

    skorch ends training quietly on ``KeyboardInterrupt``; the subclass lets
    :func:`train` tell a planned stop from an interrupt by the user.
    """


class ValidationScore(Callback):  # type: ignore[misc]
    """Record a score of the network's raw outputs on the validation set.

    Parameters
    ----------
    score : callable
        ``score(raw_outputs, targets) -> float`` on the validation batches
        joined, as the output head defines it (R² or accuracy).
    """

    def __init__(self, score: Callable[[torch.Tensor, torch.Tensor], float]) -> None:
        self.score = score

    def on_epoch_begin(self, net: NeuralNet, **kwargs: Any) -> None:
        self.preds_: list[torch.Tensor] = []
        self.trues_: list[torch.Tensor] = []

    def on_batch_end(
        self,
        net: NeuralNet,
        batch: Any = None,
        training: bool = False,
        y_pred: torch.Tensor | None = None,
        **kwargs: Any,
    ) -> None:
        if not training and y_pred is not None:
            self.preds_.append(y_pred.detach().cpu())
            self.trues_.append(batch[1])

    def on_epoch_end(self, net: NeuralNet, **kwargs: Any) -> None:
        if not self.preds_:
            return
        raw = torch.cat(self.preds_).double()
        net.history.record("valid_score", self.score(raw, torch.cat(self.trues_)))

    def on_train_end(self, net: NeuralNet, **kwargs: Any) -> None:
        self.preds_, self.trues_ = [], []  # keep no data in the fitted net


class FiniteGuard(Callback):  # type: ignore[misc]
    """Stop training when the loss or the weights stop being finite, and roll back.

    Keeps a copy of the module and optimizer state from the end of the last
    epoch whose weights were all finite (or from the start of training). A
    non-finite training loss, or non-finite weights at the end of an epoch,
    restores that copy, removes the epoch from the history and stops training;
    ``message_`` then says what happened.
    """

    _good: tuple[Any, Any] | None = None

    def on_train_begin(self, net: NeuralNet, **kwargs: Any) -> None:
        self.message_: str | None = None
        self._keep(net)

    def on_batch_end(
        self,
        net: NeuralNet,
        training: bool = False,
        loss: torch.Tensor | None = None,
        **kwargs: Any,
    ) -> None:
        if training and loss is not None and not math.isfinite(loss.item()):
            # skorch has recorded this batch: training batches come first
            batch = len(net.history[-1]["batches"])
            self._stop(net, f"the training loss became {loss.item()}", batch)

    def on_epoch_end(self, net: NeuralNet, **kwargs: Any) -> None:
        # one host sync for all weights, not one per tensor
        finite = [torch.isfinite(p.detach()).all() for p in net.module_.parameters()]
        if bool(torch.stack(finite).all()):
            self._keep(net)
        else:
            self._stop(net, "the weights became infinite or NaN")

    def on_train_end(self, net: NeuralNet, **kwargs: Any) -> None:
        self._good = None  # keep no copy in the fitted net

    def _keep(self, net: NeuralNet) -> None:
        # after the first epoch the copies are refreshed in place: no allocation
        module_copy, optimizer_copy = self._good or (None, None)
        self._good = (
            _refreshed(module_copy, net.module_.state_dict()),
            _refreshed(optimizer_copy, net.optimizer_.state_dict()),
        )

    def _stop(self, net: NeuralNet, what: str, batch: int | None = None) -> None:
        assert self._good is not None
        module_state, optimizer_state = self._good
        net.module_.load_state_dict(module_state)
        net.optimizer_.load_state_dict(optimizer_state)
        row = net.history[-1]
        where = f"epoch {row['epoch']}" + (f", batch {batch}" if batch else "")
        self.message_ = f"{what} in {where}"
        for key in [k for k in row if k.startswith(("train_", "valid_"))]:
            del row[key]  # the epoch did not complete: it is not a result
        raise StopTraining


def _refreshed(kept: Any, value: Any) -> Any:
    """A copy of ``value``, written into the tensors of ``kept`` where they fit.

    The first copy of a state dict allocates; later ones copy each tensor into
    the one kept from before when shape, dtype and device match.
    """
    if isinstance(value, torch.Tensor):
        fits = (
            isinstance(kept, torch.Tensor)
            and kept.shape == value.shape
            and kept.dtype == value.dtype
            and kept.device == value.device
        )
        with torch.no_grad():
            return kept.copy_(value) if fits else value.detach().clone()
    if isinstance(value, dict):
        old = kept if isinstance(kept, dict) else {}
        fresh = type(value)((k, _refreshed(old.get(k), v)) for k, v in value.items())
        if hasattr(value, "_metadata"):  # a module's state_dict: layer versions
            fresh._metadata = copy.deepcopy(value._metadata)  # type: ignore[attr-defined]
        return fresh
    if isinstance(value, (list, tuple)):
        old_items = kept if isinstance(kept, type(value)) else ()
        pad = [None] * max(0, len(value) - len(old_items))
        return type(value)(
            _refreshed(a, b) for a, b in zip([*old_items, *pad], value, strict=False)
        )
    return copy.deepcopy(value)


class EarlyStoppingBest(EarlyStopping):  # type: ignore[misc]
    """Early stopping on the validation loss that restores the best epoch.

    ``threshold`` (the estimator's ``tol``) decides what counts as an
    improvement for the patience counter, as in scikit-learn's MLP; the weights
    kept are those of the epoch with the lowest validation loss. Epochs without
    a validation set (``partial_fit``) are ignored.
    """

    def on_train_begin(self, net: NeuralNet, **kwargs: Any) -> None:
        super().on_train_begin(net, **kwargs)
        self.lowest_loss_ = np.inf

    def on_epoch_end(self, net: NeuralNet, **kwargs: Any) -> None:
        row = net.history[-1]
        if self.monitor not in row:
            return
        loss = row[self.monitor]
        if loss < self.lowest_loss_:
            self.lowest_loss_ = loss
            self.best_epoch_ = row["epoch"]
            self.best_model_weights_ = copy.deepcopy(net.module_.state_dict())
        if skorch_private.score_improved(self, loss):
            self.misses_ = 0
            self.dynamic_threshold_ = skorch_private.new_threshold(self, loss)
        else:
            self.misses_ += 1
        if self.misses_ >= self.patience:
            skorch_private.sink(
                self,
                f"Stopping since {self.monitor} has not improved by more than "
                f"tol={self.threshold} in the last {self.patience} epochs.",
                verbose=net.verbose,
            )
            raise StopTraining


class CosineDecay(Callback):  # type: ignore[misc]
    """Lower the learning rate from ``lr`` towards 0 along half a cosine.

    Set before every optimiser step of a training call: the rate of step
    ``s`` of ``S`` (``max_epochs`` times the batches of an epoch) is
    ``lr * (1 + cos(pi * s / S)) / 2``. Each call to :func:`train` is one
    decay from ``lr`` (a warm start restarts it); :func:`train` restores
    ``lr`` however the call ends. With ``active`` False (``partial_fit``,
    which cannot know how many calls follow) it leaves the rate alone.
    """

    def __init__(self) -> None:
        self.active = True

    def on_train_begin(self, net: NeuralNet, **kwargs: Any) -> None:
        self.epoch_ = -1
        self.batches_ = 1
        self.batch_ = 0

    def on_epoch_begin(
        self, net: NeuralNet, dataset_train: Any = None, **kwargs: Any
    ) -> None:
        self.epoch_ += 1
        self.batch_ = 0
        # every epoch has the same number of (global) batches
        self.batches_ = max(1, len(net.get_iterator(dataset_train, training=True)))

    def on_batch_begin(
        self, net: NeuralNet, training: bool = False, **kwargs: Any
    ) -> None:
        if not (training and self.active):
            return
        done = (self.epoch_ + self.batch_ / self.batches_) / max(1, net.max_epochs)
        self.set_rate(net, net.lr * (1 + math.cos(math.pi * min(done, 1.0))) / 2)
        self.batch_ += 1

    @staticmethod
    def set_rate(net: NeuralNet, lr: float) -> None:
        """Set the learning rate of every parameter group of ``net``'s optimizer."""
        for group in net.optimizer_.param_groups:
            group["lr"] = lr


_ANSI_CODE = re.compile(r"\x1b\[[0-9;]*m")


def _colour_wanted() -> bool:
    """Colour only on a terminal, and never with NO_COLOR set (no-color.org)."""
    stream = sys.stdout
    isatty = getattr(stream, "isatty", None)
    return bool(isatty is not None and isatty()) and "NO_COLOR" not in os.environ


class PlainPrintLog(PrintLog):  # type: ignore[misc]
    """skorch's per-epoch table, with ANSI colours only on a terminal.

    skorch colours the best value of each column; in a log file or a notebook
    those codes are noise, so they are left out wherever stdout is not a
    terminal.
    """

    def format_row(self, row: dict[str, Any], key: str, color: str) -> Any:
        text = super().format_row(row, key, color)
        if isinstance(text, str) and not _colour_wanted():
            return _ANSI_CODE.sub("", text)
        return text
