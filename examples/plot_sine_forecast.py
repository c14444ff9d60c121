"""
Forecasting a noisy seasonal series
===================================

A ``SequenceWindower`` turns the series into one window of history per time
step, and an ``LSTMRegressor`` learns the next value from it. We compare the
forecast on the last part of the series with the truth and with a seasonal
naive forecast, plot both, and plot the training curve.
"""

# %%
# Data: an hourly-like series with a daily season, and the value to predict
# for each step (the next one).
import matplotlib.pyplot as plt
import numpy as np
from sklearn.pipeline import make_pipeline

from sklstm import LSTMRegressor, SequenceWindower, forecast
from sklstm.datasets import make_seasonal_series

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

# the first 47 test rows are windowed with padded history; score the rest
mae = np.mean(np.abs(pred[47:] - y[split + 47 :]))
seasonal = np.mean(np.abs(series[split + 47 - 23 : -24] - y[split + 47 :]))
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
