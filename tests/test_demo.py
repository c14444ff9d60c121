"""``python -m sklstm``: scores, baselines, the plot, user CSVs and clear errors.

Each run uses few epochs, short windows and two folds to stay fast; the numbers
checked are recomputed here from the data, never copied from a previous run.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import TimeSeriesSplit

from sklstm import sliding_windows
from sklstm._demo import main
from sklstm.datasets import make_seasonal_series

FAST = ["--epochs", "2", "--window", "12", "--folds", "2"]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ROW = re.compile(r"^  (\S.*?)\s{2,}(-?\d+\.\d+(?:\s+-?\d+\.\d+)*)(?:\s+± (\d+\.\d+))?$")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def table(out: str, title: str) -> dict[str, list[float]]:
    """Rows ``label -> numbers`` of the table printed under the line ``title...``."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    rows: dict[str, list[float]] = {}
    for line in lines[start + 2 :]:  # skip the title and the column header
        match = ROW.match(line)
        if match is None:
            break
        numbers = [float(x) for x in match.group(2).split()]
        if match.group(3) is not None:
            numbers.append(float(match.group(3)))
        rows[match.group(1)] = numbers
    return rows


def naive_fold_errors(
    series: np.ndarray, window: int, folds: int, lag: int
) -> list[float]:
    """MAE of forecasting each value by the one ``lag`` steps before, per fold."""
    X, y = sliding_windows(series, window)
    errors = []
    for _, test in TimeSeriesSplit(folds).split(X):
        before = series[test + window - lag]
        errors.append(float(np.mean(np.abs(before - y[test]))))
    return errors


def assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert len(data) > 1000
    assert data.startswith(PNG_SIGNATURE)


def write_csv(path: Path, **columns: object) -> Path:
    pd.DataFrame(columns).to_csv(path, index=False)
    return path


def test_default_run_prints_cv_table_baselines_and_plot(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *FAST, "--horizon", "48")
    assert code == 0
    assert err == ""
    # progress: one line per fold, then the per-epoch table of the final fit
    assert "fold 1/2: training on" in out
    assert "fold 2/2: training on" in out
    assert "train_loss" in out

    cv = table(out, "Next-step mean absolute error")
    assert list(cv) == [
        "LSTMRegressor",
        "naive: repeat the last value",
        "seasonal naive: 24 steps ago",
    ]
    train = make_seasonal_series()[:-48]
    baselines = {"naive: repeat the last value": 1, "seasonal naive: 24 steps ago": 24}
    for label, lag in baselines.items():
        *folds, mean, std = cv[label]
        np.testing.assert_allclose(
            folds, naive_fold_errors(train, 12, 2, lag), atol=5e-4
        )
        assert mean == pytest.approx(np.mean(folds), abs=1e-3)
        assert std == pytest.approx(np.std(folds), abs=1e-3)
    *lstm_folds, lstm_mean, _ = cv["LSTMRegressor"]
    assert len(lstm_folds) == 2
    assert lstm_mean == pytest.approx(np.mean(lstm_folds), abs=1e-3)
    assert lstm_mean < cv["naive: repeat the last value"][-2]

    held_out = table(out, "Held-out last 48 steps")
    series = make_seasonal_series()
    naive_next = np.mean(np.abs(series[-49:-1] - series[-48:]))
    assert held_out["naive: repeat the last value"][0] == pytest.approx(
        naive_next, abs=5e-4
    )
    assert set(held_out) == set(cv)
    interval = re.search(
        r"^80 % interval of the next step \(LSTMRegressor\(loss='quantile'\)\): "
        r"holds (\d+) of the 48 held-out values, mean width (\d+\.\d+)$",
        out,
        re.MULTILINE,
    )
    assert interval is not None
    assert 0 <= int(interval.group(1)) <= 48
    assert float(interval.group(2)) > 0

    assert "Forecast plot written to sklstm_forecast.png" in out
    assert_png(tmp_path / "sklstm_forecast.png")
    assert re.search(r"^Wall time: \d+\.\d s$", out.splitlines()[-1])


def test_quiet_run_writes_the_plot_where_asked(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "figures").mkdir()
    code, out, _ = run(capsys, *FAST, "--quiet", "--plot", "figures/f.png")
    assert code == 0
    assert "fold 1/2" not in out
    assert "train_loss" not in out
    assert "Forecast plot written to figures/f.png" in out
    assert_png(tmp_path / "figures" / "f.png")
    assert not (tmp_path / "sklstm_forecast.png").exists()


def test_without_matplotlib_the_plot_is_skipped(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for module in (
        "matplotlib",
        "matplotlib.figure",
        "matplotlib.backends.backend_agg",
    ):
        monkeypatch.setitem(sys.modules, module, None)  # makes the import fail
    code, out, err = run(capsys, *FAST, "--quiet")
    assert code == 0
    assert err == ""
    notes = [line for line in out.splitlines() if "matplotlib" in line]
    assert len(notes) == 1
    assert "not installed" in notes[0]
    assert "pip install" in notes[0]
    assert list(tmp_path.iterdir()) == []
    assert "LSTMRegressor" in out  # the scores are still printed


def test_csv_column(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    load = make_seasonal_series(300, seed=1)
    write_csv(
        tmp_path / "data.csv",
        time=[f"t{i}" for i in range(300)],
        load=load,
        temp=np.arange(300.0),
    )
    code, out, err = run(
        capsys, *FAST, "--csv", "data.csv", "--column", "load", "--season", "24"
    )
    assert code == 0, err
    assert "Series: data.csv, column 'load', 300 steps, season 24 steps." in out
    cv = table(out, "Next-step mean absolute error")
    # the CSV round trip keeps the values to within float formatting
    read_back = pd.read_csv(tmp_path / "data.csv")["load"].to_numpy()
    np.testing.assert_allclose(read_back, load)
    train = read_back[:-48]  # two seasons held out
    for label, lag in [
        ("naive: repeat the last value", 1),
        ("seasonal naive: 24 steps ago", 24),
    ]:
        np.testing.assert_allclose(
            cv[label][:2], naive_fold_errors(train, 12, 2, lag), atol=5e-4
        )
    assert_png(tmp_path / "sklstm_forecast.png")


def test_csv_with_one_numeric_column_uses_it(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    values = make_seasonal_series(200, seed=2)
    write_csv(tmp_path / "d.csv", day=[f"d{i}" for i in range(200)], sales=values)
    code, out, err = run(capsys, *FAST, "--csv", "d.csv", "--no-plot")
    assert code == 0, err
    assert out.startswith("Using column 'sales', the only numeric column of d.csv.")
    assert "--season N" in out  # how to get the seasonal baseline
    cv = table(out, "Next-step mean absolute error")
    assert list(cv) == ["LSTMRegressor", "naive: repeat the last value"]
    held_out = table(out, "Held-out last 12 steps")  # the window, without a season
    assert list(held_out) == list(cv)
    assert not (tmp_path / "sklstm_forecast.png").exists()


def test_too_short_message_gives_the_true_minimum(tmp_path, capsys):
    args = ["--window", "5", "--folds", "3", "--horizon", "4", "--epochs", "1"]
    args += ["--quiet", "--no-plot", "--csv", str(tmp_path / "s.csv")]

    def attempt(n_rows: int) -> tuple[int, str]:
        write_csv(tmp_path / "s.csv", y=make_seasonal_series(n_rows))
        code, _, err = run(capsys, *args)
        return code, err

    code, err = attempt(20)
    assert code == 2
    match = re.search(r"has 20 values, too short .* needs at least (\d+)", err)
    assert match is not None, err
    minimum = int(match.group(1))
    assert minimum > 20
    assert attempt(minimum)[0] == 0
    code, err = attempt(minimum - 1)
    assert code == 2
    assert f"needs at least {minimum}" in err


@pytest.fixture
def csv_files(tmp_path):
    n = 200
    base = make_seasonal_series(n)
    with_nan = base.copy()
    with_nan[[4, 8]] = np.nan  # data rows 5 and 9
    labels = np.array([f"{v:.1f}" for v in base], dtype=object)
    labels[2] = "oops"  # data row 3
    write_csv(tmp_path / "many.csv", load=base, temp=base + 1, note=["x"] * n)
    write_csv(tmp_path / "nan.csv", load=with_nan)
    write_csv(tmp_path / "inf.csv", load=np.where(np.arange(n) == 6, np.inf, base))
    write_csv(tmp_path / "text.csv", load=labels, note=["x"] * n)
    (tmp_path / "semicolon.csv").write_text(
        "date;load\n"
        + "".join(f"2024-01-{i % 28 + 1:02d};{v}\n" for i, v in enumerate(base))
    )
    return tmp_path


ERRORS = [
    (["--csv", "{d}/missing.csv"], ["no such file", "missing.csv"]),
    (
        ["--csv", "{d}/many.csv", "--column", "nope"],
        ["column 'nope' not found", "available columns: 'load', 'temp', 'note'"],
    ),
    (
        ["--csv", "{d}/text.csv", "--column", "load"],
        ["column 'load'", "is not numeric", "row 3 holds 'oops'"],
    ),
    (
        ["--csv", "{d}/text.csv"],
        ["has no numeric column", "'load', 'note'", "--column"],
    ),
    (
        ["--csv", "{d}/nan.csv", "--column", "load"],
        ["column 'load'", "2 missing (NaN) value(s)", "first at row 5", "dropna"],
    ),
    (
        ["--csv", "{d}/inf.csv"],
        ["column 'load'", "1 infinite value(s)", "first at row 7", "np.inf"],
    ),
    (
        "--csv {d}/many.csv --column load --season 150 --horizon 10".split(),
        ["--season 150 is longer than", "before the first test fold"],
    ),
    (
        ["--csv", "{d}/many.csv"],
        ["2 numeric columns ('load', 'temp')", "--column NAME"],
    ),
    (
        ["--csv", "{d}/many.csv", "--column", "load", "--window", "500"],
        ["too short", "needs at least"],
    ),
    (["--plot", "{d}/no/such/dir/f.png"], ["cannot write the plot", "no directory"]),
    (
        ["--csv", "{d}/semicolon.csv", "--column", "load"],
        ["column 'load' not found", "'date;load'", "other than commas"],
    ),
]


@pytest.mark.parametrize(("args", "fragments"), ERRORS)
def test_data_errors_exit_2_with_a_message(csv_files, capsys, args, fragments):
    args = [a.format(d=csv_files) for a in args]
    code, out, err = run(capsys, *args)
    assert code == 2
    assert "Traceback" not in err
    assert err.startswith("python -m sklstm: error: ")
    for fragment in fragments:
        assert fragment in err
    assert "fold" not in out  # nothing was trained


USAGE_ERRORS = [
    (["--window", "0"], "argument --window: must be at least 1, got 0"),
    (["--window", "ten"], "argument --window: must be a positive integer"),
    (["--folds", "1"], "argument --folds: must be at least 2, got 1"),
    (["--column", "load"], "--column needs --csv PATH"),
]


@pytest.mark.parametrize(("args", "fragment"), USAGE_ERRORS)
def test_usage_errors_exit_2(capsys, args, fragment):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert fragment in err
    assert "Traceback" not in err


def test_module_entry_point_runs_main():
    import subprocess

    result = subprocess.run(
        [sys.executable, "-m", "sklstm", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python -m sklstm")
    for option in ("--csv", "--column", "--window", "--season", "--plot", "--quiet"):
        assert option in result.stdout
