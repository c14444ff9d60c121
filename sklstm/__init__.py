"""sklstm: LSTM and GRU sequence models as scikit-learn estimators."""

from importlib.metadata import PackageNotFoundError, version

from ._classifier import LSTMClassifier
from ._regressor import LSTMRegressor
from .text import TextTokenizer, generate_text
from .windowing import SequenceWindower, forecast, sliding_windows

try:
    __version__ = version("sklstm")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "LSTMClassifier",
    "LSTMRegressor",
    "SequenceWindower",
    "TextTokenizer",
    "__version__",
    "forecast",
    "generate_text",
    "sliding_windows",
]
