"""Print the versions of sklstm's main dependencies and fail on a mismatch.

Usage: ``python ci/check_versions.py CONSTRAINTS [NAME==VERSION ...]``

Every ``NAME==VERSION`` line of the constraints file, and every one given on
the command line, must match the installed version (a local build tag such as
``+cpu`` is ignored), so that a run meant for pinned versions cannot quietly
test others. A pin of a direct dependency of sklstm must also equal that
dependency's ``>=`` bound in pyproject.toml (read from the installed sklstm's
metadata), so that the two files cannot drift apart.
"""

from __future__ import annotations

import re
import sys
from importlib.metadata import PackageNotFoundError, requires, version
from pathlib import Path

SHOWN = ("numpy", "pandas", "scikit-learn", "scipy", "skorch", "torch")


def _pins(lines: list[str]) -> dict[str, str]:
    pins = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            name, sep, pinned = line.partition("==")
            if not sep:
                sys.exit(f"not a NAME==VERSION pin: {line!r}")
            pins[name.strip().lower()] = pinned.strip()
    return pins


def _declared_minimums() -> dict[str, str]:
    """The ``>=`` bounds of sklstm's dependencies (not those of its extras)."""
    bounds = {}
    for requirement in requires("sklstm") or []:
        match = re.fullmatch(r"([\w.-]+)\s*>=\s*([\w.]+)", requirement)
        if match:
            bounds[match[1].lower()] = match[2]
    return bounds


def _release(text: str) -> tuple[int, ...]:
    parts = [int(p) for p in text.split(".")]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _installed(name: str) -> str | None:
    try:
        return version(name).split("+", 1)[0]
    except PackageNotFoundError:
        return None


def main(argv: list[str]) -> int:
    if not argv:
        sys.exit(__doc__)
    file_pins = _pins(Path(argv[0]).read_text().splitlines())
    problems = [
        f"{name}: pinned {file_pins[name]}, but sklstm declares >={low}"
        for name, low in _declared_minimums().items()
        if name in file_pins and _release(file_pins[name]) != _release(low)
    ]
    pins = {**file_pins, **_pins(argv[1:])}
    for name in dict.fromkeys([*SHOWN, *pins]):
        installed = _installed(name)
        pinned = pins.get(name)
        note = "" if pinned is None else f" (pinned {pinned})"
        print(f"{name:<14} {installed or 'not installed'}{note}")
        if pinned is not None and installed != pinned:
            problems.append(f"{name}: {installed or 'not installed'}, pinned {pinned}")
    for problem in problems:
        print(f"version mismatch: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
