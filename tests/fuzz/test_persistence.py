"""Fuzzing model files and exports: save_model, load_model, export_onnx."""

from __future__ import annotations

import functools
import os
import tempfile
from typing import Any

import numpy as np
import pytest

pytest.importorskip("hypothesis")

from hypothesis import assume, given
from hypothesis import strategies as st

from sklstm import LSTMRegressor, SequenceWindower, export_onnx, load_model, save_model

from ._contract import check_call, check_predictions
from ._models import FITTED, fitted
from .strategies import scalars


@functools.cache
def _saved(name: str) -> bytes:
    """The bytes of a model file written by save_model."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.sklstm")
        save_model(fitted(name), path)
        with open(path, "rb") as f:
            return f.read()


@st.composite
def damaged(draw: st.DrawFn, blob: bytes) -> bytes:
    """The file's bytes with some changed, cut off, added, or all random."""
    how = draw(st.sampled_from(["change", "change", "cut", "add", "random"]))
    if how == "random":
        return draw(st.binary(max_size=2000))
    if how == "cut":
        return blob[: draw(st.integers(0, len(blob) - 1))]
    if how == "add":
        return blob + draw(st.binary(min_size=1, max_size=64))
    data = bytearray(blob)
    for _ in range(draw(st.integers(1, 8))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


def _input(name: str) -> Any:
    rng = np.random.RandomState(2)
    layout = name.split(":")[1]
    if layout == "ids":
        return rng.randint(0, 8, size=(3, 4))
    if layout == "ragged":
        return [rng.normal(size=(i + 1, 2)) for i in range(3)]
    return rng.normal(size=(3, 4, 2) if layout == "3d" else (3, 4))


@given(name=st.sampled_from(FITTED), data=st.data())
def test_load_model_on_damaged_files(name, data):
    blob = data.draw(damaged(_saved(name)), label="file")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.sklstm")
        with open(path, "wb") as f:
            f.write(blob)
        out = check_call(lambda: load_model(path))
    if out.ok:
        check_predictions(out.value, _input(name), 3)


@given(path=st.one_of(scalars, st.text(max_size=8)))
def test_save_model_with_odd_paths(path):
    with tempfile.TemporaryDirectory() as folder:
        cwd = os.getcwd()
        os.chdir(folder)  # a relative path lands in the empty folder
        try:
            out = check_call(lambda: save_model(fitted("regressor:2d"), path))
            if out.ok:  # written where the path says
                assert os.path.isfile(path), f"no file at {path!r}"
        finally:
            os.chdir(cwd)


def _not_text(value: Any) -> bool:
    return not isinstance(value, str)


def _load(path: Any, device: Any) -> Any:
    """load_model, or the FileNotFoundError it documents for a missing file."""
    try:
        return load_model(path, device=device)
    except FileNotFoundError as exc:
        return exc


@given(
    path=st.one_of(st.just("model.sklstm"), st.text(max_size=8), scalars),
    # Unknown device strings are refused in words that name CUDA, which the
    # contract reads as torch's: tests/training/test_device.py covers them.
    device=st.one_of(
        st.none(), st.sampled_from(["cpu", "auto"]), scalars.filter(_not_text)
    ),
)
def test_load_model_with_odd_paths_and_devices(path, device):
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "model.sklstm"), "wb") as f:
            f.write(_saved("regressor:2d"))
        cwd = os.getcwd()
        os.chdir(folder)
        try:
            out = check_call(lambda: _load(path, device))
        finally:
            os.chdir(cwd)
    if isinstance(out.value, FileNotFoundError):
        assert "No model file" in str(out.value)
    elif out.ok:
        check_predictions(out.value, _input("regressor:2d"), 3)


# Exports that cannot succeed: each must be refused with an explained error.
# (Valid exports take seconds each; tests/test_onnx.py covers them.)
NOT_EXPORTABLE = ["None", "int", "str", "unfitted", "windower", "ids", "fixed"]


def _not_exportable(name: str) -> Any:
    return {
        "None": None,
        "int": 3,
        "str": "model",
        "unfitted": LSTMRegressor(),
        "windower": SequenceWindower(window=2),
        "ids": fitted("regressor-ids:ids"),
        "fixed": fitted("regressor:2d"),  # fitted on 4 steps
    }[name]


@given(
    name=st.sampled_from(NOT_EXPORTABLE),
    seq_len=st.one_of(st.none(), st.integers(-3, 10), scalars),
    path=st.one_of(st.just("model.onnx"), st.text(max_size=8), scalars),
)
def test_export_onnx_refuses_what_it_cannot_export(name, seq_len, path):
    if name == "fixed":  # None or 4 would export
        assume(seq_len is not None and not (type(seq_len) is int and seq_len == 4))
    with tempfile.TemporaryDirectory() as folder:
        cwd = os.getcwd()
        os.chdir(folder)
        try:
            out = check_call(
                lambda: export_onnx(_not_exportable(name), path, seq_len=seq_len)
            )
        finally:
            os.chdir(cwd)
    assert not out.ok, f"exported {name} with seq_len={seq_len!r}"
