"""TextTokenizer, the embedding path of the estimators, and generate_text."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from sklstm import (
    LSTMClassifier,
    LSTMRegressor,
    TextTokenizer,
    generate_text,
    sliding_windows,
)
from sklstm.datasets import make_negation_reviews as negation_reviews

from ._params import FAST, ONE_EPOCH

EMBED = {**FAST, "embedding_dim": 8}


def test_vocabulary_is_ordered_by_frequency_with_reserved_ids():
    tok = TextTokenizer().fit(["b a a", "c a b"])
    assert tok.vocabulary_ == {"a": 2, "b": 3, "c": 4}
    assert tok.n_tokens_ == 5
    assert tok.max_len_ == 3


def test_padding_and_truncating_sides():
    texts = ["x y z w", "x"]
    fit = ["x y z w"]
    pre = TextTokenizer(max_len=3).fit(fit).transform(texts)
    post = TextTokenizer(max_len=3, padding="post", truncating="post").fit(fit)
    # ties in frequency are ordered alphabetically: w=2, x=3, y=4, z=5
    np.testing.assert_array_equal(pre, [[4, 5, 2], [0, 0, 3]])  # keeps the end
    np.testing.assert_array_equal(post.transform(texts), [[3, 4, 5], [3, 0, 0]])


def test_unknown_words_min_freq_and_max_vocab():
    tok = TextTokenizer(min_freq=2).fit(["a a b", "a c c"])
    assert set(tok.vocabulary_) == {"a", "c"}
    assert tok.transform(["b zebra a"])[0].tolist() == [1, 1, 2]
    assert TextTokenizer(max_vocab=1).fit(["a a b"]).vocabulary_ == {"a": 2}


def test_words_punctuation_and_case():
    tok = TextTokenizer().fit(["Good, not BAD!"])
    assert set(tok.vocabulary_) == {"good", ",", "not", "bad", "!"}
    assert TextTokenizer(lowercase=False).fit(["Good good"]).n_tokens_ == 4


def test_char_level_round_trip():
    tok = TextTokenizer(char_level=True).fit(["hello"])
    ids = tok.transform(["hell", "olleh"])
    assert ids.shape == (2, 5)
    assert list(tok.inverse_transform(ids)) == ["hell", "olleh"]
    assert tok.encode("he").tolist() == [tok.vocabulary_["h"], tok.vocabulary_["e"]]


def test_inverse_transform_marks_unknown_ids():
    tok = TextTokenizer().fit(["a b"])
    assert list(tok.inverse_transform([[0, 2, 1, 3]])) == ["a <unk> b"]


def test_accepts_arrays_and_series():
    texts = ["a b", "b c"]
    expected = TextTokenizer().fit_transform(texts)
    np.testing.assert_array_equal(
        TextTokenizer().fit_transform(np.array(texts)), expected
    )
    np.testing.assert_array_equal(
        TextTokenizer().fit_transform(pd.Series(texts)), expected
    )


@pytest.mark.parametrize("bad", [[1.0, "a"], ["a", None], np.array([3, 4])])
def test_text_that_is_not_strings(bad):
    with pytest.raises(TypeError, match="expects strings, but item"):
        TextTokenizer().fit(bad)


def test_a_single_string_is_not_a_collection_of_texts():
    with pytest.raises(TypeError, match=r"Wrap it in a list"):
        TextTokenizer().fit("some text")


def test_two_dimensional_text_is_refused():
    with pytest.raises(TypeError, match="Pass one column"):
        TextTokenizer().fit(np.array([["a", "b"], ["c", "d"]]))


@pytest.mark.parametrize("texts", [["", "  "], ["!"]])
def test_empty_vocabulary(texts):
    tok = TextTokenizer(min_freq=2 if texts == ["!"] else 1)
    with pytest.raises(ValueError, match="vocabulary is empty"):
        tok.fit(texts)


def test_invalid_tokenizer_parameters():
    with pytest.raises(ValueError, match="'padding' parameter of TextTokenizer"):
        TextTokenizer(padding="middle").fit(["a"])


@pytest.mark.parametrize(
    ("texts", "match"),
    [
        (None, "Expected an iterable of texts.*got NoneType"),
        (3, "got int"),
        (np.array("one text"), "got a single string"),  # was split into characters
        (pd.DataFrame({"text": ["a b", "c"]}), "got a DataFrame"),  # was the names
    ],
)
def test_tokenizer_refuses_what_is_no_collection_of_texts(texts, match):
    # found by fuzzing
    with pytest.raises(TypeError, match=match):
        TextTokenizer().fit(texts)


@pytest.mark.parametrize(
    ("ids", "match"),
    [
        ([[2.5, 2]], "not all whole numbers"),  # was truncated to 2
        ([[np.nan, 2]], "not all whole numbers"),
        ([["a", "b"]], "not all whole numbers"),
        ([[1, 2], [3]], "rows of different lengths"),
    ],
)
def test_tokenizer_inverse_transform_checks_the_ids(ids, match):
    # found by fuzzing
    tok = TextTokenizer().fit(["a b c"])
    with pytest.raises(ValueError, match=match):
        tok.inverse_transform(ids)


@pytest.fixture(scope="module")
def reviews():
    return negation_reviews(600, seed=0), negation_reviews(300, seed=1)


@pytest.mark.slow
@pytest.mark.parametrize("padding", ["pre", "post"])
def test_sentiment_that_depends_on_word_order(reviews, padding):
    (X, y), (X_test, y_test) = reviews
    bag = make_pipeline(CountVectorizer(), LogisticRegression()).fit(X, y)
    assert bag.score(X_test, y_test) < 0.65
    model = make_pipeline(
        TextTokenizer(max_len=12, padding=padding),
        LSTMClassifier(
            embedding_dim=16, hidden_size=32, max_epochs=15, lr=0.01, random_state=0
        ),
    )
    assert model.fit(X, y).score(X_test, y_test) > 0.9


def test_pre_and_post_padding_give_the_same_predictions(reviews):
    (X, y), _ = reviews
    pre = TextTokenizer(max_len=14).fit(X)
    post = TextTokenizer(max_len=14, padding="post").fit(X)
    model = LSTMClassifier(**EMBED).fit(pre.transform(X[:200]), y[:200])
    np.testing.assert_allclose(
        model.predict_proba(post.transform(X[:50])),
        model.predict_proba(pre.transform(X[:50])),
        atol=1e-6,
    )


def test_ids_unseen_in_fit_are_unknown(reviews):
    (X, y), _ = reviews
    ids = TextTokenizer(max_len=12).fit_transform(X[:100])
    model = LSTMClassifier(**EMBED).fit(ids, y[:100])
    assert model.n_tokens_ == ids.max() + 1
    unseen = ids[:5].copy()
    unseen[:, -1] = model.n_tokens_ + 100
    as_unknown = ids[:5].copy()
    as_unknown[:, -1] = 1
    np.testing.assert_array_equal(
        model.predict_proba(unseen), model.predict_proba(as_unknown)
    )


def test_regressor_on_token_ids():
    rng = np.random.RandomState(0)
    ids = rng.randint(0, 6, size=(200, 8))
    y = (ids == 3).sum(axis=1).astype(float)
    model = LSTMRegressor(**{**EMBED, "max_epochs": 30}).fit(ids, y)
    assert model.x_mean_ is None
    assert model.score(ids, y) > 0.8


@pytest.fixture(scope="module")
def char_model():
    corpus = "hello world. " * 40
    tok = TextTokenizer(char_level=True).fit([corpus])
    X, y = sliding_windows(tok.encode(corpus), window=10)
    model = LSTMClassifier(  # the cell alone (no convolutions): it can step
        embedding_dim=8,
        hidden_size=32,
        conv_filters=None,
        max_epochs=30,
        lr=0.01,
        random_state=0,
    )
    return tok, model.fit(X, y)


def test_generate_text_continues_a_repetitive_corpus(char_model):
    tok, model = char_model
    text = generate_text(
        model, tok, "hello wor", n_chars=20, temperature=0.01, random_state=0
    )
    assert text == "hello world. hello world. hel"


def test_generate_text_is_seeded_and_high_temperature_varies(char_model):
    tok, model = char_model
    a = generate_text(model, tok, "hello", 40, temperature=5.0, random_state=1)
    b = generate_text(model, tok, "hello", 40, temperature=5.0, random_state=1)
    cold = generate_text(model, tok, "hello", 40, temperature=0.01, random_state=1)
    assert a == b
    assert a != cold
    assert len(a) == len("hello") + 40


def test_generate_text_steps_the_state_as_rereading_would(char_model, monkeypatch):
    tok, model = char_model
    assert model._window_stepper(10) is not None
    # a seed shorter than the window, then past it: both regimes of the windows
    stepped = generate_text(model, tok, "he", 60, temperature=1.0, random_state=3)
    monkeypatch.setattr(model, "_window_stepper", lambda window: None)
    reread = generate_text(model, tok, "he", 60, temperature=1.0, random_state=3)
    assert stepped == reread


def test_a_seed_with_tokens_unseen_in_fit_steps_as_unknown(monkeypatch):
    corpus = "abab" * 10 + "z"  # "z" is only ever a target, never an input
    tok = TextTokenizer(char_level=True).fit([corpus])
    X, y = sliding_windows(tok.encode(corpus), window=3)
    model = LSTMClassifier(**{**EMBED, "max_epochs": 2}).fit(X, y)
    stepped = generate_text(model, tok, "abz", 8, random_state=0)
    monkeypatch.setattr(model, "_window_stepper", lambda window: None)
    assert stepped == generate_text(model, tok, "abz", 8, random_state=0)


def test_generate_text_with_character_labels():
    corpus = "abcabcabcabcabcabcabc" * 3
    tok = TextTokenizer(char_level=True).fit([corpus])
    ids = tok.encode(corpus)
    X, _ = sliding_windows(ids, window=4)
    y = np.array(list(corpus[4:]))  # the next character itself
    model = LSTMClassifier(**{**EMBED, "max_epochs": 40}).fit(X, y)
    assert (
        generate_text(model, tok, "abca", 5, temperature=0.01, random_state=0)
        == "abcabcabc"
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"temperature": 0.0}, "temperature"),
        ({"temperature": -1.0}, "temperature"),
        ({"temperature": "hot"}, "temperature"),
        ({"n_chars": -1}, "n_chars"),
        ({"n_chars": 2.5}, "n_chars"),
    ],
)
def test_generate_text_arguments(char_model, kwargs, match):
    tok, model = char_model
    args = {"seed": "hello", "n_chars": 3, **kwargs}
    with pytest.raises(
        ValueError, match=rf"The '{match}' parameter of generate_text must be"
    ):
        generate_text(model, tok, **args)


@pytest.fixture
def tiny_char_model():
    corpus = "the cat sat on the mat. " * 4
    tok = TextTokenizer(char_level=True).fit([corpus])
    X, y = sliding_windows(tok.encode(corpus), 5)
    return LSTMClassifier(**ONE_EPOCH, embedding_dim=2).fit(X, y), tok


def test_generate_text_with_a_tiny_temperature_takes_the_top_token(tiny_char_model):
    # found by fuzzing: the logits overflowed with a warning
    model, tok = tiny_char_model
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        text = generate_text(model, tok, "the ", 3, temperature=5e-324)
    assert text == generate_text(model, tok, "the ", 3, temperature=1e-6)


def test_generate_text_needs_a_fitted_classifier(tiny_char_model):
    _, tok = tiny_char_model
    with pytest.raises(NotFittedError):
        generate_text(LSTMClassifier(), tok, "the", 2)
    with pytest.raises(TypeError, match="needs a classifier with predict_proba"):
        generate_text(LSTMRegressor(), tok, "the", 2)
