"""
Classifying multivariate sequences of different lengths
=======================================================

Pass a list of arrays ``(len_i, n_features)``: the estimator reads each to its
own last step, so a short sequence's padding never reaches its prediction.
Here each sequence has two features and between 4 and 24 steps, and the label
says which feature's spike comes first.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import ConfusionMatrixDisplay

from sklstm import LSTMClassifier
from sklstm.datasets import make_ragged_event_order

X, y = make_ragged_event_order(1000, seed=0)
X_test, y_test = make_ragged_event_order(400, seed=1)
print(
    "lengths:", sorted({len(seq) for seq in X})[:5], "...", max(len(seq) for seq in X)
)

# %%
model = LSTMClassifier(
    hidden_size=16, max_epochs=25, lr=0.01, random_state=0, early_stopping=True
)
model.fit(X, y)
print(f"test accuracy: {model.score(X_test, y_test):.3f} after {model.n_iter_} epochs")

# %%
# Accuracy by sequence length, and the confusion matrix.
lengths = np.array([len(seq) for seq in X_test])
correct = model.predict(X_test) == y_test
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
bins = np.arange(4, 29, 4)  # 4-7, ..., 24-27: every length in the data
which = np.digitize(lengths, bins)
ax1.bar(
    [f"{b}-{b + 3}" for b in bins[:-1]],
    [correct[which == i + 1].mean() for i in range(len(bins) - 1)],
)
ax1.set_ylim(0, 1)
ax1.set_xlabel("sequence length")
ax1.set_ylabel("accuracy")
ConfusionMatrixDisplay.from_predictions(y_test, model.predict(X_test), ax=ax2)
fig.tight_layout()
fig.savefig("ragged_sequences.png", dpi=100)
print("saved ragged_sequences.png")
