"""Training glue: the only part of sklstm that imports skorch.

Builds and drives the skorch net (``_net``), its callbacks (``_callbacks``),
the in-memory batch iterator and validation splits (``_data``), resolves
the ``device`` parameter (``_device``), and joins the processes that train one
model together (``_distributed``). The estimators use what is re-exported
here.
"""

from .._nn import ENCODERS, POOLINGS, resolve_cell_params
from ._data import SequenceDataset
from ._device import resolve_device
from ._distributed import Shard, agree, join, shard_device, telling_others
from ._net import (
    OPTIMIZERS,
    ModuleConfig,
    NetConfig,
    TrainingStop,
    build_net,
    config_changes,
    net_state,
    predict_raw,
    rebuild_net,
    refresh_callbacks,
    step_windows,
    train,
    training_history,
)

__all__ = [
    "ENCODERS",
    "OPTIMIZERS",
    "POOLINGS",
    "ModuleConfig",
    "NetConfig",
    "SequenceDataset",
    "Shard",
    "TrainingStop",
    "agree",
    "build_net",
    "config_changes",
    "join",
    "net_state",
    "predict_raw",
    "rebuild_net",
    "refresh_callbacks",
    "resolve_cell_params",
    "resolve_device",
    "shard_device",
    "step_windows",
    "telling_others",
    "train",
    "training_history",
]
