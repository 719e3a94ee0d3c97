"""Headless tests of the lessons' small widgets: set values, read the feedback, caption and figure."""

import asyncio
import io

import numpy as np
import pytest
from PIL import Image

from convlab import conv2d
from convlab.lessons.exercises import check_choice, check_output_size, check_window_value
from convlab.images import SEED_IMAGE, SEED_KERNEL, stripes
from convlab.kernels import VERTICAL_EDGE
from convlab.nets.learn import learn_kernel, make_targets
from convlab.widgets.lesson_widgets import BringYourOwn, LearningViewer
from convlab.widgets.quiz import Quiz
from convlab.core.steps import format_number


@pytest.mark.parametrize("typed, correct, phrase", [
    ("4", True, "✓ Right"),
    ("3", False, "forget the padding"),  # the slip is named in the box
    ("four", False, "could not read"),
    ("", False, "✎ Your turn"),
])
def test_quiz_text_box_checks_what_was_typed(typed, correct, phrase):
    q = Quiz(check_output_size, "width?", 7, 3, stride=2, padding=1)
    q.answer.value = "something else first"
    q.answer.value = typed  # what pressing Enter does
    assert q.last.correct is correct
    assert phrase in q.feedback.value


def test_quiz_button_checks_again():
    q = Quiz(check_window_value, "first window?", SEED_IMAGE, SEED_KERNEL)
    q.answer.value = "-4"
    q.feedback.value = ""
    q.button.click()
    assert "✓ Right" in q.feedback.value and "= −4" in q.feedback.value


def test_quiz_with_options_uses_buttons():
    q = Quiz(check_choice, "which?", "b", {"a": "no", "b": "yes", "c": "never"}, options=["a", "b", "c"])
    q.answer.value = "a"
    assert not q.last.correct and "The answer is" not in q.feedback.value  # first try: why "a" is wrong only
    assert "no" in q.feedback.value
    q.answer.value = "c"
    assert "The answer is" in q.feedback.value  # second wrong try: the answer
    q.answer.value = "b"
    assert q.last.correct


def test_quiz_keeps_the_answer_back_until_the_second_wrong_try():
    q = Quiz(check_output_size, "width?", 7, 3, stride=2, padding=1)
    q.submit("3")
    assert "forget the padding" in q.feedback.value and "= 4" not in q.feedback.value
    assert "Try again" in q.feedback.value
    q.submit("3")  # the same wrong answer again is not a new try
    assert "= 4" not in q.feedback.value
    q.submit("five")  # unreadable: not a try either
    assert "= 4" not in q.feedback.value
    q.submit("6")
    assert "= 4" in q.feedback.value


def test_quiz_show_answer_button_shows_the_worked_answer():
    q = Quiz(check_window_value, "first window?", SEED_IMAGE, SEED_KERNEL)
    q.show_answer.click()
    assert "= −4" in q.feedback.value and "Answer" in q.feedback.value


def _run(steps=30):
    imgs = [stripes(8, 2)]
    return imgs, learn_kernel(imgs, make_targets(imgs, VERTICAL_EDGE), steps=steps, learning_rate=0.2)


def test_learning_viewer_follows_the_step_slider():
    imgs, run = _run()
    v = LearningViewer(run, imgs[0], make_targets(imgs, VERTICAL_EDGE)[0])
    before = v.image_widget.value
    v.step.value = 30
    assert v.caption.startswith("step 30 of 30")
    assert v.image_widget.value != before  # the picture changed
    np.testing.assert_allclose(_panel(v.figure, "kernel at step").images[0].get_array(), run.kernels[30])
    assert v.play.max == 30


def _viewer_in_a_kernel(moves, *, settle=True):
    """Build a LearningViewer inside a running event loop (as in a kernel) and move its slider to each of
    ``moves`` with no pause in between (slider messages queued while the kernel was drawing). Returns the
    viewer, how many pictures it rendered after it was built, and its caption read right after the moves."""
    imgs, run = _run()

    async def scenario():
        v = LearningViewer(run, imgs[0])
        rendered = []
        v.image_widget.observe(lambda change: rendered.append(change["new"]), names="value")
        for s in moves:
            v.step.value = s
        caption = None if settle else v.caption
        if settle:
            await asyncio.sleep(LearningViewer.COALESCE_SECONDS * 4)  # the kernel idles a moment
        return v, rendered, caption

    return asyncio.run(scenario())


def test_learning_viewer_draws_a_burst_of_slider_moves_once_at_the_latest_step():
    v, rendered, _ = _viewer_in_a_kernel(range(1, 21))
    imgs, run = _run()
    oracle = LearningViewer(run, imgs[0])  # no event loop: draws step 20 at once
    oracle.step.value = 20
    assert len(rendered) == 1  # 20 moves, one picture: the stale 19 were dropped
    assert rendered[0] == oracle.picture()
    assert v.caption == oracle.caption and v.caption.startswith("step 20 of 30")


def test_learning_viewer_read_right_after_a_move_shows_the_step_just_set():
    # a notebook cell that sets the slider and reads the caption at once (no await in between)
    v, rendered, caption = _viewer_in_a_kernel([7], settle=False)
    assert caption.startswith("step 7 of 30")
    assert "after 7 of 30" in v.alt_text()


def _png(size=(30, 20)):
    buf = io.BytesIO()
    Image.new("RGB", size, (10, 200, 30)).save(buf, format="PNG")
    return buf.getvalue()


def test_bring_your_own_uses_a_typed_kernel():
    b = BringYourOwn(size=16)
    b.kernel_text.value = "1 1; 1 1"
    np.testing.assert_array_equal(b.kernel, np.ones((2, 2)))
    assert "feature map 15x13" in b.caption


@pytest.mark.parametrize("text, phrase", [
    ("1 0 -1; 1 0", "row 2 has 2"),
    ("1 a", "'a' (row 1, entry 2) is not a number"),
    ("; ".join(["1 " * 15] * 15), "larger than the padded input"),  # parses, but does not fit the image
])
def test_bring_your_own_explains_a_bad_kernel(text, phrase):
    b = BringYourOwn(size=12)
    kept = b.kernel.copy()
    b.kernel_text.value = text
    assert b.caption.startswith("Kernel not used") and phrase in b.caption
    np.testing.assert_array_equal(b.kernel, kept)  # the last good kernel stays in use


def test_bring_your_own_loads_an_uploaded_png_and_explains_a_bad_one():
    b = BringYourOwn(size=16)
    b.load_bytes(({"name": "leaf.png", "content": memoryview(_png())},))
    assert b.caption.startswith("kernel 3x3 on an image of 11x16")
    b.load_bytes(({"name": "doc.pdf", "content": b"%PDF-1.4"},))
    assert b.caption == "Image not used: the file is a PDF file, not a PNG or JPEG; save it as PNG or JPEG and upload it again"


def test_bring_your_own_size_slider_rescales():
    b = BringYourOwn(size=16)
    b.size.value = 32
    assert b.image.shape[0] == 32 and "32x" in b.caption


def test_quiz_with_a_blank_box_asks_for_a_prediction_in_its_own_words():
    q = Quiz(check_output_size, "width?", 5, 3)
    q.answer.value = "x"
    q.answer.value = ""
    assert "type your prediction, then press Check" in q.feedback.value and "None" not in q.feedback.value


def test_quiz_submit_accepts_a_number_not_only_text():
    q = Quiz(check_output_size, "width?", 7, 3, stride=2, padding=1)
    assert q.submit(4).correct  # a Text box holds strings: 4 used to be a TraitError
    assert q.answer.value == "4"


def test_quiz_with_options_checks_text_that_is_not_an_option():
    q = Quiz(check_choice, "which?", "b", {"a": "no", "b": "yes"}, options=["a", "b"])
    fb = q.submit("c")  # used to be a TraitError from the buttons
    assert not fb.correct and "not one of the options" in q.feedback.value
    assert q.answer.value is None


def test_quiz_with_impossible_settings_fails_when_built_not_when_checked():
    with pytest.raises(ValueError, match="larger than the padded input"):
        Quiz(check_output_size, "width?", 2, 3)


def test_quiz_shows_a_checker_error_in_the_feedback_box_not_a_traceback():
    def fragile(answer):
        if answer is not None:
            raise ValueError("boom")
        return check_output_size(None, 5, 3)

    q = Quiz(fragile, "?")
    q.answer.value = "1"
    assert not q.last.correct and "could not be checked (boom)" in q.feedback.value


@pytest.mark.parametrize("kwargs, phrase", [
    (dict(kernel_text="1 x"), "Kernel not used: 'x' (row 1, entry 2) is not a number"),  # was a traceback
    (dict(image="abc"), "Image not used: image must be an array of numbers"),  # was numpy's float() error
    (dict(image=[[np.nan] * 5] * 5), "Image not used: image must contain only finite numbers"),
])
def test_bring_your_own_explains_a_bad_start_instead_of_raising(kwargs, phrase):
    b = BringYourOwn(size=12, **kwargs)
    assert phrase in b.caption


def test_bring_your_own_turns_an_rgb_image_to_grayscale():
    b = BringYourOwn(np.full((20, 20, 3), 100.0), size=12)  # was "Kernel not used: ... one slice per channel"
    assert b.image.shape == (12, 12) and b.caption.startswith("kernel 3x3 on an image of 12x12")


def test_bring_your_own_load_bytes_explains_a_value_that_is_not_a_file():
    b = BringYourOwn(size=12)
    b.load_bytes(42)  # was a TypeError traceback
    assert b.caption.startswith("Image not used: this does not look like a FileUpload value")


def test_bring_your_own_says_the_image_is_too_small_when_the_size_slider_shrinks_it():
    b = BringYourOwn(size=16)
    b.kernel_text.value = "; ".join(["1 " * 9] * 9)
    b.size.value = 8
    assert b.caption.startswith("Feature map not drawn: kernel (9x9) is larger")  # not "Kernel not used"
    assert b.kernel.shape == (9, 9)  # the kernel is still the one in use


def _panel(fig, title: str):
    """The one axes of a widget's public figure whose title starts with ``title``."""
    found = [ax for ax in fig.axes if ax.get_title().startswith(title)]
    assert len(found) == 1, [ax.get_title() for ax in fig.axes]
    return found[0]


def _artist_ids(fig):
    """The figure's axes and the images, texts and lines on them (tick labels aside: matplotlib makes those)."""
    return [id(a) for ax in fig.axes for a in (ax, *ax.images, *ax.texts, *ax.lines)]


def test_learning_viewer_updates_the_same_artists_in_place():
    imgs, run = _run()
    v = LearningViewer(run, imgs[0], make_targets(imgs, VERTICAL_EDGE)[0])
    figure, before = v.figure, _artist_ids(v.figure)
    for s in (5, 17, 30, 0, 30):
        v.step.value = s
    assert v.figure is figure and _artist_ids(v.figure) == before  # created once, updated in place
    np.testing.assert_allclose(_panel(v.figure, "its feature map").images[0].get_array(), conv2d(imgs[0], run.kernels[30]))
    kernel = _panel(v.figure, "kernel at step 30")
    assert [t.get_text() for t in kernel.texts][:1] == [format_number(round(run.kernels[30][0, 0], 2), 2)]


def test_bring_your_own_updates_the_same_artists_in_place():
    b = BringYourOwn(size=16)
    figure, before = b.figure, _artist_ids(b.figure)
    b.kernel_text.value = "0 1 0; 1 -4 1; 0 1 0"
    b.size.value = 24  # another image shape: same image artist, new data and extent
    b.load_bytes(_png())
    b.kernel_text.value = "1 0 -1; 2 0 -2; 1 0 -1"
    assert b.figure is figure and _artist_ids(b.figure) == before
    shown_image = _panel(b.figure, "input").images[0]
    np.testing.assert_array_equal(shown_image.get_array(), b.image)
    np.testing.assert_allclose(_panel(b.figure, "feature map").images[0].get_array(), conv2d(b.image, b.kernel))
    h, w = b.image.shape
    assert shown_image.get_extent() == [-0.5, w - 0.5, h - 0.5, -0.5]
    kernel_labels = [t.get_text() for t in _panel(b.figure, "your kernel").texts if t.get_visible()]
    assert kernel_labels == ["1", "0", "−1", "2", "0", "−2", "1", "0", "−1"]


def test_bring_your_own_keeps_its_images_when_the_kernel_changes_size():
    b = BringYourOwn(size=16)
    images = [id(ax.images[0]) for ax in b.figure.axes]
    b.kernel_text.value = "1 1; 1 1"
    b.kernel_text.value = "; ".join(["1 " * 5] * 5)
    b.kernel_text.value = "1 1; 1 1"
    assert [id(ax.images[0]) for ax in b.figure.axes] == images
    assert all(len(ax.images) == 1 for ax in b.figure.axes)
    kernel_ax = b.figure.axes[1]
    shown = [t.get_text() for t in kernel_ax.texts if t.get_visible()]
    assert shown == ["1"] * 4 and len(kernel_ax.texts) == 25  # labels reused, the spare ones hidden
    assert kernel_ax.get_xlim() == (-0.5, 1.5)


@pytest.mark.parametrize("make", [
    lambda: Quiz(check_output_size, "width?", 7, 3),   # a predict box
    lambda: LearningViewer(_run(5)[1], stripes(8, 2), make_targets([stripes(8, 2)], VERTICAL_EDGE)[0]),
    lambda: BringYourOwn(size=12),
])
def test_lesson_widgets_display_as_their_root_box(make):
    obj = make()
    bundle, _ = obj._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == obj.widget.model_id
    # where no kernel runs (GitHub), a stand-in instead of "VBox(children=(...": a picture with alt, or the question
    assert "VBox(" not in bundle["text/plain"] and bundle["text/plain"]
    assert bundle["text/html"].startswith(("<img ", "<p><b>Predict:</b>"))


def test_quiz_built_on_a_question_shares_its_tries_and_options():
    from convlab.lessons.questions import question

    q = question("01", "edge")
    quiz = Quiz(q, "a large positive value means …")
    assert list(quiz.answer.options) == q.options  # multiple choice: buttons from the question
    q.check("dark left, bright right")              # a wrong try in the notebook cell …
    quiz.answer.value = "the same brightness everywhere"  # … and one in the box: the second, so the answer shows
    assert "The answer is" in quiz.feedback.value


def test_a_quiz_heads_its_box_with_the_exercise_id():
    from convlab.lessons.exercises import Question, check_output_size
    from convlab.widgets.quiz import Quiz

    quiz = Quiz(Question(check_output_size, 10, 3, stride=2, padding=1, id="03.1"), "output width?")
    assert quiz.description().startswith("Exercise 03.1 · Predict: output width?")
    assert "Exercise 03.1 · Predict:" in quiz.static_html()
    assert Quiz(check_output_size, "width?", 5, 3).description().startswith("Predict: width?")
    assert quiz.submit("4").category == "forgot-padding"        # the box's verdict carries the slip category
