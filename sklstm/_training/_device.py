"""Resolve the ``device`` parameter to a concrete torch device string."""

from __future__ import annotations

import re

import torch

__all__ = ["resolve_device"]

_DEVICE_PATTERN = re.compile(r"^(auto|cpu|cuda(:\d+)?|mps)$")


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def resolve_device(device: str) -> str:
    """Return the torch device that ``device`` names on this machine.

    Parameters
    ----------
    device : str
        ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"``,
        ``"cuda:<index>"`` or ``"mps"``.

    Returns
    -------
    resolved : str
        A device string torch accepts.

    Raises
    ------
    ValueError
        If ``device`` is not one of the forms above, or names an accelerator
        this machine does not have.
    """
    if not isinstance(device, str) or not _DEVICE_PATTERN.match(device):
        raise ValueError(
            f"device={device!r} is not a valid device. Use 'auto' (CUDA when "
            "available, otherwise the CPU), 'cpu', 'cuda', 'cuda:<index>' or 'mps'."
        )
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={device!r} was requested but CUDA is not available on "
                "this machine. Use device='auto' to fall back to the CPU."
            )
        index = int(device.split(":")[1]) if ":" in device else 0
        if index >= torch.cuda.device_count():
            raise ValueError(
                f"device={device!r} was requested but this machine has "
                f"{torch.cuda.device_count()} CUDA device(s)."
            )
    if device == "mps" and not _mps_available():
        raise ValueError(
            "device='mps' was requested but the MPS backend is not available on "
            "this machine. Use device='auto' or 'cpu'."
        )
    return device
