"""torch's recurrent layers (LSTM, GRU) as encoders, packing ragged batches.

Pure torch: this module does not import scikit-learn or skorch.
"""

from __future__ import annotations

from typing import Any, ClassVar

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ._encoders import Encoder

__all__ = ["GRUEncoder", "LSTMEncoder", "RNNEncoder"]


class RNNEncoder(Encoder):
    """A stack of torch recurrent layers; the vector is the last hidden state.

    ``outputs`` gives the last layer's output at every step (both directions
    side by side when bidirectional).

    With ``lengths``, the padded batch is packed, so that padding never reaches
    the recurrent state. With ``bidirectional``, the vector joins the last
    layer's final states of both directions.
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
