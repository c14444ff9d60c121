"""Lists of sequences of different lengths (ragged input), packed for the LSTM."""

from __future__ import annotations

import numpy as np
import pytest

from sklstm import LSTMClassifier, LSTMRegressor
from sklstm.datasets import make_ragged_event_order

from ._params import FAST, ONE_EPOCH


def _ragged_event_order(n, seed=0):
    return make_ragged_event_order(n, seed=seed)


@pytest.fixture(scope="module")
def ragged_model():
    X, y = _ragged_event_order(800)
    return LSTMClassifier(**{**FAST, "max_epochs": 25}).fit(X, y)


def test_learns_multivariate_ragged_sequences(ragged_model):
    X_test, y_test = _ragged_event_order(300, seed=1)
    assert ragged_model.score(X_test, y_test) > 0.9


def test_prediction_does_not_depend_on_longer_neighbours(ragged_model):
    rng = np.random.RandomState(3)
    short = rng.normal(size=(5, 2))
    long_ones = [rng.normal(size=(200, 2)) for _ in range(7)]
    alone = ragged_model.predict_proba([short, rng.normal(size=(6, 2))])[0]
    among = ragged_model.predict_proba([*long_ones[:3], short, *long_ones[3:]])[3]
    np.testing.assert_allclose(among, alone, rtol=0, atol=1e-6)


def test_padding_never_reaches_the_state():
    rng = np.random.RandomState(0)
    X = [rng.normal(size=(n,)) for n in (3, 8, 5, 12) * 10]
    y = np.array([seq.sum() for seq in X])
    model = LSTMRegressor(**{**FAST, "max_epochs": 2}).fit(X, y)
    seq = rng.normal(size=(4,))
    ref = model.predict([seq, np.zeros(9)])[0]
    # the same sequence next to a longer one filled with huge values
    assert model.predict([seq, np.full(30, 1e3)])[0] == pytest.approx(ref, abs=1e-6)


def test_a_ragged_fit_accepts_any_length_at_predict(ragged_model):
    assert not hasattr(ragged_model, "n_features_in_")
    assert ragged_model.n_channels_ == 2
    assert ragged_model.predict(np.zeros((3, 40, 2))).shape == (3,)


def test_an_array_fit_accepts_ragged_lists_at_predict():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 6))
    model = LSTMRegressor(**{**FAST, "max_epochs": 2}).fit(X, X.sum(axis=1))
    out = model.predict([rng.normal(size=3), rng.normal(size=9)])
    assert out.shape == (2,)
    assert np.isfinite(out).all()


def test_equal_length_lists_are_plain_arrays():
    X = [[0.0, 1.0, 2.0], [1.0, 2.0, 3.0], [2.0, 3.0, 4.0]]
    model = LSTMRegressor(**ONE_EPOCH).fit(X, [3.0, 4.0, 5.0])
    assert model.n_features_in_ == 3


def test_ragged_with_sample_weight_and_early_stopping():
    X, y = _ragged_event_order(100)
    model = LSTMClassifier(**{**FAST, "max_epochs": 3}, early_stopping=True).fit(
        X, y, sample_weight=np.ones(100)
    )
    assert len(model.validation_scores_) == model.n_iter_


def test_inconsistent_features_per_step_is_a_clear_error():
    X = [np.zeros((4, 2)), np.zeros((6, 3))]
    with pytest.raises(ValueError, match="sequence 0 has 2, sequence 1 has 3"):
        LSTMRegressor(**FAST).fit(X, [0.0, 1.0])


def test_other_features_per_step_at_predict(ragged_model):
    with pytest.raises(ValueError, match="3 features per time step"):
        ragged_model.predict([np.zeros((4, 3)), np.zeros((6, 3))])


def test_empty_sequence_is_refused():
    with pytest.raises(ValueError, match=r"Sequence 1 has shape \(0, 1\)"):
        LSTMRegressor(**FAST).fit([np.zeros(3), np.zeros(0)], [0.0, 1.0])


def test_nan_in_a_ragged_list_names_sample_and_step():
    X = [np.zeros(3), np.zeros(5), np.zeros(4)]
    X[2][1] = np.nan
    with pytest.raises(ValueError, match="NaN at sample 2, time step 1"):
        LSTMRegressor(**FAST).fit(X, [0.0, 1.0, 2.0])


def test_text_in_a_ragged_list_is_explained():
    with pytest.raises(ValueError, match="Sequence 1 is not numeric"):
        LSTMRegressor(**FAST).fit([[1.0, 2.0], ["a", "b", "c"]], [0.0, 1.0])


def test_ragged_length_mismatch_with_y():
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LSTMRegressor(**FAST).fit([np.zeros(3), np.zeros(5)], [0.0])


def test_ragged_model_pickles(ragged_model):
    import pickle

    X, _ = _ragged_event_order(20, seed=5)
    restored = pickle.loads(pickle.dumps(ragged_model))
    np.testing.assert_array_equal(
        restored.predict_proba(X), ragged_model.predict_proba(X)
    )


@pytest.mark.parametrize(
    "params",
    [
        {"pooling": "mean"},
        {"pooling": "max"},
        {"pooling": "attention"},
        {"conv_filters": 8},
    ],
)
def test_pooled_models_learn_ragged_input_and_ignore_the_padding(params):
    X, y = _ragged_event_order(400)
    model = LSTMClassifier(**{**FAST, "max_epochs": 25, **params})
    model.fit(X, y)
    X_test, y_test = _ragged_event_order(200, seed=1)
    assert model.score(X_test, y_test) > 0.8
    rng = np.random.RandomState(3)
    short = rng.normal(size=(5, 2))
    alone = model.predict_proba([short, rng.normal(size=(6, 2))])[0]
    among = model.predict_proba([np.full((90, 2), 1e3), short])[1]
    np.testing.assert_allclose(among, alone, rtol=0, atol=1e-6)
