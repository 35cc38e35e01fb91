"""The chain layer's behaviour, checked the same way on the in-process chain and on a real anvil.

Every test here runs twice (``backend`` = inprocess, anvil) so the two cannot drift apart: what
web3 sees from ``BoaProvider`` must be what it sees from anvil. Each test runs inside an
``evm_snapshot`` that is reverted afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import vyper
from eth_abi import encode
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import keccak
from web3 import Web3
from web3.exceptions import ContractLogicError, TransactionNotFound, Web3RPCError

from backstop.chain import Revert, RpcError, batch_call, dev
from backstop.chain.errors import ERROR_SELECTOR, revert_from_exception
from backstop.testing.anvil import DEV_KEYS

PROBE = Path(__file__).resolve().parents[1] / "unit" / "chain" / "probe.vy"
ETH = 10**18
GWEI = 10**9
POKED = keccak(text="Poked(address,uint256,uint256)")
BOOM = ERROR_SELECTOR + encode(["string"], ["Probe/boom"])  # the revert bytes of boom()


def _compile() -> dict[str, Any]:
    return vyper.compile_code(PROBE.read_text(), output_formats=["abi", "bytecode"])


@pytest.fixture(scope="module")
def probe_artifact() -> dict[str, Any]:
    return _compile()


@pytest.fixture(scope="module")
def deployer(chain: Web3) -> str:
    return chain.eth.accounts[0]


@pytest.fixture(scope="module")
def probe(chain: Web3, deployer: str, probe_artifact: dict[str, Any]) -> Any:
    factory = chain.eth.contract(abi=probe_artifact["abi"], bytecode=probe_artifact["bytecode"])
    receipt = _wait(chain, factory.constructor().transact({"from": deployer}))
    assert receipt["status"] == 1
    return chain.eth.contract(address=receipt["contractAddress"], abi=probe_artifact["abi"])


@pytest.fixture(autouse=True)
def isolated(chain: Web3, probe: Any) -> Iterator[None]:
    snap = dev.snapshot(chain)
    yield
    dev.set_automine(chain, True)
    dev.revert(chain, snap)


def _wait(w3: Web3, tx_hash: Any) -> Any:
    return w3.eth.wait_for_transaction_receipt(tx_hash, timeout=10, poll_latency=0.01)


def _key(index: int) -> Any:
    return Account.from_key(DEV_KEYS[index])


def test_chain_identity_and_dev_accounts(chain: Web3) -> None:
    assert chain.eth.chain_id == 31337
    expected = [_key(i).address for i in range(10)]
    assert chain.eth.accounts == expected
    assert chain.eth.get_balance(expected[9]) == 10_000 * ETH
    latest = chain.eth.get_block("latest")
    assert latest["baseFeePerGas"] > 0
    assert chain.eth.get_block(latest["number"] - 1)["hash"] == latest["parentHash"]


def test_deploy_receipt_and_code(chain: Web3, probe: Any) -> None:
    assert len(chain.eth.get_code(probe.address)) > 0
    assert probe.functions.counter().call() == 0


def test_automine_each_tx_its_own_block(chain: Web3, probe: Any, deployer: str) -> None:
    before = chain.eth.get_block("latest")
    first = _wait(chain, probe.functions.poke(1, 2).transact({"from": deployer}))
    second = _wait(chain, probe.functions.poke(1, 3).transact({"from": deployer}))
    assert first["blockNumber"] == before["number"] + 1
    assert second["blockNumber"] == before["number"] + 2
    assert chain.eth.get_block(second["blockNumber"])["timestamp"] >= before["timestamp"]
    assert probe.functions.counter().call() == 5


def test_receipt_logs_and_event_decoding(chain: Web3, probe: Any, deployer: str) -> None:
    receipt = _wait(chain, probe.functions.poke(7, 42).transact({"from": deployer}))
    assert receipt["status"] == 1
    (log,) = receipt["logs"]
    assert log["address"] == probe.address
    assert log["topics"][0] == POKED
    assert log["topics"][1] == bytes(12) + bytes.fromhex(deployer[2:])
    assert int.from_bytes(log["topics"][2], "big") == 7
    assert int.from_bytes(log["data"], "big") == 42
    assert log["blockNumber"] == receipt["blockNumber"]
    assert log["transactionHash"] == receipt["transactionHash"]
    assert log["logIndex"] == 0
    (event,) = probe.events.Poked().process_receipt(receipt)
    assert (event.args.who, event.args.tag, event.args.value) == (deployer, 7, 42)


def test_gas_accounting_debits_the_sender(chain: Web3, probe: Any) -> None:
    payer = chain.eth.accounts[3]
    before = chain.eth.get_balance(payer)
    receipt = _wait(chain, probe.functions.poke(1, 1).transact({"from": payer}))
    after = chain.eth.get_balance(payer)
    assert receipt["gasUsed"] > 21_000
    assert receipt["effectiveGasPrice"] >= chain.eth.get_block(receipt["blockNumber"])[
        "baseFeePerGas"]
    assert before - after == receipt["gasUsed"] * receipt["effectiveGasPrice"]
    assert chain.eth.get_transaction_count(payer) == 1


def test_call_revert_has_the_reason(chain: Web3, probe: Any) -> None:
    with pytest.raises(ContractLogicError) as info:
        probe.functions.boom().call()
    assert "execution reverted: Probe/boom" in str(info.value)
    assert revert_from_exception(info.value) == Revert("Probe/boom", BOOM)


def test_revert_without_reason(chain: Web3, probe: Any) -> None:
    with pytest.raises(ContractLogicError) as info:
        probe.functions.bare(0).call()
    assert revert_from_exception(info.value).reason == "reverted without a reason"
    assert probe.functions.bare(4).call() == 25


def test_estimate_gas_revert_has_the_reason(chain: Web3, probe: Any, deployer: str) -> None:
    with pytest.raises(ContractLogicError) as info:
        probe.functions.poke(1, 13).estimate_gas({"from": deployer})
    assert revert_from_exception(info.value).reason == "Probe/unlucky"
    estimate = probe.functions.poke(1, 5).estimate_gas({"from": deployer})
    receipt = _wait(chain, probe.functions.poke(1, 5).transact({"from": deployer,
                                                                 "gas": estimate}))
    assert receipt["status"] == 1
    assert receipt["gasUsed"] <= estimate


def test_reverting_transaction_is_mined_with_status_0(chain: Web3, probe: Any) -> None:
    sender = chain.eth.accounts[4]
    before = chain.eth.get_balance(sender)
    height = chain.eth.block_number
    tx_hash = probe.functions.poke(1, 13).transact({"from": sender, "gas": 200_000})
    receipt = _wait(chain, tx_hash)
    assert receipt["status"] == 0
    assert receipt["logs"] == []
    assert receipt["blockNumber"] == height + 1
    assert receipt["gasUsed"] > 21_000
    assert before - chain.eth.get_balance(sender) == (
        receipt["gasUsed"] * receipt["effectiveGasPrice"])
    assert chain.eth.get_transaction_count(sender) == 1
    assert probe.functions.counter().call() == 0


def test_batch_call_is_one_round_trip(chain: Web3, probe: Any, deployer: str,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _wait(chain, probe.functions.poke(1, 9).transact({"from": deployer}))
    sent: list[int] = []
    original = chain.provider.make_batch_request

    def counting(requests: Any) -> Any:
        sent.append(len(requests))
        return original(requests)

    monkeypatch.setattr(chain.provider, "make_batch_request", counting)
    monkeypatch.setattr(chain.provider, "make_request", None)  # any single request would fail
    results = batch_call(chain, [
        (probe.address, probe.encode_abi("counter")),
        (probe.address, probe.encode_abi("boom")),
        (probe.address, probe.encode_abi("bare", [0])),
        (probe.address, probe.encode_abi("bare", [50])),
    ])
    assert sent == [4]
    assert results[0] == (9).to_bytes(32, "big")
    assert results[1] == Revert("Probe/boom", BOOM)
    assert isinstance(results[2], Revert) and results[2].reason == "reverted without a reason"
    assert results[3] == (2).to_bytes(32, "big")


def test_batch_call_at_a_past_block(chain: Web3, probe: Any, deployer: str) -> None:
    first = _wait(chain, probe.functions.poke(1, 4).transact({"from": deployer}))
    _wait(chain, probe.functions.poke(1, 6).transact({"from": deployer}))
    call = [(probe.address, probe.encode_abi("counter"))]
    assert batch_call(chain, call, block=first["blockNumber"]) == [(4).to_bytes(32, "big")]
    assert batch_call(chain, call) == [(10).to_bytes(32, "big")]
    assert batch_call(chain, []) == []


def test_calls_see_the_latest_block(chain: Web3, probe: Any) -> None:
    latest = chain.eth.get_block("latest")
    ts, number, chain_id = probe.functions.env().call()
    assert (ts, number, chain_id) == (latest["timestamp"], latest["number"], 31337)


def test_time_travel_moves_block_time(chain: Web3, probe: Any) -> None:
    before = chain.eth.get_block("latest")
    stamp = dev.time_travel(chain, 3 * 3600)
    after = chain.eth.get_block("latest")
    assert after["number"] == before["number"] + 1
    assert stamp == after["timestamp"]
    assert after["timestamp"] >= before["timestamp"] + 3 * 3600
    assert probe.functions.env().call()[0] == after["timestamp"]


def test_set_next_timestamp_and_mine(chain: Web3) -> None:
    target = chain.eth.get_block("latest")["timestamp"] + 1_000
    dev.set_next_timestamp(chain, target)
    dev.mine(chain)
    assert chain.eth.get_block("latest")["timestamp"] == target
    height = chain.eth.block_number
    dev.mine(chain, 3)
    assert chain.eth.block_number == height + 3


def test_snapshot_and_revert_restore_everything(chain: Web3, probe: Any, deployer: str) -> None:
    height = chain.eth.block_number
    balance = chain.eth.get_balance(deployer)
    snap = dev.snapshot(chain)
    _wait(chain, probe.functions.poke(1, 8).transact({"from": deployer}))
    dev.set_balance(chain, deployer, 5 * ETH)
    dev.time_travel(chain, 60)
    assert probe.functions.counter().call() == 8
    dev.revert(chain, snap)
    assert chain.eth.block_number == height
    assert chain.eth.get_balance(deployer) == balance
    assert probe.functions.counter().call() == 0
    with pytest.raises(RpcError):
        dev.revert(chain, snap)  # used up


def test_set_balance(chain: Web3) -> None:
    target = "0x" + "42" * 20
    dev.set_balance(chain, target, 3 * ETH + 1)
    assert chain.eth.get_balance(Web3.to_checksum_address(target)) == 3 * ETH + 1


def test_impersonated_account_sends(chain: Web3, probe: Any) -> None:
    whale = Web3.to_checksum_address("0x" + "77" * 20)
    dev.set_balance(chain, whale, ETH)
    with pytest.raises(Web3RPCError):
        probe.functions.poke(2, 2).transact({"from": whale})
    dev.impersonate(chain, whale)
    receipt = _wait(chain, probe.functions.poke(2, 2).transact({"from": whale}))
    assert receipt["status"] == 1
    assert receipt["from"] == whale
    dev.stop_impersonating(chain, whale)
    with pytest.raises(Web3RPCError):
        probe.functions.poke(2, 2).transact({"from": whale})


def test_signed_raw_transactions(chain: Web3, probe: Any) -> None:
    keeper = _key(5)
    nonce = chain.eth.get_transaction_count(keeper.address)
    dynamic = probe.functions.poke(3, 1).build_transaction({
        "from": keeper.address, "nonce": nonce, "gas": 100_000,
        "maxFeePerGas": 50 * GWEI, "maxPriorityFeePerGas": GWEI,
    })
    signed = keeper.sign_transaction(dynamic)
    assert chain.eth.send_raw_transaction(signed.raw_transaction) == signed.hash
    receipt = _wait(chain, signed.hash)
    assert receipt["status"] == 1 and receipt["from"] == keeper.address
    tx = chain.eth.get_transaction(signed.hash)
    assert (tx["type"], tx["nonce"], tx["from"]) == (2, nonce, keeper.address)

    legacy = keeper.sign_transaction({
        "to": probe.address, "data": probe.encode_abi("poke", [3, 2]), "gas": 100_000,
        "gasPrice": 20 * GWEI, "nonce": nonce + 1, "chainId": 31337,
    })
    receipt = _wait(chain, chain.eth.send_raw_transaction(legacy.raw_transaction))
    assert receipt["status"] == 1
    assert receipt["effectiveGasPrice"] == 20 * GWEI
    assert probe.functions.counter().call() == 3


def test_nonce_too_low(chain: Web3, probe: Any) -> None:
    keeper = _key(6)
    tx = {"to": probe.address, "data": probe.encode_abi("poke", [1, 1]), "gas": 100_000,
          "maxFeePerGas": 50 * GWEI, "maxPriorityFeePerGas": GWEI, "nonce": 0,
          "chainId": 31337, "type": 2}
    _wait(chain, chain.eth.send_raw_transaction(keeper.sign_transaction(tx).raw_transaction))
    replay = keeper.sign_transaction({**tx, "gas": 100_001})
    with pytest.raises(Web3RPCError) as info:
        chain.eth.send_raw_transaction(replay.raw_transaction)
    assert "nonce too low" in str(info.value)


def test_fee_cap_below_base_fee_is_refused(chain: Web3, probe: Any) -> None:
    keeper = _key(7)
    dev.set_next_base_fee(chain, 30 * GWEI)
    dev.mine(chain)
    assert chain.eth.get_block("latest")["baseFeePerGas"] == 30 * GWEI
    cheap = keeper.sign_transaction({
        "to": probe.address, "data": probe.encode_abi("poke", [1, 1]), "gas": 100_000,
        "maxFeePerGas": 2 * GWEI, "maxPriorityFeePerGas": GWEI, "nonce": 0,
        "chainId": 31337, "type": 2})
    with pytest.raises(Web3RPCError) as info:
        chain.eth.send_raw_transaction(cheap.raw_transaction)
    assert "max fee per gas less than block base fee" in str(info.value)


def test_pool_replacement_with_automine_off(chain: Web3, probe: Any) -> None:
    keeper = _key(8)
    base = {"to": probe.address, "gas": 100_000, "nonce": 0, "chainId": 31337, "type": 2}
    dev.set_automine(chain, False)
    first = keeper.sign_transaction({**base, "data": probe.encode_abi("poke", [1, 1]),
                                     "maxFeePerGas": 100 * GWEI, "maxPriorityFeePerGas": GWEI})
    chain.eth.send_raw_transaction(first.raw_transaction)
    with pytest.raises(TransactionNotFound):
        chain.eth.get_transaction_receipt(first.hash)
    assert chain.eth.get_transaction_count(keeper.address, "pending") == 1
    assert chain.eth.get_transaction_count(keeper.address, "latest") == 0
    pending = chain.eth.get_transaction(first.hash)
    assert pending["blockNumber"] is None
    same_fee = keeper.sign_transaction({**base, "data": probe.encode_abi("poke", [1, 2]),
                                        "maxFeePerGas": 100 * GWEI, "maxPriorityFeePerGas": GWEI})
    with pytest.raises(Web3RPCError) as info:
        chain.eth.send_raw_transaction(same_fee.raw_transaction)
    assert "replacement transaction underpriced" in str(info.value)
    bumped = keeper.sign_transaction({**base, "data": probe.encode_abi("poke", [1, 3]),
                                      "maxFeePerGas": 120 * GWEI,
                                      "maxPriorityFeePerGas": 2 * GWEI})
    chain.eth.send_raw_transaction(bumped.raw_transaction)
    dev.mine(chain)
    receipt = _wait(chain, bumped.hash)
    assert receipt["status"] == 1
    assert probe.functions.counter().call() == 3
    assert chain.eth.get_transaction_count(keeper.address) == 1


def test_get_logs_filters(chain: Web3, probe: Any, probe_artifact: dict[str, Any],
                          deployer: str) -> None:
    other_factory = chain.eth.contract(abi=probe_artifact["abi"],
                                       bytecode=probe_artifact["bytecode"])
    other_address = _wait(chain, other_factory.constructor().transact(
        {"from": deployer}))["contractAddress"]
    other = chain.eth.contract(address=other_address, abi=probe_artifact["abi"])
    start = chain.eth.block_number + 1
    bidder = chain.eth.accounts[2]
    _wait(chain, probe.functions.poke(1, 10).transact({"from": deployer}))
    _wait(chain, probe.functions.poke(2, 20).transact({"from": bidder}))
    _wait(chain, other.functions.poke(1, 30).transact({"from": deployer}))
    end = chain.eth.block_number

    def values(**flt: Any) -> list[int]:
        logs = chain.eth.get_logs({"fromBlock": start, "toBlock": end, **flt})
        return [int.from_bytes(entry["data"], "big") for entry in logs]

    tag = lambda n: "0x" + n.to_bytes(32, "big").hex()  # noqa: E731
    who = lambda a: "0x" + bytes(12).hex() + a[2:].lower()  # noqa: E731
    assert values() == [10, 20, 30]
    assert values(address=probe.address) == [10, 20]
    assert values(address=[probe.address, other.address]) == [10, 20, 30]
    assert values(topics=["0x" + POKED.hex(), None, tag(1)]) == [10, 30]
    assert values(topics=[None, [who(bidder), who(deployer)], tag(1)]) == [10, 30]
    assert values(topics=[None, who(bidder)]) == [20]
    assert values(address=other.address, topics=[None, None, tag(2)]) == []
    assert chain.eth.get_logs({"fromBlock": start + 1, "toBlock": start + 1})[0]["data"] == (
        (20).to_bytes(32, "big"))



def test_log_and_block_filters(chain: Web3, probe: Any, deployer: str) -> None:
    logs = chain.eth.filter({"address": probe.address, "fromBlock": chain.eth.block_number})
    blocks = chain.eth.filter("latest")
    first = _wait(chain, probe.functions.poke(5, 1).transact({"from": deployer}))
    second = _wait(chain, probe.functions.poke(6, 2).transact({"from": deployer}))
    assert [e["data"][-1] for e in logs.get_new_entries()] == [1, 2]
    assert blocks.get_new_entries() == [first["blockHash"], second["blockHash"]]
    assert logs.get_new_entries() == [] and blocks.get_new_entries() == []
    _wait(chain, probe.functions.poke(7, 3).transact({"from": deployer}))
    assert [e["data"][-1] for e in logs.get_new_entries()] == [3]
    assert chain.eth.uninstall_filter(logs.filter_id)
    assert not chain.eth.uninstall_filter(logs.filter_id)


def test_dev_accounts_sign(chain: Web3) -> None:
    signer = _key(2)
    assert chain.eth.sign(signer.address, text="backstop") == Account.sign_message(
        encode_defunct(text="backstop"), signer.key).signature
    typed = {
        "types": {
            "EIP712Domain": [{"name": "name", "type": "string"},
                             {"name": "chainId", "type": "uint256"}],
            "Hold": [{"name": "holder", "type": "address"}, {"name": "amount", "type": "uint256"}],
        },
        "primaryType": "Hold",
        "domain": {"name": "Backstop", "chainId": 31337},
        "message": {"holder": signer.address, "amount": 5},
    }
    answer = chain.provider.make_request("eth_signTypedData_v4", [signer.address, typed])
    expected = Account.sign_typed_data(signer.key, full_message=typed).signature
    assert answer["result"] == expected.to_0x_hex()


def test_nonce_gap_waits_in_the_pool(chain: Web3, probe: Any) -> None:
    keeper = _key(9)
    base = {"to": probe.address, "gas": 100_000, "chainId": 31337, "type": 2,
            "maxFeePerGas": 100 * GWEI, "maxPriorityFeePerGas": GWEI}
    later = keeper.sign_transaction({**base, "data": probe.encode_abi("poke", [1, 2]),
                                     "nonce": 1})
    chain.eth.send_raw_transaction(later.raw_transaction)
    with pytest.raises(TransactionNotFound):
        chain.eth.get_transaction_receipt(later.hash)
    assert chain.eth.get_transaction_count(keeper.address, "pending") == 0
    first = keeper.sign_transaction({**base, "data": probe.encode_abi("poke", [1, 1]),
                                     "nonce": 0})
    chain.eth.send_raw_transaction(first.raw_transaction)
    assert _wait(chain, first.hash)["status"] == 1
    assert _wait(chain, later.hash)["status"] == 1
    assert chain.eth.get_transaction_count(keeper.address) == 2
    assert probe.functions.counter().call() == 3
