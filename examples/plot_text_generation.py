"""
Character-level text generation
===============================

A character-level ``TextTokenizer`` encodes a small corpus; ``sliding_windows``
cuts it into windows of 30 characters and the character that follows each one;
an ``LSTMClassifier`` with an embedding learns to predict that character, and
``generate_text`` samples a continuation, one character at a time.
"""

# %%
from sklstm import LSTMClassifier, TextTokenizer, generate_text, sliding_windows

corpus = (
    "the quick brown fox jumps over the lazy dog. "
    "a lazy dog sleeps in the sun. "
    "the brown fox runs into the woods. "
) * 12

tokenizer = TextTokenizer(char_level=True).fit([corpus])
ids = tokenizer.encode(corpus)
X, y = sliding_windows(ids, window=30)  # y: id of the next character
print(f"{len(tokenizer.vocabulary_)} characters, {len(y)} training windows")

# %%
model = LSTMClassifier(
    embedding_dim=16, hidden_size=64, max_epochs=25, lr=0.01, random_state=0, verbose=1
)
model.fit(X, y)

# %%
# Low temperature follows the corpus; higher temperature takes more risks.
for temperature in (0.1, 0.8, 1.5):
    text = generate_text(
        model,
        tokenizer,
        "the quick brown",
        n_chars=80,
        temperature=temperature,
        random_state=0,
    )
    print(f"T={temperature}: {text!r}")
