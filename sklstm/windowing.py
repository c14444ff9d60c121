"""The former name of :mod:`sklstm.forecasting`; the same objects, kept for imports."""

from .forecasting import SequenceWindower, forecast, forecast_quantiles, sliding_windows

__all__ = ["SequenceWindower", "forecast", "forecast_quantiles", "sliding_windows"]
