"""Generated text corpora for the tests (no downloads)."""

from __future__ import annotations

import numpy as np

_NOUNS = ["film", "plot", "cast", "ending", "script", "music", "story", "acting"]
_FILLERS = ["", "really", "honestly", "truly", "quite"]


def negation_reviews(n: int, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """Reviews whose sentiment depends on word order only.

    "the plot was good , not bad" is positive and "the plot was bad , not good"
    negative: both hold the same words, so a bag of words is at chance level.
    """
    rng = np.random.RandomState(seed)
    texts, labels = [], []
    for _ in range(n):
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
