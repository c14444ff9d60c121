"""Text to token ids and back, and sampling text from a next-token classifier.

No torch: the estimators turn ids into embeddings.
"""

from __future__ import annotations

import re
from collections import Counter
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._compat import Interval, StrOptions, _fit_context, validate_params
from ._validation import PAD_ID, UNKNOWN_ID, short_repr

__all__ = ["PAD_ID", "UNKNOWN_ID", "TextTokenizer", "generate_text"]

_WORD = re.compile(r"\w+|[^\w\s]")


class TextTokenizer(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Map strings to fixed-length sequences of token ids.

    Id 0 is padding and id 1 stands for tokens not in the vocabulary; the
    vocabulary's tokens get ids from 2, the most frequent first. The output
    feeds ``LSTMClassifier(embedding_dim=...)`` or ``LSTMRegressor``.

    Parameters
    ----------
    char_level : bool, default=False
        Tokens are characters instead of words (words are runs of letters and
        digits; each punctuation mark is a token of its own).
    lowercase : bool, default=True
        Lowercase the text before splitting it.
    max_vocab : int, default=None
        Keep at most this many tokens (the most frequent); the others map to
        the unknown id.
    min_freq : int, default=1
        Keep only tokens seen at least this many times in ``fit``.
    max_len : int, default=None
        Length of the output sequences; defaults to the longest text in ``fit``.
    padding : {"pre", "post"}, default="pre"
        Put the padding before or after the tokens of a shorter text.
    truncating : {"pre", "post"}, default="pre"
        Drop tokens at the start or the end of a longer text.

    Attributes
    ----------
    vocabulary_ : dict of str to int
        Token to id, for every kept token.
    n_tokens_ : int
        Number of ids in use, including padding and unknown
        (``len(vocabulary_) + 2``); the size an embedding table needs.
    max_len_ : int
        Length of the output sequences.

    See Also
    --------
    generate_text : Sample text from a next-token classifier.

    Notes
    -----
    ``transform`` returns the same layout Keras' ``pad_sequences`` does, and the
    estimators handle both padding sides: they pack each sequence to its real
    tokens, so padding never reaches the recurrent state.

    Examples
    --------
    >>> from sklstm import TextTokenizer
    >>> tok = TextTokenizer(max_len=4).fit(["good film", "not a good film"])
    >>> tok.transform(["a good plot"])
    array([[0, 4, 3, 1]])
    >>> tok.inverse_transform(tok.transform(["a good plot"]))
    array(['a good <unk>'], dtype=object)
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "char_level": ["boolean"],
        "lowercase": ["boolean"],
        "max_vocab": [Interval(Integral, 1, None, closed="left"), None],
        "min_freq": [Interval(Integral, 1, None, closed="left")],
        "max_len": [Interval(Integral, 1, None, closed="left"), None],
        "padding": [StrOptions({"pre", "post"})],
        "truncating": [StrOptions({"pre", "post"})],
    }

    def __init__(
        self,
        *,
        char_level: bool = False,
        lowercase: bool = True,
        max_vocab: int | None = None,
        min_freq: int = 1,
        max_len: int | None = None,
        padding: str = "pre",
        truncating: str = "pre",
    ) -> None:
        self.char_level = char_level
        self.lowercase = lowercase
        self.max_vocab = max_vocab
        self.min_freq = min_freq
        self.max_len = max_len
        self.padding = padding
        self.truncating = truncating

    @_fit_context(prefer_skip_nested_validation=True)  # type: ignore[untyped-decorator]
    def fit(self, X: Any, y: Any = None) -> TextTokenizer:
        """Build the vocabulary from the texts ``X``.

        Parameters
        ----------
        X : iterable of str of length n_samples
            The texts (a list, 1D array or pandas Series).
        y : None
            Ignored.

        Returns
        -------
        self : TextTokenizer
            The fitted tokenizer.
        """
        token_lists = [self._split(text) for text in _check_texts(X)]
        counts = Counter(token for tokens in token_lists for token in tokens)
        kept = sorted(
            (item for item in counts.items() if item[1] >= self.min_freq),
            key=lambda item: (-item[1], item[0]),
        )[: self.max_vocab]
        if not kept:
            raise ValueError(
                "The vocabulary is empty: the texts hold no token seen at least "
                f"min_freq={self.min_freq} time(s). Pass non-empty texts or lower "
                "min_freq."
            )
        self.vocabulary_ = {token: i + 2 for i, (token, _) in enumerate(kept)}
        self.n_tokens_ = len(self.vocabulary_) + 2
        longest = max(len(tokens) for tokens in token_lists)
        self.max_len_ = self.max_len if self.max_len is not None else max(longest, 1)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Token ids of each text, padded or truncated to ``max_len_``.

        Tokens not in ``vocabulary_`` get the unknown id 1. Padding (id 0) and
        truncation follow ``padding`` and ``truncating``.

        Parameters
        ----------
        X : iterable of str of length n_samples
            The texts.

        Returns
        -------
        ids : ndarray of int64 of shape (n_samples, max_len_)
            One row of token ids per text.
        """
        check_is_fitted(self, "vocabulary_")
        texts = _check_texts(X)
        out = np.full((len(texts), self.max_len_), PAD_ID, dtype=np.int64)
        for row, text in enumerate(texts):
            ids = self.encode(text)
            if len(ids) > self.max_len_:
                ids = (
                    ids[-self.max_len_ :]
                    if self.truncating == "pre"
                    else ids[: self.max_len_]
                )
            if len(ids):
                if self.padding == "pre":
                    out[row, -len(ids) :] = ids
                else:
                    out[row, : len(ids)] = ids
        return out

    def encode(self, text: str) -> np.ndarray:
        """Token ids of one text, without padding or truncation.

        Use it to turn a whole corpus into one long id sequence, for example
        to cut it into training windows with :func:`sliding_windows`.

        Parameters
        ----------
        text : str
            The text.

        Returns
        -------
        ids : ndarray of int64 of shape (n_tokens,)
            The id of each token of ``text``, in order; 1 for unknown tokens.
        """
        check_is_fitted(self, "vocabulary_")
        _check_texts([text])
        vocab = self.vocabulary_
        return np.array(
            [vocab.get(token, UNKNOWN_ID) for token in self._split(text)],
            dtype=np.int64,
        )

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Turn token ids back into texts.

        Padding (id 0) is dropped and unknown ids become ``<unk>``. Words are
        joined by single spaces (characters by nothing), and the text is in
        lowercase when ``lowercase=True``, so the original spacing and case are
        not restored.

        Parameters
        ----------
        X : array-like of int of shape (n_samples, n_ids)
            Token ids.

        Returns
        -------
        texts : ndarray of str (object) of shape (n_samples,)
            One text per row of ``X``.
        """
        check_is_fitted(self, "vocabulary_")
        tokens = self._id_to_token()
        try:
            ids = np.asarray(X)
        except ValueError as exc:
            raise ValueError(
                "Expected a 2D array of token ids, got rows of different lengths "
                "or nested sequences."
            ) from exc
        if ids.ndim != 2:
            raise ValueError(
                f"Expected a 2D array of token ids, got shape {ids.shape}."
            )
        if ids.dtype.kind == "f" and np.isfinite(ids).all() and ids.size:
            whole = np.array_equal(ids, np.round(ids))
        else:
            whole = ids.dtype.kind in "iu" or not ids.size
        if not whole:
            raise ValueError(
                f"Expected integer token ids, got values of dtype {ids.dtype} that "
                "are not all whole numbers."
            )
        separator = "" if self.char_level else " "
        return np.array(
            [
                separator.join(tokens.get(int(i), "<unk>") for i in row if i != PAD_ID)
                for row in ids
            ],
            dtype=object,
        )

    def _id_to_token(self) -> dict[int, str]:
        return {i: token for token, i in self.vocabulary_.items()}

    def _split(self, text: str) -> list[str]:
        if self.lowercase:
            text = text.lower()
        return list(text) if self.char_level else _WORD.findall(text)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags


def _check_texts(X: Any) -> list[str]:
    """The texts of X as a list, or a TypeError naming the first non-string."""
    if isinstance(X, str) or getattr(X, "ndim", None) == 0:
        raise TypeError(
            "Expected an iterable of texts, got a single string. Wrap it in a "
            "list: [text]."
        )
    if hasattr(X, "columns"):  # iterating a DataFrame gives its column names
        raise TypeError(
            "Expected a 1D collection of texts (a list, 1D array or Series), got "
            "a DataFrame. Pass one column: X[column]."
        )
    if not hasattr(X, "__iter__"):
        raise TypeError(
            f"Expected an iterable of texts (a list, 1D array or Series), got "
            f"{type(X).__name__}."
        )
    values = X.tolist() if hasattr(X, "tolist") else list(X)
    if values and isinstance(values[0], list):  # a 2D array or a column frame
        raise TypeError(
            "Expected a 1D collection of texts (a list, 1D array or Series), got "
            "a 2D structure. Pass one column."
        )
    for i, value in enumerate(values):
        if not isinstance(value, str):
            raise TypeError(
                f"TextTokenizer expects strings, but item {i} is "
                f"{type(value).__name__} ({short_repr(value)}). Convert or drop it "
                "first."
            )
    return values


@validate_params(
    {
        "model": "no_validation",  # needs predict_proba: checked with advice
        "tokenizer": [TextTokenizer],
        "seed": [str],
        "n_chars": [Interval(Integral, 0, None, closed="left")],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def generate_text(
    model: Any,
    tokenizer: TextTokenizer,
    seed: str,
    n_chars: int,
    temperature: float = 1.0,
    random_state: Any = None,
) -> str:
    """Continue ``seed`` by sampling one token at a time from a classifier.

    At each step the model reads the ids of the last ``n_features_in_`` tokens
    (pre-padded with 0 while the text is shorter), and the next token is drawn
    from its ``predict_proba``, sharpened or flattened by ``temperature``.

    Parameters
    ----------
    model : fitted classifier with ``predict_proba``
        Trained on windows of token ids (``tokenizer.transform`` of the
        preceding text, e.g. from :func:`sliding_windows` over
        ``tokenizer.encode(corpus)``) to predict the next token, as its id or
        as the token string. An :class:`LSTMClassifier` with an embedding and
        ``conv_filters=None`` (its recurrent cell alone) carries its state
        forward, one cell step per token; other models re-read the whole
        window for each token.
    tokenizer : fitted TextTokenizer
        The tokenizer the model's inputs came from (usually
        ``char_level=True``).
    seed : str
        The text to continue.
    n_chars : int
        Number of tokens (characters, for a character-level tokenizer) to add.
    temperature : float, default=1.0
        Sharpness of sampling: lower is more conservative; values near 0 always
        take the most probable token.
    random_state : int, RandomState instance or None, default=None
        Seeds the sampling.

    Returns
    -------
    text : str
        ``seed`` followed by the generated tokens.

    See Also
    --------
    TextTokenizer : Map text to token ids; ``char_level=True`` for characters.
    sliding_windows : Cut the encoded corpus into windows and next tokens.

    Examples
    --------
    >>> from sklstm import LSTMClassifier, TextTokenizer, generate_text
    >>> from sklstm import sliding_windows
    >>> corpus = "abcd" * 30
    >>> tokenizer = TextTokenizer(char_level=True).fit([corpus])
    >>> X, y = sliding_windows(tokenizer.encode(corpus), window=3)
    >>> model = LSTMClassifier(
    ...     embedding_dim=4, hidden_size=8, max_epochs=20, lr=0.05, random_state=0
    ... ).fit(X, y)
    >>> generate_text(model, tokenizer, "ab", n_chars=6, temperature=0.01)
    'abcdabcd'
    """
    check_is_fitted(tokenizer, "vocabulary_")
    if not hasattr(model, "predict_proba"):
        raise TypeError(
            f"generate_text needs a classifier with predict_proba, got "
            f"{type(model).__name__}."
        )
    check_is_fitted(model)
    rng = check_random_state(random_state)
    id_to_token = tokenizer._id_to_token()
    labels = [
        id_to_token.get(int(c), "") if not isinstance(c, str) else c
        for c in model.classes_
    ]
    window = getattr(model, "n_features_in_", tokenizer.max_len_)
    separator = "" if tokenizer.char_level else " "
    ids = list(tokenizer.encode(seed))
    # LSTM and GRU models carry the state of every open window forward: one
    # cell step per token instead of re-reading the window (padding is skipped
    # either way, so a seed with no known token starts from the padding row)
    # (models reading token ids through an embedding only: without one, the
    # zeros that pre-pad a short context are read as steps)
    make = getattr(model, "_window_stepper", None)
    embedded = getattr(model, "embedding_dim", None) is not None
    stepper = None
    if callable(make) and embedded and ids and PAD_ID not in ids:
        stepper = make(window)
    stepped = None
    if stepper is not None:
        for token_id in ids:
            stepped = stepper(token_id)
    generated: list[str] = []
    for _ in range(n_chars):
        if stepped is not None:
            proba = np.asarray(stepped, dtype=np.float64)
        else:
            context = np.zeros((1, window), dtype=np.int64)
            recent = ids[-window:]
            if recent:
                context[0, -len(recent) :] = recent
            proba = np.asarray(model.predict_proba(context)[0], dtype=np.float64)
        logits = np.log(np.clip(proba, 1e-300, None))
        with np.errstate(over="ignore"):  # a tiny temperature: -inf but the top
            weights = np.exp((logits - logits.max()) / temperature)
        choice = int(rng.choice(len(weights), p=weights / weights.sum()))
        token = labels[choice]
        ids.append(tokenizer.vocabulary_.get(token, UNKNOWN_ID))
        generated.append(token)
        if stepper is not None:
            stepped = stepper(ids[-1])
    return seed + "".join(separator + token for token in generated)
