"""
Forecasting a noisy seasonal series
===================================

A ``SequenceWindower`` turns the series into one window of history per time
step, and an ``LSTMRegressor`` learns the next value from it. We compare the
forecast on the last part of the series with the truth and with a seasonal
naive forecast, plot both, and plot the training curve. Then a quantile model
forecasts a range, not only a point: a fan chart of its median and 80 %
interval over the next 24 steps.
"""

# %%
# Data: an hourly-like series with a daily season, and the value to predict
# for each step (the next one).
import matplotlib.pyplot as plt
import numpy as np
from sklearn.pipeline import make_pipeline

from sklstm import (
    LSTMRegressor,
    SequenceWindower,
    forecast,
    forecast_quantiles,
    sliding_windows,
)
from sklstm.datasets import make_seasonal_series
from sklstm.metrics import interval_coverage

series = make_seasonal_series(1500, seed=0)
X, y = series[:-1], series[1:]  # y[t] is the value after step t
split = 1200

# %%
# The model: windows of 48 steps into an LSTM. Inputs and targets are
# standardised inside the estimator, so the raw scale (around 100) is fine.
model = make_pipeline(
    SequenceWindower(window=48),
    LSTMRegressor(hidden_size=32, max_epochs=20, lr=0.01, random_state=0),
)
model.fit(X[:split], y[:split])
pred = model.predict(X[split:])

# the windower continues the series it was fitted on: the first test rows are
# windowed on the last training rows, their true history, so every row counts
mae = np.mean(np.abs(pred - y[split:]))
seasonal = np.mean(np.abs(series[split - 23 : -24] - y[split:]))
print(f"LSTM next-step MAE: {mae:.3f}   seasonal naive (24 steps ago): {seasonal:.3f}")

# %%
# Many steps ahead: the LSTM inside the pipeline reads windows of 48 values,
# so ``forecast`` can feed it the last 48 values of the history, then its own
# predictions, one step at a time.
lstm = model[-1]
history = series[:split]
ahead = forecast(lstm, history, steps=48)

# %%
# Plots: forecast against the truth, and the training loss per epoch.
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.5))
t = np.arange(split + 1, split + 1 + 150)
ax1.plot(t, y[split : split + 150], label="truth", color="black", lw=1)
ax1.plot(t, pred[:150], label="next-step forecast")
ax1.plot(np.arange(split, split + 48), ahead, label="48 steps, recursive", ls="--")
ax1.set_xlabel("time step")
ax1.legend()
ax2.plot(np.arange(1, lstm.n_iter_ + 1), lstm.loss_curve_)
ax2.set_xlabel("epoch")
ax2.set_ylabel("training loss (standardised)")
fig.tight_layout()
fig.savefig("sine_forecast.png", dpi=100)
print("saved sine_forecast.png")

# %%
# Ranges: ``loss="quantile"`` fits the 10 %, 50 % and 90 % quantiles with one
# network. Trained on windows of 48 values and the 24 values after each
# (``horizon=24``), it predicts the quantiles of all 24 at once;
# ``forecast_quantiles`` reads the last window of the history. The quantiles
# never cross. Over the test part, the 80 % interval of each 24-step forecast
# should hold about 80 % of the values.
X_h, y_h = sliding_windows(series, window=48, horizon=24)
train = X_h[: split - 48 - 23]  # windows whose 24 targets end before the split
quantile = LSTMRegressor(
    loss="quantile",
    quantiles=(0.1, 0.5, 0.9),
    hidden_size=32,
    max_epochs=20,
    lr=0.01,
    random_state=0,
).fit(train, y_h[: len(train)])
bands = quantile.predict_interval(X_h[split - 48 :], coverage=0.8)  # (n, 24, 2)
held = interval_coverage(y_h[split - 48 :], bands)
print(f"80 % interval, 24 steps ahead: holds {held:.0%} of the test values")

fan = forecast_quantiles(quantile, history, steps=24)  # (24, 3)
fig, ax = plt.subplots(figsize=(8, 3.5))
t = np.arange(split - 72, split + 24)
ax.plot(t[:72], series[split - 72 : split], color="0.5", label="history")
ax.plot(t[72:], series[split : split + 24], color="black", lw=1.5, label="truth")
ax.fill_between(t[72:], fan[:, 0], fan[:, 2], alpha=0.25, label="80 % interval")
ax.plot(t[72:], fan[:, 1], label="median forecast")
ax.set_xlabel("time step")
ax.legend(loc="upper left", fontsize=8)
fig.tight_layout()
fig.savefig("sine_fan_chart.png", dpi=100)
print("saved sine_fan_chart.png")
