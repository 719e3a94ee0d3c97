"""The lessons' exercises whose answers would show in a notebook's code (compute layer: numpy only).

A multiple-choice question names its right option, a "how many" question its number and its worked
reasoning, a design task one right filter. Written in a notebook cell, that answer would sit in plain sight
next to the question. They live here instead; a lesson asks for one by name::

    q = question("01", "edge")
    q.check(my_answer)          # ✎ Your turn / ✗ a hint and a second try / ✓ with the worked answer

Questions whose answer is *computed* from the notebook's own data (a window's value, an output size) are
built in the notebook with :class:`~convlab.lessons.exercises.Question` directly.

>>> q = question("01", "edge")
>>> q.options
['bright left, dark right', 'dark left, bright right', 'the same brightness everywhere']
>>> q.check("the same brightness everywhere").correct
False
"""

from __future__ import annotations

import numpy as np

from .._shared import validate as _v
from ..core.conv import conv2d
from .exercises import Question, check_choice, check_kernel_design, check_matching, check_number

__all__ = ["question", "match_maps", "NAMES"]

_LESSON_KERNEL = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]], dtype=np.float64)
_LESSON_IMAGE = np.array([[1, 2, 3, 0, 1], [0, 1, 2, 3, 1], [1, 2, 1, 0, 0], [2, 1, 0, 1, 2], [0, 1, 2, 3, 1]],
                         dtype=np.float64)

EDGE_CHOICES = {
    "bright left, dark right": "the filter adds the left column and subtracts the right one",
    "dark left, bright right": "that gives a negative value: the right column is subtracted",
    "the same brightness everywhere": "then left and right cancel and the value is 0",
}

BORDER = {
    "the zeros of the padding are darker than the image": "a window on the left border has a column of padded 0s "
    "where the filter has +1s, and 5s under the −1s: (0 + 0 + 0) − (5 + 5 + 5) = −15, a dark-to-bright edge that "
    "the padding made, not the image",
    "the image has an edge at its border": "every pixel is 5: there is no change anywhere in the image itself",
    "the filter is not symmetric": "the filter gives exactly 0 on every window inside the flat image; only the "
    "border windows differ",
    "rounding errors in the multiply-sum": "every number here is a whole number; nothing is rounded",
}

WHICH = {
    "box blur": "it averages; on an edge it gives a value between the two sides, not a strong response",
    "sobel x": "its columns are −1, 0, +1 (×1, 2, 1): it compares right with left, so left-right changes light up",
    "sobel y": "its rows compare bottom with top: it finds horizontal edges",
    "sharpen": "its weights add up to 1: it mostly keeps the photo, with edges crisper",
}

STEP = {
    "larger": "K ← K − 0.1 × (−2.67) = 0 + 0.267: a negative gradient means the loss falls as the weight grows",
    "smaller": "subtracting a negative gradient adds to the weight",
    "unchanged": "only a zero gradient leaves a weight where it is",
}

MATCH_OPTIONS = ["box blur", "sobel x", "sobel y", "laplacian"]
MATCH_CORRECT = {"A": 3, "B": 1, "C": 4, "D": 2}
MATCH_WHY = {
    "A": "strong along horizontal lines (brim of the cap, collar) and white on vertical ones: Sobel y",
    "B": "a smooth gray copy of the photo, no signed colours: the only filter whose weights add up to 1, the blur",
    "C": "thin lines in every direction, strongest at fine detail: the Laplacian compares a pixel with all four "
    "neighbours",
    "D": "strong along vertical outlines (sides of the face and cap), white on horizontal ones: Sobel x",
}


_MATCH_KERNELS = {
    "box blur": np.full((3, 3), 1 / 9),
    "sobel x": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64),
    "sobel y": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=np.float64),
    "laplacian": np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=np.float64),
}


def match_maps(image) -> dict:
    """The feature maps of lesson 5's matching task, labelled "A" … "D" (which filter made which is the answer).

    >>> sorted(match_maps(np.eye(6)))
    ['A', 'B', 'C', 'D']
    """
    image = _v.as_image(image)
    return {letter: conv2d(image, _MATCH_KERNELS[MATCH_OPTIONS[number - 1]])
            for letter, number in sorted(MATCH_CORRECT.items())}


def _design_01() -> Question:
    target = np.array([[2, 2, 3], [0, 4, 3], [1, -3, -5]], dtype=np.float64)
    return Question(check_kernel_design, _LESSON_IMAGE, target, solution="1 1 1; 0 0 0; -1 -1 -1")


def _centre(image) -> Question:
    image = _v.as_image(image)
    return Question(check_kernel_design, image, image[1:-1, 1:-1], solution="0 0 0; 0 1 0; 0 0 0")


def _windows() -> Question:
    return Question(check_number, 16, why="4 positions across × 4 down (6 − 3 + 1 = 4) = 16 windows",
                    slips={36: "that is one per pixel, but the filter cannot hang over the edge",
                           9: "that is the 5×5 image's count; here 6 − 3 + 1 = 4 per row",
                           4: "that is one row of windows; there are 4 rows of them"})


def _local() -> Question:
    why = ("each of the 16,384 outputs has 3·3·3 = 27 weights + 1 bias = 28 of its own: 16,384 · 28 = 458,752 — "
           "about 110 times fewer than the dense layer (local connectivity) and 1,024 times more than the conv "
           "layer (sharing across the 32·32 positions)")
    slips = {442_368: "that is 16,384 · 27: each output also has its own bias",
             448: "that is the conv layer, where the 32·32 positions share one set of weights",
             50_348_032: "that is the dense layer: here each output sees only its 3×3×3 window"}
    return Question(check_number, 16_384 * 28, why=why, slips=slips)


def _blur() -> Question:
    return Question(check_number, 100,
                    why="each of the 9 pixels counts 1/9: 9 × (100 × 1/9) = 100 — a blur keeps flat areas as they are",
                    slips={900: "that is the sum without the 1/9 weights", 0: "only edge filters give 0 on flat areas",
                           100 / 9: "that is one product, 100 × 1/9; add all nine"}, tol=1e-3)


def _sharpen() -> Question:
    return Question(check_number, 100,
                    why="5 × 100 − 4 × 100 = 100: the weights add up to 1, so a flat area keeps its value",
                    slips={500: "the four −1 neighbours subtract 4 × 100", 0: "the weights add up to 1, not 0"})


def _flip_design(image) -> Question:
    image = _v.as_image(image)
    target = conv2d(image, _LESSON_KERNEL, flip=True)
    return Question(check_kernel_design, image, target, solution="-1 0 1; -1 0 1; -1 0 1")


_BUILDERS = {
    ("01", "edge"): lambda: Question(check_choice, "bright left, dark right", EDGE_CHOICES),
    ("01", "design"): _design_01,
    ("02", "windows"): _windows,
    ("02", "centre"): _centre,
    ("03", "border"): lambda: Question(check_choice, "the zeros of the padding are darker than the image", BORDER),
    ("04", "local"): _local,
    ("05", "which"): lambda: Question(check_choice, "sobel x", WHICH),
    ("05", "blur"): _blur,
    ("05", "sharpen"): _sharpen,
    ("05", "match"): lambda: Question(check_matching, MATCH_CORRECT, MATCH_OPTIONS, MATCH_WHY),
    ("06", "step"): lambda: Question(check_choice, "larger", STEP),
    ("06", "flip"): _flip_design,
}

NAMES = sorted(_BUILDERS)
"""Every (lesson, name) pair :func:`question` knows."""


def question(lesson: str, name: str, *data) -> Question:
    """A fresh :class:`~convlab.lessons.exercises.Question` of a lesson, by name.

    Parameters
    ----------
    lesson : str
        "01" … "06".
    name : str
        The exercise's name in that lesson (see :data:`NAMES`).
    *data
        The notebook's own data the question is about, for those that need it (an image).

    Raises
    ------
    ValueError
        For an unknown lesson or name (the message lists the known ones).
    """
    builder = _BUILDERS.get((lesson, name)) if isinstance(lesson, str) and isinstance(name, str) else None
    if builder is None:
        known = ", ".join(f"{a}/{b}" for a, b in NAMES)
        raise ValueError(f"lesson and name must name an exercise; got {_v.short(lesson)}/{_v.short(name)}; "
                         f"known: {known}")
    return builder(*data)
