"""Scores of quantile forecasts, and scorers for scikit-learn's model selection.

numpy only; no torch.

scikit-learn's ``mean_pinball_loss`` scores one level, and its scorers call
``predict``, ``predict_proba`` or ``decision_function`` only, so none reaches
:meth:`sklstm.LSTMRegressor.predict_quantiles`. The scorers here do: pass them as
``scoring=`` to ``GridSearchCV``, ``cross_val_score`` or ``cross_validate``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = [
    "interval_coverage",
    "make_coverage_scorer",
    "make_width_scorer",
    "mean_interval_width",
    "mean_pinball_loss",
    "pinball_scorer",
]


def _targets(y: Any, like: np.ndarray) -> np.ndarray:
    """y with a trailing axis, as (n, 1) or (n, n_outputs, 1), for broadcasting."""
    true = np.asarray(y, dtype=np.float64)
    if true.ndim != like.ndim - 1 or true.shape != like.shape[:-1]:
        raise ValueError(
            f"y has shape {true.shape}, but the predictions have shape "
            f"{like.shape}: y must have one value per row (per output) of them."
        )
    return true[..., np.newaxis]


def mean_pinball_loss(y_true: Any, y_quantiles: Any, quantiles: Any) -> float:
    """Pinball loss averaged over samples, outputs and quantile levels.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True values.
    y_quantiles : array-like of shape (n_samples, n_quantiles) or \
(n_samples, n_outputs, n_quantiles)
        Predicted quantiles, e.g. from :meth:`sklstm.LSTMRegressor.predict_quantiles`.
    quantiles : array-like of shape (n_quantiles,)
        The level of each predicted quantile.

    Returns
    -------
    loss : float
        Lower is better; at each level it equals scikit-learn's
        ``mean_pinball_loss(y_true, y_quantiles[..., k], alpha=quantiles[k])``.
    """
    predicted = np.asarray(y_quantiles, dtype=np.float64)
    levels = np.asarray(quantiles, dtype=np.float64)
    if predicted.shape[-1] != len(levels):
        raise ValueError(
            f"y_quantiles has {predicted.shape[-1]} quantile(s) on its last axis "
            f"but quantiles lists {len(levels)}."
        )
    error = _targets(y_true, predicted) - predicted
    return float(np.maximum(levels * error, (levels - 1) * error).mean())


def interval_coverage(y_true: Any, intervals: Any) -> float:
    """Share of true values inside their interval (bounds included).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True values.
    intervals : array-like of shape (n_samples, 2) or (n_samples, n_outputs, 2)
        Lower and upper bounds, e.g. from :meth:`sklstm.LSTMRegressor.predict_interval`.

    Returns
    -------
    coverage : float
        Between 0 and 1.
    """
    bounds = np.asarray(intervals, dtype=np.float64)
    true = _targets(y_true, bounds)[..., 0]
    return float(((bounds[..., 0] <= true) & (true <= bounds[..., 1])).mean())


def mean_interval_width(intervals: Any) -> float:
    """Mean of upper minus lower bound over samples (and outputs).

    Parameters
    ----------
    intervals : array-like of shape (n_samples, 2) or (n_samples, n_outputs, 2)
        Lower and upper bounds.

    Returns
    -------
    width : float
        In the units of the bounds.
    """
    bounds = np.asarray(intervals, dtype=np.float64)
    return float((bounds[..., 1] - bounds[..., 0]).mean())


def _call_final(estimator: Any, method: str, X: Any, **kwargs: Any) -> Any:
    """``estimator.<method>(X)``; for a Pipeline, its final step's method on
    X transformed by the steps before it (Pipeline forwards ``predict`` and
    the like, not ``predict_quantiles`` or ``predict_interval``)."""
    if hasattr(estimator, "steps") and not hasattr(estimator, method):
        for _, step in estimator.steps[:-1]:
            if step is not None and step != "passthrough":
                X = step.transform(X)
        estimator = estimator.steps[-1][1]
    return getattr(estimator, method)(X, **kwargs)


def pinball_scorer(estimator: Any, X: Any, y: Any) -> float:
    """Negative mean pinball loss over the fitted levels: greater is better.

    A scorer for ``scoring=`` in scikit-learn's model selection, for models
    with ``predict_quantiles`` and ``quantiles_`` (:class:`sklstm.LSTMRegressor` with
    ``loss="quantile"``, :class:`sklstm.CalibratedQuantileRegressor`, or a Pipeline
    ending in one).

    Parameters
    ----------
    estimator : fitted quantile regressor
        The model to score.
    X : array-like or list of sequences
        Its input.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        The true values.

    Returns
    -------
    score : float
        Minus :func:`mean_pinball_loss` of ``estimator.predict_quantiles(X)``
        at the fitted levels.
    """
    predicted = _call_final(estimator, "predict_quantiles", X)
    levels = _fitted_levels(
        estimator, "the pinball scorer needs a model fitted with loss='quantile'"
    )
    return -mean_pinball_loss(y, predicted, levels)


def make_coverage_scorer(coverage: float = 0.8) -> Callable[[Any, Any, Any], float]:
    """A scorer giving the share of ``y`` inside ``predict_interval(X, coverage)``.

    Coverage is a diagnostic, not a score to maximise (an infinite interval
    covers everything): report it with ``cross_validate(scoring={...})``
    beside :func:`pinball_scorer`, which search should optimise.

    Parameters
    ----------
    coverage : float, default=0.8
        The interval's coverage; both of its levels must have been fitted.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y) -> float``, the share of ``y`` inside.
    """

    def coverage_scorer(estimator: Any, X: Any, y: Any) -> float:
        bounds = _call_final(estimator, "predict_interval", X, coverage=coverage)
        return interval_coverage(y, bounds)

    return coverage_scorer


def make_width_scorer(coverage: float = 0.8) -> Callable[[Any, Any, Any], float]:
    """A scorer giving minus the mean width of ``predict_interval(X, coverage)``.

    Parameters
    ----------
    coverage : float, default=0.8
        The interval's coverage; both of its levels must have been fitted.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y) -> float``, minus the mean width (greater
        is narrower).
    """

    def width_scorer(estimator: Any, X: Any, y: Any) -> float:
        bounds = _call_final(estimator, "predict_interval", X, coverage=coverage)
        return -mean_interval_width(bounds)

    return width_scorer


def _fitted_levels(estimator: Any, needs: str) -> np.ndarray:
    """The fitted ``quantiles_`` of a model, or of a Pipeline's final step.

    ``needs`` completes the error when there are none: "<Model> has no fitted
    quantiles_: <needs>."
    """
    final = estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator
    levels = getattr(final, "quantiles_", None)
    if levels is None:
        raise ValueError(f"{type(final).__name__} has no fitted quantiles_: {needs}.")
    return np.asarray(levels)
