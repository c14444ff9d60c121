"""
Many series, one model: stores of every size, with planned promotions
=====================================================================

A retailer has 40 stores, selling from a few to tens of thousands of units a
day, each with its weekly pattern and with promotions planned ahead. One
``LSTMRegressor`` learns from all of them (a *global* model):

- ``sliding_windows(..., groups=)`` cuts windows within each store only;
- ``window_scaling="standard"`` scales each window by its own mean and
  standard deviation, so small and large stores weigh alike;
- ``future_columns=["promo"]`` lets every window read the promotions of the
  day it forecasts, and ``forecast(..., future=)`` takes the plan ahead.

We hold out each store's last 14 days, forecast them recursively from the
plan, and compare with the seasonal naive forecast (the same weekday a week
before) by MASE. For a benchmark on real data (the 181 series of the M1
competition, against Theta and exponential smoothing), run
``python benchmarks/bench_panel.py``.
"""

# %%
# Data: a long table, one row per store and day.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sklstm import LSTMRegressor, forecast, sliding_windows

rng = np.random.default_rng(0)
n_stores, n_days, held_out = 40, 160, 14
frames = []
for store in range(n_stores):
    size = np.exp(rng.uniform(np.log(5), np.log(50_000)))  # 5 to 50,000 units
    day = np.arange(n_days)
    weekly = 1 + 0.3 * np.sin(2 * np.pi * (day + store) / 7)
    promo = (rng.random(n_days) < 0.15).astype(float)
    noise = 1 + 0.05 * rng.normal(size=n_days)
    sales = size * weekly * (1 + 0.8 * promo) * noise
    frames.append(pd.DataFrame({"store": store, "sales": sales, "promo": promo}))
panel = pd.concat(frames, ignore_index=True)
print(panel.groupby("store")["sales"].mean().describe()[["min", "max"]].round(1))

# %%
# Training windows: 28 days of sales and promotions, plus the promotion flag of
# the day after, whose sales are the target. The last 14 days of every store
# stay out of training.
day = panel.groupby("store").cumcount()
train = panel[day < n_days - held_out]
X, y = sliding_windows(
    train, window=28, groups="store", target="sales", future_columns=["promo"]
)
print(X)  # windows are read from the table when used, not copied

model = LSTMRegressor(
    hidden_size=32, window_scaling="standard", max_epochs=30, random_state=0
)
model.fit(X, y)

# %%
# Forecast the 14 held-out days of every store from its history and its
# promotion plan, and score against the seasonal naive forecast.
forecasts, scores = {}, []
for store, rows in panel.groupby("store"):
    history = rows[["sales", "promo"]][: n_days - held_out]
    plan = rows[["promo"]][n_days - held_out :]
    truth = rows["sales"].to_numpy()[n_days - held_out :]
    predicted = forecast(model, history, held_out, future=plan)
    naive = history["sales"].to_numpy()[-7:]
    naive = np.tile(naive, 2)[:held_out]
    past = history["sales"].to_numpy()
    scale = np.mean(np.abs(past[7:] - past[:-7]))  # seasonal naive's error in fit
    forecasts[store] = predicted
    lstm_error = np.mean(np.abs(predicted - truth)) / scale
    naive_error = np.mean(np.abs(naive - truth)) / scale
    scores.append((lstm_error, naive_error))
lstm_mase, naive_mase = np.mean(scores, axis=0)
print(f"MASE over {n_stores} stores: global LSTM {lstm_mase:.2f}, ", end="")
print(f"seasonal naive {naive_mase:.2f}")

# %%
# Three stores of very different sizes: history, truth and forecast. The
# promotion days of the plan (shaded) lift the forecast.
sizes = panel.groupby("store")["sales"].mean().sort_values()
shown = [sizes.index[0], sizes.index[len(sizes) // 2], sizes.index[-1]]
fig, axes = plt.subplots(1, 3, figsize=(12, 3.2))
for ax, store in zip(axes, shown, strict=True):
    rows = panel[panel["store"] == store]
    t = np.arange(n_days)
    ax.plot(t[-56:], rows["sales"].to_numpy()[-56:], color="black", lw=1, label="sales")
    ax.plot(t[-held_out:], forecasts[store], color="C1", label="forecast")
    for d in t[-held_out:][rows["promo"].to_numpy()[-held_out:] == 1]:
        ax.axvspan(d - 0.5, d + 0.5, color="C2", alpha=0.2, lw=0)
    ax.set_title(f"store {store}: about {sizes[store]:,.0f} a day")
    ax.set_xlabel("day")
axes[0].legend()
fig.tight_layout()
fig.savefig("many_series.png", dpi=100)
print("saved many_series.png")
