"""The estimator logic shared by :class:`LSTMRegressor` and :class:`LSTMClassifier`.

Parameters and their constraints, the fit / warm-start / partial_fit flow, and
the fitted attributes. Input checks live in ``_validation``, the meaning of the
network's outputs in ``_targets`` (chosen by the ``_get_target`` hook), and the
skorch net in ``_training``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import warnings
from abc import ABCMeta, abstractmethod
from collections.abc import Callable
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from . import _training
from ._compat import Interval, RealNotInt, StrOptions
from ._sequences import RaggedSequences, channel_stats, scale_rows, window_stats
from ._targets import Target
from ._validation import (
    UNKNOWN_ID,
    check_sample_weight,
    check_sequences,
    check_target,
    input_bounds,
)

__all__ = ["_BaseLSTM"]

_SEED_MAX = np.iinfo(np.int32).max
#: max_epochs="auto": at least this many optimiser steps ...
_AUTO_STEPS = 1000
#: ... in this many epochs at least and at most
_AUTO_EPOCHS = (50, 500)


class _BaseLSTM(BaseEstimator, metaclass=ABCMeta):  # type: ignore[misc]
    """Base class for the LSTM estimators; not for direct use."""

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "cell": [StrOptions(set(_training.ENCODERS))],
        "cell_params": [dict, None],
        "pooling": [StrOptions(set(_training.POOLINGS))],
        "conv_filters": [Interval(Integral, 1, None, closed="left"), None],
        "embedding_dim": [Interval(Integral, 1, None, closed="left"), None],
        "standardize": ["boolean"],
        "max_epochs": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "samples_per_epoch": [
            Interval(Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="right"),
            None,
        ],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "lr_schedule": [StrOptions({"constant", "cosine"})],
        "optimizer": [StrOptions(set(_training.OPTIMIZERS)), type],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "validation_split": [StrOptions({"tail", "random"})],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "callbacks": [list, None],
        "random_state": ["random_state"],
        "device": [str],
        "data_parallel": ["boolean"],
        "verbose": ["verbose"],
    }

    # fitted state, declared for type checkers (set in fit, never in __init__)
    net_: Any
    n_iter_: int
    n_channels_: int
    device_: str
    x_mean_: np.ndarray | None
    x_scale_: np.ndarray | None
    loss_curve_: list[float]
    validation_loss_curve_: list[float] | None
    validation_scores_: list[float] | None
    best_loss_: float
    best_validation_score_: float | None
    _torch_seed: int
    _built_config: _training.NetConfig

    @abstractmethod
    def __init__(
        self,
        *,
        hidden_size: int = 64,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        cell: str = "lstm",
        cell_params: dict[str, Any] | None = None,
        pooling: str = "last",
        conv_filters: int | None = None,
        embedding_dim: int | None = None,
        standardize: bool = True,
        max_epochs: int | str = "auto",
        batch_size: int = 32,
        samples_per_epoch: float | None = None,
        lr: float = 1e-3,
        lr_schedule: str = "constant",
        optimizer: str | type = "adam",
        weight_decay: float = 0.0,
        clip_grad_norm: float | None = None,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        validation_split: str = "tail",
        n_iter_no_change: int = 10,
        tol: float = 1e-4,
        warm_start: bool = False,
        callbacks: list[Any] | None = None,
        random_state: int | np.random.RandomState | None = None,
        device: str = "auto",
        data_parallel: bool = False,
        verbose: int = 0,
    ) -> None:
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.cell = cell
        self.cell_params = cell_params
        self.pooling = pooling
        self.conv_filters = conv_filters
        self.embedding_dim = embedding_dim
        self.standardize = standardize
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.samples_per_epoch = samples_per_epoch
        self.lr = lr
        self.lr_schedule = lr_schedule
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.clip_grad_norm = clip_grad_norm
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.validation_split = validation_split
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.callbacks = callbacks
        self.random_state = random_state
        self.device = device
        self.data_parallel = data_parallel
        self.verbose = verbose

    # ------------------------------------------------------------------ hooks

    @abstractmethod
    def _get_target(self) -> Target:
        """The output head: what the network's outputs mean for this estimator."""

    def _start_fit(self) -> None:
        """Set the fitted settings a fresh fit needs before reading the data.

        The regressor sets ``window_scaling_`` here; the default sets nothing.
        """

    # ------------------------------------------------------------------ fit

    def _fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        *,
        partial: bool,
        classes: Any = None,
    ) -> _BaseLSTM:
        continuing = hasattr(self, "net_") and (partial or self.warm_start)
        try:
            stop = self._fit_once(X, y, sample_weight, partial, classes, continuing)
        except BaseException:
            if not continuing:  # a failed fresh fit leaves the estimator unfitted
                self._forget_fit()
            raise
        name = type(self).__name__
        if stop.diverged is not None:
            warnings.warn(
                f"{name} stopped training: {stop.diverged}. It keeps the weights "
                f"from the end of epoch {self.n_iter_}, the last finite ones. "
                f"Lower the learning rate (lr={self.lr}), set clip_grad_norm, or "
                "standardize the inputs.",
                ConvergenceWarning,
                stacklevel=3,
            )
        if stop.interrupted:
            raise KeyboardInterrupt(
                f"{name} training was interrupted after {self.n_iter_} complete "
                "epochs. The estimator keeps the weights it had reached: predict "
                "works, and fit with warm_start=True, or partial_fit, continues "
                "training."
            )
        return self

    def _fit_once(
        self,
        X: Any,
        y: Any,
        sample_weight: Any,
        partial: bool,
        classes: Any,
        continuing: bool,
    ) -> _training.TrainingStop:
        # data-parallel: the processes training together, None for one process
        shard = _training.join(self.device) if self.data_parallel else None
        holdout = self.early_stopping and not partial
        with _training.telling_others(shard):  # one failing ends them all
            if continuing:
                self._check_unchanged_target()
            else:  # a fresh fit forgets the last one, so nothing of it lingers
                self._forget_fit()
                self._start_fit()
            target = self._get_target()
            X = check_sequences(self, X, reset=not continuing)
            y = check_target(self, y, task=target.task, n_samples=len(X))
            target_stats = self._target_stats(X)
            if target_stats is not None:  # targets in the units of their sequence
                y = scale_rows(y, *target_stats)
            y_enc = target.encode(
                y, reset=not continuing, partial=partial, classes=classes
            )
            weights = self._sample_weights(
                sample_weight, X, target.sample_weights(y_enc, partial=partial)
            )
            if continuing:
                config = self._net_config()
                self._check_unchanged_config(config)
                seed = (self._torch_seed + 1_000_003 * self.n_iter_) % _SEED_MAX
            else:
                seed = int(check_random_state(self.random_state).randint(_SEED_MAX))
                device = _training.resolve_device(self.device)
                if shard is not None:
                    device = _training.shard_device(shard, self.device, device)
            if shard is not None:
                self._check_shardable(shard, len(X), holdout)
        if shard is not None:
            facts = _training.agree(
                shard,
                {
                    "numbers of samples": len(X),
                    "numbers of channels": self.n_channels_,
                    "targets (fingerprints)": _fingerprint(y),
                    "_seed": seed,
                },
            )
            seed = int(facts[0]["_seed"])  # every process seeds as the first
        if continuing:
            _training.refresh_callbacks(self.net_, config)
        else:
            self._torch_seed = seed
            self.device_ = device
            if self.standardize and self.embedding_dim is None:
                steps = X.values[np.newaxis] if isinstance(X, RaggedSequences) else X
                self.x_mean_, self.x_scale_ = channel_stats(steps)
            else:
                self.x_mean_, self.x_scale_ = None, None
            self.__dict__.pop("_conv_norm", None)  # a fresh network: the current
            self._built_config = self._net_config()
            self.net_ = _training.build_net(self._built_config, seed)
        mean, scale = self._input_stats(X, target_stats)
        dataset = _training.SequenceDataset(X, y_enc, weights, mean=mean, scale=scale)
        stop = _training.train(
            self.net_,
            dataset,
            epochs=1 if partial else self._max_epochs(len(X)),
            samples=self.samples_per_epoch,
            schedule=not partial,
            seed=seed,
            holdout=holdout,
            shard=shard,
        )
        self._record_history()
        if stop.diverged is not None and self.n_iter_ == 0:
            raise ValueError(
                f"{type(self).__name__} could not train: {stop.diverged}, before "
                f"any epoch completed. Lower the learning rate (lr={self.lr}), set "
                "clip_grad_norm, or standardize the inputs (standardize=True), "
                "and check X and y for huge values."
            )
        return stop

    def _check_shardable(
        self, shard: _training.Shard, n_samples: int, holdout: bool
    ) -> None:
        """Every process needs rows of every batch to train on."""
        n_train = n_samples
        if holdout:
            n_train -= int(np.ceil(self.validation_fraction * n_samples))
        n_train = self._epoch_samples(n_train)
        for what, count in (("batch_size", self.batch_size), ("samples", n_train)):
            if count < shard.world:
                name = (
                    f"batch_size={count}"
                    if what == "batch_size"
                    else f"{count} training samples"
                )
                raise ValueError(
                    f"data_parallel=True shares every batch among the "
                    f"{shard.world} processes, but {name} leave some of them "
                    f"nothing to train on. Use at least {shard.world} "
                    f"{'as batch_size' if what == 'batch_size' else 'samples'}, "
                    "or start fewer processes."
                )

    def _epoch_samples(self, n_train: int) -> int:
        """The training samples of one epoch, of ``n_train``."""
        budget = self.samples_per_epoch
        if budget is None:
            return n_train
        if isinstance(budget, Integral):
            return min(n_train, int(budget))
        return min(n_train, int(np.ceil(budget * n_train)))

    def _max_epochs(self, n_samples: int) -> int:
        """``max_epochs``, with "auto" resolved for ``n_samples`` sequences.

        "auto" trains for at least ``_AUTO_STEPS`` optimiser steps: tiny data
        sets take a few batches an epoch, so a budget in epochs alone leaves
        them a few dozen steps. Between ``_AUTO_EPOCHS`` epochs.
        """
        if self.max_epochs != "auto":
            return int(self.max_epochs)
        n_train = n_samples
        if self.early_stopping:
            n_train -= int(np.ceil(self.validation_fraction * n_samples))
        n_train = self._epoch_samples(n_train)
        batches = max(1, int(np.ceil(max(n_train, 1) / self.batch_size)))
        fewest, most = _AUTO_EPOCHS
        return int(np.clip(np.ceil(_AUTO_STEPS / batches), fewest, most))

    def _sample_weights(
        self, sample_weight: Any, X: Any, weights: np.ndarray | None
    ) -> np.ndarray | None:
        """Combine sample weights with the head's (class) weights, mean 1, or None."""
        if sample_weight is not None:
            sw = check_sample_weight(sample_weight, X)
            weights = sw if weights is None else weights * sw
        if weights is None:
            return None
        largest = weights.max()
        if not largest > 0:
            raise ValueError(
                "The combined sample and class weights are all zero; at least "
                "one sample must have a positive weight."
            )
        weights = weights / largest  # dividing first: the mean of huge weights
        normalised: np.ndarray = (weights / weights.mean()).astype(np.float32)
        return normalised

    def _net_config(self) -> _training.NetConfig:
        target = self._get_target()
        module = _training.ModuleConfig(
            n_inputs=self.n_channels_,
            n_outputs=target.n_outputs(),
            hidden_size=self.hidden_size,
            num_layers=self.num_layers,
            bidirectional=self.bidirectional,
            dropout=self.dropout,
            cell=self.cell,
            num_embeddings=getattr(self, "n_tokens_", None)
            if self.embedding_dim is not None
            else None,
            embedding_dim=self.embedding_dim,
            cell_params=_training.resolve_cell_params(
                self.cell,
                self.cell_params,
                hidden_size=self.hidden_size,
                num_layers=self.num_layers,
                bidirectional=self.bidirectional,
            ),
            pooling=self.pooling,
            conv_filters=self.conv_filters,
            # a layer norm only in networks built before the batch norm
            conv_norm=self.__dict__.get("_conv_norm", "batch"),
        )
        return _training.NetConfig(
            module=module,
            criterion=target.criterion(),
            criterion_params=target.criterion_params(),
            score=target.score(),
            optimizer=self.optimizer,
            lr=self.lr,
            lr_schedule=self.lr_schedule,
            weight_decay=self.weight_decay,
            batch_size=self.batch_size,
            clip_grad_norm=self.clip_grad_norm,
            early_stopping=self.early_stopping,
            validation_fraction=self.validation_fraction,
            validation_split=self.validation_split,
            n_iter_no_change=self.n_iter_no_change,
            tol=self.tol,
            callbacks=[_copy_callback(cb) for cb in self.callbacks or []],
            device=self.device_,
            verbose=self.verbose,
        )

    def _forget_fit(self) -> None:
        """Delete the fitted attributes (names ending in "_")."""
        for name in [k for k in vars(self) if k.endswith("_")]:
            if not name.startswith("__"):
                delattr(self, name)

    def _check_unchanged_target(self) -> None:
        """Raise ValueError if the kind of output changed since the fit.

        Called before a continued fit reads the fitted target attributes; the
        default has nothing to check.
        """

    def _check_unchanged_config(self, config: _training.NetConfig) -> None:
        """Continuing (warm_start, partial_fit) needs the settings the net has."""
        if not hasattr(self, "_built_config"):  # e.g. unpickled from an old file
            return
        changed = _training.config_changes(self._built_config, config)
        if changed:
            raise ValueError(
                f"{type(self).__name__} continues training its existing network "
                "(warm_start or partial_fit), but these settings changed since it "
                f"was built: {', '.join(changed)}. Restore them, or fit afresh "
                "with warm_start=False."
            )

    def _record_history(self) -> None:
        history = _training.training_history(self.net_)
        self.loss_curve_ = history["loss_curve"]
        self.n_iter_ = len(self.loss_curve_)
        valid_loss, valid_score = history["valid_loss"], history["valid_score"]
        self.validation_loss_curve_ = valid_loss
        self.validation_scores_ = valid_score
        if valid_loss is not None and not np.isnan(valid_loss).all():
            self.best_loss_ = float(np.nanmin(valid_loss))
            self.best_validation_score_ = float(np.nanmax(valid_score))
        else:  # no epoch completed (interrupted) gives inf, as in sklearn's MLP
            self.best_loss_ = float(np.min(self.loss_curve_, initial=np.inf))
            self.best_validation_score_ = None

    # -------------------------------------------------------------- predict

    def _raw_outputs(self, X: Any) -> np.ndarray:
        """Validate X and return the module outputs as float64 (n, n_outputs)."""
        raw, _ = self._read(X)
        return raw

    def _read(self, X: Any) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
        """Module outputs for X, and the sequences' own location and scale.

        The second item is None, or (with ``window_scaling``) the location
        and scale of each sequence's target channel, in which the outputs are.
        """
        check_is_fitted(self, "net_")
        X = check_sequences(self, X, reset=False)
        target_stats = self._target_stats(X)
        mean, scale = self._input_stats(X, target_stats)
        raw = _training.predict_raw(self.net_, X, mean, scale).astype(np.float64)
        return raw, target_stats

    def _target_channel(self) -> int:
        """The channel the targets continue: the windows' target, else the first."""
        layout = getattr(self, "_window_layout", None)
        target = layout.get("target") if layout else None
        return 0 if target is None else int(target)

    def _target_stats(self, X: Any) -> tuple[np.ndarray, np.ndarray] | None:
        """Each sequence's (loc, scale) of its target channel, or None.

        Only with ``window_scaling``. Windows that read known-future
        covariates take them from their past steps.
        """
        how = getattr(self, "window_scaling_", None)
        if how is None:
            return None
        future = getattr(self, "n_future_steps_", 0)
        past = self.n_features_in_ - future if future else None
        return window_stats(X, how, channel=self._target_channel(), steps=past)

    def _input_stats(
        self, X: Any, target_stats: tuple[np.ndarray, np.ndarray] | None
    ) -> tuple[np.ndarray | None, np.ndarray | None]:
        """The standardisation of X: per channel, or per sequence and channel.

        With ``target_stats`` the target channel of each sequence is scaled by
        its own statistics, the other channels as ``standardize`` says.
        """
        if target_stats is None:
            return self.x_mean_, self.x_scale_
        n, channels = len(X), self.n_channels_
        mean = np.zeros((n, channels))
        scale = np.ones((n, channels))
        if self.x_mean_ is not None and self.x_scale_ is not None:
            mean[:], scale[:] = self.x_mean_, self.x_scale_
        target = self._target_channel()
        mean[:, target], scale[:, target] = target_stats
        return mean, scale

    def _window_stepper(self, window: int) -> Callable[[Any], np.ndarray] | None:
        """Outputs for the windows of a stream, one cell step per new value.

        The function returned takes the next value (its ``n_channels_``
        features, or a token id) and returns what ``predict`` (regressor) or
        ``predict_proba`` (classifier) gives for the window of the last
        ``window`` values, as one row, to float32 rounding. None when the cell
        cannot be stepped (bidirectional, the xLSTM cells, a pooling other
        than "last", the convolutional branch): re-read each window then.
        Used by :func:`~sklstm.forecast` and :func:`~sklstm.generate_text`.
        """
        check_is_fitted(self, "net_")
        if self.embedding_dim is not None and self._get_target().task == "regression":
            return None  # token ids in, numbers out: forecast feeds numbers back
        if getattr(self, "window_scaling_", None) is not None:
            return None  # every window has its own scale: each is re-read
        push = _training.step_windows(self.net_, window, self.x_mean_, self.x_scale_)
        if push is None:
            return None
        step_push = push
        low, high = input_bounds(self, self.n_channels_, reset=False)
        n_tokens = getattr(self, "n_tokens_", None) if self.embedding_dim else None

        def outputs(value: Any) -> np.ndarray:
            step = np.asarray(value)
            if n_tokens is not None:  # ids never seen in fit count as unknown
                step = np.asarray(int(step) if int(step) < n_tokens else UNKNOWN_ID)
            elif not np.all((low <= step) & (step <= high)):
                # what predict refuses in a window, refused value by value
                raise ValueError(
                    f"{type(self).__name__} cannot read the value {step.ravel()} "
                    "of the series: once standardised it is beyond the float32 "
                    "range (+-3.4e+38) in which it computes (or not finite). "
                    "Rescale the series, e.g. divide it by a power of ten."
                )
            return np.asarray(self._outputs_from_raw(step_push(step)[np.newaxis])[0])

        return outputs

    @abstractmethod
    def _outputs_from_raw(self, raw: np.ndarray) -> np.ndarray:
        """``predict`` (or ``predict_proba``) from raw module outputs."""

    def _check_score_target(self, y: Any) -> np.ndarray:
        """Validate the true targets given to ``score`` as fit would."""
        if y is None:
            raise ValueError(
                f"{type(self).__name__}.score needs the true targets y, got None."
            )
        checked: np.ndarray = check_target(
            self, y, task=self._get_target().task, n_samples=None
        )
        return checked

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

    def __setstate__(self, state: dict[str, Any]) -> None:
        state.setdefault("pooling", "last")  # pickled before pooling existed
        state.setdefault("conv_filters", None)  # or the convolutional branch
        state.setdefault("samples_per_epoch", None)  # or epoch budgets
        state.setdefault("data_parallel", False)  # or data-parallel training
        state.setdefault("lr_schedule", "constant")  # or learning-rate schedules
        if "net_" in state and "_conv_norm" not in state:
            # a convolutional branch built before the batch norm: layer norms
            built = getattr(state.get("_built_config"), "module", None)
            if getattr(built, "conv_norm", "batch") == "layer":
                state["_conv_norm"] = "layer"
        super().__setstate__(state)
        net = self.__dict__.get("net_")
        if net is not None:  # skorch maps a CUDA net to the CPU when needed
            self.device_ = str(net.device)
            built = self.__dict__.get("_built_config")
            if built is not None and built.device != self.device_:
                # the net now lives here; continuing training must not object
                self._built_config = dataclasses.replace(built, device=self.device_)


def _fingerprint(*arrays: Any) -> str:
    """A short hash of the values of ``arrays``, to compare data across processes."""
    digest = hashlib.sha256()
    for array in arrays:
        values = np.asarray(array)
        if values.dtype.kind in "biuf":
            digest.update(np.ascontiguousarray(values).tobytes())
        else:  # labels such as strings: by their text
            digest.update("\0".join(map(str, values.ravel())).encode())
    return digest.hexdigest()[:12]


def _copy_callback(callback: Any) -> Any:
    """A fresh copy of a user callback, so that fitting never mutates params."""
    if isinstance(callback, tuple):
        name, cb = callback
        return (name, clone(cb, safe=False))
    return clone(callback, safe=False)
