"""
Character-level text generation
===============================

A character-level ``TextTokenizer`` encodes a small generated corpus of short
sentences; ``sliding_windows`` cuts it into windows of 20 characters and the
character that follows each one;
an ``LSTMClassifier`` with an embedding learns to predict that character, and
``generate_text`` samples a continuation, one character at a time.
"""

# %%
import numpy as np

from sklstm import LSTMClassifier, TextTokenizer, generate_text, sliding_windows

rng = np.random.default_rng(0)
subjects = ["the fox", "a lazy dog", "the old cat", "my bird"]
verbs = ["runs into", "sleeps in", "jumps over", "looks at"]
places = ["the woods", "the sun", "the river", "a red box"]
corpus = " ".join(
    f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(places)}."
    for _ in range(120)
)

tokenizer = TextTokenizer(char_level=True).fit([corpus])
ids = tokenizer.encode(corpus)
X, y = sliding_windows(ids, window=20)  # y: id of the next character
print(f"{len(tokenizer.vocabulary_)} characters, {len(y)} training windows")

# %%
# ``conv_filters=None``: the cell alone, without the classifier's convolutional
# branch, so that ``generate_text`` carries its state forward one character at
# a time instead of re-reading the window for each one.
model = LSTMClassifier(
    embedding_dim=16,
    hidden_size=64,
    conv_filters=None,
    max_epochs=15,
    lr=0.01,
    random_state=0,
    verbose=1,
)
model.fit(X, y)

# %%
# At a low temperature the model picks the likeliest character, and repeats
# itself; at 1 it samples as it learned, forming new sentences from the parts
# it saw; higher temperatures take more risks and misspell.
for temperature in (0.2, 1.0, 2.0):
    text = generate_text(
        model,
        tokenizer,
        "the fox runs into ",
        n_chars=80,
        temperature=temperature,
        random_state=0,
    )
    print(f"T={temperature}: {text!r}")
