"""Bad input and bad parameters give clear errors, never a torch trace."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from sklstm import LSTMClassifier, LSTMRegressor

from ._datasets import event_order, sine_windows
from .conftest import FAST_PARAMS

ESTIMATORS = [LSTMRegressor, LSTMClassifier]
ids = [c.__name__ for c in ESTIMATORS]


def _data(cls, n=30, seq_len=6):
    return (
        event_order(n, seq_len) if cls is LSTMClassifier else sine_windows(n, seq_len)
    )


@pytest.fixture(params=ESTIMATORS, ids=ids)
def cls(request):
    return request.param


@pytest.fixture
def fitted(cls):
    X, y = _data(cls)
    return cls(**{**FAST_PARAMS, "max_epochs": 1}).fit(X, y)


@pytest.mark.parametrize(
    ("value", "word"), [(np.nan, "NaN"), (np.inf, "inf"), (-np.inf, "inf")]
)
def test_nan_or_inf_names_the_sample(cls, value, word):
    X, y = _data(cls)
    X[7, 3] = value
    with pytest.raises(ValueError, match=rf"{word}.*sample 7, time step 3"):
        cls(**FAST_PARAMS).fit(X, y)


def test_nan_at_predict_names_the_sample(fitted, cls):
    X, _ = _data(cls)
    X3 = X[:, :, None].copy()
    X3[2, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN at sample 2, time step 0, feature 0"):
        fitted.predict(X3)


def test_nan_in_y_is_rejected():
    X, y = sine_windows(30, 6)
    y[4] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        LSTMRegressor(**FAST_PARAMS).fit(X, y)


def test_1d_x_explains_the_expected_shape(cls):
    X, y = _data(cls)
    with pytest.raises(ValueError, match=r"1D array.*one sequence per row.*Reshape"):
        cls(**FAST_PARAMS).fit(X[0], y)


def test_1d_x_at_predict(fitted, cls):
    X, _ = _data(cls)
    with pytest.raises(ValueError, match="Reshape your data"):
        fitted.predict(X[0])


def test_4d_x_is_rejected(cls):
    X, y = _data(cls)
    with pytest.raises(ValueError, match="4D array"):
        cls(**FAST_PARAMS).fit(X[:, :, None, None], y)


@pytest.mark.parametrize("shape", [(0, 6), (0, 6, 2)])
def test_empty_x_is_rejected(cls, shape):
    with pytest.raises(ValueError, match="0 sample"):
        cls(**FAST_PARAMS).fit(np.zeros(shape), np.zeros(0))


@pytest.mark.parametrize("shape", [(5, 0, 2), (5, 3, 0)])
def test_3d_x_without_steps_or_features_is_rejected(cls, shape):
    with pytest.raises(ValueError, match="minimum of 1 time step and 1 feature"):
        cls(**FAST_PARAMS).fit(np.zeros(shape), np.arange(5) % 2)


def test_x_and_y_lengths_must_match(cls):
    X, y = _data(cls)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        cls(**FAST_PARAMS).fit(X, y[:-1])


def test_other_sequence_length_at_predict_is_explained(fitted, cls):
    X, _ = _data(cls, seq_len=9)
    with pytest.raises(ValueError, match=r"expecting 6 features.*sequences of 6 steps"):
        fitted.predict(X)


def test_other_number_of_features_per_step_at_predict(cls):
    X, y = _data(cls)
    X3 = np.stack([X, X], axis=2)
    model = cls(**{**FAST_PARAMS, "max_epochs": 1}).fit(X3, y)
    with pytest.raises(ValueError, match=r"3 features per time step.*fitted with 2"):
        model.predict(np.stack([X, X, X], axis=2))


def test_strings_in_x_are_explained(cls):
    _, y = _data(cls, n=3)
    X = np.array([["a", "b"], ["c", "d"], ["e", "f"]])
    with pytest.raises(ValueError, match="numeric sequences"):
        cls(**FAST_PARAMS).fit(X, y)


def test_text_column_in_a_dataframe_is_explained(cls):
    _, y = _data(cls, n=3)
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": ["x", "y", "z"]})
    with pytest.raises(ValueError, match="numeric sequences"):
        cls(**FAST_PARAMS).fit(X, y)


def test_complex_x_is_rejected(cls):
    X, y = _data(cls)
    with pytest.raises(ValueError, match="Complex data not supported"):
        cls(**FAST_PARAMS).fit(X + 1j, y)


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("hidden_size", 0),
        ("hidden_size", -3),
        ("num_layers", 0),
        ("batch_size", 0),
        ("max_epochs", 0),
        ("lr", 0.0),
        ("lr", -1.0),
        ("dropout", 1.0),
        ("dropout", -0.1),
        ("cell", "rnn"),
        ("optimizer", "adagradx"),
        ("validation_fraction", 1.0),
        ("n_iter_no_change", 0),
        ("clip_grad_norm", 0.0),
        ("hidden_size", 2.5),
        ("verbose", -1),
    ],
)
def test_invalid_parameters_fail_in_fit_with_sklearns_message(cls, param, value):
    X, y = _data(cls)
    with pytest.raises(
        ValueError, match=f"The '{param}' parameter of {cls.__name__} must be"
    ):
        cls(**{**FAST_PARAMS, param: value}).fit(X, y)


def test_optimizer_class_that_is_not_an_optimizer(cls):
    X, y = _data(cls)
    with pytest.raises(TypeError, match=r"not a torch.optim.Optimizer subclass"):
        cls(**{**FAST_PARAMS, "optimizer": dict}).fit(X, y)


def test_negative_sample_weight(cls):
    X, y = _data(cls)
    with pytest.raises(
        ValueError, match="Negative values in data passed to `sample_weight`"
    ):
        cls(**FAST_PARAMS).fit(X, y, sample_weight=-np.ones(len(y)))


@pytest.mark.parametrize("method", ["predict", "score"])
def test_using_before_fit_raises_not_fitted(cls, method):
    X, y = _data(cls)
    args = (X, y) if method == "score" else (X,)
    with pytest.raises(NotFittedError):
        getattr(cls(), method)(*args)


def test_predict_proba_before_fit_raises_not_fitted():
    X, _ = _data(LSTMClassifier)
    with pytest.raises(NotFittedError):
        LSTMClassifier().predict_proba(X)


def test_regressor_has_no_probabilities():
    assert not hasattr(LSTMRegressor(), "predict_proba")
    assert not hasattr(LSTMRegressor(), "decision_function")


def test_early_stopping_on_too_few_samples_is_explained():
    X, y = sine_windows(4, 6)
    model = LSTMRegressor(**FAST_PARAMS, early_stopping=True, validation_fraction=0.99)
    with pytest.raises(ValueError, match=r"leaves 0 for training.*validation_fraction"):
        model.fit(X, y)
    model.set_params(validation_fraction=0.5).fit(X, y)  # two and two is enough
    assert len(model.validation_scores_) == model.n_iter_


def test_one_class_message_shows_the_label():
    X, _ = event_order(10, 6)
    with pytest.raises(ValueError, match=r"only one class: 3\."):
        LSTMClassifier(**FAST_PARAMS).fit(X, np.full(10, 3))


def test_regressor_rejects_a_different_number_of_outputs_on_warm_start():
    X, y = sine_windows(30, 6)
    model = LSTMRegressor(**{**FAST_PARAMS, "max_epochs": 1}, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="y has 2 output"):
        model.fit(X, np.column_stack([y, y]))


def test_a_failed_fit_leaves_the_estimator_unfitted():
    X, y = sine_windows(2, 3)
    model = LSTMRegressor(**FAST_PARAMS, early_stopping=True, validation_fraction=0.9)
    with pytest.raises(ValueError, match="validation_fraction"):
        model.fit(X, y)
    with pytest.raises(NotFittedError):
        model.predict(X)
    assert not [name for name in vars(model) if name.endswith("_")]
