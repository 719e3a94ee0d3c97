"""The lessons' exercises whose answers would show in a notebook's code (compute layer: numpy only).

A multiple-choice question names its right option, a "how many" question its number and its worked
reasoning, a design task one right filter. Written in a notebook cell, that answer would sit in plain sight
next to the question. They live here instead; a lesson asks for one by name::

    q = question("01", "edge")  # its id is "01.3": lesson 1, exercise 3
    Quiz(q, "a large positive value means …")   # ✎ Your turn / ✗ a hint and a second try / ✓ the worked answer

Questions whose answer is *computed* from the notebook's own data (a window's value, an output size) are
built in the notebook with :class:`~convlab.lessons.exercises.Question` directly.

>>> q = question("01", "edge")
>>> q.id
'01.3'
>>> q.options
['bright left, dark right', 'dark left, bright right', 'the same brightness everywhere']
>>> q.check("the same brightness everywhere").correct
False
"""

from __future__ import annotations

import numpy as np

from .._shared import validate as _v
from ..core.conv import conv2d
from ..data.images import SEED_IMAGE, SEED_KERNEL
from ..data.kernels import BOX_BLUR, LAPLACIAN, SOBEL_X, SOBEL_Y
from .exercises import Question, check_choice, check_kernel_design, check_matching, check_number

__all__ = ["question", "match_maps", "NAMES", "IDS"]

EDGE_CHOICES = {
    "bright left, dark right": "the filter adds the left column and subtracts the right one",
    "dark left, bright right": "that gives a negative value: the right column is subtracted",
    "the same brightness everywhere": "then left and right cancel and the value is 0",
}

BORDER = {
    "the zeros of the padding are darker than the image": "a window on the left border has a column of padded 0s "
    "where the filter has +1s, and 5s under the −1s: (0 + 0 + 0) − (5 + 5 + 5) = −15 (−10 in the corners, where a "
    "padded row replaces one of the 5s), a dark-to-bright edge that the padding made, not the image",
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


_MATCH_KERNELS = {"box blur": BOX_BLUR, "sobel x": SOBEL_X, "sobel y": SOBEL_Y, "laplacian": LAPLACIAN}


def match_maps(image) -> dict:
    """The feature maps of lesson 5's matching task, labelled "A" … "D" (which filter made which is the answer).

    >>> sorted(match_maps(np.eye(6)))
    ['A', 'B', 'C', 'D']
    """
    image = _v.as_image(image)
    return {letter: conv2d(image, _MATCH_KERNELS[MATCH_OPTIONS[number - 1]])
            for letter, number in sorted(MATCH_CORRECT.items())}


def _design_01(id: str) -> Question:
    target = np.array([[2, 2, 3], [0, 4, 3], [1, -3, -5]], dtype=np.float64)
    return Question(check_kernel_design, SEED_IMAGE, target, solution="1 1 1; 0 0 0; -1 -1 -1", id=id)


def _centre(id: str, image) -> Question:
    image = _v.as_image(image)
    return Question(check_kernel_design, image, image[1:-1, 1:-1], solution="0 0 0; 0 1 0; 0 0 0",
                    id=id)


def _windows(id: str) -> Question:
    return Question(check_number, 16, why="4 positions across × 4 down (6 − 3 + 1 = 4) = 16 windows",
                    slips={36: ("kept-input-size", "that is one per pixel, but the filter cannot hang over the edge"),
                           9: ("other-example", "that is the 5×5 image's count, not the 6×6 one's"),
                           4: ("counted-one-axis", "that is one row of windows; how many rows are there?")},
                    id=id)


def _local(id: str) -> Question:
    why = ("each of the 16,384 outputs has 3·3·3 = 27 weights + 1 bias = 28 of its own: 16,384 · 28 = 458,752 — "
           "about 110 times fewer than the dense layer (local connectivity) and 1,024 times more than the conv "
           "layer (sharing across the 32·32 positions)")
    slips = {442_368: ("forgot-bias", "that leaves out each output's own bias"),
             448: ("weight-sharing", "that is the conv layer, where the 32·32 positions share one set of weights"),
             50_348_032: ("weight-sharing", "that is the dense layer: here each output sees only its 3×3×3 window")}
    return Question(check_number, 16_384 * 28, why=why, slips=slips, id=id)


def _blur(id: str) -> Question:
    return Question(check_number, 100,
                    why="each of the 9 pixels counts 1/9: 9 × (100 × 1/9) = 100 — a blur keeps flat areas as they are",
                    slips={900: ("sum-without-multiply", "that is the sum without the 1/9 weights"),
                           0: ("weights-sum", "only filters whose weights add up to 0 give 0 on flat areas"),
                           100 / 9: ("missed-product", "that is one product; how many are there?")},
                    tol=1e-3, id=id)


def _sharpen(id: str) -> Question:
    return Question(check_number, 100,
                    why="5 × 100 − 4 × 100 = 100: the weights add up to 1, so a flat area keeps its value",
                    slips={500: ("missed-product", "that is the centre's product alone; the four −1 neighbours count too"),
                           0: ("weights-sum", "add up the filter's weights first: is it 0?")},
                    id=id)


def _flip_design(id: str, image) -> Question:
    image = _v.as_image(image)
    target = conv2d(image, SEED_KERNEL, flip=True)
    return Question(check_kernel_design, image, target, solution="-1 0 1; -1 0 1; -1 0 1", id=id)


def _stack_design(id: str) -> Question:
    from .receptive import check_stack_design   # receptive imports this module's neighbour, exercises

    return Question(check_stack_design, solution="conv 3, pool 2, conv 3, pool 2, conv 3, pool 2, conv 3",
                    id=id)


_BUILDERS = {  # (lesson, name) -> (the exercise's id, as the lesson numbers it; what builds its Question)
    ("01", "edge"): ("01.3", lambda id: Question(check_choice, "bright left, dark right", EDGE_CHOICES, id=id)),
    ("01", "design"): ("01.4", _design_01),
    ("02", "windows"): ("02.2", _windows),
    ("02", "centre"): ("02.4", _centre),
    ("03", "border"): ("03.5", lambda id: Question(check_choice, "the zeros of the padding are darker than the image",
                                                   BORDER, id=id)),
    ("04", "local"): ("04.4", _local),
    ("05", "which"): ("05.1", lambda id: Question(check_choice, "sobel x", WHICH, id=id)),
    ("05", "blur"): ("05.2", _blur),
    ("05", "sharpen"): ("05.3", _sharpen),
    ("05", "match"): ("05.4", lambda id: Question(check_matching, MATCH_CORRECT, MATCH_OPTIONS, MATCH_WHY, id=id)),
    ("06", "step"): ("06.1", lambda id: Question(check_choice, "larger", STEP, id=id)),
    ("06", "flip"): ("06.4", _flip_design),
    ("07", "stack"): ("07.4", _stack_design),
}

IDS = {key: ex_id for key, (ex_id, _) in _BUILDERS.items()}
"""The id (:attr:`Question.id`, "lesson.exercise" as the lesson numbers it) of every question in the bank."""

NAMES = sorted(_BUILDERS)
"""Every (lesson, name) pair :func:`question` knows."""


def question(lesson: str, name: str, *data) -> Question:
    """A fresh :class:`~convlab.lessons.exercises.Question` of a lesson, by name.

    Parameters
    ----------
    lesson : str
        "01" … "07".
    name : str
        The exercise's name in that lesson (see :data:`NAMES`).
    *data
        The notebook's own data the question is about, for those that need it (an image).

    Raises
    ------
    ValueError
        For an unknown lesson or name (the message lists the known ones).
    """
    entry = _BUILDERS.get((lesson, name)) if isinstance(lesson, str) and isinstance(name, str) else None
    if entry is None:
        known = ", ".join(f"{a}/{b}" for a, b in NAMES)
        raise ValueError(f"no exercise {_v.short(lesson)}/{_v.short(name)} (lesson/name); known: {known}")
    ex_id, builder = entry
    return builder(ex_id, *data)
