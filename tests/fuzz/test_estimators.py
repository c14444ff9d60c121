"""Fuzzing the estimators: fit, predict, score and partial_fit on bad input."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

pytest.importorskip("hypothesis")

from hypothesis import given
from hypothesis import strategies as st
from sklearn.exceptions import (
    ConvergenceWarning,
    DataConversionWarning,
    UndefinedMetricWarning,
)

from sklstm import LSTMClassifier

from ._contract import (
    check_call,
    check_predict_output,
    check_predictions,
    check_proba_output,
    n_rows,
)
from ._models import FITTED, KINDS, fitted, labels, make
from .strategies import (
    bad_sample_weights,
    bad_targets,
    floats_or_specials,
    malformed_X,
    scalars,
    shaped_like,
    small_floats,
    token_ids,
    valid_problems,
)


@given(kind=st.sampled_from(KINDS), data=st.data())
def test_fit_on_malformed_X(kind, data):
    X = data.draw(token_ids() if kind.endswith("-ids") else malformed_X(), label="X")
    n = n_rows(X)
    y = labels(kind, n if n is not None else 3)
    params = data.draw(
        st.fixed_dictionaries(
            {
                "standardize": st.booleans(),
                "cell": st.sampled_from(["lstm", "gru"]),
                "bidirectional": st.booleans(),
            }
        ),
        label="params",
    )
    model = make(kind, **params)
    fit = check_call(lambda: model.fit(X, y))
    if fit.ok:
        check_predictions(model, X, len(y))


@given(kind=st.sampled_from(KINDS), data=st.data())
def test_fit_with_bad_targets(kind, data):
    n = data.draw(st.integers(1, 6), label="n")
    rng = np.random.RandomState(n)
    X = (
        rng.randint(0, 6, size=(n, 3))
        if kind.endswith("-ids")
        else rng.normal(size=(n, 3))
    )
    y = data.draw(bad_targets(n), label="y")
    model = make(kind)
    if kind.startswith("classifier") and data.draw(st.booleans(), label="partial"):
        # the first partial_fit call lists the classes: fuzz them too
        classes = data.draw(st.one_of(st.just(y), bad_targets(3)), label="classes")
        fit = check_call(lambda: model.partial_fit(X, y, classes=classes))
    else:
        fit = check_call(lambda: model.fit(X, y))
    if fit.ok:
        assert n_rows(y) == n
        check_predictions(model, X, n)
        if isinstance(model, LSTMClassifier):
            assert len(model.classes_) >= 2
        if fit.warned(DataConversionWarning):
            assert np.shape(y)[1:] == (1,)


@given(kind=st.sampled_from(KINDS), data=st.data())
def test_fit_with_bad_sample_weight(kind, data):
    n = data.draw(st.integers(1, 6), label="n")
    X = np.random.RandomState(n).normal(size=(n, 3))
    if kind.endswith("-ids"):
        X = np.abs(X * 3).round().astype(int)
    y = labels(kind, n)
    sample_weight = data.draw(bad_sample_weights(n), label="sample_weight")
    model = make(kind)
    fit = check_call(lambda: model.fit(X, y, sample_weight=sample_weight))
    if fit.ok:
        check_predictions(model, X, n)


@given(
    class_weight=st.dictionaries(
        st.sampled_from([0, 1, 0, 1, 2, "a"]),
        st.one_of(floats_or_specials, scalars, st.integers(-3, 3), small_floats),
        max_size=3,
    )
)
def test_fit_with_bad_class_weight(class_weight):
    X = np.random.RandomState(0).normal(size=(6, 3))
    model = make("classifier", class_weight=class_weight)
    fit = check_call(lambda: model.fit(X, labels("classifier", 6)))
    if fit.ok:
        check_predictions(model, X, 6)


@given(
    name=st.sampled_from(FITTED),
    method=st.sampled_from(
        ["predict", "predict_proba", "predict_log_proba", "score", "partial_fit"]
    ),
    data=st.data(),
)
def test_methods_of_a_fitted_model_on_malformed_X(name, method, data):
    model = fitted(name)
    kind = name.split(":")[0]
    if "proba" in method and not isinstance(model, LSTMClassifier):
        method = "predict"
    anything = token_ids() if kind.endswith("-ids") else malformed_X()
    X = data.draw(st.one_of(anything, shaped_like(name)), label="X")
    n = n_rows(X)
    y = labels(kind, n if n is not None else 3)
    args = (X, y) if method in ("score", "partial_fit") else (X,)
    outcome = check_call(lambda: getattr(model, method)(*args))
    if not outcome.ok:
        return
    assert n is not None
    if method == "predict":
        check_predict_output(model, outcome.value, n)
    elif method == "predict_proba":
        check_proba_output(model, outcome.value, n)
    elif method == "predict_log_proba":
        check_proba_output(model, np.exp(outcome.value), n)
    elif method == "score":
        score = outcome.value
        assert np.isfinite(score) or outcome.warned(UndefinedMetricWarning)
    else:
        check_predictions(model, X, n)


@given(
    name=st.sampled_from(FITTED),
    method=st.sampled_from(["score", "partial_fit"]),
    data=st.data(),
)
def test_score_and_partial_fit_with_bad_targets(name, method, data):
    model = fitted(name)
    rng = np.random.RandomState(1)
    n = data.draw(st.integers(1, 6), label="n")
    layout = name.split(":")[1]
    if layout == "ids":
        X: Any = rng.randint(0, 8, size=(n, 4))
    elif layout == "ragged":
        X = [rng.normal(size=(i + 1, 2)) for i in range(n)]
    elif layout == "3d":
        X = rng.normal(size=(n, 4, 2))
    else:
        X = rng.normal(size=(n, 4))
    y = data.draw(bad_targets(n), label="y")
    outcome = check_call(lambda: getattr(model, method)(X, y))
    if outcome.ok and method == "score":
        assert np.isfinite(outcome.value) or outcome.warned(UndefinedMetricWarning)
    elif outcome.ok:
        check_predictions(model, X, n)


@given(problem=valid_problems())
def test_valid_input_gives_finite_predictions_of_the_right_shape(problem):
    kind, X, y, params = problem
    model = make(kind, **params)
    fit = check_call(lambda: model.fit(X, y))
    assert fit.ok, f"valid input refused: {fit.error!r}"
    assert not fit.warned(ConvergenceWarning)
    check_predictions(model, X, len(y))
    if isinstance(model, LSTMClassifier):
        assert set(model.classes_.tolist()) == set(np.asarray(y).tolist())
