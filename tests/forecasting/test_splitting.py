"""PanelTimeSeriesSplit: the last steps of every series in each test fold."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, cross_val_score

from sklstm.forecasting import PanelTimeSeriesSplit


def _panel(lengths):
    groups = np.repeat(np.arange(len(lengths)), lengths)
    steps = np.concatenate([np.arange(n) for n in lengths])
    return groups, steps


@settings(max_examples=60, deadline=None)
@given(
    lengths=st.lists(st.integers(8, 40), min_size=1, max_size=6),
    n_splits=st.integers(2, 3),
    gap=st.integers(0, 1),
    max_train_size=st.one_of(st.none(), st.integers(1, 10)),
)
def test_no_training_step_is_at_or_after_a_test_step_of_its_series(
    lengths, n_splits, gap, max_train_size
):
    groups, steps = _panel(lengths)
    cv = PanelTimeSeriesSplit(n_splits, gap=gap, max_train_size=max_train_size)
    folds = list(cv.split(steps, groups=groups))
    assert len(folds) == cv.get_n_splits() == n_splits
    test_size = min(lengths) // (n_splits + 1)
    for fold, (train, test) in enumerate(folds):
        assert len(np.intersect1d(train, test)) == 0
        for series, length in enumerate(lengths):
            mine_test = steps[test][groups[test] == series]
            mine_train = steps[train][groups[train] == series]
            # every series is in every test fold, with test_size steps in a row
            assert len(mine_test) == test_size
            assert (np.diff(mine_test) == 1).all()
            assert mine_train.max() < mine_test.min() - gap
            if max_train_size is not None:
                assert len(mine_train) <= max_train_size
            if fold == n_splits - 1:  # the last fold tests each series' end
                assert mine_test.max() == length - 1


def test_the_folds_on_a_small_panel():
    groups = np.repeat(["a", "b"], [6, 4])
    folds = list(
        PanelTimeSeriesSplit(2, test_size=1).split(np.zeros(10), groups=groups)
    )
    np.testing.assert_array_equal(folds[0][0], [0, 1, 2, 3, 6, 7])
    np.testing.assert_array_equal(folds[0][1], [4, 8])
    np.testing.assert_array_equal(folds[1][0], [0, 1, 2, 3, 4, 6, 7, 8])
    np.testing.assert_array_equal(folds[1][1], [5, 9])


def test_it_works_in_cross_val_score_and_grid_search_with_groups():
    rng = np.random.RandomState(0)
    groups, _ = _panel([30, 50, 40])
    X = rng.normal(size=(120, 3))
    y = X @ [1.0, -2.0, 0.5] + 0.1 * rng.normal(size=120)
    cv = PanelTimeSeriesSplit(3)
    scores = cross_val_score(Ridge(), X, y, groups=groups, cv=cv)
    assert scores.shape == (3,)
    assert (scores > 0.9).all()
    search = GridSearchCV(Ridge(), {"alpha": [0.1, 10.0]}, cv=cv).fit(
        X, y, groups=groups
    )
    assert search.best_params_ == {"alpha": 0.1}


@pytest.mark.parametrize(
    ("groups", "kwargs", "match"),
    [
        (
            ["a", "a", "b", "b", "a", "a"],
            {},
            "series 'a' are not consecutive: it comes back at row 4",
        ),
        (None, {}, "needs groups="),
        ([[1, 2]] * 6, {}, "one series id per row"),
        ([0] * 6 + [1] * 2, {}, "Series 1 has 2 rows, too few for 5 folds"),
        (
            [0] * 10 + [1] * 5,
            {"n_splits": 2, "test_size": 2, "gap": 1},
            "Series 1 has 5 rows",
        ),
    ],
)
def test_bad_panels_are_refused_naming_the_series(groups, kwargs, match):
    cv = PanelTimeSeriesSplit(**kwargs)
    n = len(groups) if groups is not None else 6
    with pytest.raises(ValueError, match=match):
        list(cv.split(np.zeros(n), groups=groups))


def test_groups_must_match_the_rows_and_parameters_are_checked():
    with pytest.raises(ValueError, match="groups has 4 ids but X has 5 rows"):
        list(PanelTimeSeriesSplit(2).split(np.zeros(5), groups=[0, 0, 0, 0]))
    with pytest.raises(ValueError, match="'n_splits' parameter"):
        list(PanelTimeSeriesSplit(1).split(np.zeros(9), groups=[0] * 9))
