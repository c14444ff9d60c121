"""Output heads (sklstm/_targets.py): encoding y, criteria, scores, decoding.

The heads are tested directly on estimator objects whose target attributes
``encode`` records, and through the estimators for what fit and partial_fit
make of the targets: the class checks, class weights, and regression targets
that float32 cannot hold.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.metrics import accuracy_score, r2_score
from torch import nn

from sklstm import LSTMClassifier, LSTMRegressor
from sklstm._targets import ClassesTarget, RegressionTarget

from ._datasets import event_order, sine_windows
from ._params import FAST, ONE_EPOCH


def _targets(n_outputs: int, n: int = 50, seed: int = 0) -> np.ndarray:
    """Targets on a real scale: 1D for one output, 2D for several."""
    rng = np.random.RandomState(seed)
    y = rng.normal(loc=300.0, scale=40.0, size=(n, n_outputs))
    return y[:, 0] if n_outputs == 1 else y


def _regression_head(y: np.ndarray, **params) -> tuple[RegressionTarget, np.ndarray]:
    head = RegressionTarget(LSTMRegressor(**params))
    return head, head.encode(y, reset=True, partial=False)


# ----------------------------------------------------------- RegressionTarget


@pytest.mark.parametrize("n_outputs", [1, 3])
def test_regression_encode_records_the_target_attributes(n_outputs):
    y = _targets(n_outputs)
    head, encoded = _regression_head(y)
    est = head.estimator
    y2 = y.reshape(len(y), -1)
    assert est.n_outputs_ == head.n_outputs() == n_outputs
    np.testing.assert_array_equal(est.y_mean_, y2.mean(axis=0))
    np.testing.assert_array_equal(est.y_scale_, y2.std(axis=0))
    assert encoded.dtype == np.float32  # what the network computes in
    assert encoded.shape == (len(y), n_outputs)
    np.testing.assert_allclose(encoded.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(encoded.std(axis=0), 1.0, rtol=1e-5)


@pytest.mark.parametrize("standardize_target", [True, False])
@pytest.mark.parametrize("n_outputs", [1, 3])
def test_regression_decode_inverts_encode(n_outputs, standardize_target):
    # y on the float32 grid, so that only the standardisation can round
    y = _targets(n_outputs).astype(np.float32).astype(np.float64)
    head, encoded = _regression_head(y, standardize_target=standardize_target)
    est = head.estimator
    y2 = y.reshape(len(y), -1)
    if standardize_target:
        # decode is the exact inverse of the standardisation in float64 ...
        standardised = (y2 - est.y_mean_) / est.y_scale_
        np.testing.assert_allclose(head.decode(standardised), y, rtol=1e-12, atol=0)
        # ... and of encode up to encode's float32 rounding
        np.testing.assert_allclose(
            head.decode(encoded.astype(np.float64)), y, rtol=1e-6, atol=0
        )
    else:
        assert est.y_mean_ is None
        assert est.y_scale_ is None
        np.testing.assert_allclose(
            head.decode(encoded.astype(np.float64)), y, rtol=1e-12, atol=0
        )
    assert head.decode(encoded.astype(np.float64)).shape == y.shape


@pytest.mark.parametrize(
    ("loss", "criterion"),
    [
        ("squared_error", nn.MSELoss),
        ("absolute_error", nn.L1Loss),
        ("huber", nn.HuberLoss),
    ],
)
def test_regression_criterion_per_loss(loss, criterion):
    assert RegressionTarget(LSTMRegressor(loss=loss)).criterion() is criterion


def test_every_loss_the_regressor_accepts_has_a_criterion():
    (options,) = LSTMRegressor._parameter_constraints["loss"]
    for loss in options.options:
        criterion = LSTMRegressor(loss=loss)._get_target().criterion()
        assert issubclass(criterion, nn.Module)


@pytest.mark.parametrize("n_outputs", [1, 3])
def test_regression_score_is_r2_averaged_over_the_outputs(n_outputs):
    generator = torch.Generator().manual_seed(n_outputs)
    target = torch.randn(40, n_outputs, generator=generator)
    raw = target + 0.5 * torch.randn(40, n_outputs, generator=generator)
    score = RegressionTarget(LSTMRegressor()).score()(raw, target)
    expected = r2_score(
        target.double().numpy(), raw.double().numpy(), multioutput="uniform_average"
    )
    assert score == pytest.approx(expected, rel=1e-12, abs=0)


@pytest.mark.parametrize("standardize_target", [True, False])
@pytest.mark.parametrize("n_outputs", [1, 3])
def test_regression_graph_matches_decode(n_outputs, standardize_target):
    head, encoded = _regression_head(
        _targets(n_outputs), standardize_target=standardize_target
    )
    raw = encoded + np.random.RandomState(1).normal(size=encoded.shape)
    with torch.no_grad():
        graph = head.graph()(torch.as_tensor(raw, dtype=torch.float32)).numpy()
    decoded = head.decode(raw.astype(np.float64)).reshape(len(raw), -1)
    assert graph.dtype == np.float32
    np.testing.assert_allclose(graph, decoded, rtol=1e-6, atol=1e-6)


# ------------------------------------------------------------- ClassesTarget


LABELS = np.array(["up", "down", "flat", "down", "up", "up"])


def _classes_head(y: np.ndarray = LABELS) -> tuple[ClassesTarget, np.ndarray]:
    head = ClassesTarget(LSTMClassifier())
    return head, head.encode(y, reset=True, partial=False)


def test_classes_encode_records_the_sorted_classes_and_codes_y():
    head, codes = _classes_head()
    est = head.estimator
    assert est.classes_.tolist() == ["down", "flat", "up"]
    assert head.n_outputs() == 3
    assert codes.dtype == np.int64
    np.testing.assert_array_equal(est.classes_[codes], LABELS)


def test_classes_criterion_is_cross_entropy():
    assert ClassesTarget(LSTMClassifier()).criterion() is nn.CrossEntropyLoss


def test_classes_decode_of_one_hot_outputs_gives_the_labels():
    head, codes = _classes_head()
    raw = np.eye(3)[codes] * 5.0 - 1.0
    np.testing.assert_array_equal(head.decode(raw), LABELS)


def test_classes_probabilities_sum_to_one_and_follow_the_outputs():
    head, _ = _classes_head()
    raw = np.random.RandomState(0).normal(scale=30.0, size=(20, 3))
    proba = head.proba(raw)
    assert proba.dtype == np.float64
    assert (proba >= 0).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(proba.argmax(axis=1), raw.argmax(axis=1))
    np.testing.assert_allclose(np.exp(head.log_proba(raw)), proba, rtol=1e-12)


def test_classes_score_is_accuracy():
    generator = torch.Generator().manual_seed(0)
    target = torch.randint(0, 3, (60,), generator=generator)
    raw = torch.randn(60, 3, generator=generator)
    raw[torch.arange(30), target[:30]] += 10.0  # half of them surely right
    score = ClassesTarget(LSTMClassifier()).score()(raw, target)
    assert score == accuracy_score(target.numpy(), raw.argmax(dim=1).numpy())
    assert 0.5 <= score < 1.0


def test_classes_graph_is_the_softmax():
    head, _ = _classes_head()
    graph = head.graph()
    assert isinstance(graph, nn.Softmax)
    assert graph.dim == 1
    raw = np.random.RandomState(1).normal(size=(10, 3))
    with torch.no_grad():
        out = graph(torch.as_tensor(raw, dtype=torch.float32)).numpy()
    np.testing.assert_allclose(out, head.proba(raw), rtol=1e-6, atol=1e-7)


# ------------------------------------------------- classes in fit and partial_fit


@pytest.mark.parametrize(("label", "shown"), [(3, r"3"), (0.0, r"0\.0"), ("a", r"'a'")])
def test_one_class_message_shows_the_label(label, shown):
    X, _ = event_order(10, 6)
    with pytest.raises(
        ValueError, match=rf"at least 2 classes.*only one class: {shown}\."
    ):
        LSTMClassifier(**FAST).fit(X, np.full(10, label))


def test_warm_start_refuses_new_classes():
    X, y = event_order(100)
    model = LSTMClassifier(**{**FAST, "max_epochs": 2}, warm_start=True)
    model.fit(X, y)
    with pytest.raises(ValueError, match="not among the classes"):
        model.fit(X, y + 5)


def test_partial_fit_refuses_changed_classes():
    X, y = event_order(40)
    model = LSTMClassifier(**FAST).partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="differs from the classes"):
        model.partial_fit(X, y, classes=[0, 1, 2])


@pytest.mark.parametrize(
    ("classes", "match"),
    [
        ([], "classes is empty"),  # an IndexError
        ([[0, 1], [2]], "classes could not be read as a 1D array"),  # numpy's words
        ([[0, 1], [2, 3]], r"classes must be a 1D array .* shape \(2, 2\)"),
    ],
)
def test_bad_classes_in_partial_fit(classes, match):
    # found by fuzzing
    X, y = event_order(4, 6)
    with pytest.raises(ValueError, match=match):
        LSTMClassifier(**ONE_EPOCH).partial_fit(X, y, classes=classes)


# ----------------------------------------------------------- class weights


def test_class_weight_for_an_unknown_label():
    X, y = event_order(40)
    with pytest.raises(ValueError, match=r"labels \[5\] that are not among"):
        LSTMClassifier(**FAST, class_weight={5: 2.0}).fit(X, y)


@pytest.mark.parametrize("weight", [np.nan, np.inf, -1.0, "heavy", None])
def test_bad_class_weight_values(weight):
    # found by fuzzing
    X, y = event_order(30, 6)
    model = LSTMClassifier(**ONE_EPOCH, class_weight={0: weight})
    with pytest.raises(ValueError, match=r"class_weight\[0\] is .*finite numbers >= 0"):
        model.fit(X, y)


def test_partial_fit_refuses_balanced_class_weight():
    X, y = event_order(40)
    model = LSTMClassifier(**FAST, class_weight="balanced")
    with pytest.raises(ValueError, match="'balanced' is not supported by partial_fit"):
        model.partial_fit(X, y, classes=[0, 1])


def test_partial_fit_with_a_dict_weight_and_a_batch_missing_a_class():
    X, y = event_order(40)
    model = LSTMClassifier(**FAST, class_weight={0: 1.0, 1: 3.0})
    model.partial_fit(X[y == 0], y[y == 0], classes=[0, 1])
    model.partial_fit(X, y)
    assert model.n_iter_ == 2


# ------------------------------------------------------- regression targets


def _faults_data() -> np.ndarray:
    return np.random.default_rng(0).normal(size=(96, 8))


def test_a_constant_target_warns():
    X = _faults_data()
    params = {**FAST, "hidden_size": 4, "max_epochs": 6}
    with pytest.warns(UserWarning, match=r"Every target in y is 3\.0"):
        model = LSTMRegressor(**params).fit(X, np.full(len(X), 3.0))
    assert np.isfinite(model.predict(X)).all()


def test_a_constant_batch_in_partial_fit_does_not_warn():
    X = _faults_data()
    params = {**FAST, "hidden_size": 4, "max_epochs": 6}
    model = LSTMRegressor(**params).partial_fit(X, np.full(len(X), 3.0))
    assert model.n_iter_ == 1


@pytest.mark.parametrize("scale", [1e200, np.finfo(np.float64).max])
def test_regression_targets_beyond_float32_are_refused(scale):
    # found by fuzzing: predictions were -inf or NaN, the targets' variance
    # overflowed
    X, y = sine_windows(30, 6)
    with pytest.raises(ValueError, match=r"y contains .* at sample \d+.*float32"):
        LSTMRegressor(**ONE_EPOCH).fit(X, y * scale)
    with pytest.raises(ValueError, match="float32"):
        LSTMRegressor(**ONE_EPOCH, standardize_target=False).fit(X, y * 1e39)


def test_new_targets_far_from_the_first_fit_are_refused_in_partial_fit():
    # found by fuzzing: standardised with the first call's statistics, 3.4e38
    # overflowed float32
    X, y = sine_windows(30, 6)
    model = LSTMRegressor(**ONE_EPOCH).partial_fit(X, y)
    with pytest.raises(ValueError, match="standard deviations from the mean of the"):
        model.partial_fit(X[:1], [np.finfo(np.float32).max])
