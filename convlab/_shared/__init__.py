"""Private helpers every layer may use: argument checks (:mod:`.validate`), numbers as written and typed
(:mod:`.format`) and lazy module attributes (:mod:`.lazy`).

Not a layer and not public: nothing here imports a convlab layer except :mod:`convlab.core.limits` (plain
constants), which the checks read. The import-linter contracts in ``pyproject.toml`` hold it.
"""
