"""torch's recurrent layers (LSTM, GRU) as encoders of ragged batches.

Pure torch: this module does not import scikit-learn or skorch.

A one-directional layer reads a ragged batch padded, and each sequence's
vector is its output at its last valid step: the output at a step depends on
the steps up to it only, so the padding after a sequence never reaches it.
That is exact, and on the CPU it is many times faster than a packed sequence
(whose steps shrink the batch one sequence at a time): about 10x for a batch
of 16 of up to 361 steps, 13-26x for 128 of up to 300 steps at width 256,
forward and backward. A bidirectional layer packs the batch, so that its
backward direction starts at each sequence's own last step.
"""

from __future__ import annotations

from typing import Any, ClassVar

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ._encoders import Encoder, at_last_step, valid_steps

__all__ = ["GRUEncoder", "LSTMEncoder", "RNNEncoder"]


class RNNEncoder(Encoder):
    """A stack of torch recurrent layers; the vector is the last hidden state.

    ``outputs`` gives the last layer's output at every step (both directions
    side by side when bidirectional).

    With ``lengths``, padding never reaches a sequence's vector: a
    one-directional stack reads the padded batch (the padding zeroed) and
    takes the output at each sequence's last valid step; a bidirectional one
    packs the batch. With ``bidirectional``, the vector joins the last layer's
    final states of both directions.
    """

    rnn_class: ClassVar[type[nn.RNNBase]]

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int,
        bidirectional: bool,
        dropout: float,
        **cell_params: Any,
    ) -> None:
        super().__init__()
        self.num_directions = 2 if bidirectional else 1
        self.rnn = self.rnn_class(
            input_size=input_size,
            hidden_size=hidden_size,
            num_layers=num_layers,
            batch_first=True,
            bidirectional=bidirectional,
            # torch applies this dropout between layers only
            dropout=dropout if num_layers > 1 else 0.0,
            **cell_params,
        )
        self.output_size = hidden_size * self.num_directions

    def forward(
        self, X: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> torch.Tensor:
        if lengths is not None and self.num_directions == 1:
            return at_last_step(self.outputs(X, lengths), lengths)
        if lengths is not None:
            packed = pack_padded_sequence(
                X, lengths.cpu(), batch_first=True, enforce_sorted=False
            )
            _, state = self.rnn(packed)
        else:
            _, state = self.rnn(X)
        h_n = state[0] if isinstance(state, tuple) else state
        # last layer, all directions: (directions, batch, hidden) -> (batch, ...)
        last: torch.Tensor = h_n[-self.num_directions :].transpose(0, 1)
        return last.reshape(X.shape[0], -1)

    def outputs(
        self, X: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> torch.Tensor:
        if lengths is None:
            out: torch.Tensor = self.rnn(X)[0]
            return out
        if self.num_directions == 1:
            # zeroed, so that no padding value (however large) turns the
            # unused outputs after a sequence, or their gradients, non-finite
            valid = valid_steps(lengths, X.shape[1], X.device)
            padded_out: torch.Tensor = self.rnn(X.masked_fill(~valid[..., None], 0))[0]
            return padded_out
        packed = pack_padded_sequence(
            X, lengths.cpu(), batch_first=True, enforce_sorted=False
        )
        padded, _ = pad_packed_sequence(
            self.rnn(packed)[0], batch_first=True, total_length=X.shape[1]
        )
        return padded


class LSTMEncoder(RNNEncoder):
    """Long short-term memory layers (``torch.nn.LSTM``)."""

    rnn_class = nn.LSTM


class GRUEncoder(RNNEncoder):
    """Gated recurrent unit layers (``torch.nn.GRU``)."""

    rnn_class = nn.GRU
