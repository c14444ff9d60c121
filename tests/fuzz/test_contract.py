"""The contract checker itself: it flags what the contract forbids."""

from __future__ import annotations

import signal
import warnings

import numpy as np
import pandas as pd
import pytest

from sklstm import LSTMRegressor

from . import _contract
from ._contract import check_call


def test_check_call_flags_internal_errors_and_hangs(monkeypatch):
    def numpy_error():
        np.asarray([[1.0, 2.0], [3.0]])

    with pytest.raises(AssertionError, match="reads like internals"):
        check_call(numpy_error)

    def torch_error():
        import torch

        torch.zeros(2) @ torch.zeros(3)

    with pytest.raises(pytest.fail.Exception, match="not a ValueError/TypeError"):
        check_call(torch_error)

    def deep_value_error():
        pd.Series(["a"]).astype(float)

    with pytest.raises(AssertionError, match="outside sklstm"):
        check_call(deep_value_error)

    def noisy():
        warnings.warn("overflow encountered", RuntimeWarning, stacklevel=1)

    with pytest.raises(pytest.fail.Exception, match="unexpected RuntimeWarning"):
        check_call(noisy)

    if hasattr(signal, "setitimer"):
        monkeypatch.setattr(_contract, "TIME_LIMIT", 0.05)

        def forever():
            while True:
                pass

        with pytest.raises(pytest.fail.Exception, match="hung"):
            check_call(forever)

    explained = check_call(lambda: LSTMRegressor().fit(np.zeros(3), [1.0]))
    assert isinstance(explained.error, ValueError)
