"""LSTMClassifier: binary and multi-class classification of sequences."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from sklearn.base import ClassifierMixin

from ._base import _BaseLSTM
from ._compat import StrOptions, _fit_context
from ._targets import ClassesTarget
from ._validation import check_labels

__all__ = ["LSTMClassifier"]


class LSTMClassifier(ClassifierMixin, _BaseLSTM):  # type: ignore[misc]
    """Recurrent neural network classifier for sequences (LSTM or GRU).

    Each sample is a whole sequence; the network reads it step by step and
    predicts class probabilities from its last hidden state (softmax over a
    linear layer, trained with cross-entropy).

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
    conv_filters : int or None, default=32
        If set, three temporal convolutions (``conv_filters``,
        ``2 * conv_filters`` and ``conv_filters`` filters of widths 8, 5 and
        3, as in LSTM-FCN) read the sequences beside the cell; their output,
        averaged over the valid steps, joins the cell's vector before the
        output layer. It finds local shapes anywhere in long sequences,
        which helps most with few long training series (see the user guide);
        the default comes from ``benchmarks/bench_quality.py``. None leaves
        the branch out: the cell alone, which forecasting and text
        generation can step one value at a time.
    embedding_dim : int, default=None
        If set, ``X`` holds integer token ids (e.g. from :class:`TextTokenizer`;
        0 is padding, 1 unknown) that a learned embedding of this size turns
        into vectors. Ids above those seen in ``fit`` count as unknown.
    standardize : bool, default=True
        Standardise each input feature with the mean and standard deviation
        seen in the first ``fit`` (over all samples and time steps).
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss, as ``{label: weight}``; "balanced"
        weights classes inversely to their frequency in ``y``.
    max_epochs : int or "auto", default="auto"
        Number of passes over the training data (fewer with early stopping).
        "auto" makes enough epochs for at least 1,000 optimiser steps,
        between 50 and 500: more epochs for data sets of a few batches.
    batch_size : int, default=16
        Number of sequences per gradient step.
    samples_per_epoch : int, float or None, default=None
        Training sequences per epoch, drawn at random without repeats (a new
        draw every epoch): an int is a count, a float in (0, 1] a share of
        the training samples; at most all of them. None: every training
        sample in every epoch. It bounds the time and memory of an epoch on
        very large data, such as the windows of a memory-mapped series (see
        :ref:`scaling_out`); ``max_epochs="auto"`` counts its steps.
    lr : float, default=3e-3
        Learning rate.
    lr_schedule : {"constant", "cosine"}, default="constant"
        How the learning rate changes in each ``fit``: ``"constant"`` keeps
        ``lr``, as ``partial_fit`` always does; ``"cosine"`` lowers it from
        ``lr`` towards 0 along half a cosine, over the optimiser steps of
        ``max_epochs`` epochs (early stopping may end training sooner; a
        warm start decays afresh). The small late steps settle the weights,
        which helps some data sets and not others (see the user guide). A
        skorch ``LRScheduler`` in ``callbacks`` needs ``"constant"``.
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
    validation_split : {"stratified", "random", "tail"}, default="stratified"
        Which samples are held out: a random subset with the class proportions
        of ``y``, a plain random subset, or the last samples (for sequences cut
        from one time-ordered series, so that no future data leaks into
        training).
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    tol : float, default=1e-4
        Minimum decrease of the validation loss that counts as improvement.
    warm_start : bool, default=False
        If True, ``fit`` continues training the current network for
        ``max_epochs`` more epochs instead of starting afresh. Settings the
        network was built with (sizes, optimizer, lr, loss, ...) must not change
        in between; a ``ValueError`` names any that did. The classes
        must stay the same.
    callbacks : list of skorch callbacks, default=None
        Extra skorch callbacks (e.g. ``LRScheduler``, ``Checkpoint``), as
        instances or ``(name, callback)`` tuples. Each fit uses fresh copies.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, dropout and the validation
        split. An int gives identical predictions fit after fit on the same
        machine and thread count.
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
    classes_ : ndarray of shape (n_classes,)
        The class labels, as given in ``y``.
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
    x_mean_, x_scale_ : ndarray of shape (n_channels_,) or None
        Input standardisation statistics (None with ``standardize=False``).
    loss_curve_ : list of float
        Mean training cross-entropy of each epoch.
    validation_loss_curve_ : list of float or None
        Validation cross-entropy of each epoch with ``early_stopping``, else
        None.
    validation_scores_ : list of float or None
        Validation accuracy of each epoch with ``early_stopping``, else None.
    best_loss_ : float
        Lowest validation loss with ``early_stopping``, else lowest training
        loss.
    best_validation_score_ : float or None
        Highest validation accuracy with ``early_stopping``, else None.
    n_iter_ : int
        Number of epochs trained, across warm starts and ``partial_fit`` calls.
    device_ : str
        The device the network lives on.

    See Also
    --------
    LSTMRegressor : The same network for regression.
    sklearn.neural_network.MLPClassifier : A feed-forward network on flat features.

    Notes
    -----
    ``X`` is a 2D array ``(n_samples, seq_len)`` of univariate sequences, a 3D
    array ``(n_samples, seq_len, n_features)``, a list of arrays of different
    lengths (packed, so padding never reaches the network), or, with
    ``embedding_dim``, a 2D array of token ids. Array sequences passed to
    ``predict`` must have the length seen in ``fit``; lists may have any length.

    Probabilities are computed in float64 from the network's float32 outputs.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm import LSTMClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(64, 8))
    >>> y = np.where(X[:, -1] > 0, "up", "down")
    >>> model = LSTMClassifier(hidden_size=8, max_epochs=2, random_state=0)
    >>> model.fit(X, y).classes_
    array(['down', 'up'], dtype='<U4')
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **_BaseLSTM._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "validation_split": [StrOptions({"stratified", "random", "tail"})],
    }

    classes_: np.ndarray

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
        conv_filters: int | None = 32,
        embedding_dim: int | None = None,
        standardize: bool = True,
        class_weight: dict[Any, float] | str | None = None,
        max_epochs: int | str = "auto",
        batch_size: int = 16,
        samples_per_epoch: float | None = None,
        lr: float = 3e-3,
        lr_schedule: str = "constant",
        optimizer: str | type = "adam",
        weight_decay: float = 0.0,
        clip_grad_norm: float | None = None,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        validation_split: str = "stratified",
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
        self.class_weight = class_weight

    @_fit_context(prefer_skip_nested_validation=True)  # type: ignore[untyped-decorator]
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LSTMClassifier:
        """Train the network on sequences ``X`` and labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, seq_len) or (n_samples, seq_len, \
n_features)
            Training sequences.
        y : array-like of shape (n_samples,)
            Class labels (numbers or strings).
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights of the loss, multiplied with ``class_weight``.

        Returns
        -------
        self : LSTMClassifier
            The fitted estimator.
        """
        self._fit(X, y, sample_weight, partial=False)
        return self

    @_fit_context(prefer_skip_nested_validation=True)  # type: ignore[untyped-decorator]
    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None
    ) -> LSTMClassifier:
        """Train for one epoch on ``(X, y)``, continuing from the current weights.

        The first call sets up the network and the standardisation statistics
        from its data, and must list every class in ``classes``. Early stopping
        does not apply: no data is held out.

        Parameters
        ----------
        X : array-like of shape (n_samples, seq_len) or (n_samples, seq_len, \
n_features)
            Training sequences.
        y : array-like of shape (n_samples,)
            Class labels.
        classes : array-like of shape (n_classes,), default=None
            All classes that can appear in any call; required on the first.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights of the loss.

        Returns
        -------
        self : LSTMClassifier
            The updated estimator.
        """
        if not hasattr(self, "net_") and classes is None:
            raise ValueError(
                "classes must be passed on the first call to partial_fit, listing "
                "every class that can appear in later calls."
            )
        self._fit(X, y, sample_weight, partial=True, classes=classes)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities for sequences ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, seq_len) or (n_samples, seq_len, \
n_features)
            Sequences of the length seen in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``; each row sums to 1.
        """
        return self._get_target().proba(self._raw_outputs(X))

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithm of the class probabilities for sequences ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, seq_len) or (n_samples, seq_len, \
n_features)
            Sequences of the length seen in ``fit``.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities in the order of ``classes_``.
        """
        return self._get_target().log_proba(self._raw_outputs(X))

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Mean accuracy of the predictions for ``X``.

        ``y`` is checked as in ``fit`` first, so that bad labels get the same
        errors.

        Parameters
        ----------
        X : array-like of shape (n_samples, seq_len) or (n_samples, seq_len, \
n_features)
            Test sequences.
        y : array-like of shape (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights.

        Returns
        -------
        score : float
            Accuracy of ``self.predict(X)`` against ``y``.
        """
        y = self._check_score_target(y)
        check_labels(y, "y")
        score: float = super().score(X, y, sample_weight=sample_weight)
        return score

    def predict(self, X: Any) -> np.ndarray:
        """Predict class labels for sequences ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, seq_len) or (n_samples, seq_len, \
n_features)
            Sequences of the length seen in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The most probable class of each sequence, as a label of ``y``.
        """
        raw = self._raw_outputs(X)  # checks fitting before classes_ is read
        return self._get_target().decode(raw)

    def _outputs_from_raw(self, raw: np.ndarray) -> np.ndarray:
        return self._get_target().proba(raw)

    def _get_target(self) -> ClassesTarget:
        return ClassesTarget(self)
