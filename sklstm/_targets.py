"""Output heads: what the network's outputs mean, one class per kind of output.

A head turns targets into what the training criterion needs (``encode``),
names the criterion (``criterion``), scores raw outputs on validation data
(``score``), and turns raw outputs back into predictions (``decode``) and into
the last layer of an exported ONNX graph (``graph``). Each estimator picks its
head in ``_get_target()``, as scikit-learn's gradient boosting picks a loss in
``_get_loss()``. A new kind of output is one new head here.

A head reads and records the estimator's fitted target attributes
(``n_outputs_``, ``y_mean_``, ``y_scale_``; ``classes_``), so that the
estimator's state stays in plain attributes that pickle and save as data.
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from numbers import Real
from typing import Any, ClassVar

import numpy as np
import torch
from scipy.special import log_softmax, softmax
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.class_weight import compute_class_weight
from torch import nn

from ._sequences import (
    CHUNK_ROWS,
    ScaledRows,
    column_stats,
    memory_mapped,
    row_chunks,
)
from ._validation import FLOAT32_MAX, check_labels, numeric_target

__all__ = [
    "REGRESSION_LOSSES",
    "ClassesTarget",
    "PinballLoss",
    "QuantileTarget",
    "RegressionTarget",
    "Target",
    "check_quantiles",
    "float32_tensor",
    "monotone_quantiles",
]

# Regression losses, by the names scikit-learn uses.
REGRESSION_LOSSES: dict[str, type[nn.Module]] = {
    "squared_error": nn.MSELoss,
    "absolute_error": nn.L1Loss,
    "huber": nn.HuberLoss,
}


def r2_of_raw(raw: torch.Tensor, target: torch.Tensor) -> float:
    """Mean R² over the output columns (a constant column counts 0)."""
    true = target.double()
    ss_res = ((true - raw) ** 2).sum(dim=0)
    ss_tot = ((true - true.mean(dim=0)) ** 2).sum(dim=0)
    ok = ss_tot > 0
    r2 = torch.where(ok, 1 - ss_res / torch.where(ok, ss_tot, 1.0), 0.0)
    return float(r2.mean())


def accuracy_of_raw(raw: torch.Tensor, target: torch.Tensor) -> float:
    """Share of samples whose largest output is their class."""
    return float((raw.argmax(dim=1) == target).double().mean())


class Target(ABC):
    """One kind of network output, bound to the estimator that owns it.

    Parameters
    ----------
    estimator : LSTMRegressor or LSTMClassifier
        Its parameters choose the behaviour; its fitted target attributes are
        read and (in ``encode`` with ``reset``) recorded.
    """

    #: How ``y`` is validated: "regression" (numbers) or "classification".
    task: ClassVar[str]
    #: Name of the ONNX graph's output.
    graph_output: ClassVar[str]

    def __init__(self, estimator: Any) -> None:
        self.estimator = estimator

    @property
    def _name(self) -> str:
        return type(self.estimator).__name__

    @abstractmethod
    def encode(
        self, y: np.ndarray, *, reset: bool, partial: bool, classes: Any = None
    ) -> np.ndarray:
        """y as the criterion expects it; on ``reset``, record the target attributes."""

    @abstractmethod
    def n_outputs(self) -> int:
        """Number of network outputs, once the target attributes are recorded."""

    @abstractmethod
    def criterion(self) -> type[nn.Module]:
        """The torch criterion class; sklstm builds it with ``reduction="none"``."""

    @abstractmethod
    def score(self) -> Callable[[torch.Tensor, torch.Tensor], float]:
        """``score(raw_outputs, encoded_targets) -> float`` for validation data.

        A module-level function, so that a net built with it pickles and two
        configurations compare equal.
        """

    @abstractmethod
    def decode(self, raw: np.ndarray) -> np.ndarray:
        """Predictions from raw float64 outputs of shape (n_samples, n_outputs)."""

    @abstractmethod
    def graph(self) -> nn.Module:
        """A torch module mapping raw outputs to what the ONNX graph returns."""

    def sample_weights(self, y_enc: np.ndarray, *, partial: bool) -> np.ndarray | None:
        """Per-sample loss weights that follow from the targets (None: none)."""
        return None

    def criterion_params(self) -> tuple[tuple[str, Any], ...]:
        """Arguments of the criterion besides ``reduction``, as (name, value)."""
        return ()


def float32_tensor(values: np.ndarray | None) -> torch.Tensor | None:
    """Fitted statistics as a float32 tensor for an exported graph (or None)."""
    if values is None:
        return None
    return torch.as_tensor(np.asarray(values, dtype=np.float32))


class _Rescale(nn.Module):
    """``raw * scale + mean`` in the graph (identity without statistics)."""

    def __init__(self, mean: np.ndarray | None, scale: np.ndarray | None) -> None:
        super().__init__()
        self.mean = float32_tensor(mean)
        self.scale = float32_tensor(scale)

    def forward(self, raw: torch.Tensor) -> torch.Tensor:
        if self.mean is None or self.scale is None:
            return raw
        return raw * self.scale + self.mean


class RegressionTarget(Target):
    """Numbers, one output per target column, standardised for training.

    The criterion is the estimator's ``loss`` (a key of
    :data:`REGRESSION_LOSSES`); the validation score is R²; predictions are
    the outputs in the units of ``y`` (1D for a single target).
    """

    task = "regression"
    graph_output = "predictions"

    def encode(
        self, y: np.ndarray, *, reset: bool, partial: bool, classes: Any = None
    ) -> Any:  # an ndarray, or ScaledRows for a memory-mapped y
        est = self.estimator
        y = numeric_target(y, self._name)
        y2 = y.reshape(-1, 1) if y.ndim == 1 else y
        # a memory-mapped y is read in parts and standardised batch by batch
        lazy = memory_mapped(y2)
        if not partial and len(y2) > 1 and _all_like_first(y2):
            value = y2[0, 0] if y2.shape[1] == 1 else y2[0].tolist()
            warnings.warn(
                f"Every target in y is {value}: there is nothing to learn from X, "
                f"and {self._name} will only approximate that value. Check that "
                "y is the column you meant, or use sklearn.dummy.DummyRegressor "
                "for a constant prediction.",
                UserWarning,
                stacklevel=4,
            )
        if reset:
            est.n_outputs_ = y2.shape[1]
            if est.standardize_target:
                mean, scale = column_stats(y2) if lazy else (y2.mean(0), y2.std(0))
                est.y_mean_ = mean
                est.y_scale_ = np.where(scale > 0, scale, 1.0)
            else:
                est.y_mean_, est.y_scale_ = None, None
        elif y2.shape[1] != est.n_outputs_:
            raise ValueError(
                f"y has {y2.shape[1]} output(s), but {self._name} was fitted "
                f"with {est.n_outputs_}."
            )
        if est.y_mean_ is not None and not reset:
            # continuing with the first fit's statistics: new targets can be far
            self._refuse_far_targets(y2)
        if lazy:  # rows standardised when read
            if est.y_mean_ is not None:
                return ScaledRows(y2, est.y_mean_, est.y_scale_)
            if y2.dtype == np.float32:
                return y2
            return ScaledRows(y2, np.zeros(y2.shape[1]), np.ones(y2.shape[1]))
        if est.y_mean_ is not None:
            y2 = (y2 - est.y_mean_) / est.y_scale_
        return np.ascontiguousarray(y2, dtype=np.float32)

    def _refuse_far_targets(self, y2: np.ndarray) -> None:
        """Raise ValueError for a target that the first fit's statistics put
        beyond the float32 range (read in parts: y may be memory-mapped)."""
        est = self.estimator
        for rows in row_chunks(len(y2), CHUNK_ROWS):
            far = np.abs((y2[rows] - est.y_mean_) / est.y_scale_)
            if (far > FLOAT32_MAX).any():
                row, column = np.unravel_index(int(np.argmax(far)), far.shape)
                raise ValueError(
                    f"y contains {y2[rows][row, column]:.3g} at sample "
                    f"{int(row) + rows.start}: {far[row, column]:.3g} standard "
                    "deviations from the mean of the targets the model was first "
                    "fitted on, which standardised is beyond the float32 range in "
                    f"which {self._name} computes. Scale y as the first targets "
                    "were scaled, or fit afresh."
                )

    def n_outputs(self) -> int:
        return int(self.estimator.n_outputs_)

    def criterion(self) -> type[nn.Module]:
        return REGRESSION_LOSSES[self.estimator.loss]

    def score(self) -> Callable[[torch.Tensor, torch.Tensor], float]:
        return r2_of_raw

    def decode(self, raw: np.ndarray) -> np.ndarray:
        est = self.estimator
        if est.y_mean_ is not None:
            raw = raw * est.y_scale_ + est.y_mean_
        return raw.ravel() if est.n_outputs_ == 1 else raw

    def graph(self) -> nn.Module:
        return _Rescale(self.estimator.y_mean_, self.estimator.y_scale_)


class ClassesTarget(Target):
    """Class labels: one output (logit) per class, trained with cross-entropy.

    The validation score is accuracy; predictions are the labels of the
    largest outputs, probabilities their softmax (in float64).
    """

    task = "classification"
    graph_output = "probabilities"

    def encode(
        self, y: np.ndarray, *, reset: bool, partial: bool, classes: Any = None
    ) -> np.ndarray:
        est = self.estimator
        check_labels(y, "y")
        if classes is not None:
            check_labels(classes, "classes")
        if reset:
            encoder = LabelEncoder().fit(y if classes is None else classes)
            if len(encoder.classes_) == 0:  # classes=[] in partial_fit
                raise ValueError(
                    f"{self._name} needs at least 2 classes, but classes is empty. "
                    "List every class that can appear in y."
                )
            if len(encoder.classes_) < 2:
                label = encoder.classes_[0]
                label = label.item() if isinstance(label, np.generic) else label
                raise ValueError(
                    f"{self._name} needs samples of at least 2 classes in the "
                    f"data, but the data contains only one class: {label!r}."
                )
            est.classes_ = encoder.classes_
        elif classes is not None and not np.array_equal(
            np.unique(classes), est.classes_
        ):
            raise ValueError(
                f"classes={np.unique(classes).tolist()} differs from the classes "
                f"{est.classes_.tolist()} given in the first partial_fit call."
            )
        unknown = np.setdiff1d(np.unique(y), est.classes_)
        if unknown.size:
            raise ValueError(
                f"y contains labels {unknown.tolist()} that are not among the "
                f"classes {est.classes_.tolist()} this {self._name} was set up "
                "with. Refit without warm_start, or list every class in the "
                "first partial_fit call."
            )
        encoded: np.ndarray = np.searchsorted(est.classes_, y).astype(np.int64)
        return encoded

    def n_outputs(self) -> int:
        return len(self.estimator.classes_)

    def criterion(self) -> type[nn.Module]:
        return nn.CrossEntropyLoss

    def score(self) -> Callable[[torch.Tensor, torch.Tensor], float]:
        return accuracy_of_raw

    def decode(self, raw: np.ndarray) -> np.ndarray:
        labels: np.ndarray = self.estimator.classes_[np.argmax(raw, axis=1)]
        return labels

    def proba(self, raw: np.ndarray) -> np.ndarray:
        """Class probabilities (float64), in the order of ``classes_``."""
        proba: np.ndarray = softmax(raw, axis=1)
        return proba

    def log_proba(self, raw: np.ndarray) -> np.ndarray:
        """Logarithms of the class probabilities."""
        log_proba: np.ndarray = log_softmax(raw, axis=1)
        return log_proba

    def graph(self) -> nn.Module:
        return nn.Softmax(dim=1)

    def sample_weights(self, y_enc: np.ndarray, *, partial: bool) -> np.ndarray | None:
        """Weights of ``class_weight``: a dict by label, or "balanced"."""
        est = self.estimator
        if est.class_weight is None:
            return None
        if isinstance(est.class_weight, str):  # "balanced"
            if partial:
                raise ValueError(
                    "class_weight='balanced' is not supported by partial_fit: one "
                    "call sees only part of the data. Compute the weights once "
                    "with sklearn.utils.class_weight.compute_class_weight and pass "
                    "them as a dict."
                )
            per_class = compute_class_weight(
                "balanced", classes=np.arange(len(est.classes_)), y=y_enc
            )
        else:
            unknown = set(est.class_weight) - set(est.classes_.tolist())
            if unknown:
                raise ValueError(
                    f"class_weight names labels {sorted(unknown, key=str)} that are "
                    f"not among the classes {est.classes_.tolist()}."
                )
            per_class = np.array(
                [
                    _class_weight_value(est.class_weight, label)
                    for label in est.classes_.tolist()
                ],
                dtype=np.float64,
            )
        weights: np.ndarray = per_class[y_enc]
        return weights


def _class_weight_value(class_weight: dict[Any, Any], label: Any) -> float:
    """The weight of ``label`` in a class_weight dict: a finite number >= 0."""
    value = class_weight.get(label, 1.0)
    if (
        not isinstance(value, Real)
        or isinstance(value, bool)
        or not 0 <= float(value) < np.inf
    ):
        raise ValueError(
            f"class_weight[{label!r}] is {value!r}; class weights must be finite "
            "numbers >= 0."
        )
    return float(value)


# ------------------------------------------------------------------ quantiles


def check_quantiles(quantiles: Any, name: str) -> np.ndarray:
    """The levels to fit: ``quantiles`` (or 0.1, 0.5, 0.9), 0.5 added, sorted.

    Raises
    ------
    ValueError
        If a level is not a number strictly between 0 and 1, a level repeats,
        or no level is given.
    """
    if quantiles is None:
        quantiles = (0.1, 0.5, 0.9)
    levels = list(np.asarray(quantiles, dtype=object).ravel())
    if not levels:
        raise ValueError(
            f"quantiles is empty; {name} needs at least one level strictly "
            "between 0 and 1, such as (0.1, 0.5, 0.9)."
        )
    for level in levels:
        if (
            not isinstance(level, Real)
            or isinstance(level, bool)
            or not 0 < float(level) < 1
        ):
            raise ValueError(
                f"quantiles must lie strictly between 0 and 1; got {level!r}. "
                "A level of 0.9 is the value 90 % of outcomes fall below."
            )
    values = np.array([float(level) for level in levels])
    if len(np.unique(values)) < len(values):
        repeated = sorted({v for v in values.tolist() if (values == v).sum() > 1})
        raise ValueError(
            f"quantiles repeats the level(s) {repeated}; give each level once."
        )
    return np.unique(np.append(values, 0.5))


def monotone_quantiles(
    raw: torch.Tensor, n_quantiles: int, median: int
) -> torch.Tensor:
    """Ordered quantiles from raw outputs, never crossing whatever the input.

    ``raw`` has shape (n, n_outputs * n_quantiles): per output, the column at
    ``median`` is the median and every other column a raw step; a level above
    the median is the median plus the softplus (>= 0) of the steps up to it,
    one below the median minus them. Returns (n, n_outputs, n_quantiles),
    non-decreasing along the last axis (rounding keeps the order: adding a
    larger non-negative number never gives a smaller sum).
    """
    raw = raw.reshape(raw.shape[0], -1, n_quantiles)
    centre = raw[..., median : median + 1]
    steps = nn.functional.softplus(raw)
    above = centre + torch.cumsum(steps[..., median + 1 :], dim=-1)
    below = centre - torch.cumsum(steps[..., :median].flip(-1), dim=-1).flip(-1)
    return torch.cat([below, centre, above], dim=-1)


class PinballLoss(nn.Module):
    """Pinball (quantile) loss of raw outputs at the given levels.

    Parameters
    ----------
    quantiles : tuple of float
        The levels, sorted, 0.5 among them.
    reduction : {"none", "mean"}, default="mean"
        "none" returns the loss of every sample, output and level.
    """

    def __init__(self, quantiles: tuple[float, ...], reduction: str = "mean") -> None:
        super().__init__()
        self.quantiles = tuple(quantiles)
        self.median = self.quantiles.index(0.5)
        self.reduction = reduction

    def forward(self, raw: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        predicted = monotone_quantiles(raw, len(self.quantiles), self.median)
        error = target.reshape(predicted.shape[0], -1, 1) - predicted
        # made per call in the loss's own dtype: float64 checks are exact, and
        # no float64 buffer goes to devices without float64 (MPS)
        levels = torch.tensor(self.quantiles, dtype=error.dtype, device=error.device)
        loss = torch.maximum(levels * error, (levels - 1) * error)
        return loss if self.reduction == "none" else loss.mean()


@dataclass(frozen=True)
class _MedianR2:
    """Validation score of a quantile head: R² of its median."""

    n_quantiles: int
    median: int

    def __call__(self, raw: torch.Tensor, target: torch.Tensor) -> float:
        quantiles = monotone_quantiles(raw.double(), self.n_quantiles, self.median)
        return r2_of_raw(quantiles[..., self.median], target)


class _QuantileGraph(nn.Module):
    """Raw outputs to quantiles in the units of ``y`` in an exported graph."""

    def __init__(self, target: QuantileTarget) -> None:
        super().__init__()
        est = target.estimator
        self.n_quantiles, self.median = len(est.quantiles_), target.median
        self.single = est.n_outputs_ == 1
        self.mean = float32_tensor(est.y_mean_)
        self.scale = float32_tensor(est.y_scale_)

    def forward(self, raw: torch.Tensor) -> torch.Tensor:
        out = monotone_quantiles(raw, self.n_quantiles, self.median)
        if self.mean is not None and self.scale is not None:
            out = out * self.scale[:, None] + self.mean[:, None]
        return out[:, 0] if self.single else out


class QuantileTarget(RegressionTarget):
    """Numbers, predicted as several quantiles per target column.

    One output per target column and level (``quantiles_``), trained on the
    mean pinball loss; the quantiles are ordered by construction
    (:func:`monotone_quantiles`). Predictions are the median; the validation
    score is the median's R².
    """

    graph_output = "quantiles"

    def encode(
        self, y: np.ndarray, *, reset: bool, partial: bool, classes: Any = None
    ) -> Any:
        if reset:
            self.estimator.quantiles_ = check_quantiles(
                self.estimator.quantiles, self._name
            )
        return super().encode(y, reset=reset, partial=partial, classes=classes)

    @property
    def median(self) -> int:
        return int(np.flatnonzero(self.estimator.quantiles_ == 0.5)[0])

    def n_outputs(self) -> int:
        return int(self.estimator.n_outputs_) * len(self.estimator.quantiles_)

    def criterion(self) -> type[nn.Module]:
        return PinballLoss

    def criterion_params(self) -> tuple[tuple[str, Any], ...]:
        levels = check_quantiles(self.estimator.quantiles, self._name)
        return (("quantiles", tuple(levels.tolist())),)

    def score(self) -> Callable[[torch.Tensor, torch.Tensor], float]:
        return _MedianR2(len(self.estimator.quantiles_), self.median)

    def quantiles(self, raw: np.ndarray) -> np.ndarray:
        """All fitted quantiles in the units of ``y``: (n, n_outputs, n_quantiles)."""
        est = self.estimator
        out = monotone_quantiles(
            torch.from_numpy(np.asarray(raw, dtype=np.float64)),
            len(est.quantiles_),
            self.median,
        ).numpy()
        if est.y_mean_ is not None:
            out = out * est.y_scale_[:, None] + est.y_mean_[:, None]
        return out

    def decode(self, raw: np.ndarray) -> np.ndarray:
        median = self.quantiles(raw)[..., self.median]
        return median.ravel() if self.estimator.n_outputs_ == 1 else median

    def graph(self) -> nn.Module:
        return _QuantileGraph(self)


def _all_like_first(values: np.ndarray) -> bool:
    """Whether every row of ``values`` equals its first, read in parts."""
    first = values[0]
    return all(
        bool(np.all(values[rows] == first))
        for rows in row_chunks(len(values), CHUNK_ROWS)
    )
