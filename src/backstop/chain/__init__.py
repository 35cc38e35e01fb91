"""backstop.chain: one way to reach a chain, in process or over JSON-RPC.

- ``connect(url="inprocess")`` -> ``Web3``: ``"inprocess"`` is a fresh in-process EVM
  (``BoaProvider``); ``http://`` / ``https://`` URLs get an HTTP provider with timeouts.
- ``batch_call(w3, calls, block="latest")`` -> ``list[bytes | Revert]``: many ``eth_call``s in
  ONE JSON-RPC batch; a call that reverts comes back as a ``Revert`` value, not an exception.
- ``Revert``, ``RpcUnavailable``, ``RpcError``: see ``backstop.chain.errors``.
- ``backstop.chain.dev``: mine, time travel, snapshots, balances, impersonation, automine (anvil's
  dev methods; the same calls on anvil and in process).
- ``backstop.chain.keys.load_account``: the signing key from a keystore or the environment.

``BoaProvider(genesis_timestamp=..., history=True)`` is the in-process chain itself; a long
simulation (the replay) wants ``history=False`` (about twice as fast, see its docstring).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from web3 import Web3

from backstop.chain.batch import result_of, send_batch
from backstop.chain.boa_provider import BoaProvider
from backstop.chain.errors import Revert, RpcError, RpcUnavailable

__all__ = ["BoaProvider", "Revert", "RpcError", "RpcUnavailable", "batch_call", "connect"]

HTTP_TIMEOUT_SECONDS = 10.0


def connect(url: str = "inprocess", *, timeout: float = HTTP_TIMEOUT_SECONDS) -> Web3:
    """A ``Web3`` for ``url``: ``"inprocess"`` (a new in-process chain) or an http(s) URL.

    Raises ``ValueError`` with what to write instead for anything else.
    """
    if not isinstance(url, str) or not url.strip():
        raise ValueError('no chain given: use "inprocess" or an http(s):// JSON-RPC URL')
    url = url.strip()
    if url == "inprocess":
        return Web3(BoaProvider())
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme in ("http", "https"):
        provider = Web3.HTTPProvider(
            url, request_kwargs={"timeout": timeout},
            exception_retry_configuration=None,
        )
        return Web3(provider)
    if scheme in ("ws", "wss"):
        raise ValueError(f"{url!r}: websocket URLs are not supported; use the node's http(s) URL")
    raise ValueError(
        f"{url!r} is not a chain URL: use \"inprocess\" or an http(s):// JSON-RPC URL "
        "such as http://127.0.0.1:8545"
    )


def _block_param(block: int | str) -> str:
    if isinstance(block, bool):
        raise ValueError(f"invalid block {block!r}")
    if isinstance(block, int):
        if block < 0:
            raise ValueError(f"invalid block {block!r}")
        return hex(block)
    if isinstance(block, str):
        return block
    raise ValueError(f"invalid block {block!r}: use a number or a tag like 'latest'")


def _hex(data: bytes | str) -> str:
    if isinstance(data, str):
        return data if data.startswith("0x") else "0x" + data
    return "0x" + bytes(data).hex()


def batch_call(
    w3: Web3,
    calls: Sequence[tuple[str, bytes]],
    block: int | str = "latest",
) -> list[bytes | Revert]:
    """Run every ``(to, calldata)`` as an ``eth_call`` at ``block`` in ONE JSON-RPC batch.

    Returns one entry per call, in order: the return bytes, or a ``Revert`` for a call that
    reverted. Raises ``RpcUnavailable`` when the node cannot be reached and ``RpcError`` for any
    other error the node reports.
    """
    if not calls:
        return []
    tag = _block_param(block)
    requests: list[tuple[Any, Any]] = [
        ("eth_call", [{"to": to, "data": _hex(data)}, tag]) for to, data in calls
    ]
    responses = send_batch(w3, requests)
    return [_call_result(response) for response in responses]


def _call_result(response: Any) -> bytes | Revert:
    result = result_of("eth_call", response)
    if isinstance(result, Revert):
        return result
    if not isinstance(result, str):
        raise RpcError(f"eth_call answered {result!r}")
    return bytes.fromhex(result[2:])
