"""backstop.chain: one way to reach a chain, in process or over JSON-RPC.

- ``connect(url="inprocess")`` -> ``Web3``: ``"inprocess"`` is a fresh in-process EVM
  (``BoaProvider``); ``http://`` / ``https://`` URLs (several, comma-separated, fail over)
  get an HTTP provider with timeouts, batches cut to what a node accepts, reads retried.
- ``batch_call(w3, calls, block="latest")`` -> ``list[bytes | Revert]``: many ``eth_call``s in
  one JSON-RPC batch (cut in chunks a node accepts, ``backstop.chain.batch``); a call that
  reverts comes back as a ``Revert`` value, not an exception.
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

from backstop.chain.batch import DEFAULT_BATCH_LIMIT, RpcPolicy, result_of, send_batch
from backstop.chain.boa_provider import BoaProvider
from backstop.chain.errors import Revert, RpcError, RpcUnavailable
from backstop.chain.http import FailoverHTTPProvider

__all__ = ["BoaProvider", "Revert", "RpcError", "RpcUnavailable", "batch_call", "connect"]

HTTP_TIMEOUT_SECONDS = 10.0
READ_TIMEOUT_SECONDS = 5.0
READ_RETRIES = 6


def connect(url: str = "inprocess", *, timeout: float = HTTP_TIMEOUT_SECONDS,
            read_timeout: float | None = READ_TIMEOUT_SECONDS,
            batch_limit: int = DEFAULT_BATCH_LIMIT, retries: int = READ_RETRIES) -> Web3:
    """A ``Web3`` for ``url``: ``"inprocess"`` (a new in-process chain) or http(s) URLs.

    Several endpoints of the same chain may be given separated by commas (fail over between
    them; see ``backstop.chain.http``). Reads time out after ``read_timeout`` seconds (at most
    ``timeout``), sends after ``timeout``; batches are cut at ``batch_limit`` calls and reads
    retried ``retries`` times (``backstop.chain.batch``).

    Raises ``ValueError`` with what to write instead for anything else.
    """
    if not isinstance(url, str) or not url.strip():
        raise ValueError('no chain given: use "inprocess" or an http(s):// JSON-RPC URL')
    url = url.strip()
    if url == "inprocess":
        return Web3(BoaProvider())
    urls = [u.strip() for u in url.split(",") if u.strip()]
    for one in urls:
        scheme = one.split("://", 1)[0].lower() if "://" in one else ""
        if scheme in ("ws", "wss"):
            raise ValueError(f"{one!r}: websocket URLs are not supported; use the node's "
                             "http(s) URL")
        if scheme not in ("http", "https"):
            raise ValueError(
                f"{one!r} is not a chain URL: use \"inprocess\" or an http(s):// JSON-RPC URL "
                "such as http://127.0.0.1:8545 (several separated by commas)"
            )
    if batch_limit < 1:
        raise ValueError(f"batch limit {batch_limit}: give at least 1 call per request")
    policy = RpcPolicy(batch_limit=batch_limit, retries=retries)
    reads = timeout if read_timeout is None else min(read_timeout, timeout)
    return Web3(FailoverHTTPProvider(urls, timeout=timeout, read_timeout=reads, policy=policy))


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
    """Run every ``(to, calldata)`` as an ``eth_call`` at ``block`` in one JSON-RPC batch (in
    chunks a node accepts).

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
