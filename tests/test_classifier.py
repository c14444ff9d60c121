"""LSTMClassifier: learning, labels, probabilities and weights.

What the classifier makes of its targets (the class checks, class weights) is
the output head's: tests/test_targets.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

from sklstm import LSTMClassifier

from ._datasets import event_order
from ._params import FAST


@pytest.fixture(scope="module")
def order_data():
    X, y = event_order(1000, seed=0)
    X_test, y_test = event_order(400, seed=1)
    return X, y, X_test, y_test


@pytest.mark.slow
def test_learns_the_order_of_events_where_a_bag_of_values_cannot(order_data):
    X, y, X_test, y_test = order_data
    bag = LogisticRegression().fit(np.sort(X, axis=1), y)
    assert bag.score(np.sort(X_test, axis=1), y_test) < 0.65
    model = LSTMClassifier(hidden_size=16, max_epochs=15, lr=0.01, random_state=0)
    assert model.fit(X, y).score(X_test, y_test) > 0.95


def test_string_labels_are_returned_as_given():
    X, y = event_order(200)
    labels = np.array(["down first", "up first"])[y]
    model = LSTMClassifier(**FAST).fit(X, labels)
    assert list(model.classes_) == ["down first", "up first"]
    assert set(model.predict(X)) <= set(labels)


def test_multiclass_probabilities_sum_to_one_and_match_predict():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 8))
    y = np.digitize(X[:, -1], [-0.5, 0.5])  # three classes from the last step
    model = LSTMClassifier(**FAST).fit(X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (300, 3)
    assert proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(
        model.classes_[proba.argmax(axis=1)], model.predict(X)
    )
    np.testing.assert_allclose(np.exp(model.predict_log_proba(X)), proba, rtol=1e-10)
    assert model.score(X, y) > 0.9


def _minority_recall(model, X, y):
    pred = model.predict(X)
    return np.mean(pred[y == 1] == 1)


def test_class_weight_balanced_raises_recall_of_a_rare_class():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(600, 6))
    score = X[:, -1] + 0.8 * rng.normal(size=600)
    y = (score > 1.4).astype(int)  # about 10% positives, noisy
    # recall on the training data: without the convolutional branch, which
    # learns these 600 noisy rows by heart in 20 epochs, weighted or not
    params = {**FAST, "max_epochs": 20, "conv_filters": None}
    plain = LSTMClassifier(**params).fit(X, y)
    balanced = LSTMClassifier(**params, class_weight="balanced").fit(X, y)
    recall = _minority_recall(balanced, X, y)
    assert recall > 0.85
    assert recall > _minority_recall(plain, X, y) + 0.15


def test_class_weight_dict_and_sample_weight_combine():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 6))
    y = (X[:, -1] + rng.normal(size=300) > 0).astype(int)
    params = {**FAST, "max_epochs": 15}
    heavy_one = LSTMClassifier(**params, class_weight={0: 1.0, 1: 20.0}).fit(X, y)
    assert np.mean(heavy_one.predict(X) == 1) > 0.8
    # sample weights that cancel the class weights give back a balanced model
    sw = np.where(y == 1, 1 / 20.0, 1.0)
    cancelled = LSTMClassifier(**params, class_weight={0: 1.0, 1: 20.0})
    cancelled.fit(X, y, sample_weight=sw)
    assert 0.3 < np.mean(cancelled.predict(X) == 1) < 0.7


def test_early_stopping_with_a_stratified_split_records_accuracy(order_data):
    X, y, _, _ = order_data
    model = LSTMClassifier(
        **{**FAST, "max_epochs": 60}, early_stopping=True, n_iter_no_change=5
    ).fit(X, y)
    assert model.n_iter_ <= 60
    assert all(0.0 <= s <= 1.0 for s in model.validation_scores_)
    assert model.best_validation_score_ == max(model.validation_scores_)


def test_partial_fit_needs_classes_first_and_accepts_later_batches():
    X, y = event_order(200)
    model = LSTMClassifier(**FAST)
    with pytest.raises(ValueError, match="classes must be passed"):
        model.partial_fit(X, y)
    model.partial_fit(X[:100], y[:100], classes=[0, 1])
    model.partial_fit(X[100:], y[100:])
    assert model.n_iter_ == 2
    with pytest.raises(ValueError, match=r"labels \[7\]"):
        model.partial_fit(X[:10], np.full(10, 7))


def test_predict_proba_before_fit_raises_not_fitted():
    X, _ = event_order(30, 6)
    with pytest.raises(NotFittedError):
        LSTMClassifier().predict_proba(X)
