"""Sphinx configuration of the sklstm documentation.

Build with ``nox -s docs`` (runs the examples) or ``nox -s docs -- quick``
(``-D plot_gallery=0``: the gallery pages without running the examples).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import sklstm

DOCS = Path(__file__).resolve().parent
EXAMPLES = DOCS.parent / "examples"

project = "sklstm"
author = "The sklstm developers"
copyright = "the sklstm developers"
version = release = sklstm.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
default_role = "literal"

# -- API pages ---------------------------------------------------------------

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
# Types are written out in the numpydoc sections; signatures stay short.
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# -- Nitpicky mode -----------------------------------------------------------
# No intersphinx: the build must work offline. References to other projects'
# objects that appear in docstrings therefore cannot resolve; they are listed
# here, and nothing of sklstm's own may be.
nitpick_ignore = [
    ("py:obj", "sklearn.neural_network.MLPRegressor"),
    ("py:obj", "sklearn.neural_network.MLPClassifier"),
    ("py:class", "sklearn.pipeline.Pipeline"),
]

# -- Gallery -----------------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": str(EXAMPLES),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "doc_module": ("sklstm",),
    "backreferences_dir": "gen_modules/backreferences",
    "reference_url": {"sklstm": None},
    "remove_config_comments": True,
    "within_subsection_order": "sphinx_gallery.sorting.FileNameSortKey",
    "show_memory": False,
    "download_all_examples": False,
}

# -- HTML --------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"sklstm {release}"
html_static_path: list[str] = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_sidebars = {"index": []}


# The examples save their figures into the working directory, which during the
# gallery build is examples/. Remove the files the build created there.
_PNGS_BEFORE = set(EXAMPLES.glob("*.png"))


def _remove_example_outputs(app: Any, exception: Exception | None) -> None:
    for path in set(EXAMPLES.glob("*.png")) - _PNGS_BEFORE:
        path.unlink(missing_ok=True)


# Types such as "ndarray of shape (n_features_in_,)" name fitted attributes; in
# reST a word ending in "_" is a link, so escape it inside "shape (...)".
_SHAPE = re.compile(r"shape \(([^()`]*)\)")
_TRAILING_UNDERSCORE = re.compile(r"(\w)_(?=[,\s]|$)")


def _escape_shape(match: re.Match[str]) -> str:
    return "shape (" + _TRAILING_UNDERSCORE.sub(r"\1\\_", match.group(1)) + ")"


def _escape_shapes(
    app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    for i, line in enumerate(lines):
        lines[i] = _SHAPE.sub(_escape_shape, line)


def setup(app: Any) -> None:
    app.connect("build-finished", _remove_example_outputs)
    # after numpydoc (priority 500) has turned the sections into reST
    app.connect("autodoc-process-docstring", _escape_shapes, priority=600)
