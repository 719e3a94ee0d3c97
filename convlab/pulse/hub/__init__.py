"""The hub's side of the class pulse: storage (:mod:`.store`) and the service (:mod:`.service`).

Needs SQLAlchemy, tornado and jupyterhub, all of which a JupyterHub installation has. Nothing in the
lessons imports this package (an import-linter contract in ``pyproject.toml`` says so).
"""
