"""Hostile arguments for every public function of every layer, run in a worker process under a memory cap.

Used by ``tests/test_hostile.py`` (the hypothesis property) and runnable on its own for a full sweep::

    python tests/hostile.py            # every (function, argument, hostile value) case, a summary per class

A *case* is one public callable, one of its parameters, and one hostile value for it; every other required
parameter gets a good value (:data:`GOOD`, by parameter name). The call runs in a worker process whose address
space is capped (``resource.setrlimit(RLIMIT_AS)``) and whose every call has a time limit, so a hang or a
huge allocation is a failed case, not a frozen test run.

A case passes when the call returns, or raises ``ValueError``/``TypeError`` whose message names the
parameter (a learner-facing checker must answer a hostile ``answer`` with a :class:`Feedback`, never an error).
"""

from __future__ import annotations

import atexit
import importlib
import inspect
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile

MEMORY_CAP = 2 << 30  # bytes of address space for the worker (numpy and matplotlib fit in a few hundred MB)
CALL_SECONDS = 5.0  # a refusal is instant; a case that runs longer has no work limit
SLOW_SECONDS = {"convlab.save_animation": 30.0}  # a GIF of the default walk draws its frames: a real export

MODULES = ["convlab", "convlab.core.conv", "convlab.core.sizes", "convlab.core.steps", "convlab.core.ops",
           "convlab.core.op_steps", "convlab.views.walk", "convlab.views.op_views", "convlab.views.palette",
           "convlab.nets.learn", "convlab.nets.layer", "convlab.nets.network", "convlab.nets.trained",
           "convlab.lessons.exercises", "convlab.lessons.tasks", "convlab.lessons.receptive", "convlab.lessons.questions",
           "convlab.data.kernels", "convlab.data.images", "convlab.data.userdata", "convlab.data.digits",
           "convlab.figures", "convlab.figures.step_figure", "convlab.figures.network", "convlab.widgets",
           "convlab.nets.stages", "convlab.figures.glyphs"]

# records and plain value classes: built by the functions above (their arguments are checked there)
SKIP = {"WindowStep", "PoolStep", "TransposeStep", "Walk", "Feedback", "LearningRun", "TinyCNN", "Activations",
        "TrainingRun", "ReceptiveField", "Stage", "GridPanel"}

# hostile values, by name: what a learner can type or pass by mistake (built inside the worker)
HOSTILE = {
    "None": "None",
    "str": "'x'",
    "bytes": "b'\\x00\\xff'",
    "huge int": "10**400",
    "huge negative int": "-10**400",
    "int64 overflow": "2**63",
    "big int": "10**9",
    "negative": "-1",
    "zero": "0",
    "fraction": "1.5",
    "nan": "float('nan')",
    "inf": "float('inf')",
    "complex": "1j",
    "bool": "True",
    "empty list": "[]",
    "ragged": "[[1, 2], [3]]",
    "dict": "{'a': 1}",
    "object": "object()",
    "huge float grid": "np.full((3, 3), 1e308)",
    "nan grid": "np.array([[1.0, np.nan], [0.0, 1.0]])",
    "complex grid": "np.ones((3, 3)) * 1j",
    "masked grid": "np.ma.masked_array(np.ones((3, 3)), mask=np.eye(3, dtype=bool))",
    "broadcast view": "np.broadcast_to(1.0, (60000, 60000))",
    "1-D list": "[1.0, 2.0, 3.0]",
    "4-D array": "np.ones((2, 2, 2, 2))",
}

# good values for required parameters, by name (source text, evaluated in the worker)
GOOD = {
    "image": "IMG", "kernel": "K3", "kernels": "[K3]", "images": "np.ones((2, 8, 8))", "targets": "[np.ones((3, 3))]",
    "target": "np.ones((3, 3))", "x": "IMG", "n": "7", "k": "3", "size": "2", "answer": "'3'",
    "image_shape": "(5, 5)", "kernel_shape": "(3, 3)", "image_hw": "(5, 5)", "kernel_hw": "(3, 3)",
    "dilation": "1", "pads": "((0, 0), (0, 0))", "window": "0", "kernel_size": "3", "in_channels": "1",
    "out_channels": "1", "correct": "'a'", "explanations": "{'a': 'yes', 'b': 'no'}", "expected": "3", "why": "'3'",
    "options": "['a', 'b']", "stages": "[conv_stage(3), pool_stage(2)]", "row": "0", "col": "0", "shift": "1",
    "lesson": "'01'", "name": "'x'", "values": "IMG", "limit": "1.0", "low": "0.0", "high": "1.0",
    "fills": "['#ffffff']", "a": "'#ffffff'", "b": "'#000000'", "rgb": "np.ones((2, 3))", "l1": "1.0", "l2": "0.5",
    "family": "'box'", "text": "'1 0 -1'", "data": "PNG", "value": "{'content': PNG, 'name': 'x.png'}",
    "walk": "compute_walk(IMG, K3)", "index": "0", "message": "'x'", "operation": "'max pool'",
    "path": "os.path.join(TMP, 'out.gif')", "labels": "[0, 1]", "logits": "np.zeros((2, 10))",
    "grad": "np.ones((2, 3))", "weights": "np.ones((3, 10))", "bias": "np.zeros(10)",
    "maps": "np.ones((1, 4, 4, 1))", "grad_pooled": "np.ones((1, 2, 2, 1))", "grad_maps": "np.ones((2, 6, 6, 1))",
    "net": "init_network(image_size=8)", "layers": "[(conv_stage(3), [K3])]", "run": "RUN", "losses": "[1.0, 0.5]",
    "kernel_limit": "1.0", "check": "check_number", "prompt": "'How many?'", "vm": "view_model(compute_walk(IMG, K3))",
    "fig": "Figure()", "ax": "Figure().subplots()", "panels": "IMG", "alt": "'x'", "epoch_accuracy": "[0.5, 0.6]",
    "activations": "init_network(image_size=8).forward(np.ones((1, 8, 8)))", "settings": "{}",
    "data_digest": "'x'", "jump": "1", "start": "0", "font": "'DejaVuSans.ttf'",
    "x_train": "np.eye(4).reshape(4, 2, 2)", "y_train": "[0, 1, 2, 3]", "x_test": "np.eye(4).reshape(4, 2, 2)",
    "y_test": "[0, 1, 2, 3]", "phase": "'collect'",
}

# good values that differ by function (the name alone does not say)
GOOD_FOR = {
    "format_number": {"x": "2.5"},
    "operation_view": {"operation": "'max pooling'"},
    "operation_message_view": {"operation": "'max pooling'"},
    "loss_and_gradient": {"images": "[IMG]", "targets": "[np.ones((3, 3))]", "kernel": "K3"},
    "learn_kernel": {"images": "[IMG / 25]", "targets": "[np.ones((3, 3))]"},
    "Question": {"check": "functools.partial(check_number, expected=3, why='x')"},
    "Quiz": {"check": "functools.partial(check_number, expected=3, why='x')"},
    "gallery": {"kernels": "{'edge': K3}", "maps": "{'edge': IMG[:3, :3]}"},
    "rgb_channels": {"image": "np.ones((5, 5, 3))"},
    "ReceptiveFieldFigure": {"maps": "[('conv', IMG[:3, :3])]"},
    "check_landing": {"window": "1"},
    "check_matching": {"correct": "{'A': 1, 'B': 2}", "explanations": "{'A': 'yes', 'B': 'no'}"},
    "check_shift": {"shift": "2"},
    "conv_forward": {"bias": "[0.0]", "images": "np.ones((2, 8, 8))"},
    "relu_backward": {"grad": "IMG"},
    "dense_forward": {"x": "np.ones((2, 3))"},
    "dense_backward": {"x": "np.ones((2, 3))", "grad": "np.ones((2, 10))"},
    "save_network": {"path": "os.path.join(TMP, 'net.npz')", "run": "TRAINED"},
    "load_network": {"path": "NETWORK_FILE"},
    "question": {"lesson": "'05'", "name": "'blur'"},
    "make_kernel": {"family": "'box blur'"},
    "to_grayscale": {"image": "np.ones((5, 5, 3))"},
    "stack_maps": {"layers": "[('conv', np.ones((3, 3, 2)))]"},
}

# messages written for a learner that say what is wrong with the argument without its Python name
SAYS = {("parse_kernel", "text"): ("is not a number", "kernel"),
        ("load_image", "data"): ("no file was uploaded", "FileUpload value", "image"),
        ("upload_contents", "value"): ("no file was uploaded", "FileUpload value"),
        ("check_fits", "kernel_hw"): ("kernel (",), ("does_not_fit", "kernel_hw"): ("kernel (",),
        ("softmax_cross_entropy", "logits"): ("one label per image of logits",)}  # a logits grid of 3 rows, labels for 2

# what a *args parameter gets (its good values, positionally)
VARARGS = {"grids": "[('a', IMG)]"}

# parameters given a value even where they have a default (never the package's own data file; a short run)
ALWAYS = {
    "convlab.nets.trained.train_and_cache": {"path": "os.path.join(TMP, 'net.npz')",
                                            "settings": "{'per_class_train': 2, 'per_class_test': 1, 'epochs': 1}"},
    "convlab.nets.trained.trained_cnn": {"path": "NETWORK_FILE"},
    "convlab.save_animation": {"dpi": "10"},
    "convlab.figures.glyphs.write_glyph_file": {"path": "os.path.join(TMP, 'glyphs.npz')", "fonts": "('DejaVuSans.ttf',)"},  # phases=True draws 45 frames: at 10 dpi within the time limit
}
# (function, parameter, value) where the hostile value is a documented good one that does real work
NOT_HOSTILE = {("convlab.figures.glyphs.write_glyph_file", "path", "None"),  # None: the package's own glyphs
               ("convlab.nets.trained.train_and_cache", "settings", "None"),
               ("convlab.nets.trained.train_and_cache", "path", "None"),
               ("convlab.nets.trained.trained_cnn", "path", "None")}

PRELUDE = """
import functools, os, numpy as np
from convlab.lessons.receptive import conv_stage, pool_stage
from convlab.views.walk import compute_walk, view_model
from convlab.nets.network import init_network
from convlab.lessons.exercises import check_number
from convlab.nets import learn as _learn
IMG = np.arange(25.0).reshape(5, 5)
K3 = np.array([[1.0, 0, -1], [1, 0, -1], [1, 0, -1]])
"""


def _lazy_globals(tmp: str) -> dict:
    env: dict = {"TMP": tmp}
    exec(PRELUDE, env)
    import io

    import numpy as np
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(buf, format="PNG")
    env["PNG"] = buf.getvalue()
    env["RUN"] = env["_learn"].learn_kernel([env["IMG"]], _learn_targets(env), steps=2)
    from convlab.nets import network

    env["TRAINED"] = network.TrainingRun(network.init_network(image_size=8, filters=2), np.array([1.0]), None, 0)
    env["NETWORK_FILE"] = os.path.join(tmp, "trained.npz")
    network.save_network(env["NETWORK_FILE"], env["TRAINED"], settings={}, data_digest="x")

    def _figure():
        from matplotlib.figure import Figure

        return Figure()

    env["Figure"] = _figure
    return env


def _learn_targets(env):
    return env["_learn"].make_targets([env["IMG"]], env["K3"])


def callables() -> dict[str, object]:
    """Every public callable of every layer, by ``module.name`` (one entry per object)."""
    out, seen = {}, set()
    for mod_name in MODULES:
        module = importlib.import_module(mod_name)
        for public in module.__all__:
            obj = getattr(module, public)
            if not callable(obj) or public in SKIP or id(obj) in seen:
                continue
            if isinstance(obj, type) and issubclass(obj, dict):
                continue  # a TypedDict of the view model's schema: data built by view_model, nothing to call
            seen.add(id(obj))
            out[f"{mod_name}.{public}"] = obj
    return out


def cases() -> list[tuple[str, str, str]]:
    """(function, parameter, hostile value name) for every public callable and every named parameter."""
    out = []
    for qual, obj in callables().items():
        for p in inspect.signature(obj).parameters.values():
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue
            out.extend((qual, p.name, h) for h in HOSTILE if (qual, p.name, h) not in NOT_HOSTILE)
    return out


# ------------------------------------------------------------------------------------------- the worker


def _probe(code: str) -> tuple[str, str]:
    """Run a line of code as a case (the worker's own test): a hang, a crash and a memory error are told apart."""
    try:
        exec(code, {})
    except MemoryError:
        return "memory", "MemoryError"
    except TimeoutError:
        raise
    except Exception as e:  # noqa: BLE001
        return "crash", f"{type(e).__name__}: {e}"
    return "ok", "returned"


def _call(qual: str, param: str, hostile: str, env: dict) -> tuple[str, str]:
    """Run one case; return (verdict, detail). Verdicts: ok, unnamed, crash, wrong, memory (hang: the worker)."""
    import numpy as np

    from convlab.lessons._answers import Feedback

    if qual == "__probe__":
        return _probe(param)

    mod_name, name = qual.rsplit(".", 1)
    obj = getattr(importlib.import_module(mod_name), name)
    args, kwargs = [], {}
    for p in inspect.signature(obj).parameters.values():
        if p.kind == p.VAR_POSITIONAL and name in VARARGS:
            args.extend(eval(VARARGS[name], env))
            continue
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.name == param:
            val = eval(HOSTILE[hostile], env)
        elif p.name in ALWAYS.get(qual, {}):
            val = eval(ALWAYS[qual][p.name], env)
        elif p.default is p.empty:
            val = eval(GOOD_FOR.get(name, {}).get(p.name, GOOD[p.name]), env)
        else:
            continue
        if p.kind == p.POSITIONAL_ONLY:
            args.append(val)
        else:
            kwargs[p.name] = val  # by name: a skipped optional parameter cannot shift the others
    try:
        result = obj(*args, **kwargs)
        if inspect.isgenerator(result) or hasattr(result, "__next__"):
            for _ in zip(range(3), result):  # a walk is checked on the call; its first steps must come
                pass
    except (ValueError, TypeError) as e:
        text = str(e)
        if param == "answer" and qual.split(".")[-1].startswith("check_"):
            return "wrong", f"checker raised {type(e).__name__}: {text[:200]}"
        # the argument is named, or the values it holds are said to be too large (an overflow is about values)
        named = (param in text or param.replace("_", " ") in text or "overflowed" in text
                 or any(words in text for words in SAYS.get((name, param), ())))
        return ("ok" if named else "unnamed"), f"{type(e).__name__}: {text[:200]}".replace("\n", " ")
    except MemoryError:
        return "memory", "MemoryError"
    except Exception as e:  # noqa: BLE001 - the point of the sweep
        return "crash", f"{type(e).__name__}: {str(e)[:200]}"
    if param == "answer" and qual.split(".")[-1].startswith("check_") and not isinstance(result, Feedback):
        return "wrong", f"checker returned {type(result).__name__}"
    if isinstance(result, np.ndarray) and result.dtype.kind == "f" and not np.all(np.isfinite(result)):
        return "wrong", "returned a non-finite array"
    return "ok", "returned"


def worker() -> None:  # pragma: no cover - runs in the child process
    import resource
    import signal
    import warnings

    warnings.simplefilter("ignore")
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    os.environ.setdefault("MPLBACKEND", "Agg")
    tmp = tempfile.mkdtemp(prefix="convlab-hostile-")
    atexit.register(shutil.rmtree, tmp, True)  # files the cases wrote (GIFs, networks) go with the worker
    os.chdir(tmp)
    env = _lazy_globals(tmp)

    def alarm(*_):
        raise TimeoutError("time limit")

    signal.signal(signal.SIGALRM, alarm)
    answers = os.fdopen(os.dup(1), "w")  # the protocol's channel; whatever a call prints goes to stderr
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    import convlab

    package = os.path.dirname(os.path.abspath(convlab.__file__))

    def data_files() -> dict:  # the package's own data: no case may write there
        return {os.path.join(d, f): os.stat(os.path.join(d, f)).st_mtime_ns
                for d, _, files in os.walk(package) for f in files if f.endswith((".npz", ".npy"))}

    shipped = data_files()
    for line in sys.stdin:
        qual, param, hostile = json.loads(line)
        signal.setitimer(signal.ITIMER_REAL, SLOW_SECONDS.get(qual, CALL_SECONDS))
        try:
            verdict, detail = _call(qual, param, hostile, env)
        except MemoryError:
            verdict, detail = "memory", "MemoryError"
        except TimeoutError:
            verdict, detail = "hang", f"over {CALL_SECONDS} s"
        except BaseException as e:  # noqa: BLE001
            verdict, detail = "crash", f"{type(e).__name__}: {str(e)[:200]}"
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        try:
            import matplotlib.pyplot as plt

            plt.close("all")
        except Exception:  # noqa: BLE001
            pass
        if data_files() != shipped:
            verdict, detail = "wrong", "it wrote into the package's data files"
            shipped = data_files()
        answers.write(json.dumps([verdict, detail]) + "\n")
        answers.flush()


class Runner:
    """A worker process fed one case at a time; restarted when a case kills or freezes it."""

    def __init__(self):
        self.proc = None

    def _start(self):
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True, bufsize=1)

    def run(self, case) -> tuple[str, str]:
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        self.proc.stdin.write(json.dumps(list(case)) + "\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], SLOW_SECONDS.get(case[0], CALL_SECONDS) * 2 + 5)
        line = self.proc.stdout.readline() if ready else ""
        if not line:  # frozen in C code past the alarm, or killed by the memory cap
            verdict = "hang" if not ready else "crash"
            self.proc.kill()  # frozen or dead: no goodbye
            self.proc.wait()
            self.proc = None
            return verdict, "worker did not answer"
        return tuple(json.loads(line))

    def probe(self, code: str) -> tuple[str, str]:
        """Run ``code`` in the worker as a case (to test the worker itself)."""
        return self.run(("__probe__", code, ""))

    def close(self):
        if self.proc is not None:
            self.proc.stdin.close()  # end of input: the worker returns and removes its folder
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None


def main(argv) -> int:
    if "--worker" in argv:
        worker()
        return 0
    only = [a for a in argv if not a.startswith("-")]
    todo = [c for c in cases() if not only or any(c[0].startswith(o + ".") or c[0].rsplit(".", 1)[0] == o
                                                  for o in only)]
    runner, counts, bad = Runner(), {}, []
    try:
        for n, case in enumerate(todo):
            if n % 250 == 0:
                print(f"{n}/{len(todo)} {case[0]}", file=sys.stderr, flush=True)
            verdict, detail = runner.run(case)
            counts[verdict] = counts.get(verdict, 0) + 1
            if verdict != "ok":
                bad.append((case, verdict, detail))
    finally:
        runner.close()
    for case, verdict, detail in bad:
        print(f"{verdict:8} {case[0]}({case[1]}={case[2]}): {detail}")
    print(f"{len(todo)} cases: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
