"""The tiny CNN that ships with convlab, trained on the offline digits (:mod:`convlab.data.digits`).

``trained_cnn.npz`` (next to this file) was made by :func:`train_and_cache` from fixed seeds;
``tests/test_network.py`` retrains its first steps from the same seed to show it is honest. Remake it
with ``python -m convlab.nets.trained`` (about half a minute).

``trained_cnn_unseen_font.npz`` is the same network trained with the same settings on the digits of
every font but one (``UNSEEN_FONT``), and tested on digits in that font only: how lesson 07 measures
what carries over to a font never seen. Remake it with
``python -m convlab.nets.trained --unseen-font STIXGeneral.ttf``.
"""

from __future__ import annotations

import os

from .._shared import validate as v
from .._shared.files import check_write_path
from ..data.digits import DIGIT_FONTS, data_digest, make_digits
from .network import TinyCNN, TrainingRun, load_network, save_network, train

__all__ = ["TRAINED_CNN_PATH", "UNSEEN_FONT_CNN_PATH", "UNSEEN_FONT", "TRAINING_SETTINGS", "training_data",
           "trained_cnn", "unseen_font_cnn", "train_and_cache"]

TRAINED_CNN_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "trained_cnn.npz")
"""Where the package keeps the trained network (see :func:`trained_cnn`)."""

UNSEEN_FONT_CNN_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "trained_cnn_unseen_font.npz")
"""Where the package keeps the network trained without ``UNSEEN_FONT`` (see :func:`unseen_font_cnn`)."""

UNSEEN_FONT = "STIXGeneral.ttf"
"""The font lesson 07 leaves out of training: the one least like the others (a serif with thin strokes)."""

TRAINING_SETTINGS = dict(per_class_train=300, per_class_test=100, size=16, data_seed=0, test_seed=1,
                         filters=8, epochs=12, batch_size=32, learning_rate=0.05, momentum=0.9, weight_decay=0.0, seed=0,
                         checkpoint_step=40, unseen_font=None)
"""How the shipped network was trained: data, architecture and optimiser settings. ``unseen_font``, a name
from :data:`~convlab.data.digits.DIGIT_FONTS`, leaves that font out of the training digits and draws the
test digits in it alone."""


def _settings(settings) -> dict:
    """``TRAINING_SETTINGS`` with some of them changed; an unknown name is refused (a typo would be ignored)."""
    if settings is None:
        return dict(TRAINING_SETTINGS)
    if not isinstance(settings, dict):
        raise TypeError(f"settings must be a dict of training settings or None; got {v.short(settings)}")
    unknown = sorted(str(k) for k in settings if k not in TRAINING_SETTINGS)
    if unknown:
        raise ValueError(f"settings has unknown names {', '.join(unknown)}; known: {', '.join(TRAINING_SETTINGS)}")
    s = dict(TRAINING_SETTINGS, **settings)
    if s["unseen_font"] is not None:
        v.one_of(s["unseen_font"], "settings['unseen_font']", DIGIT_FONTS, " or None")
    return s


def training_data(settings: dict | None = None):
    """The training and held-out sets the shipped network used: ``(x_train, y_train, x_test, y_test)``.

    With ``settings["unseen_font"]`` a font name: the training digits in every other font, the test digits
    in that font only (same counts and seeds).
    """
    s = _settings(settings)
    unseen = s["unseen_font"]
    train_fonts = None if unseen is None else [f for f in DIGIT_FONTS if f != unseen]
    test_fonts = None if unseen is None else [unseen]
    x_train, y_train = make_digits(s["per_class_train"], size=s["size"], seed=s["data_seed"], fonts=train_fonts)
    x_test, y_test = make_digits(s["per_class_test"], size=s["size"], seed=s["test_seed"], fonts=test_fonts)
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


def unseen_font_cnn() -> tuple[TinyCNN, dict]:
    """The network trained without :data:`UNSEEN_FONT`, as :func:`trained_cnn` returns it.

    Its ``info["test_accuracy"]`` is measured on digits in that font only; ``info["settings"]`` (with
    ``unseen_font`` set) gives :func:`training_data` the very sets it was trained and tested on.
    """
    return load_network(UNSEEN_FONT_CNN_PATH)


def _default_path(s: dict) -> str:
    """Where the package keeps the network trained with settings ``s``."""
    return TRAINED_CNN_PATH if s["unseen_font"] is None else UNSEEN_FONT_CNN_PATH


def train_and_cache(path: str | None = None, settings: dict | None = None) -> TrainingRun:
    """Train the tiny CNN on the digits from its fixed seeds and store it (atomically) at ``path``.

    This is how ``trained_cnn.npz`` was made: ``python -m convlab.nets.trained`` (about half a minute);
    with ``settings={"unseen_font": UNSEEN_FONT}`` the default ``path`` is :data:`UNSEEN_FONT_CNN_PATH`.
    """
    s = _settings(settings)
    target = check_write_path(_default_path(s) if path is None else path, ".npz")  # before half a minute of work
    x_train, y_train, x_test, y_test = training_data(s)
    run = train(x_train, y_train, filters=s["filters"], epochs=s["epochs"], batch_size=s["batch_size"],
                learning_rate=s["learning_rate"], momentum=s["momentum"], weight_decay=s["weight_decay"], seed=s["seed"],
                checkpoint_step=s["checkpoint_step"], x_test=x_test, y_test=y_test)
    save_network(target, run, settings=s, data_digest=data_digest(x_train))
    return run


if __name__ == "__main__":  # pragma: no cover - the command that made the shipped files
    import argparse

    parser = argparse.ArgumentParser(description="Train the tiny CNN from its fixed seeds and store it in the package.")
    parser.add_argument("--unseen-font", choices=DIGIT_FONTS, default=None,
                        help="leave this font out of training and test on it alone")
    args = parser.parse_args()
    chosen = _settings({"unseen_font": args.unseen_font})
    result = train_and_cache(settings=chosen)
    print(f"test accuracy {result.test_accuracy:.3f}, train accuracy {result.train_accuracy:.3f}; "
          f"saved to {_default_path(chosen)}")
