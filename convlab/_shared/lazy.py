"""Module attributes imported on first use (so ``import convlab`` does not load matplotlib or widgets)."""

from __future__ import annotations

from importlib import import_module


def lazy_attributes(package: str, table: dict, namespace: dict, public: list):
    """``__getattr__`` and ``__dir__`` for ``package``: ``table`` maps a name to the submodule holding it."""

    def __getattr__(name):
        if name in table:
            value = getattr(import_module(f".{table[name]}", package), name)
            namespace[name] = value
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__():
        return sorted(set(namespace) | set(public))

    return __getattr__, __dir__
