"""
Choosing the window and the network size with GridSearchCV
==========================================================

The windower and the LSTM are ordinary pipeline steps, so ``GridSearchCV``
tunes both, with ``TimeSeriesSplit`` keeping every validation fold after its
training data. ``n_jobs=2`` trains candidates in two processes.
"""

# %%
import pandas as pd
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import Pipeline

from sklstm import LSTMRegressor, SequenceWindower
from sklstm.datasets import make_seasonal_series

series = make_seasonal_series(1000, seed=0)
X, y = series[:-1], series[1:]

pipe = Pipeline(
    [
        ("window", SequenceWindower()),
        ("lstm", LSTMRegressor(max_epochs=15, lr=0.01, random_state=0)),
    ]
)
grid = GridSearchCV(
    pipe,
    {"window__window": [6, 24], "lstm__hidden_size": [8, 32]},
    cv=TimeSeriesSplit(3),
    scoring="neg_mean_absolute_error",
    n_jobs=2,
)
grid.fit(X, y)

# %%
results = pd.DataFrame(grid.cv_results_)[
    [
        "param_window__window",
        "param_lstm__hidden_size",
        "mean_test_score",
        "rank_test_score",
    ]
]
print(results.sort_values("rank_test_score").to_string(index=False))
print("best:", grid.best_params_)
