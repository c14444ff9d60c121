"""Save fitted estimators to a file whose loading never runs code from the file.

A pickle (or joblib) file can run any code when it is loaded, so it is only safe
for files you made yourself. :func:`save_model` writes a file that holds data
only: the estimator's parameters and fitted attributes as JSON, and the network's
weights and optimizer state as tensors. :func:`load_model` reads it with
``torch.load(weights_only=True)``, which refuses anything but tensors and plain
containers, and rebuilds the estimator from a fixed list of classes.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from . import __version__, _training
from ._base import _BaseLSTM
from ._classifier import LSTMClassifier
from ._compat import validate_params
from ._regressor import LSTMRegressor
from .forecasting import SequenceWindower
from .text import TextTokenizer

__all__ = ["FORMAT_VERSION", "load_model", "save_model"]

#: Version of the file layout. Files with a higher version are refused.
FORMAT_VERSION = 1
_FORMAT = "sklstm-model"

# The classes a file may name. Loading never imports anything by name.
_ESTIMATORS: dict[str, type[BaseEstimator]] = {
    cls.__name__: cls
    for cls in (LSTMRegressor, LSTMClassifier, SequenceWindower, TextTokenizer)
}

# Private fitted state saved besides the public ``*_`` attributes.
_PRIVATE_STATE = (
    "_torch_seed",
    "_sklearn_output_config",
    "_fitted_rows",  # SequenceWindower: how it recognises its fitted series
    "_fitted_edges",
    "_window_layout",  # LSTM estimators: the columns of the windows of a panel
)
# Estimator parameters added after the format was first written, with the value
# that files written before them meant (not today's default, where it changed).
_LEGACY_PARAMS: dict[str, dict[str, Any]] = {
    "LSTMClassifier": {"conv_filters": None},
    "LSTMRegressor": {
        "conv_filters": None,
        "window_scaling": None,
        "lr_schedule": "constant",
    },
    "SequenceWindower": {"continue_series": False},
}


@validate_params(
    {
        "estimator": "no_validation",  # refused with advice unless sklstm's
        "path": [str, os.PathLike],
    },
    prefer_skip_nested_validation=True,
)
def save_model(estimator: Any, path: str | os.PathLike[str]) -> None:
    """Save a fitted estimator to a file that loads without running code.

    Unlike a pickle or joblib file, which may run any code when it is loaded,
    the file holds data only, so :func:`load_model` is safe on files from
    others. The estimator's parameters must therefore be plain values: no
    callbacks, optimizer classes or ``RandomState`` instances.

    Parameters
    ----------
    estimator : LSTMRegressor, LSTMClassifier, SequenceWindower, TextTokenizer or \
Pipeline
        A fitted sklstm estimator, or a :class:`~sklearn.pipeline.Pipeline` whose
        steps are all sklstm estimators.
    path : str or path-like
        Where to write the file (by convention with the suffix ``.sklstm``).

    Raises
    ------
    TypeError
        If the estimator, or a step of the pipeline, is not one of the classes
        above, or a parameter holds code or an object that cannot be stored as
        data (an optimizer class, callbacks, a ``RandomState`` instance).
    sklearn.exceptions.NotFittedError
        If an estimator is not fitted.

    See Also
    --------
    load_model : Read the file back.

    Notes
    -----
    The file holds the parameters and fitted attributes as JSON, the network's
    weights and optimizer state as tensors, and a SHA-256 digest of all of them,
    so that a modified or damaged file is refused. The digest detects changes; it
    does not prove who wrote the file. What makes loading safe is that the file
    can contain only data.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm import LSTMRegressor, load_model, save_model
    >>> X = np.random.default_rng(0).normal(size=(64, 8))
    >>> model = LSTMRegressor(hidden_size=4, max_epochs=2, random_state=0)
    >>> model = model.fit(X, X[:, -1])
    >>> save_model(model, "model.sklstm")  # doctest: +SKIP
    >>> same = load_model("model.sklstm")  # doctest: +SKIP
    """
    payload: dict[str, Any] = {
        "format": _FORMAT,
        "format_version": FORMAT_VERSION,
        "sklstm_version": __version__,
    }
    tensors: dict[str, Any] = {}
    header = _encode_estimator(estimator, tensors, "root")
    payload["header"] = json.dumps(header, sort_keys=True)
    payload["tensors"] = tensors
    payload["digest"] = _digest(payload)
    name = _file_to_write(path)
    with open(name, "wb") as file:  # open() reports what torch would garble
        torch.save(payload, file)


def _file_to_write(path: str | os.PathLike[str]) -> str:
    """``path`` as a file name save_model can write, or a ValueError saying why."""
    name = os.fspath(path)
    if not isinstance(name, str):  # a PathLike may give bytes
        name = os.fsdecode(name)
    if not name or "\x00" in name:
        raise ValueError(
            f"save_model needs a file name to write, got {name!r}, e.g. 'model.sklstm'."
        )
    if os.path.isdir(name):
        raise ValueError(
            f"{name!r} is a directory; give save_model a file name, e.g. "
            f"{os.path.join(name, 'model.sklstm')!r}."
        )
    folder = os.path.dirname(os.path.abspath(name))
    if not os.path.isdir(folder):
        raise ValueError(
            f"Cannot write {name!r}: there is no directory {folder!r}. Create it "
            "first (e.g. os.makedirs)."
        )
    return name


@validate_params(
    {"path": [str, os.PathLike], "device": [str, None]},
    prefer_skip_nested_validation=True,
)
def load_model(path: str | os.PathLike[str], *, device: str | None = None) -> Any:
    """Load an estimator written by :func:`save_model`.

    The file is read with ``torch.load(weights_only=True)``, which accepts only
    tensors and plain containers, and checked against its digest before the
    estimator is rebuilt from a fixed list of sklstm classes. Nothing in the
    file is executed.

    Parameters
    ----------
    path : str or path-like
        The file to read.
    device : str, default=None
        Where to put the networks: ``"cpu"``, ``"cuda"``, ``"cuda:<index>"``,
        ``"mps"`` or ``"auto"``. By default the device they were trained on,
        or the CPU, with a warning, when that device is not available here.

    Returns
    -------
    estimator : estimator
        The fitted estimator (or Pipeline), predicting exactly as when it was
        saved on the same device.

    Raises
    ------
    ValueError
        If the file is not an sklstm model file, was modified or damaged, holds
        anything but data, or was written by a newer, incompatible version of
        the format.

    See Also
    --------
    save_model : Write such a file.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm import LSTMClassifier, load_model, save_model
    >>> X = np.random.default_rng(0).normal(size=(64, 8))
    >>> model = LSTMClassifier(hidden_size=4, max_epochs=2, random_state=0)
    >>> model = model.fit(X, X[:, -1] > 0)
    >>> save_model(model, "model.sklstm")  # doctest: +SKIP
    >>> load_model("model.sklstm").predict(X[:3])  # doctest: +SKIP
    array([ True, False,  True])
    """
    target = None if device is None else _training.resolve_device(device)
    payload = _read(path)
    version = payload.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ValueError(
            f"{os.fspath(path)!r} was written by sklstm "
            f"{payload.get('sklstm_version', '?')} in model-file format "
            f"{version!r}, but this sklstm ({__version__}) reads format "
            f"{FORMAT_VERSION} and older. Upgrade sklstm to load it "
            "(pip install --upgrade sklstm)."
        )
    if payload.get("digest") != _digest(payload):
        raise ValueError(
            f"{os.fspath(path)!r} was modified or damaged after it was saved: its "
            "contents do not match the digest stored with them. Save the model "
            "again from the original estimator."
        )
    try:
        header = json.loads(payload["header"])
        return _decode_estimator(header, payload["tensors"], target)
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise ValueError(
            f"{os.fspath(path)!r} is not a consistent sklstm model file ({exc})."
        ) from exc


# ---------------------------------------------------------------- reading


def _read(path: str | os.PathLike[str]) -> dict[str, Any]:
    name = os.fspath(path)
    if not os.path.isfile(name):
        raise FileNotFoundError(f"No model file at {name!r}.")
    try:
        with warnings.catch_warnings():  # torch warns about foreign pickles
            warnings.simplefilter("ignore")
            payload = torch.load(name, map_location="cpu", weights_only=True)
    except Exception as exc:
        # torch words every failure of a weights-only load alike; only an
        # unsupported global is code, anything else is a damaged file
        if "Unsupported global" in str(exc):
            reason = (
                "it contains objects other than tensors and plain data, which "
                "could run code when loaded; it was not written by save_model"
            )
        else:
            reason = (
                "it cannot be read: it is damaged or truncated, or was not "
                f"written by save_model ({type(exc).__name__} while reading it)"
            )
        raise ValueError(f"Refusing to load {name!r}: {reason}.") from exc
    if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
        raise ValueError(
            f"{name!r} is not an sklstm model file (written by save_model)."
        )
    return payload


def _digest(payload: dict[str, Any]) -> str:
    """SHA-256 over everything in the payload but the digest itself."""
    h = hashlib.sha256()
    _feed(h, {k: v for k, v in payload.items() if k != "digest"})
    return h.hexdigest()


def _feed(h: Any, obj: Any) -> None:
    if isinstance(obj, torch.Tensor):
        t = obj.detach().cpu().contiguous()
        h.update(f"tensor:{t.dtype}:{tuple(t.shape)}:".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
    elif isinstance(obj, dict):
        h.update(f"dict:{len(obj)}:".encode())
        for key in sorted(obj, key=repr):
            h.update(f"{key!r}=".encode())
            _feed(h, obj[key])
    elif isinstance(obj, (list, tuple)):
        h.update(f"{type(obj).__name__}:{len(obj)}:".encode())
        for item in obj:
            _feed(h, item)
    else:
        h.update(f"{type(obj).__name__}:{obj!r};".encode())


# --------------------------------------------------------- encoding values


def _encode(value: Any, where: str) -> Any:
    """A JSON-ready form of a parameter or attribute value, or TypeError."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, np.generic):
        return _encode(value.item(), where)
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufUO":
            raise TypeError(f"{where} has dtype {value.dtype}, which cannot be saved")
        items = [_encode(v, where) for v in value.ravel().tolist()]
        return {
            "__ndarray__": items,
            "dtype": value.dtype.str if value.dtype.kind != "O" else "O",
            "shape": list(value.shape),
        }
    if isinstance(value, dict):
        return {
            "__dict__": [
                [_encode(k, where), _encode(v, where)] for k, v in value.items()
            ]
        }
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v, where) for v in value]}
    if isinstance(value, list):
        return [_encode(v, where) for v in value]
    raise TypeError(
        f"{where} is a {type(value).__name__}, which save_model cannot store as data"
    )


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if "__ndarray__" in value:
            items = [_decode(v) for v in value["__ndarray__"]]
            array = np.array(items, dtype=np.dtype(value["dtype"]))
            return array.reshape(value["shape"])
        if "__dict__" in value:
            return {_decode(k): _decode(v) for k, v in value["__dict__"]}
        if "__tuple__" in value:
            return tuple(_decode(v) for v in value["__tuple__"])
        raise ValueError(f"unknown value {value!r}")
    return value


# ---------------------------------------------------- encoding estimators


def _encode_estimator(estimator: Any, tensors: dict[str, Any], key: str) -> Any:
    if isinstance(estimator, Pipeline):
        steps = []
        for i, (name, step) in enumerate(estimator.steps):
            if step is None or step == "passthrough":
                steps.append([name, step])
            else:
                steps.append([name, _encode_estimator(step, tensors, f"{key}.{i}")])
        return {
            "class": "Pipeline",
            "steps": steps,
            "verbose": bool(estimator.verbose),
        }
    name = type(estimator).__name__
    if _ESTIMATORS.get(name) is not type(estimator):
        raise TypeError(
            f"save_model stores sklstm estimators (LSTMRegressor, LSTMClassifier, "
            f"SequenceWindower, TextTokenizer) and Pipelines of them; got {name}. "
            "Save other objects with joblib or skops, and load such files only "
            "if you trust them."
        )
    if isinstance(estimator, _BaseLSTM):
        check_is_fitted(estimator, "net_")
    else:
        check_is_fitted(estimator)
    params = {}
    for param, value in estimator.get_params(deep=False).items():
        if param == "callbacks" and value:
            raise TypeError(
                f"{name}.callbacks holds callbacks, which are code; save_model "
                "stores data only. Call set_params(callbacks=None) on the fitted "
                "estimator first (callbacks only act during training)."
            )
        try:
            params[param] = _encode(value, f"{name}.{param}")
        except TypeError as exc:
            raise TypeError(
                f"{exc}. Set a plain value with set_params first (an int for "
                "random_state, a name such as 'adam' for optimizer), or save with "
                "joblib and load the file only if you trust it."
            ) from exc
    attributes = {}
    for attr, value in vars(estimator).items():
        saved = (attr.endswith("_") and not attr.startswith("_")) or (
            attr in _PRIVATE_STATE
        )
        if saved and attr != "net_":
            attributes[attr] = _encode(value, f"{name}.{attr}")
    encoded: dict[str, Any] = {
        "class": name,
        "params": params,
        "attributes": attributes,
    }
    if isinstance(estimator, _BaseLSTM):
        state = _training.net_state(estimator.net_)
        tensors[key] = {"module": state["module"], "optimizer": state["optimizer"]}
        encoded["history"] = _encode(state["history"], f"{name}.net_.history")
        encoded["tensors"] = key
    return encoded


def _decode_estimator(
    encoded: dict[str, Any], tensors: dict[str, Any], device: str | None
) -> Any:
    name = encoded["class"]
    if name == "Pipeline":
        steps = [
            (
                step_name,
                step
                if step is None or isinstance(step, str)
                else _decode_estimator(step, tensors, device),
            )
            for step_name, step in encoded["steps"]
        ]
        return Pipeline(steps, verbose=encoded["verbose"])
    if name not in _ESTIMATORS:
        raise ValueError(f"unknown estimator class {name!r}")
    params = {k: _decode(v) for k, v in encoded["params"].items()}
    # parameters added after files were first written: what they were then
    params = {**_LEGACY_PARAMS.get(name, {}), **params}
    estimator = _ESTIMATORS[name](**params)
    for attr, value in encoded["attributes"].items():
        setattr(estimator, attr, _decode(value))
    if isinstance(estimator, _BaseLSTM):
        estimator.device_ = _load_device(estimator.device_, device)
        state = tensors[encoded["tensors"]]
        if estimator.conv_filters is not None and not any(
            key.endswith("norm.running_mean") for key in state["module"]
        ):  # written before the convolutions' batch norm: layer norms
            estimator._conv_norm = "layer"
        config = estimator._net_config()
        estimator._built_config = config
        estimator.net_ = _training.rebuild_net(
            config,
            estimator._torch_seed,
            module=state["module"],
            optimizer=state["optimizer"],
            history=_decode(encoded["history"]),
        )
    return estimator


def _load_device(saved: str, requested: str | None) -> str:
    if requested is not None:  # already resolved by load_model
        return requested
    kind = saved.split(":")[0]
    available = {
        "cpu": True,
        "cuda": torch.cuda.is_available(),
        "mps": torch.backends.mps.is_available(),
    }.get(kind, False)
    if available:
        return saved
    warnings.warn(
        f"The model was trained on {saved!r}, which this machine does not have; "
        "it is loaded on the CPU. Pass device= to load_model to choose.",
        UserWarning,
        stacklevel=4,
    )
    return "cpu"
