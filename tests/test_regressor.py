"""LSTMRegressor: learning, targets, training options and fitted attributes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import r2_score

from sklstm import LSTMRegressor

from ._datasets import multivariate, sine_windows
from ._params import FAST, ONE_EPOCH


@pytest.mark.slow
def test_learns_the_sine_tutorial_task():
    X, y = sine_windows(1000, seed=0)
    X_test, y_test = sine_windows(300, seed=1)
    model = LSTMRegressor(hidden_size=16, max_epochs=20, lr=0.01, random_state=0)
    model.fit(X, y)
    mse = np.mean((model.predict(X_test) - y_test) ** 2)
    assert mse < 1e-3


def test_learns_a_multivariate_3d_task():
    X, y = multivariate(800, seed=0)
    X_test, y_test = multivariate(200, seed=1)
    model = LSTMRegressor(hidden_size=32, max_epochs=30, lr=0.01, random_state=0)
    model.fit(X, y)
    assert model.n_features_in_ == 12
    assert model.n_channels_ == 3
    assert r2_score(y_test, model.predict(X_test)) > 0.9


def test_multi_output_predicts_one_column_per_target():
    X, y = sine_windows(300, seq_len=20)
    Y = np.column_stack([y, 2 * y + 1, -y])
    model = LSTMRegressor(**FAST).fit(X, Y)
    pred = model.predict(X)
    assert pred.shape == (300, 3)
    assert model.n_outputs_ == 3
    assert r2_score(Y, pred) > 0.9


def test_targets_on_a_real_scale_are_learned_and_returned_in_their_units():
    X, y = sine_windows(400, seq_len=20)
    X_big, y_big = 1000.0 * X + 5e4, 1000.0 * y + 5e4
    model = LSTMRegressor(**FAST).fit(X_big, y_big)
    assert model.y_mean_[0] == pytest.approx(y_big.mean())
    assert r2_score(y_big, model.predict(X_big)) > 0.95


def test_standardization_can_be_switched_off():
    X, y = sine_windows(200, seq_len=10)
    model = LSTMRegressor(standardize=False, standardize_target=False, **FAST)
    model.fit(X, y)
    assert model.x_mean_ is None
    assert model.y_mean_ is None
    assert np.isfinite(model.predict(X)).all()


@pytest.mark.parametrize("loss", ["squared_error", "absolute_error", "huber"])
def test_each_loss_trains(loss):
    X, y = sine_windows(300, seq_len=10)
    model = LSTMRegressor(loss=loss, **FAST).fit(X, y)
    assert model.loss_curve_[-1] < model.loss_curve_[0]
    assert r2_score(y, model.predict(X)) > 0.9


@pytest.mark.parametrize(
    "params",
    [
        {"cell": "gru"},
        {"bidirectional": True},
        {"num_layers": 2, "dropout": 0.2},
        {"optimizer": "sgd", "lr": 0.1},
        {"optimizer": "rmsprop"},
        {"weight_decay": 1e-4, "optimizer": "adamw"},
        {"clip_grad_norm": 1.0},
        {"pooling": "mean"},
        {"pooling": "max"},
        {"pooling": "attention"},
        {"conv_filters": 8},
    ],
)
def test_architecture_and_optimizer_options_learn(params):
    X, y = sine_windows(300, seq_len=10)
    model = LSTMRegressor(**{**FAST, **params}).fit(X, y)
    assert r2_score(y, model.predict(X)) > 0.8


def test_optimizer_may_be_a_torch_class():
    import torch

    X, y = sine_windows(100, seq_len=10)
    model = LSTMRegressor(**{**FAST, "optimizer": torch.optim.Adamax})
    model.fit(X, y)
    assert isinstance(model.net_.optimizer_, torch.optim.Adamax)


def test_dataframe_input_records_feature_names():
    X, y = sine_windows(100, seq_len=6)
    df = pd.DataFrame(X, columns=[f"lag_{i}" for i in range(6)])
    model = LSTMRegressor(**FAST).fit(df, y)
    assert list(model.feature_names_in_) == list(df.columns)
    with pytest.warns(UserWarning, match="feature names"):
        from_array = model.predict(X)
    np.testing.assert_array_equal(model.predict(df), from_array)


def test_fitted_attributes_describe_training():
    X, y = sine_windows(100, seq_len=6)
    model = LSTMRegressor(**FAST).fit(X, y)
    assert model.n_iter_ == FAST["max_epochs"] == len(model.loss_curve_)
    assert model.best_loss_ == min(model.loss_curve_)
    assert model.validation_scores_ is None
    assert model.validation_loss_curve_ is None
    assert model.device_ == "cpu"


def test_early_stopping_holds_out_the_tail_and_restores_the_best_epoch():
    X, y = sine_windows(300, seq_len=10)
    model = LSTMRegressor(
        **{**FAST, "max_epochs": 200},
        early_stopping=True,
        n_iter_no_change=3,
        tol=0.01,
    ).fit(X, y)
    assert model.n_iter_ < 200
    assert len(model.validation_scores_) == model.n_iter_
    assert model.best_loss_ == min(model.validation_loss_curve_)
    best = int(np.argmin(model.validation_loss_curve_))
    assert model.best_validation_score_ == max(model.validation_scores_)
    # the restored weights are those of the best epoch: their validation R²
    # (on the last 10% of the rows) is the recorded one
    tail = slice(270, 300)
    assert r2_score(y[tail], model.predict(X[tail])) == pytest.approx(
        model.validation_scores_[best], abs=1e-4
    )


def test_tail_validation_never_trains_on_the_held_out_rows():
    X, y = sine_windows(200, seq_len=10)
    # poison the tail: if those rows reached training the loss would explode
    y_poisoned = y.copy()
    y_poisoned[-20:] = 1e6
    model = LSTMRegressor(
        **{**FAST, "max_epochs": 5},
        standardize_target=False,
        early_stopping=True,
        validation_fraction=0.1,
    ).fit(X, y_poisoned)
    assert max(model.loss_curve_) < 10
    assert min(model.validation_loss_curve_) > 1e10


def test_warm_start_continues_training():
    X, y = sine_windows(200, seq_len=10)
    model = LSTMRegressor(**{**FAST, "max_epochs": 5}, warm_start=True)
    model.fit(X, y)
    first_net = model.net_
    model.fit(X, y)
    assert model.net_ is first_net
    assert model.n_iter_ == 10
    assert len(model.loss_curve_) == 10
    assert model.loss_curve_[-1] < model.loss_curve_[4]


def test_partial_fit_trains_one_epoch_per_call():
    X, y = sine_windows(200, seq_len=10)
    model = LSTMRegressor(**FAST)
    for _ in range(3):
        model.partial_fit(X, y)
    assert model.n_iter_ == 3
    with pytest.raises(ValueError, match="features"):
        model.partial_fit(X[:, :-1], y)


def test_skorch_callbacks_are_used_and_params_stay_clonable():
    from sklearn.base import clone
    from skorch.callbacks import LRScheduler

    scheduler = LRScheduler(policy="StepLR", step_size=1, gamma=0.5)
    X, y = sine_windows(100, seq_len=6)
    model = LSTMRegressor(
        **{**FAST, "max_epochs": 3}, lr_schedule="constant", callbacks=[scheduler]
    )
    model.fit(X, y)
    lr = model.net_.optimizer_.param_groups[0]["lr"]
    assert lr == pytest.approx(FAST["lr"] * 0.5**3)
    # the estimator's own callback object was not mutated by fitting
    assert not hasattr(scheduler, "lr_scheduler_")
    cloned = clone(model)
    assert cloned.get_params()["callbacks"][0] is not scheduler
    assert cloned.get_params()["callbacks"][0].step_size == 1


def test_checkpoint_callback_writes_the_best_weights(tmp_path):
    from skorch.callbacks import Checkpoint

    X, y = sine_windows(100, seq_len=6)
    checkpoint = Checkpoint(dirname=str(tmp_path), monitor="train_loss_best")
    LSTMRegressor(**{**FAST, "max_epochs": 3}, callbacks=[checkpoint]).fit(X, y)
    assert (tmp_path / "params.pt").exists()


def test_verbose_prints_one_line_per_epoch(capsys):
    X, y = sine_windows(50, seq_len=5)
    LSTMRegressor(**{**FAST, "max_epochs": 3}, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert "train_loss" in out
    assert len([line for line in out.splitlines() if line.strip()[:1].isdigit()]) == 3


def test_verbose_2_adds_a_progress_bar(capsys):
    X, y = sine_windows(50, seq_len=5)
    LSTMRegressor(**{**FAST, "max_epochs": 2}, verbose=2).fit(X, y)
    captured = capsys.readouterr()
    assert "train_loss" in captured.out
    assert "it/s" in captured.err or "s/it" in captured.err


def test_silent_by_default(capsys):
    X, y = sine_windows(50, seq_len=5)
    LSTMRegressor(**{**FAST, "max_epochs": 2}).fit(X, y)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ""


def test_warm_start_refuses_changed_architecture_settings():
    X, y = sine_windows(60, seq_len=6)
    model = LSTMRegressor(**ONE_EPOCH, warm_start=True)
    model.fit(X, y)
    model.set_params(hidden_size=32, lr=0.5)
    with pytest.raises(
        ValueError, match=r"hidden_size \(16 -> 32\), lr \(0.01 -> 0.5\)"
    ):
        model.fit(X, y)
    model.set_params(hidden_size=16, lr=0.01, max_epochs=2, verbose=0).fit(X, y)
    assert model.n_iter_ == 3


def test_regressor_has_no_probabilities():
    assert not hasattr(LSTMRegressor(), "predict_proba")
    assert not hasattr(LSTMRegressor(), "decision_function")


def test_regressor_rejects_a_different_number_of_outputs_on_warm_start():
    X, y = sine_windows(30, 6)
    model = LSTMRegressor(**ONE_EPOCH, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="y has 2 output"):
        model.fit(X, np.column_stack([y, y]))
