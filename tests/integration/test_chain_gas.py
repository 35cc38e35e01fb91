"""Same transactions on both chains, same gas, logs, blooms and JSON shapes: the in-process chain
charges, logs and answers like anvil."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import vyper
from web3 import Web3

from backstop.chain import connect
from backstop.testing.anvil import start_anvil

PROBE = Path(__file__).resolve().parents[1] / "unit" / "chain" / "probe.vy"


@pytest.mark.anvil
def test_gas_used_is_the_same_on_both() -> None:
    artifact = vyper.compile_code(PROBE.read_text(), output_formats=["abi", "bytecode"])
    node = start_anvil()
    try:
        used = [_gas_story(w3, artifact) for w3 in (connect("inprocess"), connect(node.url))]
    finally:
        node.stop()
    assert used[0] == used[1]


def _wait(w3: Web3, tx_hash: Any) -> Any:
    return w3.eth.wait_for_transaction_receipt(tx_hash, timeout=10, poll_latency=0.01)


def _gas_story(w3: Web3, artifact: dict[str, Any]) -> list[Any]:
    deployer, bidder = w3.eth.accounts[0], w3.eth.accounts[1]
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    deployed = _wait(w3, factory.constructor().transact({"from": deployer, "gas": 500_000}))
    probe = w3.eth.contract(address=deployed["contractAddress"], abi=artifact["abi"])
    receipts = [deployed] + [
        _wait(w3, probe.functions.poke(tag, amount).transact({"from": who, "gas": 200_000}))
        for who, tag, amount in [(deployer, 1, 5), (bidder, 2, 7), (bidder, 3, 13),
                                 (deployer, 4, 0)]
    ]
    transfer = _wait(w3, w3.eth.send_transaction({"from": bidder, "to": deployer, "value": 1}))
    estimate = probe.functions.poke(9, 9).estimate_gas({"from": deployer})
    return [r["gasUsed"] for r in [*receipts, transfer]] + [r["status"] for r in receipts] + [
        estimate] + [bytes(r["logsBloom"]) for r in receipts] + [
        (log["address"], log["topics"], log["data"]) for r in receipts for log in r["logs"]]


@pytest.mark.anvil
def test_json_shapes_are_the_same_on_both() -> None:
    artifact = vyper.compile_code(PROBE.read_text(), output_formats=["abi", "bytecode"])
    node = start_anvil()
    try:
        shapes = [_shapes(w3, artifact) for w3 in (connect("inprocess"), connect(node.url))]
    finally:
        node.stop()
    assert shapes[0] == shapes[1]


def _shapes(w3: Web3, artifact: dict[str, Any]) -> dict[str, Any]:
    """Each answer's keys and the JSON type of each value (raw, before web3's formatters)."""
    deployer = w3.eth.accounts[0]
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    probe = w3.eth.contract(address=_wait(w3, factory.constructor().transact(
        {"from": deployer}))["contractAddress"], abi=artifact["abi"])
    tx_hash = _wait(w3, probe.functions.poke(1, 2).transact({"from": deployer}))[
        "transactionHash"].to_0x_hex()

    def raw(method: str, *params: Any) -> Any:
        return w3.provider.make_request(method, list(params))["result"]  # type: ignore[arg-type]

    receipt = raw("eth_getTransactionReceipt", tx_hash)
    answers = {
        "receipt": receipt,
        "log": receipt["logs"][0],
        "tx": raw("eth_getTransactionByHash", tx_hash),
        "block": raw("eth_getBlockByNumber", "latest", False),
        "fee_history": raw("eth_feeHistory", "0x2", "latest", [50]),
    }
    return {name: {k: type(v).__name__ for k, v in answer.items()}
            for name, answer in answers.items()}
