"""The Explorer (ipywidgets only for the controls): sliders for stride, padding, filter size and dilation,
a Play control that walks the filter, the five phases, and a live figure from :mod:`convlab.drawing`.

Inside Jupyter (and Voilà) the figure is a live ipympl canvas, attached to a plain matplotlib ``Figure``
by the Explorer itself, so a notebook keeps its default inline backend for its other figures. Where
ipympl is missing the figure is shown as a PNG image that is re-rendered on every change. Outside a
kernel (plain pytest) nothing is rendered until asked: setting a widget's ``.value`` updates the figure's
artists and :attr:`Explorer.caption` synchronously.
"""

from __future__ import annotations

import html
import io
import sys

import ipywidgets as W
import numpy as np

from ..core import _validate as v
from ..core.walk import PHASE_HELP, PHASES, compute_walk, message_view, view_model
from ..data.images import SEED_IMAGE, SEED_KERNEL
from ..data.kernels import FAMILIES, make_kernel
from ..figures import step_figure as drawing
from ..figures.step_figure import StepFigure
from ._base import ShowsWidget

__all__ = ["Explorer"]

CUSTOM = "custom"
_LAYOUT_WIDE = W.Layout(width="auto", min_width="420px")
_STYLE = {"description_width": "110px"}


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return False
    ip = get_ipython()
    return ip is not None and getattr(ip, "kernel", None) is not None


def _import_ipympl():
    """Import ipympl's canvas WITHOUT switching the notebook's matplotlib backend.

    ``import ipympl`` calls ``matplotlib.use("module://ipympl.backend_nbagg")`` when matplotlib is
    already imported (ipympl/__init__.py), which would turn every later ``plt.plot`` of a lesson into a
    live widget and, with pyplot loaded, close the open figures. The lessons keep their inline backend:
    we only need the ``Canvas`` class, so ``matplotlib.use`` is a no-op for the length of the import.
    """
    if "ipympl.backend_nbagg" in sys.modules:
        return sys.modules["ipympl.backend_nbagg"]
    import matplotlib

    real_use = matplotlib.use
    matplotlib.use = lambda *args, **kwargs: None
    try:
        import ipympl.backend_nbagg as backend
    finally:
        matplotlib.use = real_use
    return backend


def _slider_value(value, name: str, low: int, what: str) -> int:
    """A setting for an integer slider: an int of at least ``low`` (the slider widens for larger ones)."""
    if not v._is_int(value):
        raise TypeError(f"{name} must be {what} for the Explorer's slider; got {v._short(value)}")
    if value < low:
        raise ValueError(f"{name} must be {what}; got {v._short(value)}")
    return int(value)


class Explorer(ShowsWidget):
    """The filter's walk, step by step and phase by phase, with every setting on a slider.

    Parameters
    ----------
    image : array_like, optional
        (H, W) grayscale or (H, W, 3) RGB. Default: the seed lesson's 5x5 image. An image (or kernel)
        that cannot be used is explained in the figure and caption, never raised.
    kernel : array_like, optional
        A filter of your own; the family chooser then offers "custom" at its size. Default: the seed
        lesson's 3x3 vertical-edge filter (family "vertical edge"). A 2-D kernel is applied to every
        channel of an RGB image.
    stride : int, default 1
        The slider goes from 1 to 4 (further when a larger stride is given).
    padding : int, default 0
        Zeros on each side: 0 to 3 (further when more is given).
    dilation : int, default 1
        1 to 3 (further when more is given).
    flip : bool, default False
        False: cross-correlation (what CNNs compute); True: convolution (filter rotated by 180°).
    live : {"auto", "ipympl", "png", "none"}, default "auto"
        How the figure is shown: "auto" uses ipympl inside a kernel when it is installed, a PNG image
        otherwise, and renders nothing outside a kernel.

    Attributes
    ----------
    stride, padding, kernel_size, dilation : ipywidgets.IntSlider
    step : ipywidgets.IntSlider
        Which window (0-based); its range follows the output size. ``play`` animates it.
    play : ipywidgets.Play
    phase : ipywidgets.ToggleButtons
        Exactly five options: place, multiply, sum, slide, collect.
    family : ipywidgets.Dropdown
        Kernel family (``convlab.kernels.FAMILIES``, plus "custom" for a kernel you passed).
    flip : ipywidgets.ToggleButtons
        Value False (cross-correlation) or True (convolution).
    figure : matplotlib.figure.Figure
    caption : str
        The text currently shown: the arithmetic for this window, or why the settings do not fit.
    caption_widget : ipywidgets.HTML
        The caption as shown (CSS class ``convlab-caption``).
    widget : ipywidgets.VBox
        The root box (CSS class ``convlab-explorer``). The Explorer displays itself in a notebook.

    Examples
    --------
    >>> ex = Explorer()
    >>> print(ex.caption.splitlines()[1])
    1×1 + 2×0 + 3×(−1) + 0×1 + 1×0 + 2×(−1) + 1×1 + 2×0 + 1×(−1) = −4
    >>> ex.padding.value = 1
    >>> ex.step.max                      # 5x5 windows with padding 1
    24
    >>> ex.padding.value = 0
    >>> ex.kernel_size.value = 7          # does not fit: explained, not raised
    >>> print(ex.caption)
    The 7×7 filter does not fit inside the 5×5 input with padding 0. Use padding 1 or more, or a filter size of 5 or less.
    """

    def __init__(self, image=None, kernel=None, *, stride=1, padding=0, dilation=1, flip=False, live="auto"):
        # settings are checked before any work, naming the argument (a slider would silently clamp them)
        stride = _slider_value(stride, "stride", 1, "a positive integer")
        padding = _slider_value(padding, "padding", 0, "a non-negative integer (pixels on each side)")
        dilation = _slider_value(dilation, "dilation", 1, "a positive integer")
        flip = v.check_flip(flip)
        # the data may come from anywhere (a photo, a typed kernel): a bad one is explained in the widget
        self._input_error = None
        self._image, self._custom = SEED_IMAGE, None
        try:
            if image is not None:
                self._image = v.as_image(image)
            if kernel is not None:
                self._custom = v.as_array(kernel, "kernel", ndims=(2, 3), shape_hint="(kh, kw) or (kh, kw, C)")
        except (TypeError, ValueError) as exc:
            self._input_error = f"The Explorer cannot use this input: {exc}."
        self._busy = False
        self._walk_key = None
        self._walk = None
        self._error = None
        self.compute_count = 0  # how many times the steps were computed (once per setting)

        # ---- controls
        options = list(FAMILIES) + ([CUSTOM] if self._custom is not None else [])
        start_family = CUSTOM if self._custom is not None else "vertical edge"
        start_size = self._custom.shape[0] if self._custom is not None else SEED_KERNEL.shape[0]
        size_max = max(7, start_size)
        self.stride = W.IntSlider(value=stride, min=1, max=max(4, stride), description="stride", style=_STYLE,
                                  continuous_update=True, layout=_LAYOUT_WIDE)
        self.padding = W.IntSlider(value=padding, min=0, max=max(3, padding), description="padding", style=_STYLE,
                                   layout=_LAYOUT_WIDE)
        self.kernel_size = W.IntSlider(value=start_size, min=1, max=size_max, description="filter size",
                                       style=_STYLE, layout=_LAYOUT_WIDE)
        self.dilation = W.IntSlider(value=dilation, min=1, max=max(3, dilation), description="dilation", style=_STYLE,
                                    layout=_LAYOUT_WIDE)
        self.family = W.Dropdown(options=options, value=start_family, description="filter",
                                 style=_STYLE, layout=W.Layout(width="auto", min_width="260px"))
        self.flip = W.ToggleButtons(options=[("cross-correlation", False), ("convolution", True)],
                                    value=bool(flip), style={"button_width": "130px"},
                                    tooltips=["what CNNs compute: the filter as written",
                                              "textbook convolution: the filter rotated by 180°"])
        self.step = W.IntSlider(value=0, min=0, max=0, description="window", style=_STYLE, layout=_LAYOUT_WIDE)
        self.play = W.Play(value=0, min=0, max=0, interval=900, description="play the walk")
        W.link((self.play, "value"), (self.step, "value"))
        W.link((self.play, "max"), (self.step, "max"))
        self.phase = W.ToggleButtons(options=list(PHASES), value="collect",
                                     style={"button_width": "84px"},
                                     tooltips=[PHASE_HELP[p] for p in PHASES])
        self.caption_widget = W.HTML(value="")
        self.caption_widget.add_class("convlab-caption")
        for w, cls in ((self.stride, "convlab-stride"), (self.padding, "convlab-padding"),
                       (self.kernel_size, "convlab-kernel-size"), (self.step, "convlab-step"),
                       (self.dilation, "convlab-dilation"), (self.phase, "convlab-phase"),
                       (self.family, "convlab-family"), (self.flip, "convlab-flip"), (self.play, "convlab-play")):
            w.add_class(cls)

        # ---- figure (built once; artists rebuilt only when a setting changes the grids)
        self._drawer = StepFigure(width=9.2)  # 662 px at 72 dpi: fits a notebook column
        self.figure = self._drawer.figure
        self._mode = self._choose_mode(live)
        self._canvas_widget = self._make_canvas_widget()
        self._figure_box = W.Box([self._canvas_widget], layout=W.Layout(overflow="auto", max_width="100%"))
        self._figure_box.add_class("convlab-figure")

        for w in (self.stride, self.padding, self.dilation, self.flip):
            w.observe(self._on_setting, names="value")
        self.kernel_size.observe(self._on_kernel_size, names="value")
        self.family.observe(self._on_family, names="value")
        self.step.observe(self._on_step, names="value")
        self.phase.observe(self._on_step, names="value")

        def label(text):
            return W.Label(text, layout=W.Layout(width="114px", justify_content="flex-end", padding="0 8px 0 0"))

        settings = W.VBox([self.stride, self.padding, self.kernel_size, self.dilation])
        choice = W.VBox([self.family, W.HBox([label("operation"), self.flip])])
        walk = W.HBox([self.play, self.step])
        self.widget = W.VBox([W.HBox([settings, choice]), walk, W.HBox([label("phase"), self.phase]),
                              self._figure_box, self.caption_widget])
        self.widget.add_class("convlab-explorer")
        self._recompute()

    # ------------------------------------------------------------------ the figure's home

    @staticmethod
    def _choose_mode(live) -> str:
        if live not in ("auto", "ipympl", "png", "none"):
            raise ValueError(f'live must be "auto", "ipympl", "png" or "none"; got {live!r}')
        if live != "auto":
            return live
        if not _in_kernel():
            return "none"
        try:
            _import_ipympl()  # lazy: only inside a kernel
        except Exception:  # not installed, or broken front-end pieces: fall back to a PNG
            return "png"
        return "ipympl"

    def _make_canvas_widget(self):
        if self._mode == "ipympl":
            try:
                return self._attach_ipympl()
            except Exception:  # pragma: no cover - depends on the installed ipympl
                self._mode = "png"
        image = W.Image(format="png", layout=W.Layout(max_width="100%", height="auto"))
        image.add_class("convlab-figure-image")
        return image

    def _attach_ipympl(self):
        """A live ipympl canvas for our own Figure, without switching the notebook's backend.

        This is what ipympl's backend does in ``new_figure_manager_given_figure``, minus registering the
        figure with pyplot (so ``plt.show()`` in the same notebook never shows it twice).
        """
        backend = _import_ipympl()
        canvas = backend.Canvas(self.figure)
        manager = backend.FigureManager(canvas, 0)
        manager.set_window_title("convlab Explorer")
        canvas.header_visible = False
        canvas.footer_visible = False
        canvas.toolbar_visible = False
        canvas.resizable = False
        canvas.capture_scroll = False
        canvas.layout.width = "auto"
        canvas.add_class("convlab-canvas")
        self._manager = manager  # keep it alive: the canvas calls manager.resize/handle_json
        return canvas

    def _refresh(self) -> None:
        if self._mode == "ipympl":
            self.figure.canvas.draw_idle()
        elif self._mode == "png":
            buf = io.BytesIO()
            self.figure.savefig(buf, format="png")
            self._canvas_widget.value = buf.getvalue()

    # ------------------------------------------------------------------ kernel and walk

    def _kernel(self):
        if self.family.value == CUSTOM:
            return self._custom
        return make_kernel(self.family.value, self.kernel_size.value)

    def _settings(self) -> dict:
        return dict(stride=self.stride.value, padding=self.padding.value, dilation=self.dilation.value,
                    flip=bool(self.flip.value))

    def _recompute(self) -> None:
        """Walk the filter once for the current settings (cached), rebuild the figure, show the step."""
        key = (self.family.value, self.kernel_size.value, *self._settings().values())
        if key != self._walk_key:
            self._walk_key = key
            try:
                if self._input_error:
                    raise ValueError(self._input_error)
                self._walk = compute_walk(self._image, self._kernel(), **self._settings())
                self._error = None
                self.compute_count += 1
            except (TypeError, ValueError) as exc:
                self._walk, self._error = None, str(exc)
            if self._walk is not None:
                self._drawer.phase = self.phase.value
                self._drawer.configure(view_model(self._walk))
        n = len(self._walk.steps) if self._walk is not None else 1
        self._busy = True
        try:
            # the step range follows the output size
            if self.step.value > n - 1:
                self.step.value = n - 1
            self.step.max = n - 1
            self.play.max = n - 1
            self.step.disabled = self.play.disabled = self._walk is None
        finally:
            self._busy = False
        self._show()

    def _show(self) -> None:
        if self._walk is None:
            self._drawer.configure(message_view(self._error))
        else:
            self._drawer.show(self.step.value, self.phase.value)
        self._set_caption(self._drawer.caption, error=self._walk is None)
        self._refresh()

    def _set_caption(self, text: str, *, error: bool) -> None:
        self._caption = text
        colour = "#8a4b00" if error else "#222"
        body = html.escape(text)
        self.caption_widget.value = (
            f'<pre style="white-space: pre-wrap; font-size: 13px; line-height: 1.45; margin: 4px 0; '
            f'color: {colour}; font-family: var(--jp-code-font-family, monospace);">{body}</pre>')

    @property
    def caption(self) -> str:
        """The text currently shown: the arithmetic for this window, or why the settings do not fit."""
        return self._caption

    @property
    def walk(self):
        """The cached :class:`convlab.drawing.Walk` for the current settings (None when they do not fit)."""
        return self._walk

    # ------------------------------------------------------------------ observers

    def _on_setting(self, change) -> None:
        if not self._busy:
            self._recompute()

    def _on_step(self, change) -> None:
        if not self._busy:
            self._show()

    def _on_kernel_size(self, change) -> None:
        if self._busy:
            return
        if self.family.value == CUSTOM and change["new"] != self._custom.shape[0]:
            # a custom kernel has one size: another size means a family kernel at that size
            self._busy = True
            try:
                self.family.value = "vertical edge"
            finally:
                self._busy = False
        self._recompute()

    def _on_family(self, change) -> None:
        if self._busy:
            return
        if change["new"] == CUSTOM:
            self._busy = True
            try:
                if self._custom.shape[0] > self.kernel_size.max:
                    self.kernel_size.max = self._custom.shape[0]
                self.kernel_size.value = self._custom.shape[0]
            finally:
                self._busy = False
        self._recompute()

    # ------------------------------------------------------------------ display


    def __repr__(self) -> str:
        s = self._settings()
        return (f"Explorer(image {self._image.shape}, filter {self.family.value} {self.kernel_size.value}x"
                f"{self.kernel_size.value}, stride={s['stride']}, padding={s['padding']}, "
                f"dilation={s['dilation']}, flip={s['flip']}, window {self.step.value}, phase {self.phase.value!r})")
