"""The former name of :mod:`sklstm.forecasting`; the same objects, kept for imports."""

from .forecasting import SequenceWindower, forecast, sliding_windows

__all__ = ["SequenceWindower", "forecast", "sliding_windows"]
