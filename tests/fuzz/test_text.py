"""Fuzzing the text tools: TextTokenizer and generate_text."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("hypothesis")

from hypothesis import given
from hypothesis import strategies as st

from sklstm import TextTokenizer, generate_text

from ._contract import check_call, n_rows
from ._models import text_model
from .strategies import odd_arrays, scalars, texts


@given(
    fit_texts=texts,
    other=texts,
    char_level=st.booleans(),
    max_len=st.one_of(st.none(), st.integers(1, 8)),
    ids=st.one_of(
        odd_arrays(max_dims=3),
        st.lists(st.lists(st.integers(-3, 2**64), max_size=3), max_size=3),
    ),
)
def test_text_tokenizer(fit_texts, other, char_level, max_len, ids):
    tok = TextTokenizer(char_level=char_level, max_len=max_len)
    fit = check_call(lambda: tok.fit(fit_texts))
    if not fit.ok:
        return
    for X in (fit_texts, other):
        out = check_call(lambda X=X: tok.transform(X))
        if out.ok:
            assert out.value.shape == (n_rows(X), tok.max_len_)
            assert out.value.dtype == np.int64
            assert ((out.value >= 0) & (out.value < tok.n_tokens_)).all()
            back = check_call(lambda value=out.value: tok.inverse_transform(value))
            assert back.ok
            assert back.value.shape == (n_rows(X),)
    inverse = check_call(lambda: tok.inverse_transform(ids))
    if inverse.ok:
        assert all(isinstance(text, str) for text in inverse.value)


@given(
    seed=st.one_of(
        st.text(max_size=8), st.text(alphabet="the cat", max_size=8), scalars
    ),
    n_chars=st.one_of(st.integers(0, 6), st.sampled_from([-1, True, 2.0])),
    temperature=st.one_of(
        st.floats(0.1, 10),
        st.floats(allow_nan=True),
        st.sampled_from([5e-324, 1e-300, 1e300, np.inf, -1.0, 0.0]),
        st.text(max_size=2),
    ),
)
def test_generate_text(seed, n_chars, temperature):
    model, tok = text_model()
    out = check_call(
        lambda: generate_text(model, tok, seed, n_chars, temperature, random_state=0)
    )
    if out.ok:
        assert isinstance(out.value, str)
        assert out.value.startswith(seed)
        assert len(out.value) == len(seed) + int(n_chars)
