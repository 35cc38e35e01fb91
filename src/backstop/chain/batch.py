"""One JSON-RPC batch request, sent and checked in one place.

Every batched read or send in backstop (``batch_call``, ``TxSender``, the keeper's reader) goes
through ``send_batch``, so a node fault is classified the same way everywhere: transport
failures (refused, reset, timed out, HTTP 5xx / 408 / 429) raise ``RpcUnavailable`` (try again
later); a refused batch, a short answer or a non-JSON-RPC answer raise ``RpcError``. Each
response then becomes a result, a ``Revert`` or an ``RpcError`` in ``result_of``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from web3 import Web3

from backstop.chain.errors import RpcError, revert_from_rpc_error, unavailable_from

REVERTING_METHODS = ("eth_call", "eth_estimateGas")
"""The methods whose error answer can be a contract revert."""


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


def rpc_error(method: str, error: Mapping[str, Any]) -> RpcError:
    """The chain layer's ``RpcError`` for a JSON-RPC error object, naming the method."""
    message = str(error.get("message", error))
    return RpcError(f"{method}: {message}", error.get("code"), error.get("data"))


def result_of(method: str, response: Mapping[str, Any]) -> Any:
    """One JSON-RPC response of ``method``: its result, or a ``Revert`` (returned, not raised)
    for a call that reverted; raises ``RpcError`` for any other error answer."""
    error = response.get("error")
    if error is None:
        return response.get("result")
    if not isinstance(error, Mapping):
        error = {"message": str(error)}
    revert = revert_from_rpc_error(error) if method in REVERTING_METHODS else None
    if revert is None:
        raise rpc_error(method, error)
    return revert
