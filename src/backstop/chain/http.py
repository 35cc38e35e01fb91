"""An HTTP JSON-RPC provider over one or several endpoints of the same chain.

- Every request goes to the active endpoint; a transport failure (refused, reset, timed out,
  HTTP 5xx) moves to the next one at once (fail over), and the one that answered stays active.
- Reads get a short timeout (``read_timeout``); a request that sends a transaction gets the
  longer ``timeout`` (its outcome is unknown after a timeout, so it is better not to have one).
- ``compare_heads()`` asks every endpoint for its block number and moves off an endpoint that is
  more than ``stale_blocks`` behind the best one (a stale node is noticed, not trusted).
- ``rpc_policy`` (``backstop.chain.batch.RpcPolicy``) says how batches are cut and retried.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from eth_typing import URI
from web3 import Web3

from backstop.chain.batch import SEND_METHODS, RpcPolicy
from backstop.chain.errors import unavailable_from

STALE_BLOCKS = 2


class FailoverHTTPProvider(Web3.HTTPProvider):
    """See the module docstring."""

    def __init__(self, urls: Sequence[str], *, timeout: float = 10.0,
                 read_timeout: float | None = None, policy: RpcPolicy | None = None,
                 stale_blocks: int = STALE_BLOCKS) -> None:
        if not urls:
            raise ValueError("no endpoint")
        super().__init__(urls[0], request_kwargs={"timeout": timeout},
                         exception_retry_configuration=None)
        self.urls = [str(u) for u in urls]
        self.active = 0
        self.timeout = timeout
        self.read_timeout = read_timeout if read_timeout is not None else timeout
        self.rpc_policy = policy or RpcPolicy()
        self.stale_blocks = stale_blocks
        self.failovers = 0
        self.heads: dict[str, int | None] = {}
        self._lock = threading.Lock()

    @property
    def active_url(self) -> str:
        """The endpoint requests go to now."""
        return self.urls[self.active]

    def _post(self, data: bytes, timeout: float) -> bytes:
        """POST ``data`` to the active endpoint, failing over to the others in turn."""
        kwargs = dict(self.get_request_kwargs())
        kwargs["timeout"] = timeout
        start = self.active
        last: BaseException | None = None
        for k in range(len(self.urls)):
            idx = (start + k) % len(self.urls)
            try:
                raw = self._request_session_manager.make_post_request(
                    URI(self.urls[idx]), data, **kwargs)
            except Exception as exc:
                if unavailable_from(exc) is None:
                    raise
                last = exc
                continue
            if idx != self.active:
                with self._lock:
                    self.active = idx
                    self.failovers += 1
            return raw
        assert last is not None
        raise last

    def make_request(self, method: Any, params: Any) -> Any:
        data = self.encode_rpc_request(method, params)
        raw = self._post(data, self.timeout if method in SEND_METHODS else self.read_timeout)
        return self.decode_rpc_response(raw)

    def make_batch_request(self, batch_requests: Any) -> Any:
        data = self.encode_batch_rpc_request(batch_requests)
        sends = any(m in SEND_METHODS for m, _ in batch_requests)
        raw = self._post(data, self.timeout if sends else self.read_timeout)
        response = self.decode_rpc_response(raw)
        if not isinstance(response, list):
            return response
        if all(isinstance(r, dict) and isinstance(r.get("id"), int) for r in response):
            response = sorted(response, key=lambda r: r["id"])
        return response

    def compare_heads(self) -> dict[str, int | None]:
        """Every endpoint's block number (None: no answer); moves off a stale active one."""
        import json

        heads: dict[str, int | None] = {}
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber",
                           "params": []}).encode()
        kwargs = dict(self.get_request_kwargs())
        kwargs["timeout"] = min(self.read_timeout, 3.0)
        for url in self.urls:
            try:
                raw = self._request_session_manager.make_post_request(URI(url), body, **kwargs)
                heads[url] = int(json.loads(raw)["result"], 16)
            except Exception:  # any failure: this endpoint has no head now
                heads[url] = None
        self.heads = heads
        known = [h for h in heads.values() if h is not None]
        if known:
            best = max(known)
            mine = heads[self.active_url]
            if mine is None or best - mine > self.stale_blocks:
                idx = next(i for i, u in enumerate(self.urls) if heads[u] == best)
                with self._lock:
                    if idx != self.active:
                        self.active = idx
                        self.failovers += 1
        return heads
