"""export_onnx: the ONNX graph reproduces predict / predict_proba."""

from __future__ import annotations

import numpy as np
import pytest

from sklstm import (
    LSTMClassifier,
    LSTMRegressor,
    SequenceWindower,
    export_onnx,
    sliding_windows,
)

from ._params import FAST

ort = pytest.importorskip("onnxruntime")

# this file's variant of FAST: a smaller model, a few epochs
PARAMS = {**FAST, "hidden_size": 6, "max_epochs": 2}


def _run(path, X: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    result: np.ndarray = session.run(None, {"X": X.astype(np.float32)})[0]
    return result


def test_regressor_graph_matches_predict(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(loc=5.0, scale=3.0, size=(80, 10, 3))
    y = np.stack([X[:, -1, 0] * 10 + 100, X[:, -2, 1]], axis=1)
    model = LSTMRegressor(
        **PARAMS, cell="gru", bidirectional=True, num_layers=2, dropout=0.2
    ).fit(X, y)
    path = tmp_path / "model.onnx"
    export_onnx(model, path)
    expected = model.predict(X)
    # the batch size is free: one call with all rows, one with three
    np.testing.assert_allclose(_run(path, X), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(_run(path, X[:3]), expected[:3], rtol=1e-5, atol=1e-5)
    # the estimator keeps working after the export
    np.testing.assert_array_equal(model.predict(X), expected)


def test_univariate_regressor_takes_a_trailing_feature_axis(tmp_path):
    series = np.sin(np.arange(400) * 0.3)
    X = SequenceWindower(window=12).fit_transform(series[:-1])
    model = LSTMRegressor(**PARAMS).fit(X, series[1:])
    export_onnx(model, tmp_path / "m.onnx")
    out = _run(tmp_path / "m.onnx", X[:, :, np.newaxis])
    assert out.shape == (len(X), 1)
    np.testing.assert_allclose(out[:, 0], model.predict(X), rtol=1e-5, atol=1e-5)


def test_classifier_graph_gives_probabilities_for_a_chosen_length(tmp_path):
    rng = np.random.default_rng(1)
    X = [rng.normal(size=(n, 2)) for n in rng.integers(4, 15, size=60)]
    y = np.array(["up" if seq[:, 0].sum() > 0 else "down" for seq in X])
    model = LSTMClassifier(**PARAMS).fit(X, y)
    with pytest.raises(ValueError, match="pass seq_len="):
        export_onnx(model, tmp_path / "c.onnx")
    for length in (3, 20):  # fitted on ragged lists: any length can be chosen
        path = tmp_path / f"c{length}.onnx"
        export_onnx(model, path, seq_len=length)
        batch = rng.normal(size=(5, length, 2))
        proba = _run(path, batch)
        np.testing.assert_allclose(
            proba, model.predict_proba(batch), rtol=1e-5, atol=1e-6
        )
        # ONNX Runtime rounds differently: compare labels where no near-tie
        top2 = np.sort(proba, axis=1)[:, -2:]
        clear = top2[:, 1] - top2[:, 0] > 1e-4
        labels = model.classes_[proba.argmax(axis=1)]
        np.testing.assert_array_equal(labels[clear], model.predict(batch)[clear])


def test_what_cannot_be_exported_is_refused(tmp_path):
    X = np.random.default_rng(0).normal(size=(40, 5))
    fixed = LSTMRegressor(**PARAMS).fit(X, X[:, 0])
    with pytest.raises(ValueError, match="fitted on sequences of 5 steps"):
        export_onnx(fixed, tmp_path / "x.onnx", seq_len=7)
    with pytest.raises(TypeError, match="export its final estimator"):
        export_onnx(SequenceWindower(), tmp_path / "x.onnx")
    ids = np.random.default_rng(0).integers(0, 9, size=(40, 6))
    model = LSTMClassifier(**PARAMS, embedding_dim=3).fit(ids, ids[:, 0] > 4)
    with pytest.raises(ValueError, match="embedding_dim"):
        export_onnx(model, tmp_path / "x.onnx")


@pytest.mark.parametrize(
    "cell_params",
    [
        {"cell": "slstm"},
        {"cell": "mlstm", "cell_params": {"num_heads": 2, "chunk_size": 4}},
        {"cell": "xlstm", "num_layers": 2},
    ],
    ids=["slstm", "mlstm-chunkwise", "xlstm"],
)
def test_xlstm_cells_export_with_a_fixed_length(tmp_path, cell_params):
    # the sLSTM loop and the mLSTM chunks unroll for the length seen in fit
    X = np.random.default_rng(0).normal(size=(40, 10, 2))
    params = {**PARAMS, "hidden_size": 8, "cell_params": {"num_heads": 2}}
    model = LSTMRegressor(**{**params, **cell_params}).fit(X, X[:, -1, 0])
    path = tmp_path / "model.onnx"
    export_onnx(model, path)
    np.testing.assert_allclose(
        _run(path, X)[:, 0], model.predict(X), rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize(
    "options",
    [
        {"pooling": "mean"},
        {"pooling": "max"},
        {"pooling": "attention"},
        {"conv_filters": 4},
    ],
)
def test_pooled_models_export(tmp_path, options):
    X = np.random.default_rng(1).normal(size=(40, 10, 2))
    params = {**PARAMS, "hidden_size": 8, **options}
    model = LSTMRegressor(**params).fit(X, X[:, -1, 0])
    path = tmp_path / "model.onnx"
    export_onnx(model, path)
    np.testing.assert_allclose(
        _run(path, X)[:, 0], model.predict(X), rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize("n_outputs", [1, 2])
def test_quantile_graph_returns_every_quantile(tmp_path, n_outputs):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(60, 8, 2))
    y = X[:, -1, :n_outputs] * 3 + 50
    model = LSTMRegressor(**PARAMS, loss="quantile", quantiles=[0.05, 0.3, 0.95])
    model.fit(X, y[:, 0] if n_outputs == 1 else y)
    path = tmp_path / "model.onnx"
    export_onnx(model, path)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [o.name for o in session.get_outputs()] == ["quantiles"]
    out = _run(path, X)
    expected = model.predict_quantiles(X)
    assert out.shape == expected.shape == ((60, 4) if n_outputs == 1 else (60, 2, 4))
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("how", ["standard", "mean_abs", "robust"])
@pytest.mark.parametrize("seq_len", [9, 10])  # robust: odd and even medians
def test_window_scaling_is_in_the_graph(tmp_path, how, seq_len):
    rng = np.random.default_rng(0)
    level = rng.choice([1.0, 50.0, 1000.0], size=(60, 1, 1))
    X = level * (3.0 + rng.normal(size=(60, seq_len, 2)))
    y = np.stack([X[:, -1, 0], X[:, -2, 0]], axis=1)
    model = LSTMRegressor(
        **PARAMS, window_scaling=how, loss="quantile", quantiles=[0.2, 0.5, 0.8]
    ).fit(X, y)
    path = tmp_path / "model.onnx"
    export_onnx(model, path)
    np.testing.assert_allclose(
        _run(path, X), model.predict_quantiles(X), rtol=1e-5, atol=1e-5
    )


def test_window_scaling_with_future_covariates_is_in_the_graph(tmp_path):
    rng = np.random.default_rng(1)
    series = np.c_[50 + rng.normal(size=200).cumsum(), rng.integers(0, 2, 200)]
    X, y = sliding_windows(series, 8, 2, target=0, future_columns=[1])
    model = LSTMRegressor(**PARAMS, window_scaling="standard").fit(X, y)
    path = tmp_path / "model.onnx"
    export_onnx(model, path)
    dense = np.asarray(X)
    np.testing.assert_allclose(
        _run(path, dense), model.predict(X), rtol=1e-5, atol=1e-4
    )
