"""Forecasting tools: window a time-ordered series, forecast many steps ahead.

numpy, pandas and scikit-learn only; no torch.

- :class:`SequenceWindower` turns a series into one trailing window per row,
  so that ``Pipeline([SequenceWindower(w), LSTMRegressor()])`` works with
  ``cross_val_score`` and ``TimeSeriesSplit``;
- :func:`sliding_windows` returns windows and the values that follow them;
- :func:`forecast` feeds predictions back for multi-step forecasts;
- :func:`forecast_quantiles` gives the quantiles of a direct multi-step model;
- :class:`PanelTimeSeriesSplit` cross-validates over every series of a panel;
- :class:`WindowArray` holds the windows of a panel, read when used.
"""

from .._sequences import WindowArray
from ._forecast import forecast, forecast_quantiles
from ._splitting import PanelTimeSeriesSplit
from ._windower import SequenceWindower
from ._windows import sliding_windows

__all__ = [
    "PanelTimeSeriesSplit",
    "SequenceWindower",
    "WindowArray",
    "forecast",
    "forecast_quantiles",
    "sliding_windows",
]
