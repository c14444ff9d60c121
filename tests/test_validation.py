"""The input contract (sklstm/_validation.py): X, y, sample weights and labels.

Bad input gives a clear error, never a torch trace. The first section provokes
each conversion error of numpy, pandas and scikit-learn that ``explain``
recognises, on the installed versions, so that a change of their wording is
noticed.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.utils import check_array

from sklstm import LSTMClassifier, LSTMRegressor, SequenceWindower, sliding_windows
from sklstm._validation import PHRASES, explain, problem

from ._datasets import event_order, sine_windows
from ._params import FAST, ONE_EPOCH
from .fuzz._contract import check_error_is_explained

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
    return cls(**ONE_EPOCH).fit(X, y)


# ------------------------------------------------------- third-party errors


def _odd_object():
    return np.asarray([object()], dtype=float)


# One call per row of PHRASES that makes numpy, pandas or scikit-learn raise
# the error the row is meant to recognise.
PROVOKE = {
    "inhomogeneous": lambda: np.asarray([[1, 2], [1]]),
    "array element with a sequence": lambda: np.array(
        [None, [1, 2]], dtype=object
    ).astype(float),
    "could not convert": lambda: np.asarray(["a"], dtype=float),
    "dtype='numeric'": lambda: check_array([["a"]], dtype="numeric"),
    "argument must be a string or a": _odd_object,
}


def test_every_phrase_is_provoked_here():
    assert [phrase for phrase, _ in PHRASES] == list(PROVOKE)


@pytest.mark.parametrize(("phrase", "kind"), PHRASES, ids=[p for p, _ in PHRASES])
def test_third_party_error_has_the_phrase_and_is_explained(phrase, kind):
    with pytest.raises((TypeError, ValueError)) as info:
        PROVOKE[phrase]()
    exc = info.value
    assert phrase in str(exc)
    assert problem(exc) == kind
    explained = explain(exc, shapes="SHAPES", not_numeric=lambda m: f"NOT NUMERIC {m}")
    if kind == "shapes":
        assert type(explained) is ValueError
        assert str(explained) == "SHAPES"
    else:
        assert type(explained) is type(exc)  # a TypeError stays one
        assert str(explained) == f"NOT NUMERIC {exc}"


def test_other_errors_keep_their_message():
    exc = ValueError("something else entirely")
    assert problem(exc) is None
    explained = explain(exc, shapes="SHAPES", not_numeric="NOT NUMERIC")
    assert type(explained) is ValueError
    assert str(explained) == "something else entirely"


# Per kind, what the estimators (for X and for y) and the windowing tools say.
EXPLAINED = {
    "shapes": [
        (
            lambda: LSTMRegressor(**ONE_EPOCH).fit(
                [[[1.0, 2.0], [3.0]], [1.0, 2.0]], [0.0, 1.0]
            ),
            r"^X could not be read as an array: item 0 holds nested sequences",
        ),
        (
            lambda: LSTMRegressor(**ONE_EPOCH).fit(
                np.zeros((2, 3)), [[1.0, 2.0], [3.0]]
            ),
            r"^y could not be read as an array: its items have different shapes",
        ),
        (
            lambda: SequenceWindower(window=1).fit([1.0, [1.0, 2.0], 2.0]),
            r"^SequenceWindower could not read the data as an array",
        ),
        (
            lambda: sliding_windows([1.0, [1.0, 2.0], 2.0], 2),
            r"^series could not read the data as an array",
        ),
    ],
    "not_numeric": [
        (
            lambda: LSTMClassifier(**ONE_EPOCH).fit([["a", "b"], ["c", "d"]], [0, 1]),
            r"could not convert.*LSTMClassifier reads numeric sequences",
        ),
        (
            lambda: LSTMRegressor(**ONE_EPOCH).fit([[{}, 1.0], [1.0, 2.0]], [0, 1]),
            r"argument must be a string or a.*LSTMRegressor reads numeric seq",
        ),
        (
            lambda: LSTMRegressor(**ONE_EPOCH).fit(
                np.zeros((3, 2)), np.array(["a", 1, 2.0], dtype=object)
            ),
            r"^y holds values that are not numbers \(could not convert",
        ),
        (
            lambda: SequenceWindower(window=1).fit(pd.DataFrame({"a": ["x", "y"]})),
            r"^SequenceWindower reads numeric series, but the data holds other",
        ),
    ],
}


@pytest.mark.parametrize(
    ("call", "match"),
    [case for cases in EXPLAINED.values() for case in cases],
    ids=[f"{kind}-{i}" for kind, cases in EXPLAINED.items() for i in range(len(cases))],
)
def test_the_entry_points_give_the_explained_message(call, match):
    with pytest.raises((TypeError, ValueError), match=match) as info:
        call()
    check_error_is_explained(info.value)


# ------------------------------------------------------------ X: values


@pytest.mark.parametrize(
    ("value", "word"), [(np.nan, "NaN"), (np.inf, "inf"), (-np.inf, "inf")]
)
def test_nan_or_inf_names_the_sample(cls, value, word):
    X, y = _data(cls)
    X[7, 3] = value
    with pytest.raises(ValueError, match=rf"{word}.*sample 7, time step 3"):
        cls(**FAST).fit(X, y)


def test_strings_in_x_are_explained(cls):
    _, y = _data(cls, n=3)
    X = np.array([["a", "b"], ["c", "d"], ["e", "f"]])
    with pytest.raises(
        ValueError,
        match=r"numeric sequences; turn text into token ids with "
        r"sklstm\.TextTokenizer and set embedding_dim",
    ) as info:
        cls(**FAST).fit(X, y)
    check_error_is_explained(info.value)


def test_text_column_in_a_dataframe_is_explained(cls):
    _, y = _data(cls, n=3)
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": ["x", "y", "z"]})
    with pytest.raises(ValueError, match="numeric sequences") as info:
        cls(**FAST).fit(X, y)
    check_error_is_explained(info.value)


def test_complex_x_is_rejected(cls):
    X, y = _data(cls)
    with pytest.raises(ValueError, match="Complex data not supported"):
        cls(**FAST).fit(X + 1j, y)


@pytest.mark.parametrize("scale", [1e39, 1e300, np.finfo(np.float64).max])
def test_x_beyond_float32_is_refused_at_fit(cls, scale):
    # found by fuzzing: the standard deviation overflowed to inf, giving a
    # constant model and a warning
    X, y = _data(cls)
    X[3, 2] = scale
    with pytest.raises(ValueError, match=r"at sample 3, time step 2.*float32 range"):
        cls(**ONE_EPOCH).fit(X, y)


def test_x_beyond_float32_is_refused_in_ragged_lists(cls):
    # found by fuzzing
    _, y = _data(cls, n=2)
    X = [np.ones(3), np.array([1.0, -1e300])]
    with pytest.raises(ValueError, match=r"sample 1, time step 1.*float32 range"):
        cls(**ONE_EPOCH).fit(X, y)


@pytest.mark.parametrize("unit", ["datetime64[s]", "timedelta64[ms]"])
def test_dates_in_x_are_refused(cls, unit):
    # found by fuzzing: nanosecond counts were read as numbers, NaT as -9.2e18
    _, y = _data(cls, n=4)
    with pytest.raises(
        ValueError, match=f"X holds {unit[:-4]}.*numeric sequences"
    ) as info:
        cls(**ONE_EPOCH).fit(np.zeros((4, 3), dtype=unit), y)
    check_error_is_explained(info.value)


def test_a_date_column_in_a_dataframe_is_named(cls):
    # found by fuzzing: numpy's "DType <class ...> could not be promoted"
    _, y = _data(cls, n=4)
    X = pd.DataFrame({"when": pd.date_range("2020", periods=4), "x": np.ones(4)})
    with pytest.raises(ValueError, match="column 'when'") as info:
        cls(**ONE_EPOCH).fit(X, y)
    check_error_is_explained(info.value)


def test_plus_and_minus_infinity_together_raise_without_warning(cls):
    # found by fuzzing: scikit-learn's finiteness check warned "invalid value
    # encountered" (the windower's case is in tests/forecasting/test_windower.py)
    X, y = _data(cls, n=2)[0], [0, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="infinity"):
            cls(**ONE_EPOCH).fit(X, y, sample_weight=[np.inf, -np.inf])
        ids = np.array([[1.0, np.inf], [-np.inf, 2.0]])
        with pytest.raises(ValueError, match="infinity"):
            cls(**ONE_EPOCH, embedding_dim=2).fit(ids, y)


# ------------------------------------------------------------ X: shapes


def test_1d_x_explains_the_expected_shape(cls):
    X, y = _data(cls)
    with pytest.raises(ValueError, match=r"1D array.*one sequence per row.*Reshape"):
        cls(**FAST).fit(X[0], y)


def test_4d_x_is_rejected(cls):
    X, y = _data(cls)
    with pytest.raises(ValueError, match="4D array"):
        cls(**FAST).fit(X[:, :, None, None], y)


@pytest.mark.parametrize("shape", [(0, 6), (0, 6, 2)])
def test_empty_x_is_rejected(cls, shape):
    with pytest.raises(ValueError, match="0 sample"):
        cls(**FAST).fit(np.zeros(shape), np.zeros(0))


@pytest.mark.parametrize("shape", [(5, 0, 2), (5, 3, 0)])
def test_3d_x_without_steps_or_features_is_rejected(cls, shape):
    with pytest.raises(ValueError, match="minimum of 1 time step and 1 feature"):
        cls(**FAST).fit(np.zeros(shape), np.arange(5) % 2)


def test_x_and_y_lengths_must_match(cls):
    X, y = _data(cls)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        cls(**FAST).fit(X, y[:-1])


def test_a_list_holding_one_3d_array_is_refused(cls):
    # found by fuzzing: read as a 4D array, it reached the statistics and broke
    # a numpy broadcast
    with pytest.raises(ValueError, match=r"got a 4D array of shape \(1, 1, 2, 1\)"):
        cls(**ONE_EPOCH).fit([np.zeros((1, 2, 1))], [1])


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
    # found by fuzzing: numpy's "setting an array element with a sequence"
    with pytest.raises(ValueError, match=match) as info:
        cls(**ONE_EPOCH).fit(X, [0, 1])
    check_error_is_explained(info.value)


# ------------------------------------------------------- X: at predict


def test_nan_at_predict_names_the_sample(fitted, cls):
    X, _ = _data(cls)
    X3 = X[:, :, None].copy()
    X3[2, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN at sample 2, time step 0, feature 0"):
        fitted.predict(X3)


def test_1d_x_at_predict(fitted, cls):
    X, _ = _data(cls)
    with pytest.raises(ValueError, match="Reshape your data"):
        fitted.predict(X[0])


def test_other_sequence_length_at_predict_is_explained(fitted, cls):
    X, _ = _data(cls, seq_len=9)
    with pytest.raises(ValueError, match=r"expecting 6 features.*sequences of 6 steps"):
        fitted.predict(X)


def test_other_number_of_features_per_step_at_predict(cls):
    X, y = _data(cls)
    X3 = np.stack([X, X], axis=2)
    model = cls(**ONE_EPOCH).fit(X3, y)
    with pytest.raises(ValueError, match=r"3 features per time step.*fitted with 2"):
        model.predict(np.stack([X, X, X], axis=2))


def test_x_beyond_float32_is_refused_at_predict(fitted, cls):
    # found by fuzzing: it became inf in the float32 batch, with a warning
    X, _ = _data(cls)
    X[0, 5] = 1e39
    with pytest.raises(ValueError, match=r"sample 0, time step 5.*float32 range"):
        fitted.predict(X)


def test_x_far_beyond_the_training_scale_is_refused_at_predict(cls):
    # found by fuzzing: standardised with a tiny training scale, 1e30
    # overflowed float32
    X, y = _data(cls)
    model = cls(**ONE_EPOCH).fit(X * 1e-12, y)
    with pytest.raises(ValueError, match=r"standard deviations from the mean"):
        model.predict(X * 1e30)
    assert np.isfinite(model.predict(X * 1e-12)).all()


# --------------------------------------------------------- X: token ids


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
    # found by fuzzing: uint64 ids wrapped to -1 (a torch IndexError); huge
    # floats warned
    X = np.repeat(ids, 4, axis=0)
    model = LSTMClassifier(**ONE_EPOCH, embedding_dim=2)
    if match is None:
        assert model.fit(X, [0, 1, 0, 1]).n_tokens_ == 3
    else:
        with pytest.raises(ValueError, match=match):
            model.fit(X, [0, 1, 0, 1])


@pytest.mark.parametrize(
    ("X", "match"),
    [
        (np.array([["a", "b"], ["c", "d"]]), "dtype <U1"),
        (np.array([[0.5, 2.0], [1.0, 2.0]]), "dtype float64"),
        (np.array([[-1, 2], [1, 2]]), r"negative id \(-1\)"),
        (np.zeros((2, 3, 1), dtype=int), r"shape \(2, 3, 1\)"),
        ([[1, 2], [1, 2, 3]], "different lengths"),
        (np.array([[2**40, 2], [1, 2]]), "too large for an embedding table"),
    ],
)
def test_bad_token_ids(X, match):
    with pytest.raises(ValueError, match=r"reads token ids.*" + match):
        LSTMClassifier(**FAST, embedding_dim=8).fit(X, [0, 1])


def test_integral_floats_are_accepted_as_ids():
    ids = np.array([[0.0, 2.0, 3.0], [2.0, 2.0, 4.0]])
    model = LSTMClassifier(**ONE_EPOCH, embedding_dim=8).fit(ids, [0, 1])
    assert model.n_tokens_ == 5


# --------------------------------------------------------------------- y


def test_nan_in_y_is_rejected():
    X, y = sine_windows(30, 6)
    y[4] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        LSTMRegressor(**FAST).fit(X, y)


def test_non_numeric_regression_targets_are_explained():
    # found by fuzzing
    X, _ = sine_windows(3, 6)
    for y in (np.array(["a", "b", "c"]), np.array(["a", 1, 2.0], dtype=object)):
        with pytest.raises(ValueError, match=r"y holds values that are not numbers"):
            LSTMRegressor(**ONE_EPOCH).fit(X, y)
    with pytest.raises(ValueError, match="y holds datetime64"):
        LSTMRegressor(**ONE_EPOCH).fit(X, np.arange(3).astype("datetime64[D]"))


def test_score_checks_y_like_fit(fitted, cls):
    # found by fuzzing
    X, _ = _data(cls, n=2)
    with pytest.raises(ValueError, match="y could not be read as an array"):
        fitted.score(X, [[1.0, 2.0], [3.0]])
    with pytest.raises(ValueError, match="score needs the true targets"):
        fitted.score(X, None)


def test_score_refuses_huge_regression_targets():
    # found by fuzzing: R^2 overflowed
    X, y = sine_windows(30, 6)
    model = LSTMRegressor(**ONE_EPOCH).fit(X, y)
    with pytest.raises(ValueError, match="float32 range"):
        model.score(X, y * 1e300)


# ---------------------------------------------------------- class labels


@pytest.mark.parametrize(
    ("y", "match"),
    [
        (np.array(["a", None, "a", "b"], dtype=object), "label of type NoneType"),
        (np.array(["a", 1, "a", 1], dtype=object), "mixes strings and numbers"),
        (np.array([1e300, 0.0, 1e300, 0.0]), "Unknown label type"),
    ],
)
def test_odd_class_labels_are_explained(y, match):
    # found by fuzzing: numpy's "'<' not supported between instances" leaked
    # out; huge floats warned
    X, _ = event_order(4, 6)
    with pytest.raises(ValueError, match=match):
        LSTMClassifier(**ONE_EPOCH).fit(X, y)
    model = LSTMClassifier(**ONE_EPOCH).fit(X, [0, 1, 0, 1])
    with pytest.raises(ValueError, match=match):
        model.score(X, y)


# ------------------------------------------------------------ sample_weight


def test_negative_sample_weight(cls):
    X, y = _data(cls)
    with pytest.raises(
        ValueError, match="Negative values in data passed to `sample_weight`"
    ):
        cls(**FAST).fit(X, y, sample_weight=-np.ones(len(y)))


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
    # found by fuzzing
    X, y = _data(cls, n=2)[0], [0, 1]
    with pytest.raises(ValueError, match=match):
        cls(**ONE_EPOCH).fit(X, y, sample_weight=sample_weight)


def test_complex_sample_weight_is_refused(cls):
    # found by fuzzing
    X, y = _data(cls)
    with pytest.raises(ValueError, match="Complex data not supported in sample_wei"):
        cls(**ONE_EPOCH).fit(X, y, sample_weight=np.ones(len(y)) + 1j)
