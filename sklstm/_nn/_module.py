"""The network: [embedding] -> encoder -> [pooling] (+ conv branch) -> dropout -> head.

Pure torch: this module does not import scikit-learn or skorch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from ._conv import ConvBranch
from ._encoders import Encoder
from ._pooling import Pooling
from ._rnn import GRUEncoder, LSTMEncoder
from ._xlstm import MLSTMEncoder, SLSTMEncoder, XLSTMEncoder

__all__ = ["ENCODERS", "SequenceModule", "make_encoder", "resolve_cell_params"]

# The encoders by the ``cell`` names the estimators accept; the estimators'
# ``cell`` constraint is read from this table. A new cell is one encoder class
# and one row here.
ENCODERS: dict[str, type[Encoder]] = {
    "lstm": LSTMEncoder,
    "gru": GRUEncoder,
    "slstm": SLSTMEncoder,
    "mlstm": MLSTMEncoder,
    "xlstm": XLSTMEncoder,
}


def resolve_cell_params(
    cell: str,
    cell_params: Mapping[str, Any] | None,
    *,
    hidden_size: int,
    num_layers: int,
    bidirectional: bool = False,
) -> dict[str, Any]:
    """The options of ``cell``: its defaults updated by ``cell_params``.

    Raises
    ------
    ValueError
        If ``cell_params`` names an option ``cell`` does not take, holds a
        value the encoder cannot be built with (for the given ``hidden_size``
        and ``num_layers``), or ``bidirectional`` is asked of a cell that reads
        forwards only.
    """
    encoder_class = ENCODERS[cell]
    if bidirectional and not encoder_class.supports_bidirectional:
        raise ValueError(
            f"cell={cell!r} reads sequences forwards only (a causal encoder: its "
            "output at a step sees no later step), so bidirectional=True is not "
            "supported. Set bidirectional=False, or use cell='lstm' or 'gru'."
        )
    accepted = encoder_class.cell_params
    given = dict(cell_params or {})
    unknown = sorted(set(given) - set(accepted), key=str)
    if unknown:
        takes = (
            "it takes " + ", ".join(repr(k) for k in sorted(accepted))
            if accepted
            else "it takes none"
        )
        raise ValueError(
            f"cell_params has option(s) {unknown} that cell={cell!r} does not "
            f"take; {takes}."
        )
    options = {**accepted, **given}
    encoder_class.check_options(options, hidden_size=hidden_size, num_layers=num_layers)
    return options


def make_encoder(
    cell: str,
    *,
    input_size: int,
    hidden_size: int,
    num_layers: int,
    bidirectional: bool,
    dropout: float,
    cell_params: Mapping[str, Any] | None = None,
) -> Encoder:
    """Build the encoder registered as ``cell`` in :data:`ENCODERS`."""
    options = resolve_cell_params(
        cell,
        cell_params,
        hidden_size=hidden_size,
        num_layers=num_layers,
        bidirectional=bidirectional,
    )
    return ENCODERS[cell](
        input_size=input_size,
        hidden_size=hidden_size,
        num_layers=num_layers,
        bidirectional=bidirectional,
        dropout=dropout,
        **options,
    )


class SequenceModule(nn.Module):
    """A network that maps a batch of sequences to one output row each.

    Parameters
    ----------
    n_inputs : int
        Number of features per time step.
    n_outputs : int
        Number of outputs (regression targets or class logits).
    hidden_size : int, default=64
        Width of the encoder.
    num_layers : int, default=1
        Number of stacked layers of the encoder.
    bidirectional : bool, default=False
        Whether the encoder also reads the sequence backwards.
    dropout : float, default=0.0
        Dropout between stacked layers and before the linear head.
    cell : str, default="lstm"
        The encoder, a key of :data:`ENCODERS`.
    num_embeddings : int, default=None
        With ``embedding_dim``: size of the token-id table; inputs are then
        integer ids of shape (batch, seq_len), id 0 being padding.
    embedding_dim : int, default=None
        Size of the learned token embeddings (replaces ``n_inputs``).
    cell_params : dict, default=None
        Options of the encoder (see :func:`resolve_cell_params`).
    pooling : {"last", "mean", "max", "attention"}, default="last"
        How each sequence becomes one vector: the encoder's last state, or
        its outputs pooled over the valid steps (see ``_pooling``).
    conv_filters : int, default=None
        If set, three temporal convolutions (``conv_filters``,
        ``2 * conv_filters`` and ``conv_filters`` filters) read the sequences
        beside the encoder (LSTM-FCN, see ``_conv``), their time-averaged
        output joined to the encoder's vector before the head.
    conv_norm : {"batch", "layer"}, default="batch"
        The convolutions' normalisation (see ``_conv``); ``"layer"`` is what
        modules saved before the batch norm have.
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
        cell_params: Mapping[str, Any] | None = None,
        pooling: str = "last",
        conv_filters: int | None = None,
        conv_norm: str = "batch",
    ) -> None:
        super().__init__()
        self.embedding: nn.Embedding | None = None
        if embedding_dim is not None and num_embeddings is not None:
            self.embedding = nn.Embedding(num_embeddings, embedding_dim, padding_idx=0)
            n_inputs = embedding_dim
        self.encoder = make_encoder(
            cell,
            input_size=n_inputs,
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            cell_params=cell_params,
        )
        self.pooling = (
            None if pooling == "last" else Pooling(pooling, self.encoder.output_size)
        )
        self.conv = (
            None
            if conv_filters is None
            else ConvBranch(n_inputs, conv_filters, conv_norm)
        )
        width = self.encoder.output_size
        if self.conv is not None:
            width += self.conv.output_size
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(width, n_outputs)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)  # type: ignore[no-untyped-call]
        # modules pickled before the convolutional branch existed
        if "conv" not in self._modules and "conv" not in self.__dict__:
            self.conv = None

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
            True length of each sequence, so that padding never reaches the
            encoder's output.

        Returns
        -------
        out : tensor of shape (batch, n_outputs)
        """
        if self.embedding is not None:
            X = self.embedding(X)
        if self.pooling is None:
            vector = self.encoder(X, lengths)
        else:
            vector = self.pooling(self.encoder.outputs(X, lengths), lengths)
        if self.conv is not None:
            vector = torch.cat([vector, self.conv(X, lengths)], dim=1)
        out: torch.Tensor = self.head(self.dropout(vector))
        return out
