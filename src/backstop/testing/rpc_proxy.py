"""A JSON-RPC proxy for tests: sits between a client and a node, counts requests, injects faults.

    with RpcProxy(anvil.url) as proxy:
        w3 = connect(proxy.url)
        proxy.fail_next(3, "error")        # the next 3 requests get a JSON-RPC error
        proxy.fail_next(1, "close")        # the next request: connection closed, no answer
        proxy.fail_next(1, "timeout")      # the next request: held past the client's timeout
        proxy.delay = 0.2                  # every request waits 0.2 s before it is forwarded
        proxy.fail_next(1, "garbage")      # the next request: HTTP 200 with a non-JSON body
        proxy.fail_next(1, "null")         # the next request: every call answered result null
        proxy.fail_next(1, "unsupported")  # the next request: -32601, as for a hidden method
        proxy.refuse(); proxy.accept()     # stop listening (connection refused), listen again
        proxy.batch_limit = 1000           # refuse larger batches as geth does ("batch too large")
        proxy.requests, proxy.calls, proxy.by_method   # round trips, calls (batches unpacked)
        proxy.largest_batch, proxy.refused_batches     # the most calls in one request; refusals

Faults can be limited to some methods (``methods={"eth_sendRawTransaction"}``): a request is
faulted when any call in it matches. ``error_rate`` and ``timeout_rate`` with ``seed`` inject
errors and hangs at random (a "garbage" or "null" fault is forwarded first: the node did the
work, only the answer is lost, as with a broken gateway).
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from backstop.testing.anvil import free_port

FAULT_KINDS = ("error", "http500", "close", "timeout", "garbage", "null", "unsupported")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    proxy: RpcProxy


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log lines."""

    def do_POST(self) -> None:
        """Forward one JSON-RPC request (single or batch), or fault it."""
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        proxy = self.server.proxy
        methods = proxy._record(body)
        if proxy.batch_limit is not None and len(methods) > proxy.batch_limit:
            with proxy._lock:
                proxy.refused_batches += 1
            self._reply(200, _too_large_body(body))
            return
        fault = proxy._take_fault(methods)
        if proxy.delay:
            time.sleep(proxy.delay)
        if fault == "close":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault == "timeout":
            time.sleep(proxy.timeout_hold)
            self.close_connection = True
            return
        if fault == "http500":
            self._reply(500, b"injected fault")
            return
        if fault == "error":
            self._reply(200, _error_body(body))
            return
        if fault == "unsupported":
            self._reply(200, _error_body(body, -32601, "the method does not exist"))
            return
        try:
            status, payload = proxy._forward(body)
        except OSError as exc:  # upstream down: answer like a gateway would
            self._reply(502, f"upstream unavailable: {exc}".encode())
            return
        if fault == "garbage":
            self._reply(200, b"<html><body>502 Bad Gateway</body></html>")
            return
        if fault == "null":
            self._reply(200, _null_body(body))
            return
        self._reply(status, payload)

    def _reply(self, status: int, payload: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:  # the client went away
            pass


def _answer_each(body: bytes, member: dict[str, Any]) -> bytes:
    """The same answer ``member`` (an ``error`` or a ``result``) for every call in the request."""
    try:
        req = json.loads(body)
    except ValueError:
        req = {"id": None}
    calls = req if isinstance(req, list) else [req]
    answers = [{"jsonrpc": "2.0", "id": c.get("id"), **member} for c in calls]
    return json.dumps(answers if isinstance(req, list) else answers[0]).encode()


def _error_body(body: bytes, code: int = -32603,
                message: str = "injected fault: internal error") -> bytes:
    """A JSON-RPC error answer (-32603 unless told) for every call in the request."""
    return _answer_each(body, {"error": {"code": code, "message": message}})


def _too_large_body(body: bytes) -> bytes:
    """geth's answer to a batch above its BatchRequestLimit: one error, the first call's id."""
    try:
        req = json.loads(body)
        first = req[0].get("id")
    except (ValueError, LookupError, AttributeError):
        first = None
    return json.dumps([{"jsonrpc": "2.0", "id": first,
                        "error": {"code": -32600, "message": "batch too large"}}]).encode()


def _null_body(body: bytes) -> bytes:
    """``result: null`` for every call in the request."""
    return _answer_each(body, {"result": None})


class RpcProxy:
    """An HTTP JSON-RPC proxy on 127.0.0.1 in front of ``upstream``; see the module docstring."""

    def __init__(self, upstream: str, *, port: int | None = None, seed: int = 0,
                 timeout_hold: float = 12.0) -> None:
        self.upstream = upstream
        self.port = port or free_port()
        self.delay = 0.0
        self.error_rate = 0.0
        self.timeout_rate = 0.0
        self.timeout_hold = timeout_hold
        self.batch_limit: int | None = None
        self.requests = 0
        self.calls = 0
        self.largest_batch = 0
        self.refused_batches = 0
        self.by_method: Counter[str] = Counter()
        self.faults_injected = 0
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._faults: list[tuple[str, frozenset[str] | None]] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The address clients use instead of the node's."""
        return f"http://127.0.0.1:{self.port}"

    # ---- lifecycle ------------------------------------------------------------------------------

    def start(self) -> RpcProxy:
        """Listen on the port (again, after ``refuse``)."""
        self.accept()
        return self

    def accept(self) -> None:
        """Listen and forward (the opposite of ``refuse``)."""
        if self._server is not None:
            return
        server = _Server(("127.0.0.1", self.port), _Handler)
        server.proxy = self
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True, name=f"rpc-proxy-{self.port}")
        self._thread.start()

    def refuse(self) -> None:
        """Stop listening: clients get 'connection refused' until ``accept``."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    stop = refuse

    def __enter__(self) -> RpcProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- faults and counts ----------------------------------------------------------------------

    def fail_next(self, n: int, kind: str = "error", methods: Iterable[str] | None = None) -> None:
        """Fault the next ``n`` requests (that touch one of ``methods``, if given)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {', '.join(FAULT_KINDS)}")
        only = frozenset(methods) if methods is not None else None
        with self._lock:
            self._faults += [(kind, only)] * n

    def clear_faults(self) -> None:
        """No more injected faults (queued ones dropped, error_rate and delay back to 0)."""
        with self._lock:
            self._faults.clear()
        self.error_rate = 0.0
        self.timeout_rate = 0.0
        self.delay = 0.0
        self.batch_limit = None

    def reset_counts(self) -> None:
        """Zero the request and call counters."""
        with self._lock:
            self.requests = 0
            self.calls = 0
            self.largest_batch = 0
            self.refused_batches = 0
            self.by_method.clear()

    def _record(self, body: bytes) -> list[str]:
        try:
            req = json.loads(body)
        except ValueError:
            req = {}
        calls = req if isinstance(req, list) else [req]
        methods = [str(c.get("method", "?")) for c in calls if isinstance(c, dict)]
        with self._lock:
            self.requests += 1
            self.calls += len(methods)
            self.largest_batch = max(self.largest_batch, len(methods))  # refused ones too
            self.by_method.update(methods)
        return methods

    def _take_fault(self, methods: list[str]) -> str | None:
        with self._lock:
            for i, (kind, only) in enumerate(self._faults):
                if only is None or only.intersection(methods):
                    del self._faults[i]
                    self.faults_injected += 1
                    return kind
            if self.error_rate and self._rng.random() < self.error_rate:
                self.faults_injected += 1
                return "error"
            if self.timeout_rate and self._rng.random() < self.timeout_rate:
                self.faults_injected += 1
                return "timeout"
        return None

    def _forward(self, body: bytes) -> tuple[int, bytes]:
        req = urllib.request.Request(self.upstream, body, {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()
