"""Encode and decode the few contract calls the dashboard makes, straight from the ABIs.

``Fn`` wraps one function of a compiled contract's ABI: its selector, ``encode(*args)`` ->
calldata and ``decode(data)`` -> the tuple of return values. The page gets the same
descriptions (selector, input names and types) through ``/api/config`` and encodes the calls it
sends itself, so the JavaScript never hard-codes a selector.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import event_abi_to_log_topic, function_abi_to_4byte_selector
from eth_utils.abi import get_abi_input_types, get_abi_output_types

from backstop.artifacts import get_artifact


class AbiMissing(LookupError):
    """The contract's ABI has no function or event of that name (a contract version mismatch)."""


@dataclass(frozen=True)
class Fn:
    """One function of a contract ABI."""

    name: str
    abi: dict[str, Any]

    @property
    def selector(self) -> bytes:
        """The 4-byte function selector."""
        return function_abi_to_4byte_selector(self.abi)

    @property
    def input_types(self) -> list[str]:
        """Canonical input types ("uint256", "address", ...)."""
        return get_abi_input_types(self.abi)

    @property
    def output_types(self) -> list[str]:
        """Canonical output types."""
        return get_abi_output_types(self.abi)

    def encode(self, *args: Any) -> bytes:
        """Calldata for a call with positional ``args``."""
        return self.selector + abi_encode(self.input_types, list(args))

    def decode(self, data: bytes) -> tuple[Any, ...]:
        """The return values of a successful call."""
        return tuple(abi_decode(self.output_types, data))

    def describe(self, roles: dict[str, str] | None = None) -> dict[str, Any]:
        """JSON description for the page: selector and inputs, each with a role name."""
        roles = roles or {}
        return {
            "name": self.name,
            "selector": "0x" + self.selector.hex(),
            "inputs": [
                {"name": i["name"], "type": t, "role": roles.get(i["name"], i["name"])}
                for i, t in zip(self.abi["inputs"], self.input_types, strict=True)
            ],
        }


class Contract:
    """Functions and events of one compiled contract, by name (no address: reads pass one)."""

    def __init__(self, abi: list[dict[str, Any]]) -> None:
        self.abi = abi
        self._fns = {e["name"]: e for e in abi if e.get("type") == "function"}
        self._events = {e["name"]: e for e in abi if e.get("type") == "event"}

    @classmethod
    def named(cls, name: str) -> Contract:
        """From the project's compiled artifact ("pool/pool", "maker/dai", ...)."""
        return cls(get_artifact(name).abi)

    def has(self, name: str) -> bool:
        """Whether the ABI has a function of this name."""
        return name in self._fns

    def fn(self, name: str) -> Fn:
        """The function ``name``; raises ``AbiMissing`` if the ABI lacks it."""
        if name not in self._fns:
            raise AbiMissing(f"the contract has no function {name}")
        return Fn(name, self._fns[name])

    def event_topic(self, name: str) -> str:
        """topic0 of event ``name`` as 0x-hex."""
        if name not in self._events:
            raise AbiMissing(f"the contract has no event {name}")
        return "0x" + event_abi_to_log_topic(self._events[name]).hex()
