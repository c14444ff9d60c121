"""A fully convolutional branch beside the encoder, in the spirit of LSTM-FCN.

Pure torch: this module does not import scikit-learn or skorch.

Karim et al. (2017), "LSTM Fully Convolutional Networks for Time Series
Classification" (arXiv:1709.05206), put three temporal convolutions (128, 256
and 128 filters of widths 8, 5 and 3, each followed by a normalisation and a
ReLU, then an average over time) beside the recurrent layer and concatenate the
two vectors before the output layer. The convolutions find local shapes
anywhere in a long series, where a recurrent state has to carry them to the
end; on few long training series that is what the optimiser can follow.

Here the filter counts are ``width``, ``2 * width`` and ``width`` (the
estimators' ``conv_filters``) and the normalisation is a layer norm
over the filters of each step, not a batch norm, so that a prediction never
depends on the other rows of its batch and a batch of one trains. The branch
is ragged-aware: the padding after a sequence is zeroed before every
convolution and left out of the average, so a padded row gives what it would
alone (a sequence alone is zero-padded at its ends by the convolutions).
"""

from __future__ import annotations

import torch
from torch import nn

from ._encoders import valid_steps

__all__ = ["ConvBranch"]

#: Filter widths of the three convolutions (as in LSTM-FCN).
KERNEL_SIZES = (8, 5, 3)


class _ConvBlock(nn.Module):
    """Convolution ("same" length), layer norm over the filters, ReLU."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int) -> None:
        super().__init__()
        # zero padding to keep the length ("same"; one more step after than
        # before for an even width), done here as conv1d would copy anyway
        self.padding = ((kernel_size - 1) // 2, kernel_size // 2)
        self.conv = nn.Conv1d(in_channels, out_channels, kernel_size)
        self.norm = nn.LayerNorm(out_channels)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """(batch, channels, seq_len) in, (batch, out_channels, seq_len) out."""
        out = self.conv(nn.functional.pad(X, self.padding))
        out = self.norm(out.transpose(1, 2)).transpose(1, 2)
        return torch.relu(out)


class ConvBranch(nn.Module):
    """Three convolution blocks and an average over the valid steps.

    Parameters
    ----------
    input_size : int
        Number of features per time step.
    width : int
        Filters of the first and last block; the middle one has twice as many.

    Attributes
    ----------
    output_size : int
        Size of the vector returned per sequence (``width``).
    """

    def __init__(self, input_size: int, width: int) -> None:
        super().__init__()
        channels = (input_size, width, 2 * width, width)
        self.blocks = nn.ModuleList(
            _ConvBlock(channels[i], channels[i + 1], k)
            for i, k in enumerate(KERNEL_SIZES)
        )
        self.output_size = width

    def forward(
        self, X: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Map (batch, seq_len, input_size) sequences to (batch, width) vectors.

        With ``lengths``, the steps at or after each length are padding: zeroed
        before each convolution and left out of the average.
        """
        out = X.transpose(1, 2)  # (batch, channels, seq_len)
        valid = None
        if lengths is not None:
            valid = valid_steps(lengths, out.shape[2], out.device).unsqueeze(1)
        for block in self.blocks:
            if valid is not None:  # masked_fill: even inf or NaN padding goes
                out = out.masked_fill(~valid, 0)
            out = block(out)
        if valid is None:
            return out.mean(2)
        total = out.masked_fill(~valid, 0).sum(2)
        result: torch.Tensor = total / valid.sum(2).clamp(min=1).to(out.dtype)
        return result
