"""Pooling: the per-step outputs of an encoder into one vector per sequence.

Pure torch: this module does not import scikit-learn or skorch.

``"last"`` is the encoder's own vector (the final state; for a causal encoder
the output at the last valid step) and needs no pooling module. The others
read every valid step, never the padding after it:

- ``"mean"``: the average of the outputs over the valid steps;
- ``"max"``: the largest value of each unit over the valid steps;
- ``"attention"``: a weighted average, the weights a softmax over the steps of
  a learned linear score of each output (Bahdanau-style attention pooling with
  one learned query).

On long sequences and few training series the last state gives the optimiser
little to follow, while a pooled vector lets every step's output reach the
loss directly.
"""

from __future__ import annotations

import torch
from torch import nn

from ._encoders import valid_steps

__all__ = ["POOLINGS", "Pooling"]

#: The ``pooling`` values the estimators accept.
POOLINGS = ("last", "mean", "max", "attention")


class Pooling(nn.Module):
    """Pool per-step outputs over the valid steps of each sequence.

    Parameters
    ----------
    how : {"mean", "max", "attention"}
        The pooling.
    features : int
        Size of each step's output.
    """

    def __init__(self, how: str, features: int) -> None:
        super().__init__()
        if how not in POOLINGS[1:]:
            raise ValueError(f"how must be one of {POOLINGS[1:]}, got {how!r}.")
        self.how = how
        self.score = nn.Linear(features, 1) if how == "attention" else None

    def forward(
        self, steps: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Map (batch, seq_len, features) outputs to (batch, features).

        Steps at or after ``lengths`` (padding) are left out; with
        ``lengths=None`` every step counts.
        """
        valid = None
        if lengths is not None:
            valid = valid_steps(lengths, steps.shape[1], steps.device).unsqueeze(-1)
        if self.how == "mean":
            if valid is None:
                return steps.mean(1)
            total = (steps * valid).sum(1)
            return total / valid.sum(1).clamp(min=1).to(steps.dtype)
        if self.how == "max":
            if valid is None:
                return steps.amax(1)
            return steps.masked_fill(~valid, -torch.inf).amax(1)
        assert self.score is not None
        scores = self.score(steps)  # (batch, seq_len, 1)
        if valid is not None:
            scores = scores.masked_fill(~valid, -torch.inf)
        weights = torch.softmax(scores, dim=1)
        return (weights * steps).sum(1)
