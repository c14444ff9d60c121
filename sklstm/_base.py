"""The estimator logic shared by :class:`LSTMRegressor` and :class:`LSTMClassifier`.

Parameter validation, input checks, building and driving the skorch net, and the
fitted attributes. Subclasses supply the target handling through small hooks.
"""

from __future__ import annotations

import dataclasses
import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _net
from ._compat import Interval, StrOptions, _check_sample_weight, _check_y
from ._data import (
    RaggedSequences,
    SequenceDataset,
    channel_stats,
    find_dates,
    first_invalid,
)

_SEED_MAX = np.iinfo(np.int32).max
_UNKNOWN_ID = 1  # token id for unknown tokens (see sklstm.text)
_MAX_TOKEN_ID = 2**24  # embedding tables beyond this are a mistake, not a vocabulary
_FLOAT32_MAX = float(np.finfo(np.float32).max)  # the network computes in float32


class _BaseLSTM(BaseEstimator, metaclass=ABCMeta):  # type: ignore[misc]
    """Base class for the LSTM estimators; not for direct use."""

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "cell": [StrOptions({"lstm", "gru"})],
        "embedding_dim": [Interval(Integral, 1, None, closed="left"), None],
        "standardize": ["boolean"],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "optimizer": [StrOptions(set(_net.OPTIMIZERS)), type],
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
        "verbose": ["verbose"],
    }

    _task: str  # "regression" or "classification", set by subclasses

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
    _built_config: _net.NetConfig

    @abstractmethod
    def __init__(
        self,
        *,
        hidden_size: int = 64,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        cell: str = "lstm",
        embedding_dim: int | None = None,
        standardize: bool = True,
        max_epochs: int = 50,
        batch_size: int = 32,
        lr: float = 1e-3,
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
        verbose: int = 0,
    ) -> None:
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.cell = cell
        self.embedding_dim = embedding_dim
        self.standardize = standardize
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
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
        self.verbose = verbose

    # ------------------------------------------------------------------ hooks

    @abstractmethod
    def _encode_target(
        self, y: np.ndarray, *, reset: bool, classes: Any = None
    ) -> np.ndarray:
        """Return y as the loss expects it; on reset, record target attributes."""

    @abstractmethod
    def _n_outputs(self) -> int:
        """Number of module outputs, once the target attributes are recorded."""

    def _warn_constant_target(self, y: np.ndarray) -> None:
        """Warn when every target is the same (regressor only; fit, not partial)."""

    def _class_weights(self, y_enc: np.ndarray, *, partial: bool) -> np.ndarray | None:
        """Per-sample weights derived from the encoded target (classifier only)."""
        return None

    # ------------------------------------------------------------ input checks

    def _validate_sequences(
        self, X: Any, y: Any = "no_validation", *, reset: bool
    ) -> Any:
        """Validate X (and y); return X as (n, seq_len, n_channels) or ragged."""
        _check_container(X, self)
        if self.embedding_dim is not None:
            return self._validate_tokens(X, y, reset=reset)
        if _is_ragged(X):
            return self._validate_ragged(X, y, reset=reset)
        name = type(self).__name__
        ndim = getattr(X, "ndim", None)
        flat = isinstance(X, (list, tuple)) and len(X) and not _is_sequence(X[0])
        if ndim == 1 or flat:
            shape = X.shape if ndim == 1 else (len(X),)
            raise ValueError(
                f"Expected a 2D or 3D array, got a 1D array of shape {shape}. "
                f"{name} reads one sequence per row: (n_samples, seq_len) or "
                "(n_samples, seq_len, n_features). Reshape your data with "
                "X.reshape(1, -1) if it is a single sequence; to learn from one "
                "long series, cut it into windows first."
            )
        if ndim is not None and ndim > 3:
            raise ValueError(
                f"Expected a 2D or 3D array, got a {ndim}D array of shape "
                f"{X.shape}. {name} reads (n_samples, seq_len) or "
                "(n_samples, seq_len, n_features); reshape or flatten the extra "
                "axes into n_features."
            )
        check = {
            "reset": reset,
            "allow_nd": True,
            "dtype": [np.float64, np.float32],
            "ensure_all_finite": False,
        }
        target = {"y_numeric": self._task == "regression"}
        target["multi_output"] = self._task == "regression"
        try:
            with _quiet_checks():
                if isinstance(y, str) and y == "no_validation":
                    out = validate_data(self, X, **check)
                else:
                    out = validate_data(self, X, y, **check, **target)
        except (TypeError, ValueError) as exc:
            raise _explain(exc, self, X, y) from exc
        Xa = out[0] if isinstance(out, tuple) else out
        Xa = self._check_shape(Xa, reset=reset)
        bad = first_invalid(Xa, *self._input_bounds(Xa.shape[2], reset=reset))
        if bad is not None:
            _raise_invalid(self, Xa[bad], *bad)
        return (Xa, out[1]) if isinstance(out, tuple) else Xa

    def _input_bounds(
        self, n_channels: int, *, reset: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per-channel range of X whose standardised values float32 can hold."""
        low = np.full(n_channels, -_FLOAT32_MAX)
        high = np.full(n_channels, _FLOAT32_MAX)
        mean = None if reset else getattr(self, "x_mean_", None)
        scale = None if reset else getattr(self, "x_scale_", None)
        if mean is not None and scale is not None and len(mean) == n_channels:
            low = np.maximum(low, mean - scale * _FLOAT32_MAX)
            high = np.minimum(high, mean + scale * _FLOAT32_MAX)
        return low, high

    def _validate_tokens(self, X: Any, y: Any, *, reset: bool) -> Any:
        """Validate integer token ids (n_samples, seq_len); 0 is padding."""
        name = type(self).__name__
        advice = (
            f"With embedding_dim set, {name} reads token ids: a 2D integer array "
            "(n_samples, seq_len), 0 for padding, as sklstm.TextTokenizer makes."
        )
        if _is_ragged(X) or getattr(X, "ndim", 2) != 2:
            raise ValueError(f"{advice} Got {_describe(X)}.")
        check = {"reset": reset, "dtype": None}
        regression = self._task == "regression"
        try:
            with _quiet_checks():
                if isinstance(y, str) and y == "no_validation":
                    out = validate_data(self, X, **check)
                else:
                    out = validate_data(
                        self,
                        X,
                        y,
                        **check,
                        y_numeric=regression,
                        multi_output=regression,
                    )
        except (TypeError, ValueError) as exc:
            raise _explain(exc, self, X, y) from exc
        ids = np.asarray(out[0] if isinstance(out, tuple) else out)
        if ids.dtype.kind == "f":  # finite: validate_data refuses NaN and inf
            if not np.array_equal(ids, np.round(ids)):
                raise ValueError(
                    f"{advice} Got values of dtype {ids.dtype} that are not all "
                    "whole numbers."
                )
        elif ids.dtype.kind not in "iu":
            raise ValueError(f"{advice} Got values of dtype {ids.dtype}.")
        # Python numbers compare exactly, before any cast can wrap or overflow
        lowest, highest = (ids.min().item(), ids.max().item()) if ids.size else (0, 0)
        if lowest < 0:
            raise ValueError(f"{advice} Got a negative id ({_number(lowest)}).")
        if highest > _MAX_TOKEN_ID:
            raise ValueError(
                f"{advice} Got id {_number(highest)}, too large for an embedding "
                f"table (ids must be below {_MAX_TOKEN_ID + 1}); map tokens to "
                "consecutive ids."
            )
        ids = ids.astype(np.int64, copy=False)
        if reset:
            self.n_channels_ = 1
            self.n_tokens_ = max(int(ids.max()) + 1, 2)
        else:  # ids never seen in fit are unknown tokens
            ids = np.where(ids >= self.n_tokens_, _UNKNOWN_ID, ids)
        return (ids, out[1]) if isinstance(out, tuple) else ids

    def _validate_ragged(self, X: Any, y: Any, *, reset: bool) -> Any:
        """Validate a list of sequences of different lengths."""
        name = type(self).__name__
        sequences: list[np.ndarray] = []
        for i, item in enumerate(X):
            try:
                seq = np.asarray(item)
                if seq.dtype.kind in "USO":
                    seq = seq.astype(np.float64)
            except (TypeError, ValueError) as exc:
                reason = str(exc)
                if not reason.startswith("could not convert"):
                    reason = "it holds items that are not numbers, or sequences "
                    reason += "of different lengths"
                raise ValueError(
                    f"Sequence {i} is not numeric ({reason}). {name} reads numeric "
                    "sequences; turn text into token ids with sklstm.TextTokenizer "
                    "and set embedding_dim."
                ) from exc
            if seq.dtype.kind == "c":
                raise ValueError(f"Complex data not supported (sequence {i}).")
            if seq.dtype.kind not in "fiub":
                raise ValueError(f"Sequence {i} has non-numeric dtype {seq.dtype}.")
            if seq.dtype != np.float32:
                seq = seq.astype(np.float64)
            if seq.ndim == 1:
                seq = seq[:, np.newaxis]
            if seq.ndim != 2 or seq.shape[0] == 0 or seq.shape[1] == 0:
                raise ValueError(
                    f"Sequence {i} has shape {seq.shape}; each sequence of a list "
                    "must be (seq_len,) or (seq_len, n_features) with seq_len >= 1."
                )
            if sequences and seq.shape[1] != sequences[0].shape[1]:
                raise ValueError(
                    f"Ragged sequences must have the same number of features per "
                    f"time step: sequence 0 has {sequences[0].shape[1]}, sequence "
                    f"{i} has {seq.shape[1]}."
                )
            sequences.append(seq)
        lengths = np.array([len(seq) for seq in sequences], dtype=np.int64)
        dtype = np.result_type(*{seq.dtype for seq in sequences})
        ragged = RaggedSequences(np.concatenate(sequences).astype(dtype), lengths)
        if not reset and ragged.n_channels != self.n_channels_:
            raise ValueError(
                f"X has {ragged.n_channels} features per time step, but {name} "
                f"was fitted with {self.n_channels_}."
            )
        bounds = self._input_bounds(ragged.n_channels, reset=reset)
        bad = first_invalid(ragged.values[np.newaxis], *bounds)
        if bad is not None:
            sample, step = ragged.locate(bad[1])
            _raise_invalid(self, ragged.values[bad[1], bad[2]], sample, step, bad[2])
        if reset:
            self.n_channels_ = ragged.n_channels
            for attribute in ("n_features_in_", "feature_names_in_"):
                self.__dict__.pop(attribute, None)  # lengths vary: no fixed count
        if isinstance(y, str) and y == "no_validation":
            return ragged
        if y is None:
            raise ValueError(
                f"This {name} estimator requires y to be passed, but the target y "
                "is None."
            )
        regression = self._task == "regression"
        try:
            with _quiet_checks():
                y = _check_y(
                    y, multi_output=regression, y_numeric=regression, estimator=self
                )
        except (TypeError, ValueError) as exc:
            raise _explain(exc, self, None, y) from exc
        if len(y) != len(ragged):
            raise ValueError(
                "Found input variables with inconsistent numbers of samples: "
                f"[{len(ragged)}, {len(y)}]"
            )
        return ragged, y

    def _check_score_target(self, y: Any) -> np.ndarray:
        """Validate the true targets given to ``score`` as fit would."""
        if y is None:
            raise ValueError(
                f"{type(self).__name__}.score needs the true targets y, got None."
            )
        regression = self._task == "regression"
        try:
            with _quiet_checks():
                checked: np.ndarray = _check_y(
                    y, multi_output=regression, y_numeric=regression, estimator=self
                )
        except (TypeError, ValueError) as exc:
            raise _explain(exc, self, None, y) from exc
        return checked

    def _check_shape(self, X: np.ndarray, *, reset: bool) -> np.ndarray:
        if X.ndim not in (2, 3):  # a list can nest deeper than the array checks
            raise ValueError(
                f"Expected a 2D or 3D array, got a {X.ndim}D array of shape "
                f"{X.shape}. {type(self).__name__} reads (n_samples, seq_len) or "
                "(n_samples, seq_len, n_features); a list of sequences must hold "
                "arrays of shape (len_i,) or (len_i, n_features)."
            )
        if X.ndim == 2:
            X = X[:, :, np.newaxis]
        if X.shape[1] < 1 or X.shape[2] < 1:
            raise ValueError(
                f"Found array with shape {X.shape} while a minimum of 1 time step "
                "and 1 feature per step is required."
            )
        if reset:
            self.n_channels_ = X.shape[2]
        elif X.shape[2] != self.n_channels_:
            raise ValueError(
                f"X has {X.shape[2]} features per time step, but "
                f"{type(self).__name__} was fitted with {self.n_channels_}."
            )
        return X

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
            stop = self._fit_steps(X, y, sample_weight, partial, classes, continuing)
        except BaseException:
            if not continuing:  # a failed fresh fit leaves the estimator unfitted
                for name in [k for k in vars(self) if k.endswith("_")]:
                    if not name.startswith("__"):
                        delattr(self, name)
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

    def _fit_steps(
        self,
        X: Any,
        y: Any,
        sample_weight: Any,
        partial: bool,
        classes: Any,
        continuing: bool,
    ) -> _net.TrainingStop:
        X, y = self._validate_sequences(X, y, reset=not continuing)
        y_enc = self._encode_target(y, reset=not continuing, classes=classes)
        if not partial:  # one partial_fit batch may well be constant
            self._warn_constant_target(y)
        weights = self._sample_weights(sample_weight, X, y_enc, partial=partial)
        if continuing:
            config = self._net_config()
            self._check_unchanged_config(config)
            _net.refresh_callbacks(self.net_, config)
            seed = (self._torch_seed + 1_000_003 * self.n_iter_) % _SEED_MAX
        else:
            seed = int(check_random_state(self.random_state).randint(_SEED_MAX))
            self._torch_seed = seed
            self.device_ = _net.resolve_device(self.device)
            if self.standardize and self.embedding_dim is None:
                steps = X.values[np.newaxis] if isinstance(X, RaggedSequences) else X
                self.x_mean_, self.x_scale_ = channel_stats(steps)
            else:
                self.x_mean_, self.x_scale_ = None, None
            self._built_config = self._net_config()
            self.net_ = _net.build_net(self._built_config, seed)
        dataset = SequenceDataset(
            X, y_enc, weights, mean=self.x_mean_, scale=self.x_scale_
        )
        stop = _net.train(
            self.net_,
            dataset,
            epochs=1 if partial else self.max_epochs,
            seed=seed,
            holdout=self.early_stopping and not partial,
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

    def _sample_weights(
        self, sample_weight: Any, X: Any, y_enc: np.ndarray, *, partial: bool
    ) -> np.ndarray | None:
        """Combine sample and class weights, normalised to mean 1 (or None)."""
        weights = self._class_weights(y_enc, partial=partial)
        if sample_weight is not None:
            if _has_complex(sample_weight):  # numpy would drop the imaginary part
                raise ValueError("Complex data not supported in sample_weight.")
            with _quiet_checks():
                sw = _check_sample_weight(
                    sample_weight, X, dtype=np.float64, ensure_non_negative=True
                )
            if not np.isfinite(sw).all():  # a scalar weight is not checked
                raise ValueError(
                    f"sample_weight contains {sw[~np.isfinite(sw)][0]}; weights "
                    "must be finite numbers >= 0."
                )
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

    def _net_config(self) -> _net.NetConfig:
        return _net.NetConfig(
            task=self._task,
            loss=getattr(self, "loss", "squared_error"),
            n_inputs=self.n_channels_,
            n_outputs=self._n_outputs(),
            hidden_size=self.hidden_size,
            num_layers=self.num_layers,
            bidirectional=self.bidirectional,
            dropout=self.dropout,
            cell=self.cell,
            num_embeddings=getattr(self, "n_tokens_", None)
            if self.embedding_dim is not None
            else None,
            embedding_dim=self.embedding_dim,
            optimizer=self.optimizer,
            lr=self.lr,
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

    def _check_unchanged_config(self, config: _net.NetConfig) -> None:
        """Continuing (warm_start, partial_fit) needs the settings the net has."""
        if not hasattr(self, "_built_config"):  # e.g. unpickled from an old file
            return
        built, now = _config_fields(self._built_config), _config_fields(config)
        changed = [
            f"{k} ({built[k]!r} -> {now[k]!r})" for k in built if built[k] != now[k]
        ]
        if changed:
            raise ValueError(
                f"{type(self).__name__} continues training its existing network "
                "(warm_start or partial_fit), but these settings changed since it "
                f"was built: {', '.join(changed)}. Restore them, or fit afresh "
                "with warm_start=False."
            )

    def _record_history(self) -> None:
        history = _net.training_history(self.net_)
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

    def _forward(self, X: Any) -> np.ndarray:
        """Validate X and return the module outputs as float64 (n, n_outputs)."""
        check_is_fitted(self, "net_")
        X = self._validate_sequences(X, reset=False)
        raw = _net.predict_raw(self.net_, X, self.x_mean_, self.x_scale_)
        return raw.astype(np.float64)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        net = self.__dict__.get("net_")
        if net is not None:  # skorch maps a CUDA net to the CPU when needed
            self.device_ = str(net.device)
            built = self.__dict__.get("_built_config")
            if built is not None and built.device != self.device_:
                # the net now lives here; continuing training must not object
                self._built_config = dataclasses.replace(built, device=self.device_)


def _quiet_checks() -> Any:
    """Silence numpy's floating-point warnings inside scikit-learn's checks.

    Its finiteness check sums the data first, which warns on inf + -inf before
    the clear "contains infinity" error is raised.
    """
    return np.errstate(invalid="ignore", over="ignore")


def _has_complex(values: Any) -> bool:
    """Whether values (an array, a scalar or a list) hold complex numbers."""
    dtype = getattr(values, "dtype", None)
    if dtype is not None:
        return bool(dtype.kind == "c")
    if isinstance(values, (list, tuple)):
        return any(isinstance(v, (complex, np.complexfloating)) for v in values)
    return isinstance(values, (complex, np.complexfloating))


def _describe(X: Any) -> str:
    shape = getattr(X, "shape", None)
    if shape is not None:
        return f"an array of shape {shape}"
    return f"a {type(X).__name__} of sequences of different lengths"


def _number(value: float) -> str:
    """An int in full; a float (a whole number here) in at most 6 digits."""
    return str(value) if isinstance(value, int) else f"{value:.6g}"


def _what(item: Any) -> str:
    """A short description of one item of X, for error messages."""
    if item is None:
        return "None"
    shape = getattr(item, "shape", None)
    if shape is not None and len(shape):
        return f"an array of shape {tuple(shape)}"
    if _is_sequence(item):
        return f"a {type(item).__name__} of {len(item)} items"
    text = repr(item)
    text = text if len(text) <= 40 else text[:37] + "..."
    return f"a {type(item).__name__} ({text})"


def _is_sequence(item: Any) -> bool:
    """True for a sized, non-text, non-scalar item (a candidate sequence)."""
    return (
        hasattr(item, "__len__")
        and not isinstance(item, (str, bytes))
        and getattr(item, "ndim", 1) != 0
    )


def _check_container(X: Any, estimator: _BaseLSTM) -> None:
    """Refuse X that cannot hold numeric sequences, before numpy reads it."""
    name = type(estimator).__name__
    if X is None or np.isscalar(X) or getattr(X, "ndim", None) == 0:
        if estimator.embedding_dim is not None:
            expected = "a 2D array of token ids (n_samples, seq_len)"
        else:
            expected = (
                "one sequence per row: (n_samples, seq_len) or (n_samples, "
                "seq_len, n_features), or a list of arrays of different lengths"
            )
        raise ValueError(
            f"Expected an array of sequences, got {_what(X)}. {name} reads {expected}."
        )
    dates = find_dates(X)
    if dates is not None:
        raise ValueError(
            f"X holds {dates}, but {name} reads numeric sequences. Turn dates "
            "and durations into numbers first (e.g. elapsed seconds, or the hour "
            "of day), or drop them."
        )
    if isinstance(X, (list, tuple)) and X:
        is_seq = [_is_sequence(item) for item in X]
        if any(is_seq) and not all(is_seq):
            i = is_seq.index(not is_seq[0])
            raise ValueError(
                f"X mixes sequences and single values: item 0 is {_what(X[0])} "
                f"but item {i} is {_what(X[i])}. {name} reads a list of "
                "sequences, each an array of shape (len_i,) or (len_i, "
                "n_features); drop or fix the odd items."
            )


def _is_ragged(X: Any) -> bool:
    """True for a list/tuple of sequences that do not all have the same length."""
    if not isinstance(X, (list, tuple)) or len(X) == 0:
        return False
    if not all(hasattr(item, "__len__") and not isinstance(item, str) for item in X):
        return False
    return len({len(item) for item in X}) > 1


def _config_fields(config: _net.NetConfig) -> dict[str, Any]:
    """The settings a built net depends on (not the per-fit callbacks/verbosity)."""
    return {
        field.name: getattr(config, field.name)
        for field in dataclasses.fields(config)
        if field.name not in ("callbacks", "verbose")
    }


def _raise_invalid(
    estimator: _BaseLSTM, value: float, sample: int, step: int, feature: int
) -> None:
    """Raise the error for a NaN, infinite or out-of-range value, naming where."""
    name = type(estimator).__name__
    where = f"at sample {sample}, time step {step}, feature {feature}"
    if not np.isfinite(value):
        kind = "NaN" if np.isnan(value) else "infinity (inf)"
        raise ValueError(
            f"Input X contains {kind} {where}. {name} cannot learn from missing "
            "or infinite values: drop or impute them first (e.g. with "
            "sklearn.impute.SimpleImputer on the raw series)."
        )
    if abs(value) > _FLOAT32_MAX:
        raise ValueError(
            f"Input X contains {value:.3g} {where}, beyond the float32 range "
            f"(+-{_FLOAT32_MAX:.3g}) in which {name} computes. Rescale X, e.g. "
            "divide it by a power of ten."
        )
    # only bounds from the fitted statistics are left to break
    mean, scale = np.asarray(estimator.x_mean_), np.asarray(estimator.x_scale_)
    distance = abs(value - mean[feature]) / scale[feature]
    raise ValueError(
        f"Input X contains {value:.3g} {where}: {distance:.3g} standard "
        "deviations from the mean seen in fit, which standardised is beyond the "
        f"float32 range (+-{_FLOAT32_MAX:.3g}) in which {name} computes. Scale X "
        "as the training data was scaled."
    )


def _copy_callback(callback: Any) -> Any:
    """A fresh copy of a user callback, so that fitting never mutates params."""
    if isinstance(callback, tuple):
        name, cb = callback
        return (name, clone(cb, safe=False))
    return clone(callback, safe=False)


def _explain(exc: Exception, estimator: _BaseLSTM, X: Any, y: Any) -> Exception:
    """Add sequence-specific advice to scikit-learn's validation messages.

    A ValueError stays a ValueError and a TypeError a TypeError (scikit-learn's
    checks expect a TypeError for values such as a dict in X).
    """
    message = str(exc)
    name = type(estimator).__name__
    error = TypeError if isinstance(exc, TypeError) else ValueError
    odd_type = "argument must be a string or a" in message
    conversion = (
        "could not convert string" in message
        or "dtype='numeric'" in message
        or odd_type
    )
    if "'NAType'" in message:
        message += " (pandas.NA marks a missing value: drop or impute it first)"
    shapes = "inhomogeneous" in message or "array element with a sequence" in message
    if not (conversion or shapes):
        if message.startswith("X has") and "is expecting" in message:
            expected = getattr(estimator, "n_features_in_", "?")
            message += (
                f" {name} counts time steps as features: it was fitted on sequences "
                f"of {expected} steps, and sequences passed to predict must have "
                "the same length."
            )
        return error(message)
    if not (isinstance(y, str) and y == "no_validation") and (
        X is None or _converts(X)  # then y is the culprit
    ):
        if shapes:
            return ValueError(
                "y could not be read as an array: its items have different "
                "shapes or are nested. Pass one target (or one row of "
                "targets) per sample."
            )
        return error(
            f"y holds values that are not numbers ({message}). {name} "
            "needs numeric targets; for class labels use LSTMClassifier."
        )
    if shapes:
        return ValueError(
            f"X could not be read as an array: {_inconsistency(X)}. {name} reads "
            "a 2D or 3D array, or a list of sequences, each an array of shape "
            "(len_i,) or (len_i, n_features)."
        )
    return error(
        f"{message}. {name} reads numeric sequences; turn text into token ids "
        "with sklstm.TextTokenizer and set embedding_dim."
    )


def _converts(X: Any) -> bool:
    """Whether X reads as a numeric array (to tell X's errors from y's)."""
    try:
        np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return True


def _inconsistency(X: Any) -> str:
    """Describe the first item of X whose shape differs from the first one's."""
    if isinstance(X, (list, tuple)) and X:
        shapes: list[tuple[int, ...]] = []
        for i, item in enumerate(X):
            try:
                shape = np.shape(item)
            except ValueError:
                return f"item {i} holds nested sequences of different lengths"
            if shapes and shape != shapes[0]:
                return f"item 0 has shape {shapes[0]} but item {i} has shape {shape}"
            shapes.append(shape)
    return "its items have different shapes or are nested unevenly"
