"""The dashboard's HTTP server: the static page and a small JSON API over a ``Dashboard``.

Routes (all GET unless noted; JSON bodies; errors are ``{"error": "<one line>"}``):

- ``/`` and ``/static/<file>``: the page and its assets, served from the package (no CDN).
- ``/api/config``: chain id, token addresses, the call descriptions the page encodes.
- ``/api/state``: pools, auctions and price history at the newest block (cached per block).
- ``/api/position?address=0x..``: a member's shares and what they would get now, per pool.
- ``/api/permit?holder=0x..&pool=0x..``: DAI permit typed data (EIP-712) for the wallet to sign.
- ``/api/activity?address=0x..``: a member's deposits and withdrawals, newest first.
- ``/api/auction?id=N``: one auction's history (kick, bids, end) from the logs.
- ``/api/events``: server-sent events: ``state`` (the ``/api/state`` body) on each new block,
  ``failure`` (``{"error": ...}``) while the node cannot be read, ``: ping`` comments between.
- ``POST /api/simulate`` ``{action, pool, from, to, data, amount}``: the call simulated at the
  newest block, with its outcome in words (``{"ok": bool, "message": str}``).

The server is a stdlib ``ThreadingHTTPServer``; it binds to 127.0.0.1 unless told otherwise.
One ``BlockFeed`` thread asks the node for its head every ``poll`` seconds (the state is cached
per block, so that is one ``eth_getBlockByNumber`` while nothing happens) and wakes every open
event stream when the block changes: the node's load does not grow with the browsers.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from backstop.chain.errors import unavailable_from
from backstop.web.dashboard import Dashboard, InputError

STATIC_DIR = Path(__file__).resolve().parent / "static"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
MAX_BODY = 64 * 1024
log = logging.getLogger("backstop.web")
PING_SECONDS = 15.0


def failure_words(exc: BaseException) -> str:
    """One line for a person about a failed read (no exception text from the HTTP stack)."""
    if unavailable_from(exc) is not None:
        return ("the Ethereum node does not answer (is it running, and is the --rpc-url "
                "right?); the dashboard retries on its own")
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"reading the chain failed: {text[:200]}"


class BlockFeed:
    """One thread that follows the node's head for every event stream (see module docs)."""

    def __init__(self, dashboard: Dashboard, poll: float = 1.0) -> None:
        self.dashboard = dashboard
        self.poll = poll
        self.version = 0
        self.payload: tuple[str, bytes] | None = None  # (event name, JSON) of the newest news
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last: Any = None

    def start(self) -> None:
        with self._cond:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="backstop-feed",
                                                daemon=True)
                self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def _publish(self, event: str, body: Any, key: Any) -> None:
        if key == self._last:
            return
        self._last = key
        with self._cond:
            self.version += 1
            self.payload = (event, json.dumps(body).encode())
            self._cond.notify_all()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                state = self.dashboard.state()
                self._publish("state", state, ("state", state["block"]["number"]))
            except Exception as exc:  # the node is down: say so once, keep trying
                words = failure_words(exc)
                log.warning("feed: %s", words)
                self._publish("failure", {"error": words}, ("failure", words))
            self._stop.wait(self.poll)

    def wait(self, seen: int, timeout: float) -> tuple[int, tuple[str, bytes] | None]:
        """Block until there is news after version ``seen`` (or ``timeout``)."""
        with self._cond:
            if self.version == seen and not self._stop.is_set():
                self._cond.wait(timeout)
            return self.version, self.payload


def static_files() -> dict[str, Path]:
    """The files the server may serve, by URL name (nothing outside the static directory)."""
    return {p.name: p for p in STATIC_DIR.iterdir() if p.is_file() and p.suffix in CONTENT_TYPES}


class DashboardHandler(BaseHTTPRequestHandler):
    """One request: route it to a static file or to the dashboard's API."""

    server: DashboardServer
    protocol_version = "HTTP/1.1"

    # ---- plumbing ---------------------------------------------------------------------
    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def _send(self, status: int, body: bytes, content_type: str, cache: str = "no-store") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, payload: Any) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json")

    def _error(self, status: int, message: str) -> None:
        self._json(status, {"error": message})

    # ---- routing ----------------------------------------------------------------------
    def do_GET(self) -> None:
        """Static files and the read-only API."""
        url = urlparse(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        path = url.path
        if path in ("/", "/index.html"):
            self._static("index.html")
        elif path.startswith("/static/"):
            self._static(path.removeprefix("/static/"))
        elif path == "/api/config":
            self._api(lambda: self.server.dashboard.config())
        elif path == "/api/state":
            self._api(lambda: self.server.dashboard.state())
        elif path == "/api/position":
            self._api(lambda: self.server.dashboard.position(query.get("address", "")))
        elif path == "/api/activity":
            self._api(lambda: self.server.dashboard.activity(query.get("address", "")))
        elif path == "/api/auction":
            self._api(lambda: self.server.dashboard.auction_history(query.get("id", "")))
        elif path == "/api/events":
            self._events()
        elif path == "/api/permit":
            self._api(lambda: self.server.dashboard.permit(query.get("holder", ""),
                                                           query.get("pool", "")))
        elif path == "/favicon.ico":
            self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon", cache="max-age=86400")
        else:
            self._error(HTTPStatus.NOT_FOUND, f"no such page: {path}")

    do_HEAD = do_GET

    def do_POST(self) -> None:
        """The simulation endpoint."""
        path = urlparse(self.path).path
        if path != "/api/simulate":
            self._error(HTTPStatus.NOT_FOUND, f"no such endpoint: {path}")
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length <= 0 or length > MAX_BODY:
            self._error(HTTPStatus.BAD_REQUEST, "send a JSON body of at most 64 KiB")
            return
        try:
            body = json.loads(self.rfile.read(length))
        except ValueError:
            self._error(HTTPStatus.BAD_REQUEST, "the body is not JSON")
            return
        if not isinstance(body, dict):
            self._error(HTTPStatus.BAD_REQUEST, "the body must be a JSON object")
            return
        self._api(lambda: self.server.dashboard.simulate(body))

    def _static(self, name: str) -> None:
        files = static_files()
        if name not in files:
            self._error(HTTPStatus.NOT_FOUND, f"no such file: {name}")
            return
        path = files[name]
        self._send(HTTPStatus.OK, path.read_bytes(), CONTENT_TYPES[path.suffix], cache="no-cache")

    def _api(self, produce: Any) -> None:
        try:
            self._json(HTTPStatus.OK, produce())
        except InputError as exc:
            self._error(HTTPStatus.BAD_REQUEST, str(exc))
        except Exception as exc:  # the node failed or answered nonsense: one line, keep serving
            log.warning("API %s failed: %s: %s", self.path, type(exc).__name__, exc)
            self._error(HTTPStatus.BAD_GATEWAY, failure_words(exc))

    def _events(self) -> None:
        """Server-sent events until the browser goes away or the server stops."""
        feed = self.server.feed
        feed.start()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.close_connection = True
        seen = -1
        last_write = time.monotonic()
        try:
            self.wfile.write(b"retry: 2000\n\n")
            self.wfile.flush()
            while not feed.stopped:
                version, payload = feed.wait(seen, 1.0)
                if version != seen and payload is not None:
                    seen = version
                    event, body = payload
                    self.wfile.write(b"event: " + event.encode() + b"\ndata: " + body + b"\n\n")
                    self.wfile.flush()
                    last_write = time.monotonic()
                elif time.monotonic() - last_write > PING_SECONDS:
                    self.wfile.write(b": ping\n\n")
                    self.wfile.flush()
                    last_write = time.monotonic()
        except (BrokenPipeError, ConnectionResetError, OSError):
            return


class DashboardServer(ThreadingHTTPServer):
    """A threading HTTP server that carries the ``Dashboard`` its handlers use."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], dashboard: Dashboard,
                 poll: float = 1.0) -> None:
        super().__init__(address, DashboardHandler)
        self.dashboard = dashboard
        self.feed = BlockFeed(dashboard, poll)

    def shutdown(self) -> None:
        """Stop serving, and end the event streams."""
        self.feed.stop()
        super().shutdown()

    @property
    def url(self) -> str:
        """The base URL the server answers on."""
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


def make_server(dashboard: Dashboard, host: str = "127.0.0.1", port: int = 8546,
                poll: float = 1.0) -> DashboardServer:
    """Bind (port 0 picks a free port) without serving yet; ``poll``: seconds between looks
    at the node's head for the event streams."""
    return DashboardServer((host, port), dashboard, poll)


def serve_in_thread(dashboard: Dashboard, host: str = "127.0.0.1", port: int = 0,
                    poll: float = 0.5) -> tuple[DashboardServer, threading.Thread]:
    """Start serving on a daemon thread (for tests); stop with ``server.shutdown()``."""
    server = make_server(dashboard, host, port, poll)
    thread = threading.Thread(target=server.serve_forever, name="backstop-web", daemon=True)
    thread.start()
    return server, thread
