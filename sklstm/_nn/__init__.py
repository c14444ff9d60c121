"""The torch modules: pure torch, no scikit-learn and no skorch.

``SequenceModule`` = [embedding] -> encoder -> one vector per sequence ->
dropout -> linear head. Encoders are registered in ``ENCODERS`` by the ``cell``
names the estimators accept.
"""

from ._conv import SequenceBatchNorm, refresh_statistics
from ._encoders import CausalEncoder, Encoder
from ._module import ENCODERS, SequenceModule, make_encoder, resolve_cell_params
from ._pooling import POOLINGS, Pooling
from ._rnn import GRUEncoder, LSTMEncoder, RNNEncoder
from ._stepping import WindowStepper

__all__ = [
    "ENCODERS",
    "POOLINGS",
    "CausalEncoder",
    "Encoder",
    "GRUEncoder",
    "LSTMEncoder",
    "Pooling",
    "RNNEncoder",
    "SequenceBatchNorm",
    "SequenceModule",
    "WindowStepper",
    "make_encoder",
    "refresh_statistics",
    "resolve_cell_params",
]
