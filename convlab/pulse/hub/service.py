"""The ``convlab-pulse`` JupyterHub service: stores the class's checked answers, shows the teacher a page.

Run by the hub as a managed service (``python -m convlab.pulse``; ``docs/class_pulse.md`` has the hub
settings). Under its prefix (``/services/convlab-pulse/``):

=====================  ======  ===============================================================
``api/answers``        POST    a learner's kernel posts one checked answer, with the learner's
                               own hub token (``Authorization: token ...``); the user is the
                               token's owner. Cookies are ignored here.
``""`` (the page)      GET     the teacher's page (hub login, OAuth)
``api/summary``        GET     per question counts as JSON (``?names=1`` adds who needs help)
``api/reset``          POST    forget this class's answers (XSRF-checked)
``api/health``         GET     ``{"ok": true}``, nothing else
=====================  ======  ===============================================================

Only a hub admin or a member of a teacher group (``--teacher-group``, default ``teachers``) who also holds
``access:services!service=convlab-pulse`` sees the page and the data. A learner's token may only post.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import hashlib
import hmac
import json
import logging
import os
import time
from pathlib import Path
from urllib.parse import urlparse

from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler, HubOAuthenticated
from jupyterhub.utils import url_path_join
from tornado import web
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop

from ..records import MAX_BODY_BYTES, ForgedUser, read_answer
from .store import DEFAULT_URL, Store

log = logging.getLogger("convlab.pulse")
PAGE = Path(__file__).with_name("page.html")


class RateLimiter:
    """A token bucket per user: ``burst`` posts at once, then ``per_minute`` a minute.

    >>> limit = RateLimiter(per_minute=60, burst=2)
    >>> [limit.allow("ana", now=0.0) for _ in range(3)], limit.allow("ben", now=0.0), limit.allow("ana", now=1.0)
    ([True, True, False], True, True)
    """

    def __init__(self, *, per_minute: float, burst: int):
        if per_minute <= 0 or burst < 1:
            raise ValueError(f"per_minute must be > 0 and burst >= 1; got {per_minute!r}, {burst!r}")
        self.rate, self.burst = per_minute / 60.0, burst
        self._buckets: dict[str, tuple[float, float]] = {}

    def allow(self, user: str, *, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.get(user, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        if len(self._buckets) > 10_000:  # bounded memory: forget full buckets
            self._buckets = {u: b for u, b in self._buckets.items() if b[0] < self.burst}
        if tokens < 1:
            self._buckets[user] = (tokens, now)
            return False
        self._buckets[user] = (tokens - 1, now)
        return True


class _Base(web.RequestHandler):
    """JSON errors that say what was wrong; never a traceback."""

    @property
    def store(self) -> Store:
        return self.settings["pulse_store"]

    async def db(self, fn, *args, **kwargs):
        """Run a database call on the service's single database thread (the event loop stays free)."""
        return await asyncio.get_running_loop().run_in_executor(
            self.settings["pulse_db_thread"], lambda: fn(*args, **kwargs))

    def write_error(self, status_code, **kwargs):
        exc = kwargs.get("exc_info", (None, None, None))[1]
        message = getattr(exc, "log_message", None) or self._reason
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps({"error": message}))


class AnswersHandler(_Base):
    """POST one checked answer, authenticated by the learner's token only."""

    def check_xsrf_cookie(self):
        """No cookie is ever read here (token in the Authorization header only), so no XSRF to check."""

    async def post(self):
        hub_auth: HubOAuth = self.settings["pulse_hub_auth"]
        match = hub_auth.auth_header_pat.match(self.request.headers.get("Authorization", ""))
        if not match:
            raise web.HTTPError(401, "send your hub token: Authorization: token <JUPYTERHUB_API_TOKEN>")
        token = match.group(1)
        digest = hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
        known = self.settings["pulse_known_tokens"]
        # A token not seen before costs the hub a lookup: a flood of made-up tokens is throttled here
        # (429; kernels retry), while the tokens of learners already seen go straight on.
        if digest not in known and not self.settings["pulse_lookup_limiter"].allow("new tokens"):
            self.set_header("Retry-After", "5")
            raise web.HTTPError(429, "too many new tokens at once; try again shortly")
        try:
            model = await hub_auth.user_for_token(token, sync=False)
        except Exception as err:  # the hub is away: say so, the kernel retries later
            raise web.HTTPError(503, "the hub could not check the token; try again later") from err
        if not model or model.get("kind", "user") != "user":
            raise web.HTTPError(403, "this token is not a hub user's token")
        if len(known) >= 10_000:
            known.clear()
        known.add(digest)
        user = model["name"]
        if not self.settings["pulse_limiter"].allow(user):
            self.set_header("Retry-After", "5")
            raise web.HTTPError(429, f"too many answers from {user} at once; slow down")
        if len(self.request.body) > MAX_BODY_BYTES:
            raise web.HTTPError(413, f"an answer is at most {MAX_BODY_BYTES} bytes; got {len(self.request.body)}")
        try:
            body = json.loads(self.request.body or b"null")
        except (ValueError, UnicodeDecodeError) as err:
            raise web.HTTPError(400, "the post must be JSON") from err
        try:
            record = read_answer(body)
        except ForgedUser as err:
            log.warning("refused a post by %s naming another user", user)
            raise web.HTTPError(403, str(err)) from err
        except ValueError as err:
            raise web.HTTPError(400, str(err)) from err
        await self.db(self.store.add, user, record)
        self.set_status(201)
        self.finish({"stored": True})


class _Teacher(HubOAuthenticated, _Base):
    """Hub login (OAuth) with the service's access scope, then: admin or a teacher group."""

    def teacher(self) -> dict:
        user = self.current_user
        if not user:
            raise web.HTTPError(403, "sign in to the hub as a teacher to see the class pulse")
        groups = set(user.get("groups") or ())
        if not (user.get("admin") or groups & self.settings["pulse_teacher_groups"]):
            raise web.HTTPError(403, f"{user.get('name')} is not in a teacher group "
                                     f"({', '.join(sorted(self.settings['pulse_teacher_groups']))})")
        return user


class PageHandler(_Teacher):
    def write_error(self, status_code, **kwargs):
        """A page, not JSON, for a person at a browser (e.g. a student who opens the teacher's link)."""
        exc = kwargs.get("exc_info", (None, None, None))[1]
        message = web.escape.xhtml_escape(getattr(exc, "log_message", None) or self._reason)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Class pulse</title></head>'
                    f'<body><main><h1>Class pulse</h1><p>{message}</p></main></body></html>')

    @web.authenticated
    def get(self):
        user = self.teacher()
        xsrf = self.xsrf_token
        page = PAGE.read_text(encoding="utf-8")
        page = page.replace("__XSRF__", xsrf.decode() if isinstance(xsrf, bytes) else xsrf)
        page = page.replace("__TEACHER__", web.escape.xhtml_escape(user["name"]))
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Security-Policy",
                        "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                        "frame-ancestors 'none'")
        self.finish(page)


class SummaryHandler(_Teacher):
    async def get(self):
        self.teacher()
        names = self.get_argument("names", "0") == "1"
        summary = await self.db(self.store.summary, names=names)
        self.set_header("Cache-Control", "no-store")
        self.finish(summary)


class ResetHandler(_Teacher):
    async def post(self):
        user = self.teacher()
        when = await self.db(self.store.reset)
        log.info("%s reset the class pulse", user["name"])
        self.finish({"reset_at": when})


class HealthHandler(_Base):
    def get(self):
        self.finish({"ok": True})


def make_app(store: Store, *, prefix: str, teacher_groups, per_minute: float = 60, burst: int = 20,
             new_tokens_per_minute: float = 120, new_tokens_burst: int = 60,
             cookie_secret: bytes | None = None, hub_auth: HubOAuth | None = None) -> web.Application:
    """The tornado application (the hub's ``JUPYTERHUB_*`` variables configure its HubOAuth)."""
    hub_auth = hub_auth or HubOAuth.instance()
    if cookie_secret is None:
        # Derived from the service's hub token: stable across restarts, so a teacher stays signed in.
        cookie_secret = hmac.new(hub_auth.api_token.encode(), b"convlab-pulse cookies", hashlib.sha256).digest()
    routes = [
        (prefix, PageHandler),
        (url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),
        (url_path_join(prefix, "api/answers"), AnswersHandler),
        (url_path_join(prefix, "api/summary"), SummaryHandler),
        (url_path_join(prefix, "api/reset"), ResetHandler),
        (url_path_join(prefix, "api/health"), HealthHandler),
    ]
    return web.Application(
        routes, cookie_secret=cookie_secret, xsrf_cookies=True, hub_auth=hub_auth,
        pulse_store=store, pulse_hub_auth=hub_auth, pulse_teacher_groups=set(teacher_groups),
        pulse_limiter=RateLimiter(per_minute=per_minute, burst=burst),
        pulse_lookup_limiter=RateLimiter(per_minute=new_tokens_per_minute, burst=new_tokens_burst),
        pulse_known_tokens=set(),
        pulse_db_thread=concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="convlab-pulse-db"))


def _arguments(argv=None) -> argparse.Namespace:
    env = os.environ
    parser = argparse.ArgumentParser(prog="python -m convlab.pulse", description=__doc__.split("\n")[0])
    parser.add_argument("--db-url", default=env.get("CONVLAB_PULSE_DB_URL", DEFAULT_URL),
                        help="SQLAlchemy URL of the database (default: %(default)s, a file in the "
                             "service's working folder)")
    parser.add_argument("--teacher-group", action="append", dest="teacher_groups",
                        help="hub group whose members see the page (repeatable; default: teachers, or "
                             "CONVLAB_PULSE_TEACHER_GROUPS, comma-separated); hub admins always may")
    parser.add_argument("--per-minute", type=float, default=60, help="answers a minute per learner, sustained")
    parser.add_argument("--burst", type=int, default=20, help="answers per learner at once")
    args = parser.parse_args(argv)
    if not args.teacher_groups:
        args.teacher_groups = [g.strip() for g in env.get("CONVLAB_PULSE_TEACHER_GROUPS", "teachers").split(",")
                               if g.strip()]
    return args


def main(argv=None) -> None:
    """Start the service where the hub said (``JUPYTERHUB_SERVICE_URL``) and serve until stopped."""
    logging.basicConfig(level=logging.INFO, format="[%(levelname)1.1s %(asctime)s %(name)s] %(message)s")
    args = _arguments(argv)
    url = os.environ.get("JUPYTERHUB_SERVICE_URL")
    if not url:
        raise SystemExit("convlab-pulse runs as a JupyterHub service: JUPYTERHUB_SERVICE_URL is not set "
                         "(see docs/class_pulse.md for the hub settings)")
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/convlab-pulse/")
    store = Store(args.db_url)
    app = make_app(store, prefix=prefix, teacher_groups=args.teacher_groups, per_minute=args.per_minute,
                   burst=args.burst)
    where = urlparse(url)
    server = HTTPServer(app, max_body_size=64 * 1024)
    server.listen(where.port or 80, where.hostname or "127.0.0.1")
    log.info("convlab-pulse on %s (prefix %s), %d answers stored in %s", url, prefix, store.count(),
             store.engine.url.render_as_string(hide_password=True))
    IOLoop.current().start()
