"""The private scikit-learn helpers sklstm relies on, imported in one place."""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, _check_y

__all__ = [
    "Interval",
    "StrOptions",
    "_check_sample_weight",
    "_check_y",
    "_fit_context",
]
