"""SequenceWindower(id_column=): one window per row of a panel, within its series."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import Ridge
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline

from sklstm import (
    LSTMRegressor,
    PanelTimeSeriesSplit,
    SequenceWindower,
    WindowArray,
    forecast,
    load_model,
    save_model,
)

from .._params import FAST


def _frame(lengths, offset=1000.0, seed=0):
    """Series k holds k * offset + its steps (plus noise): values name series."""
    rng = np.random.default_rng(seed)
    ids = np.repeat([f"s{k}" for k in range(len(lengths))], lengths)
    steps = np.concatenate([np.arange(n) for n in lengths])
    series = np.repeat(np.arange(len(lengths)), lengths)
    values = series * offset + steps + rng.uniform(0, 0.5, size=len(steps))
    return pd.DataFrame({"id": ids, "value": values, "other": -values})


@settings(max_examples=40, deadline=None)
@given(
    lengths=st.lists(st.integers(1, 15), min_size=1, max_size=5),
    window=st.integers(1, 5),
)
def test_no_window_spans_two_series(lengths, window):
    frame = _frame(lengths)
    X = SequenceWindower(window, id_column="id").fit_transform(frame)
    assert isinstance(X, WindowArray)
    assert X.shape == (len(frame), window, 2)
    dense = np.asarray(X)
    row_series = np.floor(frame["value"].to_numpy() / 1000.0)
    np.testing.assert_array_equal(
        np.floor(dense[:, :, 0] / 1000.0).max(axis=1), row_series
    )
    np.testing.assert_array_equal(
        np.floor(dense[:, :, 0] / 1000.0).min(axis=1), row_series
    )
    # each row's window ends with the row itself
    np.testing.assert_array_equal(dense[:, -1, 0], frame["value"])
    np.testing.assert_array_equal(X.groups, frame["id"])


def test_each_series_is_windowed_as_on_its_own():
    frame = _frame([7, 4, 9])
    panel = np.asarray(SequenceWindower(3, id_column="id").fit_transform(frame))
    for _, part in frame.groupby("id", sort=False):
        alone = SequenceWindower(3).fit_transform(part[["value", "other"]])
        np.testing.assert_array_equal(panel[part.index], alone)


def test_transform_continues_each_seen_series_and_pads_new_ones():
    frame = _frame([8, 8])
    windower = SequenceWindower(3, id_column="id").fit(frame.iloc[np.r_[0:5, 8:13]])
    later = pd.concat([frame.iloc[np.r_[5:8, 13:16]], _frame([2]).assign(id="new")])
    X = np.asarray(windower.transform(later))
    whole = np.asarray(SequenceWindower(3, id_column="id").fit_transform(frame))
    np.testing.assert_array_equal(X[:6], whole[np.r_[5:8, 13:16]])
    new = _frame([2])[["value", "other"]].to_numpy()
    np.testing.assert_array_equal(X[6], [new[0], new[0], new[0]])  # edge padding
    # the fitted rows are windowed as in fit
    fitted = frame.iloc[np.r_[0:5, 8:13]]
    np.testing.assert_array_equal(
        np.asarray(windower.transform(fitted)), whole[np.r_[0:5, 8:13]]
    )


def test_panel_back_tests_window_every_test_row_on_its_history():
    frame = _frame([40, 30, 35])[["id", "value"]]  # univariate: 2D windows
    y = frame["value"].shift(-1).ffill().to_numpy()
    groups = frame["id"].to_numpy()
    cv = PanelTimeSeriesSplit(3, test_size=5)
    pipe = make_pipeline(SequenceWindower(4, id_column="id"), Ridge())
    scores = cross_val_score(pipe, frame, y, groups=groups, cv=cv)
    # by hand: train on the windows of the training rows, test on the windows
    # that the whole panel gives the test rows
    whole = np.asarray(SequenceWindower(4, id_column="id").fit_transform(frame))
    by_hand = []
    for train, test in cv.split(frame, y, groups):
        X_train = np.asarray(
            SequenceWindower(4, id_column="id").fit_transform(frame.iloc[train])
        )
        model = Ridge().fit(X_train.reshape(len(train), -1), y[train])
        by_hand.append(model.score(whole[test].reshape(len(test), -1), y[test]))
    np.testing.assert_allclose(scores, by_hand, rtol=1e-10)


def test_a_panel_pipeline_fits_predicts_forecasts_and_saves(tmp_path):
    frame = _frame([30, 30, 30], offset=10.0)[["id", "value"]]
    y = frame["value"].shift(-1).ffill().to_numpy()
    pipe = make_pipeline(
        SequenceWindower(6, id_column="id"),
        LSTMRegressor(**{**FAST, "max_epochs": 3}, early_stopping=True),
    ).fit(frame, y)
    predicted = pipe.predict(frame)
    assert predicted.shape == (90,)
    path = tmp_path / "pipe.sklstm"
    save_model(pipe, path)
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict(frame), predicted)
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(pipe)).predict(frame), predicted
    )
    future = forecast(pipe, frame, 4, groups="id")
    assert list(future.columns) == ["id", "step", "value"]
    assert len(future) == 12


@pytest.mark.parametrize(
    ("panel", "match"),
    [
        (pd.DataFrame({"value": [1.0, 2.0]}), "id_column='id' is not a column"),
        (
            pd.DataFrame({"id": ["a", "b", "a"], "value": [1.0, 2.0, 3.0]}),
            "series 'a' are not consecutive",
        ),
        (
            pd.DataFrame({"id": ["a", None, "b"], "value": [1.0, 2.0, 3.0]}),
            "series id of row 1 is missing",
        ),
    ],
)
def test_bad_panels_are_refused(panel, match):
    with pytest.raises(ValueError, match=match):
        SequenceWindower(2, id_column="id").fit(panel)


def test_a_column_name_needs_a_dataframe_and_pandas_output_is_refused():
    with pytest.raises(ValueError, match="not a DataFrame"):
        SequenceWindower(2, id_column="id").fit(np.ones((4, 2)))
    ids_first = np.c_[[0, 0, 1, 1], [1.0, 2.0, 3.0, 4.0]]
    X = SequenceWindower(2, id_column=0).fit_transform(ids_first)
    np.testing.assert_array_equal(np.asarray(X), [[1, 1], [1, 2], [3, 3], [3, 4]])
    windower = SequenceWindower(2, id_column=0).set_output(transform="pandas")
    with pytest.raises(ValueError, match="not available with id_column"):
        windower.fit_transform(ids_first)


def test_a_series_shorter_than_the_window_keeps_all_of_its_history():
    frame = pd.DataFrame({"id": ["a"] * 6, "value": np.arange(6.0)})
    windower = SequenceWindower(10, id_column="id").fit(frame)
    np.testing.assert_array_equal(windower.history_["a"].ravel(), np.arange(6.0))
    later = pd.DataFrame({"id": ["a"], "value": [6.0]})
    np.testing.assert_array_equal(
        np.asarray(windower.transform(later))[0], [0, 0, 0, 0, 1, 2, 3, 4, 5, 6]
    )


def test_a_panel_sorted_by_sort_values_keeps_its_index_and_is_accepted():
    frame = _frame([5, 5]).sample(frac=1.0, random_state=0)
    frame["t"] = frame.groupby("id")["value"].rank()
    ordered = frame.sort_values(["id", "t"])[["id", "value"]]  # index 7, 2, ...
    X = SequenceWindower(2, id_column="id").fit_transform(ordered)
    np.testing.assert_array_equal(np.asarray(X)[:, -1], ordered["value"])


def test_changing_id_column_after_fit_is_refused():
    frame = _frame([5, 5])
    windower = SequenceWindower(2, id_column="id").fit(frame)
    windower.set_params(id_column=None)
    with pytest.raises(
        ValueError, match="fitted on a panel, but id_column is now None"
    ):
        windower.transform(frame[["value", "other"]])
