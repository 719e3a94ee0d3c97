"""Compute layer (numpy only): the engine, sizes, the step walk, the lesson's model, exercises, learning.

Nothing here imports matplotlib, ipywidgets or any other convlab layer; the import-linter contract in
``pyproject.toml`` holds it (see ``docs/architecture.md``).
"""
