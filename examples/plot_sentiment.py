"""
Sentiment of short reviews, where word order matters
====================================================

``TextTokenizer`` maps each review to token ids and
``LSTMClassifier(embedding_dim=...)`` learns embeddings and reads the ids in
order. The generated reviews say "good , not bad" or "bad , not good": the same
words, so a bag-of-words model cannot tell them apart.
"""

# %%
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report
from sklearn.pipeline import make_pipeline

from sklstm import LSTMClassifier, TextTokenizer
from sklstm.datasets import make_negation_reviews

texts, y = make_negation_reviews(800, seed=0)
texts_test, y_test = make_negation_reviews(400, seed=1)
print(texts[:3], y[:3])

# %%
# A bag-of-words baseline.
bag = make_pipeline(CountVectorizer(), LogisticRegression()).fit(texts, y)
print(f"bag of words accuracy: {bag.score(texts_test, y_test):.3f}")

# %%
# The sequence model. ``padding="pre"`` is what Keras users know; "post" works
# the same, as the padding never reaches a review's vector.
model = make_pipeline(
    TextTokenizer(max_len=12),
    LSTMClassifier(
        embedding_dim=16, hidden_size=32, max_epochs=15, lr=0.01, random_state=0
    ),
)
model.fit(texts, y)
print(f"LSTM accuracy: {model.score(texts_test, y_test):.3f}")
print(
    classification_report(
        y_test, model.predict(texts_test), target_names=["neg", "pos"]
    )
)
print(
    model.predict_proba(["the plot was good , not bad", "the plot was bad , not good"])
)
