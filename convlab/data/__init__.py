"""Data layer: named kernels, images (the lesson's seed example, test patterns, an offline photo), uploads.

May import :mod:`convlab.core`; never matplotlib's drawing code or ipywidgets.
"""
