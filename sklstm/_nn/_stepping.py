"""The outputs for the windows of a stream, one cell step per new value.

Pure torch: this module does not import scikit-learn or skorch.

A model fitted on windows of ``window`` steps reads each window from a zero
state. Forecasting and text generation ask it, at every new value, for the
output of the window that ends there; re-reading that window costs ``window``
cell steps per value. :class:`WindowStepper` keeps instead one recurrent state
per window still open (``window`` of them: the window starting at each of the
last ``window`` steps) and advances them all with each new value in one
batched cell step. The window opened ``window - 1`` steps ago has then read
exactly its ``window`` values, from a zero state, as ``predict`` would read it;
its slot is cleared and opens the next window.
"""

from __future__ import annotations

import torch
from torch import nn

from ._module import SequenceModule
from ._rnn import RNNEncoder

__all__ = ["WindowStepper"]


class WindowStepper:
    """Feed a stream one value at a time; get the output of the window ending there.

    Parameters
    ----------
    module : SequenceModule
        A network whose encoder is a one-directional :class:`RNNEncoder`
        read by its last state (see :meth:`supports`); it is put in
        evaluation mode.
    window : int
        Number of steps in each window; the first ``window - 1`` outputs are
        those of the shorter windows that start at the first value.
    device : str or torch.device, default="cpu"
        Where the module's weights are.
    """

    def __init__(
        self, module: SequenceModule, window: int, device: str | torch.device = "cpu"
    ) -> None:
        if not self.supports(module):
            raise ValueError(
                "WindowStepper needs a one-directional LSTM or GRU encoder read "
                "by its last state."
            )
        module.eval()
        self.module = module
        self.window = int(window)
        encoder = module.encoder
        assert isinstance(encoder, RNNEncoder)
        self.rnn = encoder.rnn
        shape = (self.rnn.num_layers, self.window, self.rnn.hidden_size)
        dtype = next(self.rnn.parameters()).dtype
        self.h = torch.zeros(shape, dtype=dtype, device=device)
        self.c = torch.zeros_like(self.h) if self._is_lstm else None
        self.steps = 0

    @property
    def _is_lstm(self) -> bool:
        return isinstance(self.rnn, nn.LSTM)

    @staticmethod
    def supports(module: nn.Module) -> bool:
        """Whether ``module`` can be stepped: a one-directional LSTM or GRU
        whose last state is the whole vector (``pooling="last"``, no
        convolutional branch)."""
        encoder = getattr(module, "encoder", None)
        return (
            isinstance(module, SequenceModule)
            and isinstance(encoder, RNNEncoder)
            and encoder.num_directions == 1
            and module.pooling is None
            and module.conv is None
        )

    @torch.inference_mode()
    def push(self, value: torch.Tensor) -> torch.Tensor:
        """Read one more value; return the output of the window ending with it.

        Parameters
        ----------
        value : tensor of shape (n_inputs,), or a 0-d integer tensor
            The next step: its features, or a token id (never 0, the padding)
            with an embedding.

        Returns
        -------
        out : tensor of shape (n_outputs,)
            What the module returns for the window of the last ``window``
            values (all values so far while fewer have come).
        """
        opening = self.steps % self.window
        self.h[:, opening] = 0.0
        if self.c is not None:
            self.c[:, opening] = 0.0
        x = value.to(self.h.device).reshape(1, 1, -1)
        if self.module.embedding is not None:
            x = self.module.embedding(x.reshape(1, 1))
        x = x.to(self.h.dtype).expand(self.window, 1, x.shape[-1])
        if self.c is not None:
            _, (self.h, self.c) = self.rnn(x, (self.h, self.c))
        else:
            _, self.h = self.rnn(x, self.h)
        # the oldest open window: it started window - 1 steps ago (or at 0)
        oldest = max(0, self.steps - self.window + 1) % self.window
        self.steps += 1
        out: torch.Tensor = self.module.head(self.h[-1, oldest])
        return out
