"""sklstm: LSTM and GRU sequence models as scikit-learn estimators."""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("sklstm")
except _metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

from ._classifier import LSTMClassifier
from ._onnx import export_onnx
from ._persistence import load_model, save_model
from ._regressor import LSTMRegressor
from .calibration import CalibratedQuantileRegressor
from .forecasting import (
    PanelTimeSeriesSplit,
    SequenceWindower,
    WindowArray,
    forecast,
    forecast_quantiles,
    sliding_windows,
)
from .text import TextTokenizer, generate_text

__all__ = [
    "CalibratedQuantileRegressor",
    "LSTMClassifier",
    "LSTMRegressor",
    "PanelTimeSeriesSplit",
    "SequenceWindower",
    "TextTokenizer",
    "WindowArray",
    "__version__",
    "export_onnx",
    "forecast",
    "forecast_quantiles",
    "generate_text",
    "load_model",
    "save_model",
    "sliding_windows",
]
