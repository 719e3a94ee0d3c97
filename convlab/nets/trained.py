"""The tiny CNN that ships with convlab, trained on the offline digits (:mod:`convlab.data.digits`).

``trained_cnn.npz`` (next to this file) was made by :func:`train_and_cache` from fixed seeds;
``tests/test_network.py`` retrains from the same seed to show it is honest. Remake it with
``python -m convlab.nets.trained`` (about half a minute).
"""

from __future__ import annotations

import os

from .._shared import validate as v
from .._shared.files import check_write_path
from ..data.digits import data_digest, make_digits
from .network import TinyCNN, TrainingRun, load_network, save_network, train

__all__ = ["TRAINED_CNN_PATH", "TRAINING_SETTINGS", "training_data", "trained_cnn", "train_and_cache"]

TRAINED_CNN_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "trained_cnn.npz")
"""Where the package keeps the trained network (see :func:`trained_cnn`)."""

TRAINING_SETTINGS = dict(per_class_train=300, per_class_test=100, size=16, data_seed=0, test_seed=1,
                         filters=8, epochs=12, batch_size=32, learning_rate=0.05, momentum=0.9, weight_decay=0.0, seed=0,
                         checkpoint_step=40)
"""How the shipped network was trained: data, architecture and optimiser settings."""


def _settings(settings) -> dict:
    """``TRAINING_SETTINGS`` with some of them changed; an unknown name is refused (a typo would be ignored)."""
    if settings is None:
        return dict(TRAINING_SETTINGS)
    if not isinstance(settings, dict):
        raise TypeError(f"settings must be a dict of training settings or None; got {v.short(settings)}")
    unknown = sorted(str(k) for k in settings if k not in TRAINING_SETTINGS)
    if unknown:
        raise ValueError(f"settings has unknown names {', '.join(unknown)}; known: {', '.join(TRAINING_SETTINGS)}")
    return dict(TRAINING_SETTINGS, **settings)


def training_data(settings: dict | None = None):
    """The training and held-out sets the shipped network used: ``(x_train, y_train, x_test, y_test)``."""
    s = _settings(settings)
    x_train, y_train = make_digits(s["per_class_train"], size=s["size"], seed=s["data_seed"])
    x_test, y_test = make_digits(s["per_class_test"], size=s["size"], seed=s["test_seed"])
    return x_train, y_train, x_test, y_test


def trained_cnn(path: str | None = None) -> tuple[TinyCNN, dict]:
    """The network that ships with convlab, and what its file records about it.

    Returns
    -------
    network : TinyCNN
    info : dict
        ``losses`` (per step), ``test_accuracy``, ``train_accuracy``, ``settings``, ``checkpoint``
        (a TinyCNN after ``settings['checkpoint_step']`` steps), ``data_digest``.
    """
    return load_network(TRAINED_CNN_PATH if path is None else path)  # a bad path is refused there, in words


def train_and_cache(path: str | None = None, settings: dict | None = None) -> TrainingRun:
    """Train the tiny CNN on the digits from its fixed seeds and store it (atomically) at ``path``.

    This is how ``trained_cnn.npz`` was made: ``python -m convlab.nets.trained`` (about half a minute).
    """
    target = check_write_path(TRAINED_CNN_PATH if path is None else path, ".npz")  # before half a minute of work
    s = _settings(settings)
    x_train, y_train, x_test, y_test = training_data(s)
    run = train(x_train, y_train, filters=s["filters"], epochs=s["epochs"], batch_size=s["batch_size"],
                learning_rate=s["learning_rate"], momentum=s["momentum"], weight_decay=s["weight_decay"], seed=s["seed"],
                checkpoint_step=s["checkpoint_step"], x_test=x_test, y_test=y_test)
    save_network(target, run, settings=s, data_digest=data_digest(x_train))
    return run


if __name__ == "__main__":  # pragma: no cover - the command that made the shipped file
    result = train_and_cache()
    print(f"test accuracy {result.test_accuracy:.3f}, train accuracy {result.train_accuracy:.3f}; "
          f"saved to {TRAINED_CNN_PATH}")
