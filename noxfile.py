"""Sessions (``nox -s NAME``): tests, tests_min, lint, typecheck, layers, docs,
fuzz, bench, bench_memory, bench_out_of_core, scale_out, scale_out_engines and
demo; ``nox`` alone runs tests and lint."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint"]
nox.options.reuse_existing_virtualenvs = True

# On a machine without a GPU this installs torch's CPU build first, so that the
# package's own ``torch>=`` requirement is already met. Override with
# SKLSTM_TORCH="torch" (or another spec) to get the default build.
TORCH = "torch==2.13.0"
ENV = {"OMP_NUM_THREADS": "1"}
# The lowest versions of the dependencies, the `>=` bounds of pyproject.toml.
MINIMUM_VERSIONS = "ci/minimum-versions.txt"


def _install(session: nox.Session, extra: str, *pip_args: str) -> None:
    import os

    session.install(os.environ.get("SKLSTM_TORCH", TORCH))
    session.install("-e", f".[{extra}]", *pip_args)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (pass pytest options after --)."""
    _install(session, "test")
    session.run("python", "-m", "pytest", *session.posargs, env=ENV)


@nox.session(default=False)
def tests_min(session: nox.Session) -> None:
    """Run the test suite with the minimum versions (ci/minimum-versions.txt).

    Fails before testing if the installed numpy, pandas, scikit-learn, scipy,
    skorch or torch are not the pinned versions.
    """
    import os

    _install(session, "test", "-c", MINIMUM_VERSIONS)
    torch_pin = [] if "SKLSTM_TORCH" in os.environ else [TORCH]
    session.run("python", "ci/check_versions.py", MINIMUM_VERSIONS, *torch_pin)
    session.run("python", "-m", "pytest", *session.posargs, env=ENV)


@nox.session
def lint(session: nox.Session) -> None:
    """Lint and check formatting with ruff."""
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """Type-check the package with mypy."""
    _install(session, "dev")  # dev includes pandas-stubs
    session.run("mypy", *session.posargs)


@nox.session
def layers(session: nox.Session) -> None:
    """Check the import layering contracts of pyproject.toml with import-linter."""
    session.install("import-linter")
    session.run("lint-imports", *session.posargs)


@nox.session(default=False)
def docs(session: nox.Session) -> None:
    """Build the HTML docs into docs/_build/html, running the gallery examples.

    ``nox -s docs -- quick`` builds without running the examples; other
    arguments after ``--`` go to sphinx-build (e.g. ``-E`` for a fresh build).
    """
    _install(session, "docs")
    args = list(session.posargs)
    if "quick" in args:
        args.remove("quick")
        args += ["-D", "plot_gallery=0"]
    session.run(
        "sphinx-build",
        *("-W", "--keep-going", "-n", "-b", "html"),
        *args,
        "docs",
        "docs/_build/html",
        env=ENV,
    )


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Speed benchmark: sklstm vs a torch loop vs skorch defaults (1 thread)."""
    _install(session, "test")
    session.run("python", "benchmarks/bench_speed.py", *session.posargs, env=ENV)


@nox.session(default=False)
def bench_xlstm(session: nox.Session) -> None:
    """Training speed of the xLSTM cells vs the LSTM cell and the reference."""
    _install(session, "test")
    session.run("python", "benchmarks/bench_xlstm.py", *session.posargs, env=ENV)


@nox.session(default=False)
def bench_quality(session: nox.Session) -> None:
    """The default estimators on real data sets bundled with aeon and statsmodels."""
    _install(session, "bench")
    session.run("python", "benchmarks/bench_quality.py", *session.posargs, env=ENV)


@nox.session(default=False)
def bench_panel(session: nox.Session) -> None:
    """One LSTM for the 181 series of M1 yearly, against per-series baselines."""
    _install(session, "bench")
    session.run("python", "benchmarks/bench_panel.py", *session.posargs, env=ENV)


@nox.session(default=False)
def bench_quantiles(session: nox.Session) -> None:
    """Coverage, width and pinball loss of the quantile intervals on known noise."""
    _install(session, "test")
    session.run("python", "benchmarks/bench_quantiles.py", *session.posargs, env=ENV)


@nox.session(default=False)
def demo(session: nox.Session) -> None:
    """Run the forecasting demo."""
    _install(session, "test")
    session.run("python", "-m", "sklstm", *session.posargs, env=ENV)


@nox.session(default=False)
def bench_memory(session: nox.Session) -> None:
    """Peak memory of windowing and training on a 1,000,000-step series."""
    _install(session, "test")
    session.run("python", "benchmarks/bench_memory.py", *session.posargs, env=ENV)


@nox.session(default=False)
def bench_out_of_core(session: nox.Session) -> None:
    """Peak memory of fitting on a memory-mapped 100,000,000-step series."""
    _install(session, "test")
    session.run("python", "benchmarks/bench_out_of_core.py", *session.posargs, env=ENV)


@nox.session(default=False)
def scale_out(session: nox.Session) -> None:
    """Data-parallel training under torchrun and searches on a dask cluster."""
    _install(session, "test")
    env = {**ENV, "GLOO_SOCKET_IFNAME": "lo"}
    tests = ["tests/test_data_parallel.py", "tests/test_scale_out.py"]
    session.run("python", "-m", "pytest", *tests, *session.posargs, env=env)


@nox.session(default=False)
def scale_out_engines(session: nox.Session) -> None:
    """Searches on Ray and Spark (heavy; Spark needs Java 17 or later)."""
    _install(session, "test")
    # joblibspark 0.6.0 (the latest) needs a joblib before 1.5
    session.install("ray", "pyspark", "joblibspark", "joblib<1.5")
    tests = ["-m", "engines", "tests/engines"]
    session.run("python", "-m", "pytest", *tests, *session.posargs, env=ENV)


@nox.session(default=False)
def fuzz(session: nox.Session) -> None:
    """Property-based input fuzzing with many examples (several minutes)."""
    _install(session, "test")
    session.run(
        "python",
        "-m",
        "pytest",
        "tests/fuzz",
        "--hypothesis-show-statistics",
        *session.posargs,
        env={**ENV, "HYPOTHESIS_PROFILE": "fuzz"},
    )
