"""JSON-RPC batches, sent and checked in one place, in chunks a real node accepts.

Every batched read or send in backstop (``batch_call``, ``TxSender``, the keeper's reader) goes
through ``send_batch``, so a node fault is classified the same way everywhere: transport
failures (refused, reset, timed out, HTTP 5xx / 408 / 429) raise ``RpcUnavailable`` (try again
later); a refused batch, a short answer or a non-JSON-RPC answer raise ``RpcError``. Each
response then becomes a result, a ``Revert`` or an ``RpcError`` in ``result_of``.

Chunks. A batch is cut into HTTP requests of at most ``RpcPolicy.batch_limit`` calls (default
1,000: geth's ``BatchRequestLimit``) and about ``RpcPolicy.byte_limit`` bytes. The size adapts:
a node that refuses a chunk as too large (geth answers one ``-32600 batch too large``; others a
refusal naming the limit) halves it and the chunk is sent again in smaller pieces, and the size
refused is never tried again; a chunk that times out halves it too (the node may simply be
slow with that many calls), and a run of answered chunks doubles it back up to the limit.

Retries. With ``retry=True`` (reads) a chunk that fails in transport, or calls that fail with a
transient error (internal error, rate limit), are sent again after a short back-off with jitter,
at most ``RpcPolicy.retries`` times within ``RpcPolicy.retry_seconds`` (chunks that time out and
are sent again smaller, too). Sends are never retried here: their outcome is unknown after a
fault, and ``TxSender`` decides (see ``backstop.chain.tx``). With several endpoints
(``backstop.chain.http``), a request that fails in transport, a send too, goes to the next
endpoint at once: the same signed bytes twice are one transaction ("already known").

The policy lives on the provider (``provider.rpc_policy``); ``connect()`` gives HTTP providers one
with retries, any other provider (the in-process chain) gets one without chunks or retries on
first use.
"""

from __future__ import annotations

import contextlib
import json
import random
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from web3 import Web3

from backstop.chain.errors import (
    RpcError,
    RpcUnavailable,
    revert_from_rpc_error,
    unavailable_from,
)

REVERTING_METHODS = ("eth_call", "eth_estimateGas")
"""The methods whose error answer can be a contract revert."""

SEND_METHODS = frozenset({"eth_sendRawTransaction", "eth_sendTransaction"})
"""Methods whose outcome is unknown after a fault: never retried by ``send_batch``."""

DEFAULT_BATCH_LIMIT = 1_000  # geth's default BatchRequestLimit
DEFAULT_BYTE_LIMIT = 1_000_000  # request body: anvil refuses 2 MB, geth 5 MB
UNLIMITED = 10**9
TRANSIENT_CODES = frozenset({-32603, -32005, -32002, 429})
_SIZE_WORDS = ("too large", "too big", "too many", "batch limit", "exceeds", "exceeded",
               "batch size")


class BatchTooLarge(RpcError):
    """The node refused a batch for its size."""


class ChunkTimedOut(RpcUnavailable):
    """A chunk got no answer in time (the node may be slow with that many calls)."""


@dataclass
class RpcPolicy:
    """How batches are cut and retried on one provider (shared by every user of it)."""

    batch_limit: int = DEFAULT_BATCH_LIMIT
    byte_limit: int = DEFAULT_BYTE_LIMIT
    retries: int = 0
    retry_seconds: float = 6.0
    backoff: float = 0.05
    max_delay: float = 1.0
    grow_after: int = 8
    current: int = field(init=False, default=0)
    refused_at: int | None = field(init=False, default=None)
    largest_sent: int = field(init=False, default=0)
    accepted: int = field(init=False, default=0)  # the largest chunk the node answered
    requests: int = field(init=False, default=0)
    shrinks: int = field(init=False, default=0)
    _streak: int = field(init=False, default=0)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock, repr=False)
    _rng: random.Random = field(init=False, default_factory=random.Random, repr=False)

    def __post_init__(self) -> None:
        if self.batch_limit < 1:
            raise ValueError("batch_limit must be at least 1")
        self.current = self.batch_limit

    def ceiling(self) -> int:
        """The largest chunk worth trying: the limit, below any size the node refused."""
        top = self.batch_limit
        if self.refused_at is not None:
            top = min(top, max(1, self.refused_at - 1))
        return top

    def chunk(self, requests: Sequence[tuple[str, Any]], start: int) -> int:
        """How many requests from ``start`` go into the next chunk (at least one)."""
        n = min(self.current, len(requests) - start)
        budget = self.byte_limit
        if budget <= 0:  # no byte budget
            return n
        for k in range(start, start + n):
            method, params = requests[k]
            budget -= _size(method, params)
            if budget < 0:
                return max(1, k - start)
        return n

    def too_large(self, n: int) -> None:
        """The node refused ``n`` calls in one request: back to the largest size it answered
        (half of ``n`` if none); later growth probes halfway toward the refused size, so the
        node's limit is found in a few refusals and never exceeded again once found."""
        with self._lock:
            self.refused_at = n if self.refused_at is None else min(self.refused_at, n)
            fits = self.accepted if 0 < self.accepted < n else n // 2
            self.current = max(1, min(self.current, fits))
            self.shrinks += 1
            self._streak = 0

    def timed_out(self, n: int) -> None:
        """A chunk of ``n`` calls timed out: try smaller ones."""
        with self._lock:
            if n > 1:
                self.current = max(1, min(self.current, n // 2))
                self.shrinks += 1
            self._streak = 0

    def answered(self, n: int) -> None:
        """A chunk of ``n`` calls was answered."""
        with self._lock:
            self.requests += 1
            self.largest_sent = max(self.largest_sent, n)
            if self.refused_at is None or n < self.refused_at:
                self.accepted = max(self.accepted, n)
            if n < self.current:
                return
            self._streak += 1
            top = self.ceiling()
            if self._streak >= self.grow_after and self.current < top:
                if self.refused_at is None:
                    self.current = min(top, self.current * 2)
                else:
                    self.current = min(top, max(self.current + 1,
                                                (self.current + self.refused_at) // 2))
                self._streak = 0

    def delay(self, attempt: int) -> float:
        """Back-off before retry ``attempt`` (1, 2, ...): exponential, full jitter, capped."""
        top = min(self.max_delay, self.backoff * 2 ** (attempt - 1))
        return top / 2 + self._rng.random() * top / 2


def _size(method: str, params: Any) -> int:
    """About the bytes one request takes in a batch body."""
    try:
        return 48 + len(method) + len(json.dumps(params, default=str))
    except (TypeError, ValueError):
        return 48 + len(method) + len(str(params))


_POLICY_LOCK = threading.Lock()


def policy_of(w3: Web3) -> RpcPolicy:
    """The provider's batching policy (a plain one is attached on first use)."""
    provider = w3.provider
    policy = getattr(provider, "rpc_policy", None)
    if isinstance(policy, RpcPolicy):
        return policy
    with _POLICY_LOCK:
        policy = getattr(provider, "rpc_policy", None)
        if not isinstance(policy, RpcPolicy):
            policy = RpcPolicy(batch_limit=UNLIMITED, byte_limit=0)
            with contextlib.suppress(AttributeError):
                provider.rpc_policy = policy  # type: ignore[union-attr]
    return policy


def send_batch(w3: Web3, requests: Sequence[tuple[str, list[Any]]], *,
               retry: bool = True) -> list[Mapping[str, Any]]:
    """Send ``(method, params)`` requests as JSON-RPC batches (chunked; see the module
    docstring); the raw responses in order. ``retry=False``: no retry of faults (sends never
    are retried whatever ``retry`` says)."""
    if not requests:
        return []
    requests = list(requests)
    policy = policy_of(w3)
    may_retry = retry and not any(m in SEND_METHODS for m, _ in requests)
    # chunks that time out are sent again smaller, but not past this: a hung node is a fault
    deadline = time.monotonic() + policy.retry_seconds
    out: list[Mapping[str, Any]] = []
    start = 0
    while start < len(requests):
        n = policy.chunk(requests, start)
        chunk = requests[start:start + n]
        try:
            out += _send_chunk(w3, policy, chunk, may_retry)
        except BatchTooLarge:
            if n == 1:
                raise
            policy.too_large(n)
            continue
        except ChunkTimedOut:
            if (not may_retry or n == 1 or policy.retries == 0
                    or time.monotonic() >= deadline):
                raise
            continue  # the policy halved the chunk size: send it again in smaller pieces
        start += n
    return out


def _send_chunk(w3: Web3, policy: RpcPolicy, chunk: list[tuple[str, list[Any]]],
                may_retry: bool) -> list[Mapping[str, Any]]:
    """One chunk, retried on transient faults when ``may_retry``."""
    deadline = time.monotonic() + policy.retry_seconds
    attempt = 0
    answers: list[Mapping[str, Any] | None] = [None] * len(chunk)
    todo = list(range(len(chunk)))
    while True:
        try:
            got = _post(w3, policy, [chunk[i] for i in todo])
        except (BatchTooLarge, ChunkTimedOut):
            if len(todo) < len(chunk):  # a retry of a few calls: keep what was answered
                attempt += 1
                if attempt > policy.retries or time.monotonic() >= deadline:
                    raise
                continue
            raise
        except (RpcUnavailable, RpcError):
            attempt += 1
            if not may_retry or attempt > policy.retries or time.monotonic() >= deadline:
                raise
            time.sleep(policy.delay(attempt))
            continue
        for i, answer in zip(todo, got, strict=True):
            answers[i] = answer
        todo = [i for i in todo if _transient(answers[i])] if may_retry else []
        if not todo:
            break
        attempt += 1
        if attempt > policy.retries or time.monotonic() >= deadline:
            break
        time.sleep(policy.delay(attempt))
    return answers  # type: ignore[return-value]


def _post(w3: Web3, policy: RpcPolicy, chunk: list[tuple[str, list[Any]]]
          ) -> list[Mapping[str, Any]]:
    """One HTTP request of ``chunk``; the checked answers in order."""
    try:
        out = w3.provider.make_batch_request(chunk)  # type: ignore[attr-defined]
    except Exception as exc:
        unavailable = unavailable_from(exc)
        if unavailable is not None:
            what = f"{unavailable} ({_describe(chunk)})"
            if _is_timeout(exc):
                policy.timed_out(len(chunk))
                if len(chunk) > 1:
                    raise ChunkTimedOut(what) from exc
            raise RpcUnavailable(what) from exc
        if isinstance(exc, ValueError | TypeError | AttributeError | KeyError):
            # an answer that is not JSON-RPC (or a batch web3 could not sort)
            raise RpcError(f"batch: the node's answer is not JSON-RPC: {exc}") from exc
        raise
    if not isinstance(out, list):  # the whole batch was refused
        error = out.get("error") if isinstance(out, Mapping) else None
        if not isinstance(error, Mapping):
            error = {"message": str(out)}
        message = str(error.get("message", error))
        # a refusal of the whole request: for its size if it says so, or if it is a batch of
        # several calls refused as an "invalid request" (anvil, over its body limit)
        sized = _about_size(message) or (len(chunk) > 1 and error.get("code") == -32600)
        cls = BatchTooLarge if sized else RpcError
        raise cls(f"batch refused: {message}", error.get("code"))
    if len(out) != len(chunk):
        first = out[0] if len(out) == 1 else None
        error = first.get("error") if isinstance(first, Mapping) else None
        if len(chunk) > 1 and isinstance(error, Mapping):  # geth: one "batch too large"
            raise BatchTooLarge(f"batch refused: {error.get('message', error)}",
                                error.get("code"))
        raise RpcError(f"batch answered {len(out)} of {len(chunk)} requests")
    for (method, _), answer in zip(chunk, out, strict=True):
        if not isinstance(answer, Mapping):
            raise RpcError(f"batch: {method} answered {answer!r}, not a JSON-RPC response")
        error = answer.get("error")
        if isinstance(error, Mapping) and _about_size(str(error.get("message", ""))) \
                and error.get("code") in (-32600, -32003, -32005):
            raise BatchTooLarge(f"batch refused: {error.get('message')}", error.get("code"))
    policy.answered(len(chunk))
    return out


def _describe(chunk: Sequence[tuple[str, Any]]) -> str:
    """"eth_call x1000, eth_getBlockByNumber" for messages."""
    counts: dict[str, int] = {}
    for method, _ in chunk:
        counts[method] = counts.get(method, 0) + 1
    return ", ".join(f"{m} x{n}" if n > 1 else m for m, n in counts.items())


def _about_size(message: str) -> bool:
    low = message.lower()
    return any(w in low for w in _SIZE_WORDS)


def _is_timeout(exc: BaseException) -> bool:
    import requests

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, requests.exceptions.Timeout | TimeoutError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _transient(answer: Mapping[str, Any] | None) -> bool:
    """An error answer worth asking again (internal error, rate limit, timeout)."""
    if answer is None:
        return True
    error = answer.get("error")
    if not isinstance(error, Mapping):
        return False
    if error.get("code") in TRANSIENT_CODES:
        return True
    low = str(error.get("message", "")).lower()
    return "rate limit" in low or "timeout" in low or "try again" in low


def rpc_error(method: str, error: Mapping[str, Any]) -> RpcError:
    """The chain layer's ``RpcError`` for a JSON-RPC error object, naming the method."""
    message = str(error.get("message", error))
    return RpcError(f"{method}: {message}", error.get("code"), error.get("data"))


def result_of(method: str, response: Mapping[str, Any]) -> Any:
    """One JSON-RPC response of ``method``: its result, or a ``Revert`` (returned, not raised)
    for a call that reverted; raises ``RpcError`` for any other error answer."""
    if not isinstance(response, Mapping):
        raise RpcError(f"{method}: answered {response!r}, not a JSON-RPC response")
    error = response.get("error")
    if error is None:
        return response.get("result")
    if not isinstance(error, Mapping):
        error = {"message": str(error)}
    revert = revert_from_rpc_error(error) if method in REVERTING_METHODS else None
    if revert is None:
        raise rpc_error(method, error)
    return revert
