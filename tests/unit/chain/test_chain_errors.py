"""backstop.chain.errors: revert reasons in words, web3's exceptions turned into Revert."""

from __future__ import annotations

import pytest
from eth_abi import encode
from web3.exceptions import ContractCustomError, ContractLogicError, Web3RPCError

from backstop.chain.errors import (
    ERROR_SELECTOR,
    NO_REASON,
    PANIC_SELECTOR,
    Revert,
    decode_revert_reason,
    revert_from_exception,
    revert_from_rpc_error,
)


def _error(text: str) -> bytes:
    return ERROR_SELECTOR + encode(["string"], [text])


def _panic(code: int) -> bytes:
    return PANIC_SELECTOR + code.to_bytes(32, "big")


@pytest.mark.parametrize("text", ["Flopper/not-live", "", "ünïcode ✓", "x" * 300])
def test_error_string_is_decoded(text: str) -> None:
    assert decode_revert_reason(_error(text)) == text
    assert Revert.from_data(_error(text)).reason == text
    assert Revert.from_data("0x" + _error(text).hex()).data == _error(text)


@pytest.mark.parametrize(("code", "words"), [
    (0x01, "panic: assertion failed (0x01)"),
    (0x11, "panic: arithmetic underflow or overflow (0x11)"),
    (0x12, "panic: division or modulo by zero (0x12)"),
    (0x99, "panic: unknown panic (0x99)"),
])
def test_panic_codes_in_words(code: int, words: str) -> None:
    assert decode_revert_reason(_panic(code)) == words


def test_empty_and_custom_data_have_no_reason() -> None:
    assert decode_revert_reason(b"") == NO_REASON == "reverted without a reason"
    custom = bytes.fromhex("deadbeef") + bytes(32)
    assert decode_revert_reason(custom) == f"{NO_REASON} (custom error 0xdeadbeef)"


def test_malformed_error_string() -> None:
    assert decode_revert_reason(ERROR_SELECTOR + b"\x01\x02").startswith(NO_REASON)


def test_revert_equality_and_repr() -> None:
    assert Revert.from_data(_error("a")) == Revert("a", _error("a"))
    assert Revert.from_data(_error("a")) != Revert.from_data(_error("b"))
    assert repr(Revert("Pool/closed")) == "Revert('Pool/closed')"
    assert str(Revert("Pool/closed")) == "Pool/closed"


def test_from_contract_logic_error_with_data() -> None:
    exc = ContractLogicError("execution reverted: Vow/wait", "0x" + _error("Vow/wait").hex())
    revert = revert_from_exception(exc)
    assert revert == Revert("Vow/wait", _error("Vow/wait"))


def test_from_contract_logic_error_message_only() -> None:
    assert revert_from_exception(ContractLogicError("execution reverted: Vow/wait")) == Revert(
        "Vow/wait")
    assert revert_from_exception(ContractLogicError("execution reverted")) == Revert(NO_REASON)


def test_from_custom_error() -> None:
    exc = ContractCustomError("0xdeadbeef", "0xdeadbeef")
    assert revert_from_exception(exc).reason == f"{NO_REASON} (custom error 0xdeadbeef)"


def test_from_rpc_error() -> None:
    data = "0x" + _error("Dai/insufficient-balance").hex()
    exc = Web3RPCError("boom", rpc_response={"jsonrpc": "2.0", "id": 1, "error": {
        "code": 3, "message": "execution reverted: Dai/insufficient-balance", "data": data}})
    assert revert_from_exception(exc).reason == "Dai/insufficient-balance"
    not_revert = Web3RPCError("nonce", rpc_response={"jsonrpc": "2.0", "id": 1, "error": {
        "code": -32003, "message": "nonce too low"}})
    assert revert_from_exception(not_revert) is None
    assert revert_from_exception(ValueError("nope")) is None
    assert revert_from_rpc_error({"code": 3, "message": "execution reverted", "data": "0x"}) == (
        Revert(NO_REASON))
    nested = {"code": -32000, "message": "execution reverted", "data": {"data": data}}
    assert revert_from_rpc_error(nested).reason == "Dai/insufficient-balance"
