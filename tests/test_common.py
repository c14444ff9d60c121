"""scikit-learn's own estimator checks, on every public estimator."""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklstm import LSTMClassifier, LSTMRegressor

from .conftest import FAST_PARAMS

# Weighting a sample is the same as repeating it only for full-batch steps in
# exact arithmetic. Mini-batch shuffling and float32 training break that, as
# scikit-learn itself records for SGDRegressor/SGDClassifier. Some seeds pass
# by chance, so the expectation is not strict.
_SAMPLE_WEIGHT_REASON = (
    "Mini-batch training: weighting a sample is not equivalent to repeating it "
    "once batches are shuffled (as for scikit-learn's SGD estimators)."
)


def _expected_failed_checks(estimator: object) -> dict[str, str]:
    return {"check_sample_weight_equivalence_on_dense_data": _SAMPLE_WEIGHT_REASON}


@parametrize_with_checks(
    [LSTMRegressor(**FAST_PARAMS), LSTMClassifier(**FAST_PARAMS)],
    expected_failed_checks=_expected_failed_checks,
    xfail_strict=False,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
