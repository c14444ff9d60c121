"""LSTMRegressor: single- and multi-output regression on sequences."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ._base import _BaseLSTM
from ._compat import StrOptions, _fit_context
from ._sequences import WINDOW_SCALINGS, unscale_rows
from ._targets import REGRESSION_LOSSES, QuantileTarget, RegressionTarget
from ._validation import numeric_target

__all__ = ["LSTMRegressor", "interval_levels", "quantile_columns"]


def quantile_columns(fitted: np.ndarray, quantiles: Any) -> np.ndarray:
    """Positions in ``fitted`` of the levels ``quantiles`` (None: all).

    Raises
    ------
    ValueError
        If a level is not strictly between 0 and 1, or was not fitted (levels
        are matched, never interpolated).
    """
    if quantiles is None:
        return np.arange(len(fitted))
    asked = np.atleast_1d(np.asarray(quantiles, dtype=float))
    outside = asked[~((asked > 0) & (asked < 1))]
    if len(outside):
        raise ValueError(
            f"quantiles must lie strictly between 0 and 1; got "
            f"{float(outside[0])}. This model fitted {fitted.tolist()}."
        )
    columns = [np.flatnonzero(np.isclose(fitted, q, rtol=0, atol=1e-9)) for q in asked]
    missing = [float(q) for q, c in zip(asked, columns, strict=True) if not len(c)]
    if missing:
        raise ValueError(
            f"quantiles {missing} were not fitted; this model fitted "
            f"{fitted.tolist()}. Refit with them in quantiles= (levels are "
            "not interpolated)."
        )
    return np.array([int(c[0]) for c in columns])


def _unscale(
    values: np.ndarray, row_stats: tuple[np.ndarray, np.ndarray] | None
) -> np.ndarray:
    """Predictions back in the units of ``y``, from those of their sequences."""
    return values if row_stats is None else unscale_rows(values, *row_stats)


def _quantile_model(estimator: Any) -> bool:
    """available_if's check: the quantile methods exist on quantile models."""
    if not estimator._fits_quantiles():
        raise AttributeError(
            f"This {type(estimator).__name__} predicts points: predict_quantiles "
            "and predict_interval need a model fitted with loss='quantile'."
        )
    return True


def interval_levels(coverage: Any, fitted: np.ndarray | None = None) -> list[float]:
    """The quantile levels bounding a central interval of ``coverage``.

    Raises
    ------
    ValueError
        If ``coverage`` is not strictly between 0 and 1, or (with ``fitted``)
        a bound's level is not among the fitted levels.
    """
    if (
        isinstance(coverage, bool)
        or not isinstance(coverage, (int, float, np.floating, np.integer))
        or not 0 < float(coverage) < 1
    ):
        raise ValueError(
            f"coverage must be strictly between 0 and 1, such as 0.8 for an "
            f"80 % interval; got {coverage!r}."
        )
    levels = [
        round((1 - float(coverage)) / 2, 12),
        round((1 + float(coverage)) / 2, 12),
    ]
    if fitted is not None:
        missing = [
            q for q in levels if not np.isclose(fitted, q, rtol=0, atol=1e-9).any()
        ]
        if missing:
            raise ValueError(
                f"An interval of coverage {coverage} needs the quantiles "
                f"{levels}, and {missing} were not fitted (fitted: "
                f"{fitted.tolist()}). Refit with quantiles= including them, or "
                "ask for a coverage whose bounds were fitted."
            )
    return levels


class LSTMRegressor(RegressorMixin, _BaseLSTM):  # type: ignore[misc]
    """Recurrent neural network regressor for sequences (LSTM or GRU).

    Each sample is a whole sequence; the network reads it step by step and
    predicts one value (or one row of values) from its last hidden state.
    Training runs through skorch with seeded, reproducible mini-batch steps.

    Parameters
    ----------
    hidden_size : int, default=64
        Number of units in each recurrent layer.
    num_layers : int, default=1
        Number of stacked recurrent layers.
    bidirectional : bool, default=False
        Whether each layer also reads the sequence backwards.
    dropout : float, default=0.0
        Dropout rate between stacked layers and before the output layer.
    cell : {"lstm", "gru", "slstm", "mlstm", "xlstm"}, default="lstm"
        The recurrent cell. ``"slstm"``, ``"mlstm"`` and ``"xlstm"`` are the
        blocks of xLSTM (sLSTM, mLSTM, and a stack mixing them), with
        ``hidden_size`` the width of every block and ``num_layers`` the number
        of blocks; they read sequences forwards only (see the user guide's
        xLSTM page).
    cell_params : dict, default=None
        Options of the chosen cell, by name; ``"lstm"`` and ``"gru"`` take
        none, the xLSTM cells their number of heads, convolution size,
        projection factors and the like (documented defaults in the user
        guide). A name the cell does not take, or a value it cannot be built
        with, is a ``ValueError`` that names the fix.
    pooling : {"last", "mean", "max", "attention"}, default="last"
        How each sequence becomes one vector for the output layer: the
        cell's last state (``"last"``), or its outputs at every valid step
        averaged (``"mean"``), maximised unit by unit (``"max"``) or weighted by
        a learned score (``"attention"``). Padding never enters a pooled
        vector. Pooling helps on long sequences, where the last state alone
        gives the training little to follow (see the user guide).
    conv_filters : int or None, default=None
        If set, three temporal convolutions (``conv_filters``,
        ``2 * conv_filters`` and ``conv_filters`` filters of widths 8, 5 and
        3, as in LSTM-FCN) read the sequences beside the cell; their output,
        averaged over the valid steps, joins the cell's vector before the
        output layer. It finds local shapes anywhere in long sequences,
        which helps most with few long training series (see the user guide).
    embedding_dim : int, default=None
        If set, ``X`` holds integer token ids (e.g. from :class:`TextTokenizer`;
        0 is padding, 1 unknown) that a learned embedding of this size turns
        into vectors. Ids above those seen in ``fit`` count as unknown.
    standardize : bool, default=True
        Standardise each input feature with the mean and standard deviation
        seen in the first ``fit`` (over all samples and time steps). With
        ``window_scaling`` the target series of each sequence is scaled by its
        own statistics instead.
    standardize_target : bool, default=True
        Standardise each target column for training; predictions are returned
        in the original units.
    window_scaling : {"standard", "mean_abs", "robust"} or None, default=None
        Scale each sequence's target series by statistics of its own steps,
        for series of very different levels (many series, or one that
        grows): mean and standard deviation; 0 and the mean absolute value;
        or median and 1.4826 times the median absolute deviation. The
        targets are scaled the same way and predictions (and quantiles) scaled
        back, so multiplying a sequence's target series by ``c > 0``
        multiplies its predictions by ``c``. The target series is the first
        channel, or the ``target`` of the windows that
        :func:`sliding_windows` cut from a panel; other channels are
        standardised as ``standardize`` says. A scale is at least 1 % of the
        sequence's mean absolute value. The network no longer sees a
        sequence's level, so leave it None when the targets depend on the
        level itself (see the user guide).
    loss : {"squared_error", "absolute_error", "huber", "quantile"}, \
default="squared_error"
        The training loss. "quantile" fits every level of ``quantiles`` with
        one network (the mean pinball loss over the levels): ``predict``
        returns the median, :meth:`predict_quantiles` and
        :meth:`predict_interval` the others.
    quantiles : array-like of float, default=None
        With ``loss="quantile"``: the levels to fit, each strictly between 0
        and 1 (None: 0.1, 0.5 and 0.9). The median, 0.5, is always fitted.
        The quantiles never cross: each level is the median plus (or minus) a
        sum of non-negative steps.
    max_epochs : int or "auto", default="auto"
        Number of passes over the training data (fewer with early stopping).
        "auto" makes enough epochs for at least 1,000 optimiser steps,
        between 50 and 500: more epochs for data sets of a few batches.
    batch_size : int, default=32
        Number of sequences per gradient step.
    samples_per_epoch : int, float or None, default=None
        Training sequences per epoch, drawn at random without repeats (a new
        draw every epoch): an int is a count, a float in (0, 1] a share of
        the training samples; at most all of them. None: every training
        sample in every epoch. It bounds the time and memory of an epoch on
        very large data, such as the windows of a memory-mapped series (see
        :ref:`scaling_out`); ``max_epochs="auto"`` counts its steps.
    lr : float, default=3e-3
        Learning rate (the highest, with ``lr_schedule="cosine"``).
    lr_schedule : {"cosine", "constant"}, default="cosine"
        How the learning rate changes in each ``fit``: ``"cosine"`` lowers
        it from ``lr`` towards 0 along half a cosine, over the optimiser
        steps of ``max_epochs`` epochs (early stopping may end training
        sooner; a warm start decays afresh); ``"constant"`` keeps ``lr``, as
        ``partial_fit`` always does. The small late steps settle the
        weights (see the user guide for the evidence behind the default).
        A skorch ``LRScheduler`` in ``callbacks`` needs ``"constant"``.
    optimizer : {"adam", "adamw", "sgd", "rmsprop"} or torch optimizer class, \
default="adam"
        The optimizer.
    weight_decay : float, default=0.0
        L2 penalty (decoupled for ``"adamw"``).
    clip_grad_norm : float, default=None
        If set, clip the gradient norm to this value at every step.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data, stop when the validation
        loss has not improved by ``tol`` for ``n_iter_no_change`` epochs, and
        restore the weights of the best epoch.
    validation_fraction : float, default=0.1
        Share of the samples held out with ``early_stopping``.
    validation_split : {"tail", "random"}, default="tail"
        Which samples are held out: the last ones (right for windows of one
        time-ordered series: no future data leaks into training) or a random
        subset. For the windows of a panel that :func:`sliding_windows` cut
        with ``groups=``, "tail" holds out the last windows of every series.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    tol : float, default=1e-4
        Minimum decrease of the validation loss that counts as improvement.
    warm_start : bool, default=False
        If True, ``fit`` continues training the current network for
        ``max_epochs`` more epochs instead of starting afresh. Settings the
        network was built with (sizes, optimizer, lr, loss, ...) must not change
        in between; a ``ValueError`` names any that did.
    callbacks : list of skorch callbacks, default=None
        Extra skorch callbacks (e.g. ``Checkpoint``, or an ``LRScheduler``
        with ``lr_schedule="constant"``), as instances or ``(name, callback)``
        tuples. Each fit uses fresh copies.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, dropout and the random
        validation split (``validation_split="random"``). An int gives
        identical predictions fit after fit on the same machine and thread
        count.
    device : str, default="auto"
        ``"auto"`` uses CUDA when available and the CPU otherwise; or
        ``"cpu"``, ``"cuda"``, ``"cuda:<index>"``, ``"mps"``.
    data_parallel : bool, default=False
        Train one model across the processes of a ``torch.distributed``
        world, e.g. a script started with ``torchrun --nproc-per-node N``:
        every process takes its share of every batch of ``batch_size``
        sequences, the gradients are averaged, and every process ends with
        the same weights (each on its own GPU with CUDA). Every process must
        be given the same data. In a single process (plain ``python``) it
        changes nothing. See :ref:`scaling_out`.
    verbose : int, default=0
        0 is silent, 1 prints one line per epoch, 2 adds a progress bar.

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` is the torch module.
    n_features_in_ : int
        Number of time steps per sequence seen in ``fit`` (scikit-learn
        counts columns of ``X`` as features).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of ``X`` when it was a DataFrame with string column names.
    n_channels_ : int
        Number of features per time step (1 for token ids).
    n_future_steps_ : int
        Number of steps after each window that carry known-future covariates
        (:func:`sliding_windows` with ``future_columns``); 0 without them.
    n_tokens_ : int
        With ``embedding_dim``: size of the embedding table (largest id seen in
        ``fit`` plus one).
    n_outputs_ : int
        Number of targets.
    x_mean_, x_scale_ : ndarray of shape (n_channels_,) or None
        Input standardisation statistics (None with ``standardize=False``).
    y_mean_, y_scale_ : ndarray of shape (n_outputs_,) or None
        Target standardisation statistics (None with
        ``standardize_target=False``), of the targets scaled by their
        sequences with ``window_scaling``.
    window_scaling_ : str or None
        The ``window_scaling`` the model was fitted with, which its
        predictions use.
    loss_curve_ : list of float
        Mean training loss (on the standardised scale) of each epoch.
    validation_loss_curve_ : list of float or None
        Validation loss of each epoch with ``early_stopping``, else None.
    validation_scores_ : list of float or None
        Validation R² of each epoch with ``early_stopping``, else None.
    best_loss_ : float
        Lowest validation loss with ``early_stopping``, else lowest training
        loss.
    best_validation_score_ : float or None
        Highest validation R² with ``early_stopping``, else None.
    n_iter_ : int
        Number of epochs trained, across warm starts and ``partial_fit`` calls.
    device_ : str
        The device the network lives on.

    See Also
    --------
    LSTMClassifier : The same network for classification.
    sklearn.neural_network.MLPRegressor : A feed-forward network on flat features.

    Notes
    -----
    ``X`` is a 2D array ``(n_samples, seq_len)`` of univariate sequences, a 3D
    array ``(n_samples, seq_len, n_features)``, a list of arrays of different
    lengths (packed, so padding never reaches the network), or, with
    ``embedding_dim``, a 2D array of token ids. Array sequences passed to
    ``predict`` must have the length seen in ``fit``; lists may have any length.

    Training is in float32; prediction runs in fixed-size float32 chunks, so a
    sample's prediction does not depend on the other samples passed with it.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm import LSTMRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(64, 8))
    >>> y = X.sum(axis=1)
    >>> model = LSTMRegressor(hidden_size=8, max_epochs=2, random_state=0).fit(X, y)
    >>> model.predict(X[:2]).shape
    (2,)
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **_BaseLSTM._parameter_constraints,
        "standardize_target": ["boolean"],
        "window_scaling": [StrOptions(set(WINDOW_SCALINGS)), None],
        "loss": [StrOptions({*REGRESSION_LOSSES, "quantile"})],
        "quantiles": ["array-like", None],
    }

    n_outputs_: int
    y_mean_: np.ndarray | None
    y_scale_: np.ndarray | None
    window_scaling_: str | None

    def __init__(
        self,
        *,
        hidden_size: int = 64,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        cell: str = "lstm",
        cell_params: dict[str, Any] | None = None,
        pooling: str = "last",
        conv_filters: int | None = None,
        embedding_dim: int | None = None,
        standardize: bool = True,
        standardize_target: bool = True,
        window_scaling: str | None = None,
        loss: str = "squared_error",
        quantiles: Any = None,
        max_epochs: int | str = "auto",
        batch_size: int = 32,
        samples_per_epoch: float | None = None,
        lr: float = 3e-3,
        lr_schedule: str = "cosine",
        optimizer: str | type = "adam",
        weight_decay: float = 0.0,
        clip_grad_norm: float | None = None,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        validation_split: str = "tail",
        n_iter_no_change: int = 10,
        tol: float = 1e-4,
        warm_start: bool = False,
        callbacks: list[Any] | None = None,
        random_state: int | np.random.RandomState | None = None,
        device: str = "auto",
        data_parallel: bool = False,
        verbose: int = 0,
    ) -> None:
        super().__init__(
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            cell=cell,
            cell_params=cell_params,
            pooling=pooling,
            conv_filters=conv_filters,
            embedding_dim=embedding_dim,
            standardize=standardize,
            max_epochs=max_epochs,
            batch_size=batch_size,
            samples_per_epoch=samples_per_epoch,
            lr=lr,
            lr_schedule=lr_schedule,
            optimizer=optimizer,
            weight_decay=weight_decay,
            clip_grad_norm=clip_grad_norm,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            validation_split=validation_split,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            warm_start=warm_start,
            callbacks=callbacks,
            random_state=random_state,
            device=device,
            data_parallel=data_parallel,
            verbose=verbose,
        )
        self.standardize_target = standardize_target
        self.window_scaling = window_scaling
        self.loss = loss
        self.quantiles = quantiles

    @_fit_context(prefer_skip_nested_validation=True)  # type: ignore[untyped-decorator]
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LSTMRegressor:
        """Train the network on sequences ``X`` and targets ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, seq_len) or (n_samples, seq_len, \
n_features)
            Training sequences.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets; several columns give a multi-output (e.g. multi-step) model.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights of the loss.

        Returns
        -------
        self : LSTMRegressor
            The fitted estimator.
        """
        self._fit(X, y, sample_weight, partial=False)
        return self

    @_fit_context(prefer_skip_nested_validation=True)  # type: ignore[untyped-decorator]
    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> LSTMRegressor:
        """Train for one epoch on ``(X, y)``, continuing from the current weights.

        The first call sets up the network and the standardisation statistics
        from its data. Early stopping does not apply: no data is held out.

        Parameters
        ----------
        X : array-like of shape (n_samples, seq_len) or (n_samples, seq_len, \
n_features)
            Training sequences.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights of the loss.

        Returns
        -------
        self : LSTMRegressor
            The updated estimator.
        """
        self._fit(X, y, sample_weight, partial=True)
        return self

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Coefficient of determination R² of the predictions for ``X``.

        ``y`` is checked as in ``fit`` first, so that bad targets get the same
        errors.

        Parameters
        ----------
        X : array-like of shape (n_samples, seq_len) or (n_samples, seq_len, \
n_features)
            Test sequences.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights.

        Returns
        -------
        score : float
            R² of ``self.predict(X)`` against ``y``.
        """
        y = numeric_target(self._check_score_target(y), type(self).__name__)
        score: float = super().score(X, y, sample_weight=sample_weight)
        return score

    def predict(self, X: Any) -> np.ndarray:
        """Predict targets for sequences ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, seq_len) or (n_samples, seq_len, \
n_features)
            Sequences of the length seen in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions in the units of ``y``, as float64.
        """
        raw, row_stats = self._read(X)
        return _unscale(self._get_target().decode(raw), row_stats)

    def _outputs_from_raw(self, raw: np.ndarray) -> np.ndarray:
        return self._get_target().decode(raw)

    @available_if(_quantile_model)  # type: ignore[untyped-decorator]
    def predict_quantiles(self, X: Any, quantiles: Any = None) -> np.ndarray:
        """Predict quantiles of the targets for sequences ``X``.

        Available with ``loss="quantile"`` (once fitted: when the model was
        fitted with it).

        Parameters
        ----------
        X : array-like of shape (n_samples, seq_len) or (n_samples, seq_len, \
n_features)
            Sequences of the length seen in ``fit``.
        quantiles : array-like of float, default=None
            Levels to return, each one of the fitted ``quantiles_`` (None: all
            of them). There is no interpolation between fitted levels.

        Returns
        -------
        y_quantiles : ndarray of shape (n_samples, n_quantiles) or \
(n_samples, n_outputs, n_quantiles)
            The quantiles in the units of ``y``, non-decreasing along the last
            axis, as float64.
        """
        check_is_fitted(self, "net_")
        columns = quantile_columns(self.quantiles_, quantiles)
        target = self._get_target()
        assert isinstance(target, QuantileTarget)
        raw, row_stats = self._read(X)
        out = _unscale(target.quantiles(raw)[..., columns], row_stats)
        return out[:, 0] if self.n_outputs_ == 1 else out

    @available_if(_quantile_model)  # type: ignore[untyped-decorator]
    def predict_interval(self, X: Any, coverage: float = 0.8) -> np.ndarray:
        """Predict central intervals of the targets for sequences ``X``.

        The bounds are the fitted quantiles at ``(1 - coverage) / 2`` and
        ``(1 + coverage) / 2``. Available with ``loss="quantile"``.

        Parameters
        ----------
        X : array-like of shape (n_samples, seq_len) or (n_samples, seq_len, \
n_features)
            Sequences of the length seen in ``fit``.
        coverage : float, default=0.8
            Share of outcomes the interval is meant to hold, strictly between 0
            and 1; both of its levels must have been fitted.

        Returns
        -------
        intervals : ndarray of shape (n_samples, 2) or (n_samples, n_outputs, 2)
            Lower and upper bounds in the units of ``y``, as float64.
        """
        check_is_fitted(self, "net_")
        levels = interval_levels(coverage, self.quantiles_)
        bounds: np.ndarray = self.predict_quantiles(X, levels)
        return bounds

    def _fits_quantiles(self) -> bool:
        """Whether the outputs are quantiles: as fitted, or before fit as set."""
        if "n_outputs_" in self.__dict__:
            return "quantiles_" in self.__dict__
        return bool(self.loss == "quantile")

    def _start_fit(self) -> None:
        if self.window_scaling is not None and self.embedding_dim is not None:
            raise ValueError(
                f"window_scaling={self.window_scaling!r} scales numeric "
                "sequences, but embedding_dim is set, so X holds token ids. "
                "Set window_scaling=None, or embedding_dim=None for numbers."
            )
        self.window_scaling_ = self.window_scaling

    def _check_unchanged_target(self) -> None:
        fitted_scaling = self.__dict__.get("window_scaling_")
        if fitted_scaling != self.window_scaling:
            raise ValueError(
                f"{type(self).__name__} continues training its existing network "
                f"(warm_start or partial_fit), which was fitted with "
                f"window_scaling={fitted_scaling!r}, but window_scaling is now "
                f"{self.window_scaling!r}. Restore it, or fit afresh with "
                "warm_start=False."
            )
        if self._fits_quantiles() != (self.loss == "quantile"):
            fitted = "'quantile'" if self._fits_quantiles() else "a point loss"
            raise ValueError(
                f"{type(self).__name__} continues training its existing network "
                f"(warm_start or partial_fit), which was fitted with loss="
                f"{fitted}, but loss is now {self.loss!r}. Restore loss, or fit "
                "afresh with warm_start=False."
            )

    def _get_target(self) -> RegressionTarget:
        if self._fits_quantiles():
            return QuantileTarget(self)
        if self.quantiles is not None and self.loss != "quantile":
            raise ValueError(
                f"quantiles={self.quantiles!r} is set, but loss={self.loss!r}: "
                "quantiles are fitted with loss='quantile'. Set "
                "loss='quantile', or quantiles=None for a point forecast."
            )
        return RegressionTarget(self)

    def __setstate__(self, state: dict[str, Any]) -> None:
        state.setdefault("quantiles", None)  # pickled before quantiles existed
        state.setdefault("window_scaling", None)  # or window_scaling
        super().__setstate__(state)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
