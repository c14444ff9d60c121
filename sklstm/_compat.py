"""The private scikit-learn and skorch names sklstm relies on, in one place.

scikit-learn's are imported here. skorch's are reached through the small
functions below, which take the skorch object, so that this module imports no
skorch (the torch-free layers import it too). ``tests/test_compat.py`` checks
every name listed in ``SKORCH_PRIVATE`` on the installed skorch, and CI runs
it with both the oldest supported and the newest skorch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from sklearn.base import _fit_context
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    RealNotInt,
    StrOptions,
)
from sklearn.utils._param_validation import validate_params as _validate_params
from sklearn.utils.validation import _check_sample_weight, _check_y, _num_samples

__all__ = [
    "SKORCH_PRIVATE",
    "HasMethods",
    "Interval",
    "RealNotInt",
    "StrOptions",
    "_check_sample_weight",
    "_check_y",
    "_fit_context",
    "_num_samples",
    "_safe_indexing",
    "module_names",
    "new_threshold",
    "score_improved",
    "sink",
    "validate_params",
]

_F = TypeVar("_F", bound=Callable[..., Any])


def validate_params(
    constraints: dict[str, Any], *, prefer_skip_nested_validation: bool
) -> Callable[[_F], _F]:
    """scikit-learn's ``validate_params`` decorator, keeping the signature's types."""
    decorator = _validate_params(
        constraints, prefer_skip_nested_validation=prefer_skip_nested_validation
    )
    return cast(Callable[[_F], _F], decorator)


#: skorch's private attributes sklstm uses, as (class path, attribute).
#: ``NeuralNet._set_training`` is overridden by sklstm's net; the others are
#: read or called below.
SKORCH_PRIVATE: tuple[tuple[str, str], ...] = (
    ("skorch.NeuralNet", "_set_training"),
    ("skorch.NeuralNet", "_modules"),
    ("skorch.NeuralNet", "_criteria"),
    ("skorch.callbacks.EarlyStopping", "_is_score_improved"),
    ("skorch.callbacks.EarlyStopping", "_calc_new_threshold"),
    ("skorch.callbacks.EarlyStopping", "_sink"),
)


def module_names(net: Any) -> list[str]:
    """Names of a skorch net's modules and criteria (``module``, ``criterion``)."""
    return [*net._modules, *net._criteria]


def score_improved(callback: Any, score: float) -> bool:
    """Whether ``score`` improves on an EarlyStopping callback's threshold."""
    return bool(callback._is_score_improved(score))


def new_threshold(callback: Any, score: float) -> float:
    """An EarlyStopping callback's next threshold after improving to ``score``."""
    return float(callback._calc_new_threshold(score))


def sink(callback: Any, text: str, *, verbose: Any) -> None:
    """Send ``text`` to a callback's sink (``print`` only when ``verbose``)."""
    callback._sink(text, verbose=verbose)
