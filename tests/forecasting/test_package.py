"""The public names of sklstm.forecasting, and sklstm.windowing, their old home."""

from __future__ import annotations

import sklstm
import sklstm.forecasting
import sklstm.windowing

NAMES = [
    "PanelTimeSeriesSplit",
    "SequenceWindower",
    "WindowArray",
    "forecast",
    "forecast_quantiles",
    "sliding_windows",
]


def test_sklstm_windowing_exposes_the_same_objects():
    assert sklstm.windowing.__all__ == sklstm.forecasting.__all__ == NAMES
    for name in NAMES:
        obj = getattr(sklstm.forecasting, name)
        assert getattr(sklstm.windowing, name) is obj
        assert getattr(sklstm, name) is obj
