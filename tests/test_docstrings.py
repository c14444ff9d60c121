"""numpydoc validation of every public class, method and function of sklstm."""

from __future__ import annotations

import inspect

import pytest

import sklstm
import sklstm.datasets

validate = pytest.importorskip("numpydoc.validate").validate

# Codes not enforced anywhere:
# - RT02 asks for the type alone on the first line of a single return value.
#   Returns are named here (``self : LSTMRegressor``, ``ids : ndarray ...``) so
#   that the text around them can refer to them by name.
IGNORED = {"RT02"}

# Codes not enforced for methods, only for classes and functions:
# - ES01 (extended summary), SA01 (See Also) and EX01 (Examples): a method is
#   documented on its class's page, whose docstring carries the extended
#   description, the related objects and a runnable example that calls it.
IGNORED_FOR_METHODS = {"ES01", "SA01", "EX01"}


def _public_functions_and_classes() -> list[str]:
    names = [f"sklstm.{name}" for name in sklstm.__all__ if not name.startswith("_")]
    names += [f"sklstm.datasets.{name}" for name in sklstm.datasets.__all__]
    return names


def _own_methods(path: str) -> list[str]:
    """Public methods of a class whose code lives in sklstm (not inherited)."""
    module, _, name = path.rpartition(".")
    cls = getattr(sklstm.datasets if module == "sklstm.datasets" else sklstm, name)
    if not inspect.isclass(cls):
        return []
    methods = []
    for name, member in inspect.getmembers(cls):
        function = getattr(member, "__func__", member)
        module = getattr(function, "__module__", None) or ""
        if (
            not name.startswith("_")
            and callable(member)
            and module.startswith("sklstm")
        ):
            methods.append(f"{path}.{name}")
    return methods


OBJECTS = _public_functions_and_classes()
METHODS = [method for path in OBJECTS for method in _own_methods(path)]


def test_the_public_api_is_collected():
    assert {"sklstm.LSTMRegressor", "sklstm.forecast"} <= set(OBJECTS)
    assert "sklstm.LSTMClassifier.predict_proba" in METHODS
    assert "sklstm.TextTokenizer.encode" in METHODS
    # scikit-learn's own methods (get_params, set_fit_request, ...) are not ours
    assert "sklstm.LSTMRegressor.get_params" not in METHODS
    assert "sklstm.LSTMRegressor.set_fit_request" not in METHODS


def _errors(path: str, ignored: set[str]) -> list[str]:
    result = validate(path)
    return [
        f"{code}: {message}"
        for code, message in result["errors"]
        if code not in ignored
    ]


@pytest.mark.parametrize("path", OBJECTS)
def test_class_or_function_docstring(path):
    assert _errors(path, IGNORED) == []


@pytest.mark.parametrize("path", METHODS)
def test_method_docstring(path):
    assert _errors(path, IGNORED | IGNORED_FOR_METHODS) == []
