"""Data layer: named kernels, images (the lesson's seed example, test patterns, an offline photo), uploads
and the digits.

May import :mod:`convlab.views` and :mod:`convlab.core`. It draws nothing: matplotlib only to read its bundled
sample photo (:func:`~convlab.data.images.sample_photo`), Pillow only to decode uploads, and the digits read
glyphs that :mod:`convlab.figures.glyphs` rendered (``digit_glyphs.npz``). No widgets.
"""
