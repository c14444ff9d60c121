"""The encoder seam: read a batch of sequences into one vector per sequence.

Pure torch: this module does not import scikit-learn or skorch.

An encoder is an ``nn.Module`` called as ``encoder(X, lengths)`` that returns a
tensor of shape ``(batch, output_size)``, and whose ``outputs(X, lengths)``
returns the output at every step, ``(batch, seq_len, output_size)``, for the
poolings other than the last state (``_pooling``). Two kinds exist:

- encoders that can pack (torch's recurrent layers) subclass :class:`Encoder`
  and use ``lengths`` to skip the padding themselves;
- causal encoders that cannot pack subclass :class:`CausalEncoder`: they return
  one output per time step, and the vector of each sequence is the output at
  its last valid step (padding comes after the real steps, so a causal encoder
  never lets it reach that output).

``sklstm._nn.ENCODERS`` maps the ``cell`` names the estimators accept to
encoder classes.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

import torch
from torch import nn

__all__ = ["CausalEncoder", "Encoder", "at_last_step", "valid_steps"]


def valid_steps(
    lengths: torch.Tensor, seq_len: int, device: torch.device
) -> torch.Tensor:
    """Boolean (batch, seq_len): True at the steps before each length."""
    positions = torch.arange(seq_len, device=device)
    mask: torch.Tensor = positions[None, :] < lengths.to(device)[:, None]
    return mask


def at_last_step(out: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor:
    """Per-step outputs (batch, seq_len, size) at each sequence's last valid
    step (the last step when ``lengths`` is None), shape (batch, size)."""
    if lengths is None:
        return out[:, -1]
    last = (lengths.to(out.device) - 1).view(-1, 1, 1)
    gathered: torch.Tensor = out.gather(1, last.expand(-1, 1, out.shape[2]))
    return gathered.squeeze(1)


class Encoder(nn.Module):
    """Base class of the encoders: sequences in, one vector per sequence out.

    Parameters
    ----------
    input_size : int
        Number of features per time step.
    hidden_size : int
        Width of the encoder.
    num_layers : int
        Number of stacked layers (or blocks).
    bidirectional : bool
        Whether the encoder also reads the sequences backwards.
    dropout : float
        Dropout between stacked layers.
    **cell_params
        Options of this kind of encoder; the keys of :attr:`cell_params` with
        their defaults.
    """

    #: Options this encoder takes through the estimators' ``cell_params``,
    #: with their defaults.
    cell_params: ClassVar[Mapping[str, Any]] = {}
    #: Whether it can read sequences backwards too (``bidirectional=True``).
    supports_bidirectional: ClassVar[bool] = True
    #: Size of the vector returned per sequence; set by ``__init__``.
    output_size: int

    @classmethod
    def check_options(
        cls, options: Mapping[str, Any], *, hidden_size: int, num_layers: int
    ) -> None:
        """Raise ValueError (or TypeError) if ``options`` cannot build this encoder.

        Called with the full options (defaults filled in) before the network is
        built, so that a bad ``cell_params`` value fails early with a message
        that names the fix. The default accepts anything.
        """

    @abstractmethod
    def forward(
        self, X: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Return one vector per sequence.

        Parameters
        ----------
        X : tensor of shape (batch, seq_len, input_size)
            The sequences, padded at the end when ``lengths`` is given.
        lengths : tensor of shape (batch,), default=None
            True length of each sequence; None when none is padded.

        Returns
        -------
        out : tensor of shape (batch, output_size)
        """

    @abstractmethod
    def outputs(
        self, X: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Return the output at every step, for pooling over the steps.

        Parameters
        ----------
        X : tensor of shape (batch, seq_len, input_size)
            The sequences, padded at the end when ``lengths`` is given.
        lengths : tensor of shape (batch,), default=None
            True length of each sequence; None when none is padded.

        Returns
        -------
        out : tensor of shape (batch, seq_len, output_size)
            The outputs at the padding steps are unspecified: pooling leaves
            them out.
        """


class CausalEncoder(Encoder):
    """An encoder whose output at a step depends only on the steps up to it.

    Subclasses implement :meth:`steps`; the vector of each sequence is the
    output at its last valid step, gathered from the padded batch.
    """

    supports_bidirectional = False

    @abstractmethod
    def steps(self, X: torch.Tensor) -> torch.Tensor:
        """Per-step outputs, shape (batch, seq_len, output_size), causally."""

    def outputs(
        self, X: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> torch.Tensor:
        return self.steps(X)

    def forward(
        self, X: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> torch.Tensor:
        return at_last_step(self.steps(X), lengths)
