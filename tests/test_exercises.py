"""Predict-then-check helpers: right answers pass, and each common slip is named."""

import re

import pytest

from convlab.lessons.exercises import (
    Feedback,
    check_choice,
    check_number,
    check_output_shape,
    check_output_size,
    check_parameter_count,
    check_same_padding,
    check_unvisited,
    check_window_value,
)
from convlab.images import SEED_IMAGE, SEED_KERNEL

# ---------------------------------------------------------------- output size
OUTPUT_SIZE_CASES = [
    # answer, n, k, settings, correct, phrase in the message
    (3, 5, 3, {}, True, "⌊(5 + 2·0 − 3)/1⌋ + 1 = 3"),  # the seed's 5x5 with a 3x3 filter
    ("3", 5, 3, {}, True, "= 3"),  # typed text is read
    ("  3 ", 5, 3, {}, True, "= 3"),  # with spaces
    (4, 7, 3, dict(stride=2, padding=1), True, "= 4"),  # stride and padding together
    (3, 7, 3, dict(stride=2, padding=1), False, "forget the padding"),  # the classic slip
    (2, 5, 3, {}, False, "forget the + 1"),  # counting gaps instead of windows
    (5, 5, 3, {}, False, "keeps the input's size"),  # thinking the size is kept
    (5, 5, 3, dict(padding=1), True, "= 5"),  # ... which padding 1 does
    (4, 5, 3, dict(padding=1), False, "one side only"),  # padding counted once
    (3, 6, 3, dict(stride=2), False, "round up"),  # the floor is the point of the formula
    (2, 6, 3, dict(stride=2), True, "= 2"),
    (4, 6, 3, dict(stride=2), False, "divide by the stride"),
    (3, 7, 3, dict(dilation=2), True, "= 3"),  # dilated 3-wide kernel spans 5
    (5, 7, 3, dict(dilation=2), False, "forget the dilation"),
    (7, 7, 3, dict(padding="same"), True, "= 7"),  # names work too
    (9, 7, 3, dict(padding="full"), True, "= 9"),
    (1.5, 5, 3, {}, False, "whole number"),  # not a whole number
    ("abc", 5, 3, {}, False, "could not read 'abc'"),  # not a number at all
    ("1e999", 5, 3, {}, False, "could not read '1e999'"),  # overflows to infinity: read, not int()-ed
    ("-1e999", 7, 3, dict(stride=2, padding=1), False, "could not read"),  # ... also with slips to compare
]


@pytest.mark.parametrize("answer, n, k, settings, correct, phrase", OUTPUT_SIZE_CASES)
def test_check_output_size_table(answer, n, k, settings, correct, phrase):
    fb = check_output_size(answer, n, k, **settings)
    assert fb.correct is correct
    assert phrase in fb.message


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_unanswered_gets_a_prompt_not_a_verdict(blank):
    fb = check_output_size(blank, 5, 3)
    assert not fb.correct and not fb.answered
    assert str(fb).startswith("✎ Your turn")


def test_feedback_prints_verdict_and_reason():
    fb = check_output_size(3, 7, 3, stride=2, padding=1)
    assert str(fb) == repr(fb)
    assert str(fb).startswith("✗ Not quite: ⌊(7 + 2·1 − 3)/2⌋ + 1 = 4.")
    assert bool(check_output_size(3, 5, 3)) is True
    assert isinstance(fb, Feedback)


# ---------------------------------------------------------------- shapes, padding, unvisited
@pytest.mark.parametrize("answer, settings, correct", [
    ("3x3", {}, True),  # "3x3" text
    ("3 × 3", {}, True),  # multiplication sign
    ((3, 3), {}, True),  # tuple
    ("(5, 5)", dict(padding=1), True),  # padding keeps the size
    ((2, 2), dict(stride=2), True),
    ((3, 2), dict(stride=2), False),  # one axis wrong
    ("3", {}, False),  # only one number
    ("three by three", {}, False),  # words
])
def test_check_output_shape_table(answer, settings, correct):
    assert check_output_shape(answer, (5, 5), (3, 3), **settings).correct is correct


@pytest.mark.parametrize("answer, k, dilation, correct, phrase", [
    (1, 3, 1, True, "= 1 on each side"),
    (2, 5, 1, True, "= 2 on each side"),
    (2, 3, 1, False, "both sides together"),  # total padding, not per side
    (3, 3, 1, False, "kernel's width"),
    (2, 3, 2, True, "spanning 5"),  # dilation widens the kernel
    (1, 4, 1, False, "odd number"),  # even kernels cannot be padded equally
])
def test_check_same_padding_table(answer, k, dilation, correct, phrase):
    fb = check_same_padding(answer, k, dilation=dilation)
    assert fb.correct is correct and phrase in fb.message


@pytest.mark.parametrize("answer, n, k, stride, correct", [
    ([5], 6, 3, 2, True),  # the floor leaves row 5 out
    ("5", 6, 3, 2, True),
    ("none", 6, 3, 2, False),
    ("none", 5, 3, 2, True),  # stride 2 fits a 5-wide input exactly
    ([], 5, 3, 2, True),
    ([6], 6, 3, 2, False),  # counted from 1
    ("[6, 7]", 8, 3, 3, True),  # two positions left out
    ("[1e999]", 6, 3, 2, False),  # overflows to infinity: refused, not int()-ed
])
def test_check_unvisited_table(answer, n, k, stride, correct):
    assert check_unvisited(answer, n, k, stride=stride).correct is correct


def test_unvisited_counted_from_one_is_explained():
    assert check_unvisited([6], 6, 3, stride=2).category == "off-by-one"


# ---------------------------------------------------------------- a window's value
WINDOW_CASES = [
    # answer, (row, col), settings, correct, phrase
    (-4, (0, 0), {}, True, "= −4"),  # the seed's first window
    ("−4", (0, 0), {}, True, "= −4"),  # Unicode minus typed or pasted
    ("-4.0", (0, 0), {}, True, "= −4"),
    (4, (0, 0), {}, False, "sign of every product"),  # sign slip, named without the answer
    (13, (0, 0), {}, False, "sum of the window's pixels"),  # forgot to multiply
    (-3, (0, 0), {}, False, "leaves out one of the products"),  # dropped the 1×1 term
    (2, (0, 0), {}, False, "another window"),  # value of the neighbouring window
    (2, (0, 1), {}, True, "= 2"),
    (4, (0, 2), {}, True, "= 4"),
    (0, (1, 1), {}, True, "= 0"),
    (4, (0, 0), dict(flip=True), True, "= 4"),  # convolution rotates the kernel
    (-3, (0, 0), dict(padding=1), True, "= −3"),  # padded corner window: zeros count for nothing
    ("x", (0, 0), {}, False, "could not read"),
]


@pytest.mark.parametrize("answer, pos, settings, correct, phrase", WINDOW_CASES)
def test_check_window_value_table(answer, pos, settings, correct, phrase):
    fb = check_window_value(answer, SEED_IMAGE, SEED_KERNEL, *pos, **settings)
    assert fb.correct is correct, fb
    assert phrase in fb.message


def test_window_value_names_convolution_when_learner_flipped_the_kernel():
    import numpy as np

    kernel = np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    # cross-correlation picks the top-right pixel (3); convolution rotates the kernel and picks bottom-left (1)
    fb = check_window_value(1, SEED_IMAGE, kernel)
    assert not fb.correct and "convolution" in fb.message


def test_window_value_for_rgb_names_a_single_channel():
    import numpy as np

    image = np.dstack([SEED_IMAGE, 2 * SEED_IMAGE, np.zeros((5, 5))])
    kernel = np.dstack([SEED_KERNEL] * 3)
    fb = check_window_value(-4, image, kernel)  # R alone
    assert not fb.correct and fb.category == "one-channel-only"
    assert check_window_value(-12, image, kernel).correct  # −4 + (−8) + 0


def test_window_value_outside_the_feature_map_is_a_clear_error():
    with pytest.raises(ValueError, match="inside the 3x3 feature map"):
        check_window_value(0, SEED_IMAGE, SEED_KERNEL, 3, 0)


# ---------------------------------------------------------------- parameters
@pytest.mark.parametrize("answer, args, bias, correct, phrase", [
    (448, (3, 3, 16), True, True, "432 + 16 = 448"),
    (432, (3, 3, 16), True, False, "leaves out the biases"),
    (160, (3, 3, 16), True, False, "forgets the input channels"),
    (28, (3, 3, 16), True, False, "one filter only"),
    (480, (3, 3, 16), True, False, "bias per channel"),
    (9, (3, 1, 1), False, True, "no biases"),
    (10, (3, 1, 1), False, False, "bias=False"),
])
def test_check_parameter_count_table(answer, args, bias, correct, phrase):
    fb = check_parameter_count(answer, *args, bias=bias)
    assert fb.correct is correct and phrase in fb.message


def test_parameter_count_accepts_rectangular_kernels():
    assert check_parameter_count(92, (5, 3), 3, 2).correct


# ---------------------------------------------------------------- generic
WHY = {"blur": "it averages", "sharpen": "it boosts the centre", "sobel x": "it compares left with right"}


@pytest.mark.parametrize("answer, correct, phrase", [
    ("sobel x", True, "compares left"),
    (" Sobel X ", True, "compares left"),  # case and spaces ignored
    ("3", True, "compares left"),  # by number
    ("blur", False, "it averages"),  # says why the chosen option is wrong
    ("emboss", False, "not one of the options"),
    (None, False, "Choose one of"),
])
def test_check_choice_table(answer, correct, phrase):
    fb = check_choice(answer, "sobel x", WHY)
    assert fb.correct is correct and phrase in fb.message


def test_check_choice_rejects_a_correct_answer_that_is_not_an_option():
    with pytest.raises(ValueError, match="correct must be one of"):
        check_choice("x", "emboss", WHY)


@pytest.mark.parametrize("answer, correct", [(9, True), ("9", True), ("1/9", False), (6, False), ("nine", False)])
def test_check_number_table(answer, correct):
    assert check_number(answer, 9, why="3·3 = 9", slips={6: "added"}).correct is correct


def test_check_number_reads_fractions():
    assert check_number("1/9", 1 / 9, why="one ninth").correct


def test_forgetting_to_rotate_is_named_when_the_question_is_convolution():
    fb = check_window_value(-4, SEED_IMAGE, SEED_KERNEL, 0, 0, flip=True)
    assert not fb.correct and "cross-correlation (kernel not rotated)" in fb.message


@pytest.mark.parametrize("padding, first_start", [
    (1, "−1"),       # one zero on each side: the first window starts one position before the input
    ("full", "−2"),  # a 3-wide filter with "full" padding starts two positions before the input
    ("same", "−1"),  # "same" pads (3 - 1) / 2 = 1 on each side
])
def test_check_unvisited_explains_window_starts_with_every_padding_form(padding, first_start):
    message = check_unvisited([], 7, 3, stride=1, padding=padding).message
    assert f"windows start at {first_start.replace(chr(0x2212), '-')}," in message


# ---------------------------------------------------------------- checkers for the lessons' new tasks

from convlab.lessons.exercises import (Question, check_keras_same_padding, check_kernel_design, check_landing,  # noqa: E402
                                    check_matching, keras_same_padding)
from convlab import conv2d as _conv2d  # noqa: E402


@pytest.mark.parametrize("answer, correct, phrase", [
    ("row 0, column 1: 2", True, "lands at row 0, column 1"),   # value and place
    ((0, 1, 2), True, "lands"),                                  # a tuple works too
    ("row 1, column 0: 2", False, "counts down"),     # value right, axes swapped
    ("row 1, column 2: 2", False, "count the feature map's rows and columns from 0"),  # 1-based place
    ("row 0, column 1: 5", False, "place is right"),             # place right, value wrong
    ("row 2, column 2: 2", False, "place is not"),               # value right, place wrong
])
def test_check_landing_tests_value_and_place(answer, correct, phrase):
    fb = check_landing(answer, SEED_IMAGE, SEED_KERNEL, 2)
    assert fb.correct is correct and phrase in fb.message


def test_check_landing_windows_count_from_one():
    with pytest.raises(ValueError, match="window"):
        check_landing("0 0 -4", SEED_IMAGE, SEED_KERNEL, 0)


def test_check_kernel_design_accepts_any_kernel_that_makes_the_target():
    target = _conv2d(SEED_IMAGE, SEED_KERNEL)
    assert check_kernel_design("1 0 -1; 1 0 -1; 1 0 -1", SEED_IMAGE, target).correct
    assert check_kernel_design(SEED_KERNEL, SEED_IMAGE, target).correct
    wrong = check_kernel_design("-1 0 1; -1 0 1; -1 0 1", SEED_IMAGE, target)
    assert not wrong.correct and "differ" in wrong.slip
    assert "feature map" in check_kernel_design("1 0; 0 1", SEED_IMAGE, target).slip   # wrong size
    assert not check_kernel_design("1 0 -1; 1 0", SEED_IMAGE, target).readable


def test_check_matching_names_the_wrong_letters_only():
    fb = check_matching("A1 B1", {"A": 1, "B": 2}, ["blur", "edges"], {"A": "smooth", "B": "white on flat"})
    assert not fb.correct and fb.slip == "1 of 2 right; look again at B."
    assert check_matching({"a": 1, "b": 2}, {"A": 1, "B": 2}, ["x", "y"], {"A": "", "B": ""}).correct


@pytest.mark.parametrize("n, k, s, pads", [
    (6, 3, 2, (0, 1)),   # the porting bug: odd filter, stride 2, even input -> uneven
    (5, 3, 2, (1, 1)),   # odd input: even
    (5, 3, 1, (1, 1)),   # stride 1: (k - 1)/2 per side, like PyTorch
    (4, 2, 1, (0, 1)),   # even filter: the extra pixel after
    (7, 1, 3, (0, 0)),   # 1x1 filter never needs padding
])
def test_keras_same_padding_table(n, k, s, pads):
    assert keras_same_padding(n, k, s) == pads
    before, after = pads
    assert (n + before + after - k) // s + 1 == -(-n // s)   # gives Keras's ceil(n/s) outputs


def test_check_keras_same_padding_names_the_swapped_sides():
    assert check_keras_same_padding("0, 1", 6, 3, stride=2).correct
    assert check_keras_same_padding("1, 0", 6, 3, stride=2).category == "padding-side"


def test_question_holds_back_the_answer_for_one_wrong_try():
    q = Question(check_window_value, SEED_IMAGE, SEED_KERNEL, 0, 1)
    first = q.check(13)
    assert "= 2" not in first.message and "Try again" in first.message
    assert "= 2" in q.check(3).message
    assert q.reveal().endswith("= 2.")


def test_question_checks_its_solution():
    with pytest.raises(ValueError, match="solution"):
        Question(check_kernel_design, SEED_IMAGE, SEED_IMAGE[1:4, 1:4], solution="1 0 0; 0 0 0; 0 0 0")
    q = Question(check_kernel_design, SEED_IMAGE, SEED_IMAGE[1:4, 1:4], solution="0 0 0; 0 1 0; 0 0 0")
    assert "One answer: 0 0 0; 0 1 0; 0 0 0" in q.reveal()


# --------------------------------------------------------------------------- slip categories and ids

from convlab.lessons._answers import SLIP_CATEGORIES  # noqa: E402
from convlab.lessons.receptive import check_stack_design  # noqa: E402


def test_slip_categories_are_one_documented_kebab_case_set():
    assert "other" in SLIP_CATEGORIES and "unreadable" in SLIP_CATEGORIES
    for name, meaning in SLIP_CATEGORIES.items():
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", name), name
        assert meaning and "\n" not in meaning, name


@pytest.mark.parametrize("feedback, category", [
    (check_output_size(3, 7, 3, stride=2, padding=1), "forgot-padding"),     # padding left out
    (check_output_size(2, 5, 3), "off-by-one"),                               # the + 1 forgotten
    (check_output_size(7, 9, 3, stride=2), "forgot-stride"),                 # not divided by the stride
    (check_output_size(5, 5, 3), "kept-input-size"),                          # assumed the size is kept
    (check_same_padding(2, 3), "padding-total"),                              # both sides together
    (check_window_value(4, SEED_IMAGE, SEED_KERNEL), "wrong-sign"),          # a sign slip
    (check_window_value(13, SEED_IMAGE, SEED_KERNEL), "sum-without-multiply"),
    (check_window_value(2, SEED_IMAGE, SEED_KERNEL), "wrong-window"),        # the neighbouring window's value
    (check_parameter_count(432, 3, 3, 16), "forgot-bias"),
    (check_parameter_count(160, 3, 3, 16), "forgot-channels"),              # 3·3·16 + 16
    (check_landing((1, 0, 2), SEED_IMAGE, SEED_KERNEL, 2), "swapped-row-column"),
    (check_keras_same_padding("1, 0", 6, 3, stride=2), "padding-side"),
    (check_unvisited([6], 6, 3, stride=2), "off-by-one"),                    # counted from 1
    (check_choice("2", "a", {"a": "x", "b": "y"}), "wrong-option"),
    (check_number(7, 9, why="3·3 = 9"), "other"),                             # a wrong answer no slip explains
    (check_number("seven", 9, why="3·3 = 9"), "unreadable"),
    (check_stack_design("conv 3, conv 3"), "field-too-small"),
    (check_stack_design("conv 3, pool 2, conv 3, pool 2, conv 3, pool 2, conv 3, pool 2, conv 3"), "wrong-size"),
    (check_stack_design("pool 2, conv 3"), "broke-a-rule"),                  # must start with a convolution
    (check_stack_design("conv 11, pool 2, conv 11"), "over-budget"),         # field 11 → 12 → 32, but 8,728 parameters
])
def test_every_checker_files_a_wrong_answer_under_one_category(feedback, category):
    assert not feedback.correct
    assert feedback.category in SLIP_CATEGORIES
    assert feedback.category == category, (str(feedback), feedback.category)


def test_right_and_unanswered_verdicts_have_no_category():
    assert check_output_size(3, 5, 3).category == ""
    assert check_output_size(None, 5, 3).category == ""


def test_a_question_keeps_its_id_and_refuses_a_malformed_one():
    q = Question(check_output_size, 10, 3, stride=2, padding=1, id="03.1")
    assert q.id == "03.1" and Question(check_output_size, 5, 3).id == ""
    assert q.check(4).category == "forgot-padding"                            # the first try keeps the category
    with pytest.raises(ValueError, match="id"):
        Question(check_output_size, 5, 3, id="3.1")


@pytest.mark.parametrize("question, wrong", [
    (Question(check_window_value, SEED_IMAGE, SEED_KERNEL), [4, 13, 2, -3]),    # sign, no multiply, window, product
    (Question(check_same_padding, 3), [2, 3]),                                    # per side vs total; kernel width
    (Question(check_parameter_count, 3, 3, 16), [432, 160, 28, 480]),           # bias, channels, one filter, per channel
    (Question(check_landing, SEED_IMAGE, SEED_KERNEL, 2), ["row 1, column 0: 2"]),   # swapped axes
    (Question(check_keras_same_padding, 6, 3, stride=2), ["1, 0"]),              # the extra pixel's side
    (Question(check_unvisited, 6, 3, stride=2), [[6]]),                          # counted from 1
])
def test_a_first_wrong_try_names_the_slip_but_not_the_answer(question, wrong):
    answer = question.reveal()
    final = re.search(r"(-?[\d−]+)\.?$", answer.replace("−", "-"))
    for w in wrong:
        fb = Question(question.check_function, *question.args, **question.kwargs).check(w)
        assert fb.slip and fb.category not in ("", "other"), (w, str(fb))
        assert answer.rstrip(".") not in fb.message, (w, fb.message)
        if final:
            assert not re.search(rf"(?<![\d.]){re.escape(final.group(1))}(?![\d.])", fb.message.replace("−", "-")), \
                (w, fb.message)


def test_every_question_in_the_bank_has_its_own_id():
    import numpy as np

    from convlab.lessons.questions import IDS, NAMES, question

    data = {("02", "centre"): (np.arange(25.0).reshape(5, 5),), ("06", "flip"): (SEED_IMAGE,)}
    ids = [question(lesson, name, *data.get((lesson, name), ())).id for lesson, name in NAMES]
    assert ids == [IDS[key] for key in NAMES] and len(set(ids)) == len(ids)
    assert all(i[:2] == lesson for i, (lesson, _) in zip(ids, NAMES))
