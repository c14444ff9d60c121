"""Property-based fuzzing of every public entry point with malformed input.

Each call must either succeed with finite output of the right shape, or raise a
ValueError/TypeError whose message names the problem (see ``_contract.py``).
``strategies.py`` generates the input; there is one test module per family of
entry points. ``HYPOTHESIS_PROFILE=fuzz`` (``nox -s fuzz``) runs many more
examples than the suite's default profile (see tests/conftest.py).
"""
