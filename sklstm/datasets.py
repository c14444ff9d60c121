"""Small generated datasets for examples, the demo and quick experiments.

Everything is generated from a seed: nothing is downloaded. numpy only.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "make_event_order",
    "make_negation_reviews",
    "make_ragged_event_order",
    "make_seasonal_series",
]

_NOUNS = ["film", "plot", "cast", "ending", "script", "music", "story", "acting"]
_FILLERS = ["", "really", "honestly", "truly", "quite"]


def make_seasonal_series(
    n_steps: int = 1500, *, noise: float = 1.0, seed: int = 0
) -> np.ndarray:
    """An hourly-like series: daily and half-daily seasons around 100, plus noise.

    The value at step ``t`` is ``100 + 10 sin(2 pi t / 24) + 4 sin(2 pi t / 12)``
    plus Gaussian noise, so a model that remembers the last 24 steps can beat
    the naive forecasts.

    Parameters
    ----------
    n_steps : int, default=1500
        Length of the series.
    noise : float, default=1.0
        Standard deviation of the Gaussian noise.
    seed : int, default=0
        Seed of the noise.

    Returns
    -------
    series : ndarray of shape (n_steps,)
        The series, in time order.

    See Also
    --------
    sklstm.SequenceWindower : Cut the series into one window per time step.

    Examples
    --------
    >>> from sklstm.datasets import make_seasonal_series
    >>> make_seasonal_series(48).shape
    (48,)
    """
    rng = np.random.RandomState(seed)
    t = np.arange(n_steps)
    season = 10 * np.sin(2 * np.pi * t / 24) + 4 * np.sin(2 * np.pi * t / 12)
    series: np.ndarray = 100 + season + rng.normal(scale=noise, size=n_steps)
    return series


def make_event_order(
    n_samples: int, seq_len: int = 20, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Univariate sequences labelled by the order of two events.

    Each sequence holds one up-spike and one down-spike on small noise; the
    label is 1 when the up-spike comes first. Every sequence holds the same
    values in some order, so a model that ignores order is at chance level.

    Parameters
    ----------
    n_samples : int
        Number of sequences.
    seq_len : int, default=20
        Length of each sequence.
    seed : int, default=0
        Seed of the generator.

    Returns
    -------
    X : ndarray of shape (n_samples, seq_len)
        The sequences.
    y : ndarray of int of shape (n_samples,)
        1 when the up-spike comes before the down-spike, else 0.

    See Also
    --------
    make_ragged_event_order : The same task with two features and varied lengths.

    Examples
    --------
    >>> from sklstm.datasets import make_event_order
    >>> X, y = make_event_order(3, seq_len=5)
    >>> X.shape, y.shape
    ((3, 5), (3,))
    """
    rng = np.random.RandomState(seed)
    X = rng.normal(scale=0.1, size=(n_samples, seq_len))
    up = rng.randint(0, seq_len, n_samples)
    down = (up + rng.randint(1, seq_len, n_samples)) % seq_len
    X[np.arange(n_samples), up] += 1.0
    X[np.arange(n_samples), down] -= 1.0
    return X, (up < down).astype(int)


def make_ragged_event_order(
    n_samples: int, *, min_len: int = 4, max_len: int = 25, seed: int = 0
) -> tuple[list[np.ndarray], np.ndarray]:
    """Two-feature sequences of different lengths, labelled by event order.

    Feature 0 and feature 1 each carry one spike; the label is 1 when the
    spike of feature 0 comes first.

    Parameters
    ----------
    n_samples : int
        Number of sequences.
    min_len, max_len : int, default=4, 25
        Range of the sequence lengths (``max_len`` excluded).
    seed : int, default=0
        Seed of the generator.

    Returns
    -------
    X : list of ndarray of shape (len_i, 2)
        The sequences, of lengths between ``min_len`` and ``max_len - 1``.
    y : ndarray of int of shape (n_samples,)
        1 when the spike of feature 0 comes first, else 0.

    See Also
    --------
    make_event_order : The same task with one feature and a fixed length.

    Examples
    --------
    >>> from sklstm.datasets import make_ragged_event_order
    >>> X, y = make_ragged_event_order(3, min_len=4, max_len=6)
    >>> [seq.shape[1] for seq in X], y.shape
    ([2, 2, 2], (3,))
    """
    rng = np.random.RandomState(seed)
    X, y = [], []
    for _ in range(n_samples):
        length = rng.randint(min_len, max_len)
        seq = rng.normal(scale=0.1, size=(length, 2))
        first, second = rng.choice(length, size=2, replace=False)
        seq[first, 0] += 1.0
        seq[second, 1] += 1.0
        X.append(seq)
        y.append(int(first < second))
    return X, np.array(y)


def make_negation_reviews(
    n_samples: int, *, seed: int = 0
) -> tuple[list[str], np.ndarray]:
    """Short reviews whose sentiment depends on word order only.

    "the plot was good , not bad" is positive (1) and "the plot was bad , not
    good" negative (0): both hold the same words, so a bag-of-words model is at
    chance level, while a sequence model can learn it.

    Parameters
    ----------
    n_samples : int
        Number of reviews.
    seed : int, default=0
        Seed of the generator.

    Returns
    -------
    texts : list of str
        The reviews, lowercase words and punctuation separated by spaces.
    y : ndarray of int of shape (n_samples,)
        1 for a positive review, 0 for a negative one.

    See Also
    --------
    sklstm.TextTokenizer : Turn the reviews into token ids.

    Examples
    --------
    >>> from sklstm.datasets import make_negation_reviews
    >>> texts, y = make_negation_reviews(2, seed=3)
    >>> len(texts), y.shape
    (2, (2,))
    """
    rng = np.random.RandomState(seed)
    texts, labels = [], []
    for _ in range(n_samples):
        positive = rng.rand() < 0.5
        first, second = ("good", "bad") if positive else ("bad", "good")
        noun = _NOUNS[rng.randint(len(_NOUNS))]
        filler = _FILLERS[rng.randint(len(_FILLERS))]
        if rng.rand() < 0.5:
            text = f"the {noun} was {filler} {first} , not {second}"
        else:
            text = f"the {noun} was not {second} , it was {filler} {first}"
        texts.append(" ".join(text.split()))
        labels.append(int(positive))
    return texts, np.array(labels)
