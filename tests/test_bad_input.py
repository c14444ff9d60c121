"""Bad input and bad parameters give clear errors, never a torch trace."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from sklstm import (
    LSTMClassifier,
    LSTMRegressor,
    SequenceWindower,
    TextTokenizer,
    forecast,
    generate_text,
    sliding_windows,
)

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


# ----------------------------------------------------------------------------
# Found by tests/test_fuzz.py: each input once crashed inside numpy or torch,
# warned, returned NaN, or was silently misread.

ONE_EPOCH = {**FAST_PARAMS, "max_epochs": 1}


@pytest.mark.parametrize("scale", [1e39, 1e300, np.finfo(np.float64).max])
def test_x_beyond_float32_is_refused_at_fit(cls, scale):
    # the standard deviation overflowed to inf: a constant model, with a warning
    X, y = _data(cls)
    X[3, 2] = scale
    with pytest.raises(ValueError, match=r"at sample 3, time step 2.*float32 range"):
        cls(**ONE_EPOCH).fit(X, y)


def test_x_beyond_float32_is_refused_in_ragged_lists(cls):
    _, y = _data(cls, n=2)
    X = [np.ones(3), np.array([1.0, -1e300])]
    with pytest.raises(ValueError, match=r"sample 1, time step 1.*float32 range"):
        cls(**ONE_EPOCH).fit(X, y)


def test_x_beyond_float32_is_refused_at_predict(fitted, cls):
    X, _ = _data(cls)
    X[0, 5] = 1e39  # became inf in the float32 batch, with a warning
    with pytest.raises(ValueError, match=r"sample 0, time step 5.*float32 range"):
        fitted.predict(X)


def test_x_far_beyond_the_training_scale_is_refused_at_predict(cls):
    # standardised with a tiny training scale, 1e30 overflowed float32
    X, y = _data(cls)
    model = cls(**ONE_EPOCH).fit(X * 1e-12, y)
    with pytest.raises(ValueError, match=r"standard deviations from the mean"):
        model.predict(X * 1e30)
    assert np.isfinite(model.predict(X * 1e-12)).all()


@pytest.mark.parametrize("scale", [1e200, np.finfo(np.float64).max])
def test_regression_targets_beyond_float32_are_refused(scale):
    # predictions were -inf or NaN: the targets' variance overflowed
    X, y = sine_windows(30, 6)
    with pytest.raises(ValueError, match=r"y contains .* at sample \d+.*float32"):
        LSTMRegressor(**ONE_EPOCH).fit(X, y * scale)
    with pytest.raises(ValueError, match="float32"):
        LSTMRegressor(**ONE_EPOCH, standardize_target=False).fit(X, y * 1e39)


def test_new_targets_far_from_the_first_fit_are_refused_in_partial_fit():
    # standardised with the first call's statistics, 3.4e38 overflowed float32
    X, y = sine_windows(30, 6)
    model = LSTMRegressor(**ONE_EPOCH).partial_fit(X, y)
    with pytest.raises(ValueError, match="standard deviations from the mean of the"):
        model.partial_fit(X[:1], [np.finfo(np.float32).max])


def test_a_list_holding_one_3d_array_is_refused(cls):
    # read as a 4D array, it reached the statistics and broke a numpy broadcast
    with pytest.raises(ValueError, match=r"got a 4D array of shape \(1, 1, 2, 1\)"):
        cls(**ONE_EPOCH).fit([np.zeros((1, 2, 1))], [1])


@pytest.mark.parametrize(
    ("sample_weight", "match"),
    [
        (np.inf, "sample_weight contains inf"),  # a scalar escaped the check
        (np.nan, "sample_weight contains nan"),
        (["", b"\x80"], "could not convert string to float"),  # UnicodeDecodeError
        ([1.0, 1j], "Complex data not supported in sample_weight"),
    ],
)
def test_bad_sample_weight_values(cls, sample_weight, match):
    X, y = _data(cls, n=2)[0], [0, 1]
    with pytest.raises(ValueError, match=match):
        cls(**ONE_EPOCH).fit(X, y, sample_weight=sample_weight)


def test_huge_sample_weights_keep_their_proportions():
    # their mean overflowed to inf, so every normalised weight became 0
    X, y = sine_windows(30, 6)
    big = np.finfo(np.float64).max
    weighted = LSTMRegressor(**ONE_EPOCH).fit(X, y, sample_weight=np.full(30, big))
    plain = LSTMRegressor(**ONE_EPOCH).fit(X, y)
    np.testing.assert_allclose(weighted.predict(X), plain.predict(X), rtol=1e-5)
    # one subnormal weight is still a positive weight (the mean underflowed)
    sample_weight = np.r_[5e-324, np.zeros(29)]
    LSTMRegressor(**ONE_EPOCH).fit(X, y, sample_weight=sample_weight)


def test_complex_sample_weight_is_refused(cls):
    X, y = _data(cls)
    with pytest.raises(ValueError, match="Complex data not supported in sample_wei"):
        cls(**ONE_EPOCH).fit(X, y, sample_weight=np.ones(len(y)) + 1j)


@pytest.mark.parametrize("weight", [np.nan, np.inf, -1.0, "heavy", None])
def test_bad_class_weight_values(weight):
    X, y = event_order(30, 6)
    model = LSTMClassifier(**ONE_EPOCH, class_weight={0: weight})
    with pytest.raises(ValueError, match=r"class_weight\[0\] is .*finite numbers >= 0"):
        model.fit(X, y)


@pytest.mark.parametrize("unit", ["datetime64[s]", "timedelta64[ms]"])
def test_dates_in_x_are_refused(cls, unit):
    # nanosecond counts were read as numbers, NaT as -9.2e18
    _, y = _data(cls, n=4)
    with pytest.raises(ValueError, match=f"X holds {unit[:-4]}.*numeric sequences"):
        cls(**ONE_EPOCH).fit(np.zeros((4, 3), dtype=unit), y)


def test_a_date_column_in_a_dataframe_is_named(cls):
    # numpy's "DType <class ...> could not be promoted" leaked out
    _, y = _data(cls, n=4)
    X = pd.DataFrame({"when": pd.date_range("2020", periods=4), "x": np.ones(4)})
    with pytest.raises(ValueError, match="column 'when'"):
        cls(**ONE_EPOCH).fit(X, y)


@pytest.mark.parametrize(
    ("X", "match"),
    [
        ([[1.0, 2.0], None], r"mixes sequences and single values.*item 1 is None"),
        ([1.0, [1.0, 2.0]], r"item 0 is a float.*item 1 is a list"),
        ([[[1.0, 2.0], [3.0]], [1.0, 2.0]], r"item 0 holds nested sequences"),
        (None, r"Expected an array of sequences, got None"),
        ("abc", r"got a str"),
    ],
)
def test_lists_that_are_no_sequences_are_explained(cls, X, match):
    # numpy's "setting an array element with a sequence" leaked out
    with pytest.raises(ValueError, match=match):
        cls(**ONE_EPOCH).fit(X, [0, 1])


def test_non_numeric_regression_targets_are_explained():
    X, _ = sine_windows(3, 6)
    for y in (np.array(["a", "b", "c"]), np.array(["a", 1, 2.0], dtype=object)):
        with pytest.raises(ValueError, match=r"y holds values that are not numbers"):
            LSTMRegressor(**ONE_EPOCH).fit(X, y)
    with pytest.raises(ValueError, match="y holds datetime64"):
        LSTMRegressor(**ONE_EPOCH).fit(X, np.arange(3).astype("datetime64[D]"))


@pytest.mark.parametrize(
    ("ids", "match"),
    [
        (np.array([[1, 2**64 - 1]], dtype=np.uint64), "Got id 18446744073709551615"),
        (np.array([[1.0, 1e19]]), "Got id 1e[+]19"),
        (np.array([[1.0, 1e300]]), "Got id 1e[+]300"),
        (np.array([[1, 2]], dtype=np.float16), None),
    ],
)
def test_token_ids_are_checked_before_any_cast(ids, match):
    # uint64 ids wrapped to -1 (a torch IndexError); huge floats warned
    X = np.repeat(ids, 4, axis=0)
    model = LSTMClassifier(**ONE_EPOCH, embedding_dim=2)
    if match is None:
        assert model.fit(X, [0, 1, 0, 1]).n_tokens_ == 3
    else:
        with pytest.raises(ValueError, match=match):
            model.fit(X, [0, 1, 0, 1])


@pytest.mark.parametrize(
    ("y", "match"),
    [
        (np.array(["a", None, "a", "b"], dtype=object), "label of type NoneType"),
        (np.array(["a", 1, "a", 1], dtype=object), "mixes strings and numbers"),
        (np.array([1e300, 0.0, 1e300, 0.0]), "Unknown label type"),
    ],
)
def test_odd_class_labels_are_explained(y, match):
    # numpy's "'<' not supported between instances" leaked out; huge floats warned
    X, _ = event_order(4, 6)
    with pytest.raises(ValueError, match=match):
        LSTMClassifier(**ONE_EPOCH).fit(X, y)
    model = LSTMClassifier(**ONE_EPOCH).fit(X, [0, 1, 0, 1])
    with pytest.raises(ValueError, match=match):
        model.score(X, y)


@pytest.mark.parametrize(
    ("classes", "match"),
    [
        ([], "classes is empty"),  # an IndexError
        ([[0, 1], [2]], "classes could not be read as a 1D array"),  # numpy's words
        ([[0, 1], [2, 3]], r"classes must be a 1D array .* shape \(2, 2\)"),
    ],
)
def test_bad_classes_in_partial_fit(classes, match):
    X, y = event_order(4, 6)
    with pytest.raises(ValueError, match=match):
        LSTMClassifier(**ONE_EPOCH).partial_fit(X, y, classes=classes)


def test_score_checks_y_like_fit(fitted, cls):
    X, _ = _data(cls, n=2)
    with pytest.raises(ValueError, match="y could not be read as an array"):
        fitted.score(X, [[1.0, 2.0], [3.0]])
    with pytest.raises(ValueError, match="score needs the true targets"):
        fitted.score(X, None)


def test_score_refuses_huge_regression_targets():
    X, y = sine_windows(30, 6)
    model = LSTMRegressor(**ONE_EPOCH).fit(X, y)
    with pytest.raises(ValueError, match="float32 range"):
        model.score(X, y * 1e300)  # R^2 overflowed


def test_plus_and_minus_infinity_together_raise_without_warning(cls):
    # scikit-learn's finiteness check warned "invalid value encountered"
    X, y = _data(cls, n=2)[0], [0, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="infinity"):
            cls(**ONE_EPOCH).fit(X, y, sample_weight=[np.inf, -np.inf])
        with pytest.raises(ValueError, match="infinity"):
            SequenceWindower(window=1).fit(np.array([np.inf, -np.inf]))
        ids = np.array([[1.0, np.inf], [-np.inf, 2.0]])
        with pytest.raises(ValueError, match="infinity"):
            cls(**ONE_EPOCH, embedding_dim=2).fit(ids, y)


@pytest.mark.parametrize(
    ("X", "error", "match"),
    [
        (np.arange(5).astype("datetime64[s]"), ValueError, "datetime64"),
        (pd.DataFrame({"a": ["x", "y", "z"]}), ValueError, "numeric series.*'x'"),
        (
            pd.Series(["1", pd.NA, "2"], dtype="string"),
            TypeError,  # as scikit-learn raises for a non-number object
            "pandas.NA marks a missing value",
        ),
        ([1.0, [1.0, 2.0], 2.0], ValueError, "mix numbers and sequences"),
        ([[[], [0.0]]], ValueError, "mix numbers and sequences"),
    ],
)
def test_sequence_windower_explains_non_numeric_series(X, error, match):
    with pytest.raises(error, match=match):
        SequenceWindower(window=1).fit(X)


def test_sequence_windower_with_window_true_is_a_window_of_one():
    # numpy's "an integer is required" at transform
    out = SequenceWindower(window=True).fit_transform(np.arange(4.0))
    np.testing.assert_array_equal(out, np.arange(4.0)[:, None])


@pytest.mark.parametrize(
    ("series", "kwargs", "match"),
    [
        (np.array([0.0, 1.0, np.nan, 3.0, 4.0]), {}, "NaN at position 2"),
        (np.array([np.inf, 1.0, 2.0, 3.0]), {}, r"infinity \(inf\) at position 0"),
        (np.arange(5.0) + 1j, {}, "Complex data not supported in series"),
        (np.arange(5).astype("datetime64[D]"), {}, "datetime64"),
        (np.zeros((5, 0)), {}, "no columns"),
        (pd.Series(["a", "b", "c", "d"], dtype="category"), {}, "not numbers"),
        ([1.0, [1.0, 2.0], 2.0], {}, "mix numbers and sequences"),
        (
            pd.DataFrame(np.ones((5, 2)), columns=["a", "a"]),
            {"target": "a"},
            "names 2 columns",
        ),
    ],
)
def test_sliding_windows_refuses_what_it_cannot_window(series, kwargs, match):
    # NaN and inf were windowed silently, complex lost its imaginary part
    with pytest.raises(ValueError, match=match):
        sliding_windows(series, 2, **kwargs)


def test_sliding_windows_with_window_true():
    X, y = sliding_windows(np.arange(4.0), True)
    assert X.shape == (3, 1)
    np.testing.assert_array_equal(y, [1.0, 2.0, 3.0])


@pytest.fixture
def forecaster():
    X, y = sliding_windows(np.sin(np.arange(40) * 0.3), 3)
    return LSTMRegressor(**ONE_EPOCH).fit(X, y)


@pytest.mark.parametrize(
    ("history", "match"),
    [
        (np.arange(5.0) + 1j, "Complex data not supported in history"),
        (np.arange(5).astype("datetime64[D]"), "datetime64"),
        (np.array([1.0, 2.0, np.nan, 3.0]), "history contains NaN at position 2"),
        (None, "history must be an array of numbers"),
        (np.float64(2.0), r"univariate history \(1D\), got an array of shape \(\)"),
    ],
)
def test_forecast_checks_the_history(forecaster, history, match):
    with pytest.raises(ValueError, match=match):
        forecast(forecaster, history, 2)


@pytest.mark.parametrize(
    ("texts", "match"),
    [
        (None, "Expected an iterable of texts.*got NoneType"),
        (3, "got int"),
        (np.array("one text"), "got a single string"),  # was split into characters
        (pd.DataFrame({"text": ["a b", "c"]}), "got a DataFrame"),  # was the names
    ],
)
def test_tokenizer_refuses_what_is_no_collection_of_texts(texts, match):
    with pytest.raises(TypeError, match=match):
        TextTokenizer().fit(texts)


@pytest.mark.parametrize(
    ("ids", "match"),
    [
        ([[2.5, 2]], "not all whole numbers"),  # was truncated to 2
        ([[np.nan, 2]], "not all whole numbers"),
        ([["a", "b"]], "not all whole numbers"),
        ([[1, 2], [3]], "rows of different lengths"),
    ],
)
def test_tokenizer_inverse_transform_checks_the_ids(ids, match):
    tok = TextTokenizer().fit(["a b c"])
    with pytest.raises(ValueError, match=match):
        tok.inverse_transform(ids)


@pytest.fixture
def char_model():
    corpus = "the cat sat on the mat. " * 4
    tok = TextTokenizer(char_level=True).fit([corpus])
    X, y = sliding_windows(tok.encode(corpus), 5)
    return LSTMClassifier(**ONE_EPOCH, embedding_dim=2).fit(X, y), tok


def test_generate_text_with_a_tiny_temperature_takes_the_top_token(char_model):
    # the logits overflowed with a warning
    model, tok = char_model
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        text = generate_text(model, tok, "the ", 3, temperature=5e-324)
    assert text == generate_text(model, tok, "the ", 3, temperature=1e-6)


def test_generate_text_needs_a_fitted_classifier(char_model):
    _, tok = char_model
    with pytest.raises(NotFittedError):
        generate_text(LSTMClassifier(), tok, "the", 2)
    with pytest.raises(TypeError, match="needs a classifier with predict_proba"):
        generate_text(LSTMRegressor(), tok, "the", 2)
