"""Numbers as a person writes and types them (shared by the compute layer's public modules).

Written: the Unicode minus sign (−), whole numbers without ``.0``. Typed: a learner's −, – or — read as -.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from . import validate as v

_TYPED_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-"})


def minus(text: str) -> str:
    """``-`` written as the Unicode minus sign, which lines up in columns and reads well aloud.

    >>> minus("-4")
    '−4'
    """
    return text.replace("-", "\u2212")


def plain_minus(text: str) -> str:
    """What a learner typed, with the minus signs and dashes a keyboard or a copy-paste gives turned into ``-``.

    >>> plain_minus("\u22124 \u2013 2")
    '-4 - 2'
    """
    return text.translate(_TYPED_MINUS)


def format_number(x: float, digits: int = 3) -> str:
    """Write a number the way a person would: ``-4.0`` as ``−4``, ``0.3333`` as ``0.333``.

    Whole numbers lose their ``.0``; numbers of 1 or more keep up to ``digits`` decimals; numbers
    below 1 keep ``digits`` significant figures, so a 7x7 box-blur weight, 1/49, reads ``0.0204``
    rather than ``0.02``. Uses the Unicode minus sign so that columns of numbers line up and read
    well aloud.

    Examples
    --------
    >>> format_number(-4.0)
    '−4'
    >>> format_number(2.5)
    '2.5'
    >>> format_number(1 / 3)
    '0.333'
    >>> format_number(1 / 49)
    '0.0204'
    >>> format_number(1234.56789)
    '1234.568'
    >>> format_number(-1.7976931348623157e308)
    '−1.8e+308'
    """
    if isinstance(x, (bool, np.bool_)) or not isinstance(v.scalar(x), numbers.Real):
        raise TypeError(f"x must be a real number; got {v.short(x)}")
    digits = v.seed_arg(digits, "digits")
    v.check_at_most(digits, 15, "digits")
    x = v.scalar(x)
    if v.is_int(x) and abs(int(x)) >= 10**300:  # near or beyond float64: its leading digit and its size, never all digits
        n, places = abs(int(x)), v._digits(int(x)) - 1
        return minus(f"{'-' if x < 0 else ''}{n // 10**places}e+{places}")
    x = float(x)
    if not math.isfinite(x):  # never an OverflowError from int(inf)
        return "nan" if math.isnan(x) else ("\u221e" if x > 0 else "\u2212\u221e")
    if x == 0:
        return "0"  # also turns -0.0 into a plain 0
    if abs(x) >= 1e15:  # compactly: 1e308 as 1e+308, not a 309-digit number
        text = f"{x:.{digits}g}"
    elif x == int(x):
        text = str(int(x))
    elif abs(x) >= 1:
        text = f"{x:.{digits}f}".rstrip("0").rstrip(".")
    else:
        text = f"{x:.{digits}g}"
    return minus(text)


