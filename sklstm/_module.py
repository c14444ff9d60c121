"""The torch module: recurrent stack -> last hidden state -> dropout -> linear head.

Pure torch: this module does not import scikit-learn or skorch.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

_CELLS: dict[str, type[nn.Module]] = {"lstm": nn.LSTM, "gru": nn.GRU}


class SequenceModule(nn.Module):
    """A recurrent network that maps a batch of sequences to one output row each.

    Parameters
    ----------
    n_inputs : int
        Number of features per time step.
    n_outputs : int
        Number of outputs (regression targets or class logits).
    hidden_size : int, default=64
        Size of the recurrent hidden state.
    num_layers : int, default=1
        Number of stacked recurrent layers.
    bidirectional : bool, default=False
        Whether each layer also reads the sequence backwards.
    dropout : float, default=0.0
        Dropout between stacked layers and before the linear head.
    cell : {"lstm", "gru"}, default="lstm"
        The recurrent cell.
    num_embeddings : int, default=None
        With ``embedding_dim``: size of the token-id table; inputs are then
        integer ids of shape (batch, seq_len), id 0 being padding.
    embedding_dim : int, default=None
        Size of the learned token embeddings (replaces ``n_inputs``).
    """

    def __init__(
        self,
        n_inputs: int,
        n_outputs: int,
        hidden_size: int = 64,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        cell: str = "lstm",
        num_embeddings: int | None = None,
        embedding_dim: int | None = None,
    ) -> None:
        super().__init__()
        self.embedding: nn.Embedding | None = None
        if embedding_dim is not None and num_embeddings is not None:
            self.embedding = nn.Embedding(num_embeddings, embedding_dim, padding_idx=0)
            n_inputs = embedding_dim
        self.cell = cell
        self.num_directions = 2 if bidirectional else 1
        self.rnn = _CELLS[cell](
            input_size=n_inputs,
            hidden_size=hidden_size,
            num_layers=num_layers,
            batch_first=True,
            bidirectional=bidirectional,
            # torch applies this dropout between layers only
            dropout=dropout if num_layers > 1 else 0.0,
        )
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size * self.num_directions, n_outputs)

    def forward(
        self, X: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Return one output row per sequence.

        Parameters
        ----------
        X : tensor of shape (batch, seq_len, n_inputs) or (batch, seq_len)
            The sequences (token ids with an embedding), padded at the end when
            ``lengths`` is given.
        lengths : tensor of shape (batch,), default=None
            True length of each sequence. When given, the sequences are packed
            so that padding never reaches the recurrent state.

        Returns
        -------
        out : tensor of shape (batch, n_outputs)
        """
        if self.embedding is not None:
            X = self.embedding(X)
        if lengths is not None:
            packed = pack_padded_sequence(
                X, lengths.cpu(), batch_first=True, enforce_sorted=False
            )
            _, state = self.rnn(packed)
        else:
            _, state = self.rnn(X)
        h_n = state[0] if isinstance(state, tuple) else state
        # last layer, all directions: (directions, batch, hidden) -> (batch, ...)
        last = h_n[-self.num_directions :].transpose(0, 1).reshape(X.shape[0], -1)
        out: torch.Tensor = self.head(self.dropout(last))
        return out
