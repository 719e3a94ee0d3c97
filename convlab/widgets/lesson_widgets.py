"""Small widgets for single lessons (wiring layer: ipywidgets only; the figures come from convlab.figures).

* :class:`LearningViewer` (lesson 06): scrub or play through the steps of gradient descent and watch
  the kernel, its feature map and the loss.
* :class:`BringYourOwn` (lesson 05): type a kernel, upload a PNG/JPEG, choose the image size; see the
  feature map, or a plain-words message when the input is not usable.

Each figure comes from the drawing layer (:class:`~convlab.figures.LearningFigure`,
:class:`~convlab.figures.KernelResultFigure`): a plain matplotlib ``Figure`` (not pyplot) built once and
updated in place. It is shown as a PNG in a :class:`~convlab.widgets.controls.Picture` (an ``<img>`` whose
alternative text follows the picture), re-rendered after each change, so it works the same in JupyterLab,
Voilà and headless tests (where ``.figure`` and ``.caption`` can be inspected directly). Sliders and Play
are the labelled, keyboard-operable controls of :mod:`convlab.widgets.controls`.
"""

from __future__ import annotations

import asyncio
import html

import ipywidgets as W
import numpy as np

from .._shared.validate import as_array, as_image, bounded_size, short
from ..nets.learn import LearningRun
from ..core.conv import conv2d
from ..data.images import downscale, sample_photo, to_grayscale
from ..data.userdata import format_kernel, load_image, parse_kernel
from ..figures.panels import KernelResultFigure, LearningFigure
from ._base import ShowsWidget
from .controls import LiveText, Picture, PlayButton, Slider

__all__ = ["LearningViewer", "BringYourOwn"]


class _FigureWidget(ShowsWidget):
    """Shared plumbing: a drawing-layer figure shown as a PNG image, a caption, a root box."""

    def _init_view(self, drawer, controls: list) -> None:
        self._drawer = drawer  # builds the artists once; update(...) changes them, png() renders them
        self.figure = drawer.figure
        self.image_widget = Picture(alt="The figure is being drawn.")
        self.caption_widget = LiveText()
        self._caption = ""
        self.widget = W.VBox(controls + [self.caption_widget, self.image_widget])
        self.widget.add_class("convlab-lesson-widget")  # visible focus on its stock controls (controls.css)

    def _set_caption(self, text: str, *, error: bool = False) -> None:
        self._caption = text
        colour = "#8a4b00" if error else "#222"
        self.caption_widget.value = (f'<pre style="white-space:pre-wrap; margin:4px 0; color:{colour}">'
                                     f"{html.escape(text)}</pre>")

    def _catch_up(self) -> None:
        """Draw what the controls ask for now, if a draw is still pending (see :class:`LearningViewer`)."""

    @property
    def caption(self) -> str:
        """The text currently shown under the controls."""
        self._catch_up()
        return self._caption

    def picture(self) -> bytes:
        """A PNG of the figure shown now (the static stand-in where widgets cannot run)."""
        self._catch_up()
        return self.image_widget.value

    def description(self) -> str:
        return self.caption

    def alt_text(self) -> str:
        self._catch_up()
        return self.image_widget.alt

    def _render(self, alt: str) -> None:
        with self.image_widget.hold_sync():
            self.image_widget.value = self._drawer.png()
            self.image_widget.alt = alt


class LearningViewer(_FigureWidget):
    """Scrub through a :class:`~convlab.nets.learn.LearningRun`: the kernel, its feature map, the loss.

    It keeps up with the slider: in a running kernel, slider moves that arrive while a step is being drawn
    (Play, or a learner dragging at 25 steps a second) are not drawn one by one; when the drawing is done
    the latest step is drawn and the stale ones are dropped, so the picture is never more than one
    drawing behind. Outside an event loop (scripts, tests) every change is drawn at once; reading
    ``caption`` or :meth:`picture` always gives the step the slider is on.

    Parameters
    ----------
    run : convlab.nets.learn.LearningRun
    image : (H, W) array
        The image shown through the kernel at each step.
    target : (H', W') array, optional
        The feature map the kernel should produce from ``image`` (shown for comparison).
    dpi : int, default 96
        96 pixels per inch: shown at its natural size, 9-pt numbers are 12 px.

    Attributes
    ----------
    step : convlab.widgets.controls.Slider
    play : convlab.widgets.controls.PlayButton
        Linked to ``step`` in the page (``ipywidgets.jslink``).
    figure, caption, widget

    Examples
    --------
    >>> from convlab.nets.learn import learn_kernel, make_targets
    >>> from convlab.kernels import VERTICAL_EDGE
    >>> from convlab.images import stripes
    >>> imgs = [stripes(8, 2)]
    >>> run = learn_kernel(imgs, make_targets(imgs, VERTICAL_EDGE), steps=20)
    >>> v = LearningViewer(run, imgs[0])
    >>> v.step.value = 20
    >>> v.caption.startswith("step 20 of 20")
    True
    """

    def __init__(self, run, image, target=None, *, dpi: int = 96):
        if not isinstance(run, LearningRun):
            raise TypeError(f"run must be a LearningRun from convlab.nets.learn.learn_kernel(...); got {short(run)}")
        self.run = run
        self.image = as_image(image)
        self.target = None if target is None else as_array(target, "target", ndims=(2,), shape_hint="(h, w), a feature map")
        self.step = Slider(0, min=0, max=run.steps, description="training step")
        self.play = PlayButton(0, min=0, max=run.steps, step=max(1, run.steps // 50), interval=150,
                               description="training steps")
        W.jslink((self.play, "value"), (self.step, "value"))
        drawer = LearningFigure(run.losses, kernel_limit=float(np.max(np.abs(run.kernels))), target=self.target,
                                dpi=dpi)
        self._kernel_img = drawer.kernel.image  # the kernel's picture (kept for tests and notebooks)
        self._init_view(drawer, [W.HBox([self.play, self.step])])
        self._drawn, self._pending = None, None
        self.step.observe(lambda change: self._request(), names="value")
        self._show()

    # Moves that arrive within this many seconds of the first one after a drawing are drawn once, at the
    # latest: long enough for the kernel to take in every move queued during a drawing (microseconds
    # each), short next to the drawing itself (~0.1-0.3 s).
    COALESCE_SECONDS = 0.03

    def _request(self) -> None:
        try:
            loop = asyncio.get_running_loop()  # in a kernel: comm messages and cells run in its event loop
        except RuntimeError:
            self._show()
            return
        if self._pending is None:
            self._pending = loop.call_later(self.COALESCE_SECONDS, self._catch_up)

    def _catch_up(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        if self._drawn != self.step.value:
            self._show()

    def _show(self) -> None:
        s = self.step.value
        self._drawn = s
        k = self.run.kernels[s]
        self._drawer.update(s, k, conv2d(self.image, k))
        rows = "\n".join("  ".join(f"{x:6.2f}" for x in row) for row in k)
        self._set_caption(f"step {s} of {self.run.steps}: loss {self.run.losses[s]:.4g}\n{rows}")
        target = ", the target feature map" if self.target is not None else ""
        self._render(f"The kernel after {s} of {self.run.steps} training steps (its numbers are in the caption "
                     f"above), its feature map of the image{target}, and the loss curve with step {s} marked "
                     f"(loss {self.run.losses[s]:.4g}).")


class BringYourOwn(_FigureWidget):
    """Your kernel on your image: a text box for the kernel, an upload button and a size slider.

    Parameters
    ----------
    image : array_like, optional
        Starting image (default: the offline photo, grayscale); an RGB image is turned to grayscale.
    kernel_text : str, default the lesson's vertical-edge filter
    size : int, default 48
        Longer side of the image in pixels (the slider goes from 8 to 128).

    Attributes
    ----------
    kernel_text : ipywidgets.Textarea
    upload : ipywidgets.FileUpload
    size : convlab.widgets.controls.Slider
    kernel : numpy.ndarray or None
        The kernel in use (the last one that parsed; None while none has).
    figure, caption, widget

    Examples
    --------
    >>> b = BringYourOwn(size=16)
    >>> b.kernel_text.value = "1 2; 3"
    >>> print(b.caption)
    Kernel not used: every row needs the same number of entries; got rows of lengths 2, 1 (row 2 has 1 where row 1 has 2)
    >>> b.kernel_text.value = "0 0 0; 0 1 0; 0 0 0"
    >>> b.caption.splitlines()[0]
    'kernel 3x3 on an image of 16x14 pixels -> feature map 14x12'
    >>> b.load_bytes(b"GIF89a...")
    >>> print(b.caption)
    Image not used: the file is a GIF image, not a PNG or JPEG; save it as PNG or JPEG and upload it again
    """

    def __init__(self, image=None, kernel_text: str = "1 0 -1\n1 0 -1\n1 0 -1", *, size: int = 48, dpi: int = 96):
        size = bounded_size(size, "size", 128)
        if size < 8:
            raise ValueError(f"size must be from 8 to 128 pixels (the slider's range); got {size}")
        # a bad starting image or kernel is explained in the caption, like a bad upload or typed kernel
        problems = []
        self._source, self._source_name = sample_photo(256), "the offline photo"
        if image is not None:
            try:
                source = as_image(image)
                self._source = to_grayscale(source) if source.ndim == 3 else source
                self._source_name = "your image"
            except (TypeError, ValueError) as exc:
                problems.append(f"Image not used: {exc}; showing the offline photo instead")
        self.kernel = None  # until a kernel parses
        try:
            self.kernel = parse_kernel(kernel_text)
        except (TypeError, ValueError) as exc:
            problems.append(f"Kernel not used: {exc}")
            kernel_text = kernel_text if isinstance(kernel_text, str) else ""
        self.kernel_text = W.Textarea(value=kernel_text, description="kernel", continuous_update=False,
                                      layout=W.Layout(width="260px", height="90px"))
        self.upload = W.FileUpload(accept="image/png,image/jpeg,.png,.jpg,.jpeg", multiple=False,
                                   description="your image")
        self.size = Slider(size, min=8, max=128, step=4, description="image size (pixels)",
                           continuous_update=False)
        self._init_view(KernelResultFigure(dpi=dpi), [W.HBox([self.kernel_text, W.VBox([self.upload, self.size])])])
        self.kernel_text.observe(lambda change: self._on_kernel(), names="value")
        self.upload.observe(lambda change: self.load_bytes(change["new"]), names="value")
        self.size.observe(lambda change: self._update(), names="value")
        self._update()
        if problems:
            self._set_caption("\n".join(problems), error=True)

    @property
    def image(self) -> np.ndarray:
        """The image in use, downscaled to the slider's size."""
        return np.round(downscale(self._source, self.size.value))

    def _on_kernel(self) -> None:
        try:
            kernel = parse_kernel(self.kernel_text.value)
        except (TypeError, ValueError) as exc:
            self._set_caption(f"Kernel not used: {exc}", error=True)
            return
        self._update(kernel)

    def load_bytes(self, data) -> None:
        """Use an uploaded file (bytes or a FileUpload value); a bad file is explained in the caption."""
        try:
            self._source = load_image(data, size=256)
        except (TypeError, ValueError) as exc:
            self._set_caption(f"Image not used: {exc}", error=True)
            return
        self._source_name = "your image"
        self._update()

    def _update(self, kernel=None) -> None:
        """Draw ``kernel`` (a newly typed one) or the kernel in use on the current image."""
        typed = kernel is not None
        kernel = kernel if typed else self.kernel
        if kernel is None:
            return
        image = self.image
        try:
            fmap = conv2d(image, kernel)
        except ValueError as exc:
            # a typed kernel that does not fit is not used; otherwise the kernel stays and this image is too small
            self._set_caption(f"{'Kernel not used' if typed else 'Feature map not drawn'}: {exc}", error=True)
            return
        self.kernel = kernel
        self._drawer.update(image, kernel, fmap, input_title=f"input: {self._source_name}")
        kh, kw = self.kernel.shape
        self._set_caption(f"kernel {kh}x{kw} on an image of {image.shape[0]}x{image.shape[1]} pixels -> feature map "
                          f"{fmap.shape[0]}x{fmap.shape[1]}\n{format_kernel(self.kernel)}")
        self._render(f"Three panels: {self._source_name} at {image.shape[0]} by {image.shape[1]} pixels, "
                     f"the {kh} by {kw} kernel (its numbers are in the caption above), and the "
                     f"{fmap.shape[0]} by {fmap.shape[1]} feature map it makes, coloured where the kernel responds.")
