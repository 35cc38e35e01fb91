"""Errors of the chain layer: ``Revert`` (a call or transaction that reverted, with its reason in
words), ``RpcUnavailable`` (the node cannot be reached) and ``RpcError`` (the node answered with
a JSON-RPC error that is not a revert).

``revert_from_exception`` turns what web3 raises for a revert (``ContractLogicError`` and its
subclasses, or a ``Web3RPCError`` whose error object is a revert) into a ``Revert``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eth_abi import decode as abi_decode
from eth_abi.exceptions import DecodingError
from hexbytes import HexBytes

ERROR_SELECTOR = bytes.fromhex("08c379a0")  # Error(string)
PANIC_SELECTOR = bytes.fromhex("4e487b71")  # Panic(uint256)
NO_REASON = "reverted without a reason"

# Solidity's panic codes, in words (Vyper reverts without data instead).
PANIC_CODES = {
    0x00: "generic compiler panic",
    0x01: "assertion failed",
    0x11: "arithmetic underflow or overflow",
    0x12: "division or modulo by zero",
    0x21: "invalid enum value",
    0x22: "invalid storage byte array",
    0x31: "pop from an empty array",
    0x32: "array index out of bounds",
    0x41: "out of memory",
    0x51: "call to an uninitialized function",
}


class Revert(Exception):
    """A call or transaction reverted. ``reason`` is the reason in words, ``data`` the raw bytes."""

    def __init__(self, reason: str, data: bytes = b"") -> None:
        super().__init__(reason)
        self.reason = reason
        self.data = bytes(data)

    @classmethod
    def from_data(cls, data: bytes | str | None) -> Revert:
        """The ``Revert`` for raw revert bytes (or their 0x-hex text)."""
        raw = _to_bytes(data)
        return cls(decode_revert_reason(raw), raw)

    def __repr__(self) -> str:
        return f"Revert({self.reason!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Revert):
            return NotImplemented
        return (self.reason, self.data) == (other.reason, other.data)

    def __hash__(self) -> int:
        return hash((self.reason, self.data))


class RpcUnavailable(ConnectionError):
    """The node cannot be reached (refused, reset, timed out)."""


class RpcError(RuntimeError):
    """The node answered a JSON-RPC request with an error that is not a revert."""

    def __init__(self, message: str, code: int | None = None, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.data = data


def unavailable_from(exc: BaseException, what: str = "the node") -> RpcUnavailable | None:
    """An ``RpcUnavailable`` for a transport failure (refused, reset, timed out, HTTP 5xx from
    the node or a gateway); None for anything else."""
    import requests

    if isinstance(exc, RpcUnavailable):
        return exc
    if isinstance(exc, requests.exceptions.HTTPError):
        status = exc.response.status_code if exc.response is not None else None
        if status is None or status >= 500 or status in (408, 429):
            return RpcUnavailable(f"{what} answered HTTP {status}: try again later")
        return None
    if isinstance(exc, requests.exceptions.ConnectionError | requests.exceptions.Timeout
                  | TimeoutError | ConnectionError):
        return RpcUnavailable(f"cannot reach {what}: {type(exc).__name__}")
    if isinstance(exc, OSError):
        return RpcUnavailable(f"cannot reach {what}: {exc}")
    return None


def _to_bytes(data: bytes | str | None) -> bytes:
    if data is None:
        return b""
    if isinstance(data, str):
        text = data[2:] if data[:2] in ("0x", "0X") else data
        try:
            return bytes.fromhex(text)
        except ValueError:
            return b""
    return bytes(data)


def decode_revert_reason(data: bytes) -> str:
    """The reason in words: the Error(string) text, a Panic code in words, or "reverted without
    a reason" (with the selector of a custom error when there is one)."""
    if data[:4] == ERROR_SELECTOR:
        try:
            (text,) = abi_decode(["string"], data[4:])
        except (DecodingError, ValueError, OverflowError):
            return f"{NO_REASON} (malformed Error(string) data 0x{data.hex()})"
        return text
    if data[:4] == PANIC_SELECTOR and len(data) == 36:
        code = int.from_bytes(data[4:], "big")
        words = PANIC_CODES.get(code, "unknown panic")
        return f"panic: {words} (0x{code:02x})"
    if not data:
        return NO_REASON
    return f"{NO_REASON} (custom error 0x{data[:4].hex()})"


def revert_from_rpc_error(error: Mapping[str, Any]) -> Revert | None:
    """The ``Revert`` in a JSON-RPC error object (code 3 or "execution reverted"), else None."""
    message = str(error.get("message") or "")
    data = error.get("data")
    if isinstance(data, Mapping):  # some nodes nest it: {"data": {"data": "0x..."}}
        data = data.get("data")
    if error.get("code") != 3 and "revert" not in message.lower():
        return None
    raw = _to_bytes(data if isinstance(data, str | bytes) else None)
    if raw:
        return Revert.from_data(raw)
    _, sep, tail = message.partition("execution reverted: ")
    if sep and tail.strip():
        return Revert(tail.strip(), b"")
    return Revert(NO_REASON, b"")


def revert_from_exception(exc: BaseException) -> Revert | None:
    """Turn web3's revert exceptions into a ``Revert``; None for anything else."""
    if isinstance(exc, Revert):
        return exc
    # Imported here so that importing this module stays cheap.
    from web3.exceptions import ContractLogicError, Web3RPCError

    if isinstance(exc, ContractLogicError):
        raw = _to_bytes(exc.data if isinstance(exc.data, str | bytes | HexBytes) else None)
        if raw:
            return Revert.from_data(raw)
        message = str(exc.message or "")
        _, sep, tail = message.partition("execution reverted: ")
        return Revert(tail.strip() if sep and tail.strip() else NO_REASON, b"")
    if isinstance(exc, Web3RPCError):
        response = exc.rpc_response or {}
        error = response.get("error") if isinstance(response, Mapping) else None
        if isinstance(error, Mapping):
            return revert_from_rpc_error(error)
    return None
