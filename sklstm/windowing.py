"""The former name of :mod:`sklstm.forecasting`; the same objects, kept for imports."""

from .forecasting import (
    PanelTimeSeriesSplit,
    SequenceWindower,
    WindowArray,
    forecast,
    forecast_quantiles,
    sliding_windows,
)

__all__ = [
    "PanelTimeSeriesSplit",
    "SequenceWindower",
    "WindowArray",
    "forecast",
    "forecast_quantiles",
    "sliding_windows",
]
