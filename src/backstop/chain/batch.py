"""One JSON-RPC batch request, sent and checked in one place.

Every batched read or send in backstop (``batch_call``, ``TxSender``, the keeper's reader) goes
through ``send_batch``, so a node fault is classified the same way everywhere: transport
failures (refused, reset, timed out, HTTP 5xx / 408 / 429) raise ``RpcUnavailable`` (try again
later); a refused batch, a short answer or a non-JSON-RPC answer raise ``RpcError``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from web3 import Web3

from backstop.chain.errors import RpcError, unavailable_from


def send_batch(w3: Web3, requests: Sequence[tuple[str, list[Any]]]) -> list[Mapping[str, Any]]:
    """Send ``(method, params)`` requests as ONE JSON-RPC batch; the raw responses in order."""
    if not requests:
        return []
    try:
        out = w3.provider.make_batch_request(list(requests))  # type: ignore[attr-defined]
    except Exception as exc:
        unavailable = unavailable_from(exc)
        if unavailable is not None:
            raise unavailable from exc
        if isinstance(exc, ValueError):  # an answer that is not JSON-RPC
            raise RpcError(f"batch: the node's answer is not JSON-RPC: {exc}") from exc
        raise
    if not isinstance(out, list):  # the whole batch was refused
        error = out.get("error") if isinstance(out, Mapping) else None
        if not isinstance(error, Mapping):
            error = {"message": str(out)}
        raise RpcError(f"batch refused: {error.get('message', error)}", error.get("code"))
    if len(out) != len(requests):
        raise RpcError(f"batch answered {len(out)} of {len(requests)} requests")
    return out
