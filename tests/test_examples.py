"""Every script in examples/ runs as written (in a temporary directory)."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("plot_*.py"))
#: the examples of 20 s and more: in the long run, and the documentation's build
LONG = {"plot_many_series", "plot_xlstm_recall"}


def test_examples_are_found():
    assert len(EXAMPLES) >= 5


@pytest.mark.slow
@pytest.mark.parametrize(
    "path",
    [
        pytest.param(path, marks=pytest.mark.long) if path.stem in LONG else path
        for path in EXAMPLES
    ],
    ids=lambda p: p.stem,
)
def test_example_runs(path, tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(path), run_name="__main__")
    import matplotlib.pyplot as plt

    saved = sorted(p.name for p in tmp_path.glob("*.png"))
    plt.close("all")
    source = path.read_text()
    for name in ("sine_forecast.png", "ragged_sequences.png"):
        if name in source:
            assert name in saved
