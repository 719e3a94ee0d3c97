"""The Explorer: the filter's walk, window by window and phase by phase, drawn live in the browser.

Python computes the view model of one setting once (:func:`convlab.views.walk.view_model`: a compact
description whose size grows with the image, the filter and the output; every frame rule decided as data)
and sends it to a browser view (``explorer.js``, an ``anywidget`` drawing SVG with its own labelled
controls). Moving the window, changing the phase and Play happen in the page and never wait for the
kernel; a new setting (stride, padding, filter size, dilation, filter, flip) comes back to Python, which
sends the next view model once. Everything the page sends is checked here as the constructor checks it:
a refused value puts the page back and the caption says why.

The value widgets (``stride``, ``padding``, ``kernel_size``, ``step``, ``phase``, ``dilation``, ``family``,
``flip``) are ipywidgets linked to the view's traits: set their ``.value`` from Python and the view follows.
They are not displayed (the view carries accessible controls of its own). matplotlib is imported only when
a static picture of the frame is asked for (a stored notebook's PNG).
"""

from __future__ import annotations

import numbers
from pathlib import Path

import anywidget
import numpy as np
import ipywidgets as W
import traitlets as T

from .._shared import validate as v
from ..core import limits as _limits
from ..views.op_views import OPERATIONS, operation_message_view, operation_view
from ..views.walk import PHASES, compute_walk, frame, view_model
from ..data.images import SEED_IMAGE, SEED_KERNEL
from ..data.kernels import FAMILIES, make_kernel
from ._base import ShowsWidget

__all__ = ["Explorer", "ExplorerView", "PAGE_MAX_WINDOWS"]

CUSTOM = "custom"
DEFAULT_FAMILY = "vertical edge"
PAGE_MAX_WINDOWS = _limits.MAX_WINDOWS
"""The most windows the Explorer walks for one setting: the engine's limit for a walk kept step by step
(``convlab.core.limits.MAX_WINDOWS``). The page costs hundreds of kB for a 64×64 photo, so there is no
smaller cap of its own."""

_HERE = Path(__file__).resolve().parent
CSS = (_HERE / "shared.css").read_text() + (_HERE / "explorer.css").read_text()
"""The browser view's style: what both views share (Presentation Mode), then the Explorer's own."""
ESM_PARTS = ("dom.js", "frame.js", "layout.js", "figure.js", "explorer.js")
"""The browser view's parts, in order: shared DOM helpers, the frame resolver, the layout, the SVG
figure, the controls and wiring (the last one exports the anywidget module)."""


def _module_text(parts) -> str:
    """The view's parts joined as one module, as sent to the page: indentation, blank lines and whole-line
    ``//`` comments dropped (about a fifth of the bytes; the sources keep them). No part has a template
    string over several lines, so no line's content changes; the browser tests run exactly this text."""
    lines = []
    for name in parts:
        for line in (_HERE / name).read_text().splitlines():
            text = line.strip()
            if text and not text.startswith("//"):
                lines.append(text)
    return "\n".join(lines) + "\n"


_SETTINGS = ("stride", "padding", "kernel_size", "dilation", "family", "flip", "operation")


class ExplorerView(anywidget.AnyWidget):
    """The browser view: paints ``walk`` (a view model) with SVG; window, phase and Play live in the page.

    Traits synced with the page: ``walk`` (the view model, sent once per setting), ``window`` (1-based) and
    ``phase`` (set by the page as the learner steps), the settings the page may change (``stride``,
    ``padding``, ``kernel_size``, ``dilation``, ``family``, ``flip``, ``operation``), and what the page
    offers: ``limits`` (slider ranges), ``families``, ``operations`` (the chooser is hidden unless it has
    two or more) and ``basic`` (only stride, padding and filter size).

    The page also has a "Projector view" toggle of its own (larger cells, digits and caption; the secondary
    controls hidden) and fits the figure into the height left on the screen; Play goes on through a setting
    change, from window 1 of the new walk.
    """

    _esm = _module_text(ESM_PARTS)  # why not a Path: docs/architecture.md
    _css = CSS

    walk = T.Dict().tag(sync=True)
    window = T.Int(1).tag(sync=True)
    phase = T.Unicode("collect").tag(sync=True)
    stride = T.Int(1).tag(sync=True)
    padding = T.Int(0).tag(sync=True)
    kernel_size = T.Int(3).tag(sync=True)
    dilation = T.Int(1).tag(sync=True)
    family = T.Unicode(DEFAULT_FAMILY).tag(sync=True)
    flip = T.Bool(False).tag(sync=True)
    operation = T.Unicode("convolution").tag(sync=True)
    operations = T.List().tag(sync=True)
    families = T.List(T.Unicode()).tag(sync=True)
    limits = T.Dict().tag(sync=True)
    basic = T.Bool(False).tag(sync=True)
    notice = T.Unicode("").tag(sync=True)  # why the page's last value was refused ("" when none was)
    play_mode = T.Unicode("phases").tag(sync=True)  # what Play steps through: "phases" or "windows" only

    def __init__(self, guard=None, **kwargs):
        super().__init__(**kwargs)
        self._guard = guard

    def set_state(self, sync_data):
        """The page's changes, each checked first: a refused one is sent back as Python holds it."""
        refused, reason = [], ""
        accepted = {}
        for name, value in dict(sync_data).items():
            why = self._guard(name, value) if self._guard is not None else ""
            if why:
                refused.append(name)
                reason = why
            else:
                accepted[name] = value
        if accepted:
            try:
                super().set_state(accepted)
            except Exception as exc:  # noqa: BLE001 - a value traitlets refuses: the page is put back
                refused.extend(accepted)
                reason = f"The page sent a value the Explorer cannot use: {exc}"
        if refused:
            self.notice = reason
            self.send_state(sorted(set(refused) | {"notice"}))
        elif accepted and self.notice and set(accepted) - {"notice"}:
            self.notice = ""


def _whole(value, name: str, low: int, what: str) -> int:
    """A setting for a slider: an int of at least ``low`` (larger ones widen the slider), checked by name."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {what} for the Explorer's slider; got {v.short(value)}")
    value = int(value)
    if value < low:
        raise ValueError(f"{name} must be {what}; got {v.short(value)}")
    return value


def _window_in_walk(value, count: int, name: str = "window") -> int:
    """A window number of a walk of ``count`` windows, checked by name (the constructor's and the page's rule)."""
    value = _whole(value, name, 1, "a window number (1 is the first window)")
    if value > count:
        raise ValueError(f"{name} must be between 1 and {count:,} for these settings; got {v.short(value)}")
    return value


_ANY_PHASE = ("place", "multiply", "sum", "max", "mean", "add", "slide", "collect")  # every operation's phases


def _check_settings(stride, padding, dilation, flip, window, step, live, operation, operations, phase, basic, family,
                    kernel_size):
    """The Explorer's settings, each checked by name before any work (a slider would silently clamp them)."""
    stride = _whole(stride, "stride", 1, "a positive integer")
    padding = _whole(padding, "padding", 0, "a non-negative integer (pixels on each side)")
    dilation = _whole(dilation, "dilation", 1, "a positive integer")
    flip = v.check_flip(flip)
    window = _whole(window if step is None else step, "window" if step is None else "step", 1,
                    "a window number (1 is the first window)")
    if live is not None:  # the earlier Explorer's display modes (all now draw in the browser)
        v.one_of(live, "live", ("auto", "ipympl", "png", "none"), " (all now draw in the browser)")
    v.one_of(operation, "operation", OPERATIONS)
    listing = f"a list of names from {', '.join(map(repr, OPERATIONS))} (or \"all\") including operation={operation!r}"
    if operations is None:
        offered = [operation]
    elif isinstance(operations, str):
        if operations != "all":
            raise ValueError(f"operations must be {listing}; got {v.short(operations)}")
        offered = list(OPERATIONS)
    elif isinstance(operations, (list, tuple)) and len(operations) <= len(OPERATIONS) * 4:
        offered = [v.one_of(o, "operations", OPERATIONS) for o in operations]
    else:
        raise TypeError(f"operations must be {listing}; got {v.short(operations)}")
    if operation not in offered:
        raise ValueError(f"operations must be {listing}; got {v.short(operations)}")
    if phase is not None:  # each operation's own phases are checked once its walk is built
        v.one_of(phase, "phase", PHASES if operation == "convolution" else _ANY_PHASE)
    basic = v.check_bool(basic, "basic", "True for stride, padding and filter size only")
    if family is not None:
        v.one_of(family, "family", FAMILIES)
    if kernel_size is not None:
        kernel_size = _whole(kernel_size, "kernel_size", 1, "a positive integer")
    return stride, padding, dilation, flip, window, offered, basic, kernel_size


class Explorer(ShowsWidget):
    """The filter's walk, step by step and phase by phase, with every setting a learner may change.

    Parameters
    ----------
    image : array_like, optional
        (H, W) grayscale or (H, W, 3) RGB. Default: the seed lesson's 5x5 image. An image (or kernel)
        that cannot be used is explained in the view and caption, never raised.
    kernel : array_like, optional
        A filter of your own; the filter chooser then offers "custom" at its size. Default: the seed
        lesson's 3x3 vertical-edge filter. A 2-D kernel is applied to every channel of an RGB image.
    stride, padding, dilation : int
        Starting settings (1, 0, 1). Sliders go to 4, 3 and 3, further when a larger value is given.
    flip : bool, default False
        False: cross-correlation (what CNNs compute); True: convolution (the filter rotated by 180°).
    window : int, default 1
        The window shown first, numbered from 1 in the order the filter visits them. ``step`` is a synonym.
    phase : str, optional
        One of the operation's phases (convolution: "place", "multiply", "sum", "slide", "collect");
        default its last one ("collect").
    play : {"phases", "windows"}, default "phases"
        What Play steps through: every phase of every window, or the windows only (a photo's map filling).
    basic : bool, default False
        Offer only stride, padding and filter size (first lessons).
    family : str, optional
        A kernel family (``convlab.kernels.FAMILIES``) instead of the seed filter; ``kernel_size`` its size.
    operation : str, default "convolution"
        One of ``convlab.views.op_views.OPERATIONS`` (convolution, transposed convolution, max pooling,
        average pooling); pooling uses the filter-size slider as its window size.
    operations : list of str or "all", optional
        The operations the view offers in its chooser (hidden when only one); "all" offers every one.
    live : {"auto", "ipympl", "png", "none"}, optional
        Accepted for notebooks written for the earlier Explorer; the view is always drawn in the browser.

    Attributes
    ----------
    stride, padding, kernel_size, dilation : ipywidgets.IntSlider
    step : ipywidgets.IntSlider
        The window shown, from 1 to the number of windows.
    phase : ipywidgets.ToggleButtons
        Exactly five options: place, multiply, sum, slide, collect.
    family : ipywidgets.Dropdown
        Kernel family, plus "custom" for a kernel you passed.
    flip : ipywidgets.ToggleButtons
        False (cross-correlation) or True (convolution).
    widget : ExplorerView
        The browser view (what a notebook shows).
    view_model : dict
        What the view shows: :func:`convlab.views.walk.view_model` of the current setting, or
        :func:`~convlab.views.op_views.operation_message_view` with the reason when it does not fit (the
        operation's own phases and words).
    caption : str
        The text equivalent of the frame shown (``step_caption(walk, window - 1, phase)``), or the reason.

    Examples
    --------
    >>> ex = Explorer()
    >>> print(ex.caption.splitlines()[0])
    Window 1 of 9 · collect: −4 goes to row 0, column 0 of the feature map (1 of 9 cells filled).
    >>> ex.padding.value = 1
    >>> ex.step.max                      # 5x5 windows with padding 1
    25
    >>> ex.padding.value = 0
    >>> ex.kernel_size.value = 7          # does not fit: explained, not raised
    >>> print(ex.caption)
    filter (7x7) is larger than the padded input (5x5); add padding of at least 1 or use a smaller filter (a filter size of 5 or less): it does not fit with padding 0
    """

    def __init__(self, image=None, kernel=None, *, stride=1, padding=0, dilation=1, flip=False, window=1,
                 phase=None, basic=False, family=None, kernel_size=None, step=None, operation="convolution",
                 operations=None, live=None, play="phases"):
        # settings are checked before any work, naming the argument (a slider would silently clamp them)
        stride, padding, dilation, flip, window, offered, basic, kernel_size = _check_settings(
            stride, padding, dilation, flip, window, step, live, operation, operations, phase, basic, family,
            kernel_size)
        v.one_of(play, "play", ("phases", "windows"))
        # the data may come from anywhere (a photo, a typed kernel): a bad one is explained in the view
        self._input_error = ""
        self._image, self._custom = SEED_IMAGE, None
        try:
            if image is not None:  # its own read-only copies: the caller's later edits cannot leak in
                self._image = v.own_copy(v.as_image(image))
            if kernel is not None:
                self._custom = v.own_copy(v.as_array(kernel, "kernel", ndims=(2, 3), shape_hint="(kh, kw) or (kh, kw, C)"))
        except (TypeError, ValueError) as exc:
            self._input_error = f"The Explorer cannot use this input: {exc}."
        self._walk = None
        self._walk_key = None
        self._busy = False
        self.compute_count = 0  # how many times a walk was computed (once per setting)

        if family is not None:
            start_family = family
        else:
            start_family = CUSTOM if self._custom is not None else DEFAULT_FAMILY
        if start_family == CUSTOM:
            start_size = self._custom.shape[0]
        else:
            start_size = kernel_size or SEED_KERNEL.shape[0]
        families = list(FAMILIES) + ([CUSTOM] if self._custom is not None else [])
        limits = {"stride": [1, max(4, stride)], "padding": [0, max(3, padding)],
                  "kernel_size": [1, max(7, start_size)], "dilation": [1, max(3, dilation)]}

        self._offered = list(offered)
        self.widget = ExplorerView(guard=self._page_check, stride=stride, padding=padding, kernel_size=start_size, dilation=dilation,
                                   family=start_family, flip=flip, families=families, limits=limits,
                                   basic=basic, phase=phase or "collect", window=1, operation=operation, play_mode=play,
                                   operations=offered if len(offered) > 1 else [])
        self.widget.add_class("convlab-explorer-widget")

        # ---- value widgets, linked to the view's traits (set .value from Python; the view follows)
        def slider(name, description):
            lo, hi = limits[name]
            return W.IntSlider(value=getattr(self.widget, name), min=lo, max=hi, description=description)

        self.stride = slider("stride", "stride")
        self.padding = slider("padding", "padding")
        self.kernel_size = slider("kernel_size", "filter size")
        self.dilation = slider("dilation", "dilation")
        self.family = W.Dropdown(options=families, value=start_family, description="filter")
        self.flip = W.ToggleButtons(options=[("cross-correlation", False), ("convolution", True)], value=flip)
        self.step = W.IntSlider(value=1, min=1, max=1, description="window")
        self.phase = W.ToggleButtons(options=list(PHASES), value=phase if phase in PHASES else PHASES[-1])
        for name in ("stride", "padding", "kernel_size", "dilation", "family", "flip", "phase"):
            W.link((getattr(self, name), "value"), (self.widget, name))
        W.link((self.step, "value"), (self.widget, "window"))

        self.widget.observe(self._on_setting, names=list(_SETTINGS))
        self._recompute()
        if phase is None:  # the operation's last phase: the walk's first value is collected
            phase = self.phase.options[-1]
        self.phase.value = v.one_of(phase, "phase", self.phase.options, f" for {operation}")
        n = self.view_model["windows"]["count"]
        if n:
            self.step.value = _window_in_walk(window, n, "window" if step is None else "step")

    # ------------------------------------------------------------------ the walk, once per setting

    def _current(self) -> dict:
        """The current setting, by the names the page uses."""
        w = self.widget
        return {name: getattr(w, name) for name in _SETTINGS}

    def _settings(self) -> dict:
        w = self.widget
        return dict(stride=w.stride, padding=w.padding, dilation=w.dilation, flip=bool(w.flip))

    def _compute(self, setting: dict | None = None):
        """The walk and view model of ``setting`` (default: the current one), or a message view saying why
        it does not fit. Never raises: a setting past the engine's limits is refused in words first."""
        st = self._current() if setting is None else setting
        op = st["operation"]
        if self._input_error:
            return None, operation_message_view(op, self._input_error)
        geometry = dict(stride=st["stride"], padding=st["padding"], dilation=st["dilation"], flip=bool(st["flip"]))
        try:
            kernel = self._custom if st["family"] == CUSTOM else make_kernel(st["family"], st["kernel_size"])
            if op == "transposed convolution" and self._image.ndim == 3 and kernel.ndim == 2:
                kernel = np.repeat(kernel[:, :, None], self._image.shape[2], axis=2)  # as convolution does
            if op != "convolution":
                vm = operation_view(op, self._image, kernel, size=st["kernel_size"], **geometry)
                self.compute_count += 1
                return None, vm
            walk = compute_walk(self._image, kernel, **geometry)
            self.compute_count += 1
            return walk, view_model(walk)
        except (TypeError, ValueError) as exc:
            return None, operation_message_view(op, str(exc).replace("kernel", "filter"))
        except MemoryError:
            return None, operation_message_view(op, "This setting needs more memory than this computer has; use a "
                                                    "smaller image, padding or filter.")

    def _recompute(self) -> None:
        key = tuple(self._current().values())
        if key == self._walk_key:
            return
        self._walk_key = key
        walk, vm = self._compute()
        self._walk = walk
        count = vm["windows"]["count"]
        n = max(1, count)
        with self.widget.hold_sync():
            self._busy = True
            try:
                if self.step.value > n:
                    self.step.value = n
                self.step.max = n
                self.step.disabled = not count
                if list(self.phase.options) != vm["phases"]:  # another operation's phases
                    keep = self.phase.value if self.phase.value in vm["phases"] else vm["phases"][-1]
                    self.phase.options = vm["phases"]
                    self.phase.value = keep
                self.widget.walk = vm
            finally:
                self._busy = False

    def _on_setting(self, change) -> None:
        if self._busy:
            return
        name, new = change["name"], change["new"]
        self._busy = True
        try:
            if name == "kernel_size" and self.widget.family == CUSTOM and new != self._custom.shape[0]:
                self.widget.family = DEFAULT_FAMILY  # a custom kernel has one size: another size is a family's
            elif name == "family" and new == CUSTOM and self._custom is not None:
                size = self._custom.shape[0]
                if size > self.kernel_size.max:
                    self.kernel_size.max = size
                    self.widget.limits = {**self.widget.limits, "kernel_size": [1, size]}
                self.widget.kernel_size = size
        finally:
            self._busy = False
        self._recompute()

    # ------------------------------------------------------------------ the page is a client

    _PAGE_WRITES = ("window", "phase") + _SETTINGS

    def _page_check(self, name: str, value) -> str:
        """Why the page's ``name = value`` is refused ('' when it is accepted): the constructor's checks."""
        w = self.widget
        try:
            if name not in self._PAGE_WRITES:
                return f"The page cannot change {name}; it was put back."
            if name == "window":
                _window_in_walk(value, max(1, w.walk.get("windows", {}).get("count", 0) if w.walk else 1))
            elif name == "phase":
                v.one_of(value, "phase", self.phase.options, f" for {w.operation}")
            elif name in ("stride", "dilation", "kernel_size"):
                _whole(value, name, 1, "a positive integer")  # what does not fit is explained by the walk
            elif name == "padding":
                _whole(value, "padding", 0, "a non-negative integer (pixels on each side)")
            elif name == "flip":
                v.check_flip(value)
            elif name == "family":
                v.one_of(value, "family", w.families)
            elif name == "operation":
                v.one_of(value, "operation", self._offered)
        except (TypeError, ValueError) as exc:
            return f"Not changed: {exc}."
        return ""

    # ------------------------------------------------------------------ a page that plays without Python

    def save_html(self, path, settings=None):
        """Write this walk as one self-contained HTML page that plays without Python or a network.

        Window, phases, Play and speed work as in Jupyter. The setting controls are hidden; with
        ``settings`` the page offers exactly those settings instead (each computed now), in a chooser.
        The file is written atomically (a temporary file in the same folder, then renamed): on any error
        a file already at ``path`` is left as it was.

        Parameters
        ----------
        path : str or pathlib.Path
            Ends in ``.html``; its folder must exist and be writable.
        settings : list of dict, optional
            Changes to the current setting, e.g. ``[{"stride": 2}, {"padding": 1}]``; names are those of
            the view (``stride``, ``padding``, ``kernel_size``, ``dilation``, ``family``, ``flip``,
            ``operation``). Default: the current setting only.

        Returns
        -------
        pathlib.Path

        Raises
        ------
        TypeError, ValueError
            A bad path, or a setting that is not valid or does not fit (named), before anything is written.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> Explorer().save_html(folder / "walk.html", settings=[{}, {"stride": 2}]).name
        'walk.html'
        >>> Explorer().save_html(folder / "walk.html", settings=[{"stride": 0}])
        Traceback (most recent call last):
        ...
        ValueError: settings[0]: Not changed: stride must be a positive integer; got 0.
        """
        from .standalone import page_html, write_page

        if settings is None:
            settings = [{}]
        if isinstance(settings, dict) or not isinstance(settings, (list, tuple)) or not settings:
            raise TypeError(f"settings must be a non-empty list of dicts such as [{{'stride': 2}}]; "
                            f"got {v.short(settings)}")
        walks, names = [], []
        for i, change in enumerate(settings):
            if not isinstance(change, dict):
                raise TypeError(f"settings[{i}] must be a dict such as {{'stride': 2}}; got {v.short(change)}")
            setting = self._current()
            for name, value in change.items():
                if name not in _SETTINGS:
                    why = f"{name!r} is not a setting ({', '.join(_SETTINGS)})"
                elif name == "operation":  # any operation, not only those the chooser offers
                    try:
                        v.one_of(value, "operation", OPERATIONS)
                        why = ""
                    except (TypeError, ValueError) as exc:
                        why = str(exc)
                else:
                    why = self._page_check(name, value)
                if why:
                    raise ValueError(f"settings[{i}]: {why}")
                setting[name] = value
            _, vm = self._compute(setting)
            if vm["message"]:
                raise ValueError(f"settings[{i}] does not fit: {vm['message']}")
            walks.append(vm)
            names.append(", ".join(f"{k} {val}" for k, val in change.items()) or "as shown")
        w = self.widget
        state = {name: getattr(w, name) for name in ("stride", "padding", "kernel_size", "dilation", "family", "flip",
                                                      "operation", "families", "limits", "basic", "play_mode")}
        phase = w.phase if w.phase in walks[0]["phases"] else walks[0]["phases"][-1]
        state.update(operations=[], notice="", locked=True, phase=phase)
        title = f"convlab Explorer: {walks[0]['operation']}"
        return write_page(path, page_html(title, ExplorerView._esm, CSS, state, walks,
                                          names))

    # ------------------------------------------------------------------ what is shown

    @property
    def view_model(self) -> dict:
        """The dict the view paints (see ``docs/view_model.md``)."""
        return self.widget.walk

    @property
    def walk(self):
        """The :class:`convlab.views.walk.Walk` of the current setting (None when it does not fit)."""
        return self._walk

    @property
    def caption(self) -> str:
        """The text equivalent of the frame shown, or why the setting does not fit."""
        vm = self.widget.walk
        notice = self.widget.notice
        if vm["message"]:
            text = vm["message"]
        else:
            text = frame(vm, self.step.value - 1, self.phase.value)["caption"]
        return f"{notice}\n{text}" if notice else text

    def picture(self) -> bytes | None:
        """A PNG of the frame shown (matplotlib, imported now), or None when no figure can be drawn."""
        try:
            from ..figures import step_figure
        except ImportError:  # matplotlib missing: the widget and the caption still show
            return None
        vm = self.view_model
        return step_figure.frame_png(vm, self.step.value - 1 if vm["windows"]["count"] else 0, self.phase.value)

    def description(self) -> str:
        """The text equivalent shown beside the picture where no kernel runs: the caption."""
        return self.caption

    def alt_text(self) -> str:
        return "The Explorer. " + (self.caption.splitlines()[0] if self.caption else "")

    def __repr__(self) -> str:
        w = self.widget
        return (f"Explorer(image {self._image.shape}, filter {w.family} {w.kernel_size}x{w.kernel_size}, "
                f"stride={w.stride}, padding={w.padding}, dilation={w.dilation}, flip={w.flip}, "
                f"window {w.window}, phase {w.phase!r})")
