"""Conformal calibration of quantile regressors on the time-ordered tail.

scikit-learn only; no torch.

A network's quantiles are as good as its fit: on few data, or under drift, an
80 % interval may hold far fewer than 80 % of outcomes. Split conformal
prediction corrects each level with the errors it makes on data held out
from the fit (Vovk et al. 2005; for quantile regression, Romano, Patterson and
Candès 2019, "Conformalized Quantile Regression"). For sequences and time
series that held-out part is the **tail**, the last samples in time order,
never a shuffled subset: windows cut from one series overlap, and a shuffled
split would calibrate on windows that share their values with the training
windows, giving intervals too narrow.
"""

from __future__ import annotations

import math
import warnings
from numbers import Real
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, MetaEstimatorMixin, RegressorMixin, clone
from sklearn.utils.validation import check_is_fitted

from ._compat import HasMethods, Interval, _fit_context, _num_samples, _safe_indexing
from ._regressor import LSTMRegressor, interval_levels, quantile_columns
from .metrics import _call_final, _fitted_levels

__all__ = ["CalibratedQuantileRegressor"]


class CalibratedQuantileRegressor(MetaEstimatorMixin, RegressorMixin, BaseEstimator):  # type: ignore[misc]
    """Quantile regressor whose levels are conformally calibrated on the tail.

    ``fit`` trains a clone of ``estimator`` on all but the last
    ``calibration_fraction`` of the samples (in the order given, which for
    windows of a series is time order) and measures, on those last samples,
    how far each fitted quantile level is off: for the level ``a`` it shifts
    the quantile by the order statistic of the errors ``y - q_a(X)`` that
    makes at most a share ``a`` of held-out values fall below it (with the
    finite-sample correction of split conformal prediction). Intervals from
    a lower and an upper calibrated level then hold at least their coverage
    on new data exchangeable with the tail. A tail too short for a level
    leaves it infinite (with a warning). The estimator is not refitted on
    the tail.

    Parameters
    ----------
    estimator : estimator, default=None
        An unfitted quantile regressor with ``predict_quantiles`` and
        ``quantiles_`` once fitted, or a Pipeline ending in one (e.g.
        ``make_pipeline(SequenceWindower(w), LSTMRegressor(loss="quantile"))``).
        None: ``LSTMRegressor(loss="quantile")``.
    calibration_fraction : float, default=0.2
        Share of the samples, taken from the end, held out for calibration.

    Attributes
    ----------
    estimator_ : estimator
        The clone of ``estimator`` fitted on the samples before the tail.
    quantiles_ : ndarray of shape (n_quantiles,)
        The levels, those of ``estimator_``.
    corrections_ : ndarray of shape (n_outputs, n_quantiles)
        What each level's quantile is shifted by, in the units of ``y``.
    n_calibration_ : int
        Number of held-out samples the corrections come from.
    n_features_in_ : int
        As the fitted estimator's, when it has one.

    See Also
    --------
    LSTMRegressor : ``loss="quantile"`` fits the levels this calibrates.

    Notes
    -----
    The guarantee assumes the tail and future data are exchangeable; under
    drift it holds approximately at best (adaptive conformal methods, such
    as MAPIE's ``TimeSeriesRegressor(method="aci")``, track a drifting
    coverage). Residuals of the training samples themselves would
    under-cover: the model has fitted them.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm import CalibratedQuantileRegressor, LSTMRegressor
    >>> X = np.random.RandomState(0).normal(size=(200, 5))
    >>> y = X.sum(axis=1)
    >>> model = CalibratedQuantileRegressor(
    ...     LSTMRegressor(loss="quantile", hidden_size=4, max_epochs=2, random_state=0)
    ... ).fit(X, y)
    >>> model.predict_interval(X[:2]).shape
    (2, 2)
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "estimator": [HasMethods(["fit"]), None],
        "calibration_fraction": [Interval(Real, 0, 1, closed="neither")],
    }

    def __init__(self, estimator: Any = None, *, calibration_fraction: float = 0.2):
        self.estimator = estimator
        self.calibration_fraction = calibration_fraction

    @_fit_context(prefer_skip_nested_validation=False)  # type: ignore[untyped-decorator]
    def fit(
        self, X: Any, y: Any, sample_weight: Any = None
    ) -> CalibratedQuantileRegressor:
        """Fit the estimator on the head of the data, calibrate on its tail.

        Parameters
        ----------
        X : array-like or list of sequences
            Training input of the estimator, in time order.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the fit (the calibration counts every sample once).

        Returns
        -------
        self : CalibratedQuantileRegressor
            The fitted and calibrated estimator.
        """
        estimator = clone(
            self.estimator
            if self.estimator is not None
            else LSTMRegressor(loss="quantile")
        )
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target "
                "y is None."
            )
        if sp.issparse(X):
            raise TypeError(
                "Sparse input is not supported: pass X as a dense array or a "
                "list of sequences."
            )
        if not isinstance(X, list) and not hasattr(X, "iloc"):
            X = np.asarray(X)
            if X.dtype.kind in "fc" and not np.isfinite(X).all():
                # before any fit: the rows with them may all be in the tail
                raise ValueError(
                    "Input X contains NaN or infinity: the estimator cannot "
                    "learn from or calibrate on them. Remove or impute them."
                )
        n = _num_samples(X)
        y_array = np.asarray(y)
        if y_array.ndim == 0 or len(y_array) != n:
            raise ValueError(
                f"y has {y_array.shape} values but X has {n} samples; give one "
                "target (row) per sample."
            )
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight, dtype=np.float64)
            if sample_weight.shape != (n,):
                raise ValueError(
                    f"sample_weight.shape == {sample_weight.shape}, expected "
                    f"({n},): one weight per sample."
                )
        # rounded first: 0.1 * 30 is 3.0000000000000004 in floating point
        n_tail = math.ceil(round(self.calibration_fraction * n, 9))
        if n_tail < 2 or n - n_tail < 2:
            raise ValueError(
                f"{n} samples cannot be split into a fit and a calibration part "
                f"of at least 2 samples each with calibration_fraction="
                f"{self.calibration_fraction}. Pass more samples, or change "
                "calibration_fraction."
            )
        head, tail = np.arange(n - n_tail), np.arange(n - n_tail, n)
        fit_params = {}
        if sample_weight is not None:
            key = "sample_weight"
            if hasattr(estimator, "steps"):  # a Pipeline: its final step's
                key = f"{estimator.steps[-1][0]}__sample_weight"
            fit_params[key] = sample_weight[head]
        estimator.fit(_rows(X, head), y_array[head], **fit_params)
        levels = _fitted_levels(
            estimator,
            "CalibratedQuantileRegressor needs a quantile regressor, such as "
            "LSTMRegressor(loss='quantile')",
        )
        if hasattr(estimator, "steps"):
            # a Pipeline may window the series: predict every row, so that the
            # tail's first windows read the rows before them, and keep the tail
            predicted = _call_final(estimator, "predict_quantiles", X)[tail]
        else:
            predicted = _call_final(estimator, "predict_quantiles", _rows(X, tail))
        predicted = predicted.reshape(n_tail, -1, len(levels))
        true = np.asarray(y_array[tail], dtype=np.float64).reshape(n_tail, -1, 1)
        errors = np.sort(true - predicted, axis=0)  # (n_tail, n_outputs, n_q)
        # the k-th smallest error, with the finite-sample correction of split
        # conformal prediction: k = ceil((n + 1) a) for a level a >= 0.5, so
        # that new values fall at or below it with probability >= a, and
        # floor((n + 1) a) below 0.5, so that they fall under it with
        # probability <= a; an interval between the two then holds at least
        # its coverage. A rank beyond the data (too short a tail for the
        # level) has no finite bound: the shift is -inf or +inf.
        ranks = np.where(
            levels >= 0.5,
            np.ceil((n_tail + 1) * levels),
            np.floor((n_tail + 1) * levels),
        ).astype(int)
        index = np.clip(ranks - 1, 0, n_tail - 1)
        corrections = np.take_along_axis(
            errors, np.broadcast_to(index, (1, *errors.shape[1:])), axis=0
        )[0].copy()
        corrections[:, ranks > n_tail] = np.inf
        corrections[:, ranks < 1] = -np.inf
        unbounded = levels[(ranks > n_tail) | (ranks < 1)]
        if len(unbounded):
            warnings.warn(
                f"A calibration tail of {n_tail} samples is too short to bound "
                f"the quantile(s) {unbounded.tolist()}: they are infinite. A "
                "level a needs at least 1/min(a, 1 - a) - 1 tail samples; pass "
                "more samples or a larger calibration_fraction.",
                UserWarning,
                stacklevel=2,
            )
        self.corrections_ = corrections
        self.estimator_ = estimator
        self.quantiles_ = np.asarray(levels, dtype=np.float64)
        self.n_calibration_ = n_tail
        if hasattr(estimator, "n_features_in_"):
            self.n_features_in_ = estimator.n_features_in_
        return self

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        inner = self.estimator if self.estimator is not None else LSTMRegressor()
        tags.input_tags = inner.__sklearn_tags__().input_tags
        return tags

    def predict_quantiles(self, X: Any, quantiles: Any = None) -> np.ndarray:
        """Calibrated quantiles, shaped as the estimator's ``predict_quantiles``.

        Parameters
        ----------
        X : array-like or list of sequences
            Input of the estimator.
        quantiles : array-like of float, default=None
            Levels to return, each one of ``quantiles_`` (None: all).

        Returns
        -------
        y_quantiles : ndarray of shape (n_samples, n_quantiles) or \
(n_samples, n_outputs, n_quantiles)
            Non-decreasing along the last axis: where two shifted levels would
            cross, the outer one is moved out to the inner one, which only
            widens intervals.
        """
        check_is_fitted(self, "corrections_")
        raw = _call_final(self.estimator_, "predict_quantiles", X)
        shaped = raw.reshape(raw.shape[0], -1, len(self.quantiles_))
        calibrated = _outward(shaped + self.corrections_[np.newaxis], self.quantiles_)
        columns = quantile_columns(self.quantiles_, quantiles)
        out = calibrated[..., columns]
        return out[:, 0] if raw.ndim == 2 else out

    def predict_interval(self, X: Any, coverage: float = 0.8) -> np.ndarray:
        """Predict calibrated central intervals.

        The bounds are the calibrated levels ``(1 - coverage) / 2`` and
        ``(1 + coverage) / 2``; both must have been fitted.

        Parameters
        ----------
        X : array-like or list of sequences
            Input of the estimator.
        coverage : float, default=0.8
            Share of outcomes the interval is meant to hold, strictly between 0
            and 1.

        Returns
        -------
        intervals : ndarray of shape (n_samples, 2) or (n_samples, n_outputs, 2)
            Lower and upper bounds.
        """
        check_is_fitted(self, "corrections_")
        return self.predict_quantiles(X, interval_levels(coverage, self.quantiles_))

    def predict(self, X: Any) -> np.ndarray:
        """Predict the calibrated median.

        Parameters
        ----------
        X : array-like or list of sequences
            Input of the estimator.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The calibrated median, shaped as the estimator's ``predict``.
        """
        return self.predict_quantiles(X, [0.5])[..., 0]


def _outward(quantiles: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Order quantiles outward from the median (the level nearest 0.5): a
    running maximum above it and a running minimum below, so that no level
    moves inward."""
    median = int(np.argmin(np.abs(levels - 0.5)))
    above = np.maximum.accumulate(quantiles[..., median:], axis=-1)
    below = np.minimum.accumulate(quantiles[..., median::-1], axis=-1)[..., :0:-1]
    return np.concatenate([below, above], axis=-1)


def _rows(X: Any, rows: np.ndarray) -> Any:
    """Rows of an array, a list of sequences or a pandas object, in order."""
    return _safe_indexing(X, rows)
