"""Export a fitted estimator's prediction as an ONNX graph.

The graph holds the whole prediction: input standardisation (or per-sequence
scaling), the recurrent network, and the target scaling (regressor) or the
softmax (classifier), so that ONNX Runtime, or any other ONNX engine,
reproduces ``predict`` / ``predict_proba`` without Python, scikit-learn or
torch.
"""

from __future__ import annotations

import logging
import os
import warnings
from numbers import Integral
from typing import Any

import torch
from sklearn.utils.validation import check_is_fitted
from torch import nn

from ._base import _BaseLSTM
from ._compat import Interval, validate_params
from ._sequences import _MAD_TO_STD, _MEAN_AD_TO_STD, _RELATIVE_SCALE_FLOOR
from ._targets import float32_tensor

__all__ = ["export_onnx"]


class _Prediction(nn.Module):
    """A fitted module between the estimator's input and output transforms."""

    def __init__(self, estimator: _BaseLSTM) -> None:
        super().__init__()
        self.module = estimator.net_.module_
        self.x_mean = float32_tensor(estimator.x_mean_)
        self.x_scale = float32_tensor(estimator.x_scale_)
        self.output = estimator._get_target().graph()
        self.window_scaling = getattr(estimator, "window_scaling_", None)
        future = getattr(estimator, "n_future_steps_", 0)
        # windows that read known-future covariates: their past sets the scale
        self.past = int(estimator.n_features_in_) - future if future else None
        self.target = estimator._target_channel()

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        raw = X
        if self.x_mean is not None and self.x_scale is not None:
            X = (X - self.x_mean) / self.x_scale
        if self.window_scaling is None:
            out: torch.Tensor = self.output(self.module(X, None))
            return out
        # the target channel of each window by its own (past) statistics
        t = self.target
        loc, scale = _window_stats(raw[:, : self.past, t], self.window_scaling)
        column = (raw[:, :, t : t + 1] - loc.unsqueeze(2)) / scale.unsqueeze(2)
        X = torch.cat([X[:, :, :t], column, X[:, :, t + 1 :]], dim=2)
        out = self.output(self.module(X, None))
        shape = (-1,) + (1,) * (out.dim() - 1)
        return out * scale.reshape(shape) + loc.reshape(shape)


def _window_stats(X: torch.Tensor, how: str) -> tuple[torch.Tensor, torch.Tensor]:
    """``window_stats`` of the estimators in the graph: X (batch, steps) to
    loc and scale of shape (batch, 1)."""
    mean_abs = X.abs().mean(dim=1, keepdim=True)
    floor = _RELATIVE_SCALE_FLOOR * mean_abs
    if how == "standard":
        loc = X.mean(dim=1, keepdim=True)
        scale = ((X - loc) ** 2).mean(dim=1, keepdim=True).sqrt()
    elif how == "mean_abs":
        loc = torch.zeros_like(mean_abs)
        scale = mean_abs
    else:  # robust
        loc = _median(X)
        deviation = (X - loc).abs()
        scale = _MAD_TO_STD * _median(deviation)
        sparse = _MEAN_AD_TO_STD * deviation.mean(dim=1, keepdim=True)
        scale = torch.where(scale < floor, sparse, scale)
    scale = torch.maximum(scale, floor)
    return loc, torch.where(scale == 0, torch.ones_like(scale), scale)


def _median(X: torch.Tensor) -> torch.Tensor:
    """numpy's median over the steps (the mean of the middle two for even counts).

    By sorting: the exporter has no median, and torch's gives the lower middle.
    """
    ordered = X.sort(dim=1).values
    n = X.shape[1]
    middle = (ordered[:, (n - 1) // 2] + ordered[:, n // 2]) / 2
    return middle.unsqueeze(1)


def _sequence_length(estimator: _BaseLSTM, seq_len: int | None) -> int:
    fitted = getattr(estimator, "n_features_in_", None)
    if fitted is None and seq_len is None:
        raise ValueError(
            f"This {type(estimator).__name__} was fitted on sequences of different "
            "lengths, and an ONNX graph reads one fixed length: pass seq_len=, "
            "e.g. export_onnx(model, path, seq_len=50)."
        )
    if fitted is not None and seq_len is not None and seq_len != fitted:
        raise ValueError(
            f"seq_len={seq_len}, but this {type(estimator).__name__} was fitted on "
            f"sequences of {fitted} steps and predicts only that length."
        )
    return int(seq_len if seq_len is not None else fitted)  # type: ignore[arg-type]


@validate_params(
    {
        "estimator": "no_validation",  # refused with advice unless sklstm's
        "path": [str, os.PathLike],
        "seq_len": [Interval(Integral, 1, None, closed="left"), None],
    },
    prefer_skip_nested_validation=True,
)
def export_onnx(
    estimator: Any, path: str | os.PathLike[str], *, seq_len: int | None = None
) -> None:
    """Write the prediction of a fitted LSTM estimator as an ONNX model.

    The graph includes the input standardisation (or the regressor's
    ``window_scaling``) and the output scaling or softmax, so an ONNX engine
    such as ONNX Runtime reproduces the estimator's predictions without
    Python.

    The graph takes one input, ``X``: a float32 array of shape
    ``(batch, seq_len, n_features)`` (a 2D ``(batch, seq_len)`` input becomes
    ``X[:, :, None]``). It has one output: ``predictions`` of shape
    ``(batch, n_outputs)`` for :class:`LSTMRegressor`, or ``probabilities`` of
    shape ``(batch, n_classes)`` for :class:`LSTMClassifier`, the classes in the
    order of ``classes_``. The batch size is free; the sequence length is fixed:
    the one seen in ``fit``, or, for a model fitted on a list of sequences of
    different lengths, the ``seq_len`` you choose.

    Parameters
    ----------
    estimator : LSTMRegressor or LSTMClassifier
        A fitted estimator on numeric sequences (not token ids).
    path : str or path-like
        Where to write the ``.onnx`` file.
    seq_len : int, default=None
        Length of the sequences the graph reads. Required for a model fitted
        on a list of sequences of different lengths; otherwise it must be the
        length seen in ``fit`` (the default).

    Raises
    ------
    TypeError
        If the estimator is not an sklstm LSTM estimator.
    ValueError
        If it was fitted with ``embedding_dim`` (token ids are packed per row
        at prediction, which ONNX graphs cannot express), or ``seq_len`` is
        missing or differs from the length seen in ``fit``.
    ImportError
        If the ``onnx`` and ``onnxscript`` packages, which torch's exporter
        needs, are not installed (``pip install "sklstm[onnx]"``).

    See Also
    --------
    save_model : Save the estimator itself, for loading back into Python.

    Notes
    -----
    The graph computes in float32, as ``predict`` does; its outputs match
    ``predict`` to float32 rounding (about 1e-6 relative), not bitwise. With
    ``window_scaling`` the graph also computes each sequence's statistics in
    float32, where ``predict`` uses float64: a series whose level is many
    orders of magnitude above its spread loses more precision there.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm import LSTMRegressor, export_onnx
    >>> X = np.random.default_rng(0).normal(size=(64, 8)).astype(np.float32)
    >>> model = LSTMRegressor(hidden_size=4, max_epochs=2, random_state=0)
    >>> model = model.fit(X, X[:, -1])
    >>> export_onnx(model, "model.onnx")  # doctest: +SKIP
    >>> import onnxruntime  # doctest: +SKIP
    >>> session = onnxruntime.InferenceSession("model.onnx")  # doctest: +SKIP
    >>> session.run(None, {"X": X[:, :, None]})[0].shape  # doctest: +SKIP
    (64, 1)
    """
    if not isinstance(estimator, _BaseLSTM):
        raise TypeError(
            "export_onnx exports a fitted LSTMRegressor or LSTMClassifier; got "
            f"{type(estimator).__name__}. For a Pipeline, export its final "
            "estimator and run the earlier steps before the ONNX model."
        )
    check_is_fitted(estimator, "net_")
    if estimator.embedding_dim is not None:
        raise ValueError(
            "export_onnx does not support models fitted with embedding_dim: "
            "their prediction packs the real tokens of each row, which an ONNX "
            "graph cannot express. Use save_model to keep such a model."
        )
    for package in ("onnx", "onnxscript"):
        try:
            __import__(package)
        except ImportError as exc:
            raise ImportError(
                f"export_onnx needs the {package!r} package: pip install "
                '"sklstm[onnx]" (or pip install onnx onnxscript).'
            ) from exc
    seq_len = _sequence_length(estimator, seq_len)
    graph = _Prediction(estimator).to("cpu").eval()
    example = torch.zeros((2, seq_len, estimator.n_channels_))
    # Only the batch axis is free: torch 2.13's exporter does not reliably keep
    # a free time axis of a recurrent layer.
    dims: dict[int, Any] = {0: torch.export.Dim("batch")}
    output = estimator._get_target().graph_output
    # torch's exporter logs and warns about optional packages it does not need
    logger = logging.getLogger("torch.onnx")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            program = torch.onnx.export(
                graph,
                (example,),
                dynamo=True,
                input_names=["X"],
                output_names=[output],
                dynamic_shapes=(dims,),
                verbose=False,
            )
    finally:
        logger.setLevel(level)
        estimator.net_.module_.to(estimator.device_)
    assert program is not None
    program.save(os.fspath(path))
