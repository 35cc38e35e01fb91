"""What only the in-process chain promises (exact, deterministic time; several independent
chains; history on or off; titanoboa left untouched), plus its JSON-RPC edge cases. The
behaviour it shares with anvil is checked on both in tests/integration/test_chain_anvil.py."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import boa
import pytest
import rlp
import vyper
from eth_account import Account
from eth_bloom import BloomFilter
from eth_utils import keccak, to_checksum_address
from web3 import Web3
from web3.exceptions import BlockNotFound, ContractLogicError, Web3RPCError

from backstop.chain import BoaProvider, RpcError, batch_call, connect, dev
from backstop.testing.anvil import DEV_KEYS

PROBE = Path(__file__).with_name("probe.vy")
GWEI = 10**9
GENESIS = 1_584_000_000  # 12 March 2020, 08:00 UTC


@pytest.fixture(scope="module")
def artifact() -> dict[str, Any]:
    return vyper.compile_code(PROBE.read_text(), output_formats=["abi", "bytecode"])


def _chain(**kwargs: Any) -> Web3:
    return Web3(BoaProvider(genesis_timestamp=GENESIS, **kwargs))


def _deploy(w3: Web3, artifact: dict[str, Any], deployer: str | None = None) -> Any:
    deployer = deployer or w3.eth.accounts[0]
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    receipt = w3.eth.wait_for_transaction_receipt(factory.constructor().transact(
        {"from": deployer}))
    return w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"])


def _raw(w3: Web3, method: str, params: list[Any]) -> dict[str, Any]:
    return dict(w3.provider.make_request(method, params))  # type: ignore[arg-type]


def test_time_is_exact_and_deterministic(artifact: dict[str, Any]) -> None:
    w3 = _chain()
    assert w3.eth.get_block(0)["timestamp"] == GENESIS
    probe = _deploy(w3, artifact)
    assert w3.eth.get_block(1)["timestamp"] == GENESIS + 1
    assert probe.functions.env().call()[:2] == [GENESIS + 1, 1]
    assert dev.time_travel(w3, 6 * 3600) == GENESIS + 1 + 6 * 3600
    dev.set_next_timestamp(w3, GENESIS + 100_000)
    probe.functions.poke(1, 1).transact({"from": w3.eth.accounts[0]})
    assert w3.eth.get_block("latest")["timestamp"] == GENESIS + 100_000
    _raw(w3, "evm_mine", [GENESIS + 200_000])
    assert w3.eth.get_block("latest")["timestamp"] == GENESIS + 200_000
    with pytest.raises(RpcError, match="lower than previous block's timestamp"):
        dev.set_next_timestamp(w3, GENESIS)
    assert _raw(w3, "evm_increaseTime", [10])["result"] == 6 * 3600 + 10


def test_chains_are_independent(artifact: dict[str, Any]) -> None:
    first, second = _chain(), _chain()
    probe = _deploy(first, artifact)
    assert first.eth.block_number == 1 and second.eth.block_number == 0
    assert second.eth.get_code(probe.address) == b""
    assert first.provider.env is not second.provider.env  # type: ignore[attr-defined]
    assert first.provider.env is not boa.env  # type: ignore[attr-defined]


def test_titanoboa_shared_state_is_left_alone() -> None:
    cls = boa.env.evm.vm.state.computation_class
    before = {op: cls.opcodes[op] for op in (0x20, 0x55)}
    random_state = boa.Env._random.getstate()
    for _ in range(5):
        connect()
    assert {op: cls.opcodes[op] for op in (0x20, 0x55)} == before
    assert boa.Env._random.getstate() == random_state


def test_reads_at_past_blocks(artifact: dict[str, Any]) -> None:
    w3 = _chain()
    depositor = w3.eth.accounts[2]
    probe = _deploy(w3, artifact)
    first = w3.eth.get_block("latest")["number"]
    probe.functions.poke(1, 5).transact({"from": depositor})
    assert probe.functions.counter().call(block_identifier=first) == 0
    assert probe.functions.counter().call() == 5
    assert w3.eth.get_balance(depositor, first) > w3.eth.get_balance(depositor)
    assert w3.eth.get_transaction_count(depositor, first) == 0
    assert w3.eth.get_code(probe.address, 0) == b""
    with pytest.raises(Web3RPCError, match="BlockOutOfRangeError"):
        w3.eth.get_balance(depositor, 99)


def test_without_history_past_reads_fail_clearly_but_snapshots_work(
        artifact: dict[str, Any]) -> None:
    w3 = _chain(history=False)
    depositor = w3.eth.accounts[2]
    probe = _deploy(w3, artifact)
    before = w3.eth.block_number
    snap = dev.snapshot(w3)
    probe.functions.poke(1, 5).transact({"from": depositor})
    probe.functions.poke(1, 6).transact({"from": depositor})
    assert batch_call(w3, [(probe.address, probe.encode_abi("counter"))]) == [
        (11).to_bytes(32, "big")]
    assert probe.functions.counter().call(block_identifier=before) == 0  # snapshot kept it
    with pytest.raises(Web3RPCError, match="was not kept"):
        probe.functions.counter().call(block_identifier=before + 1)
    with pytest.raises(Web3RPCError, match="was not kept"):
        w3.eth.get_balance(depositor, before + 1)
    pinned = w3.eth.block_number  # a read by number at the newest block keeps its state
    assert probe.functions.counter().call(block_identifier=pinned) == 11
    probe.functions.poke(1, 1).transact({"from": depositor})
    assert probe.functions.counter().call(block_identifier=pinned) == 11
    assert probe.functions.counter().call() == 12
    dev.set_balance(w3, depositor, 7)
    assert w3.eth.get_balance(depositor) == 7
    dev.revert(w3, snap)
    assert probe.functions.counter().call() == 0
    assert w3.eth.get_balance(depositor) == 10_000 * 10**18


def test_estimate_is_tight(artifact: dict[str, Any]) -> None:
    w3 = _chain()
    keeper = w3.eth.accounts[1]
    probe = _deploy(w3, artifact)
    probe.functions.poke(1, 1).transact({"from": keeper})  # warm the slot: a cheaper second poke
    estimate = probe.functions.poke(2, 2).estimate_gas({"from": keeper})
    ok = w3.eth.wait_for_transaction_receipt(
        probe.functions.poke(2, 2).transact({"from": keeper, "gas": estimate}))
    assert ok["status"] == 1
    assert ok["gasUsed"] <= estimate <= ok["gasUsed"] * 102 // 100
    short = w3.eth.wait_for_transaction_receipt(
        probe.functions.poke(2, 2).transact({"from": keeper, "gas": estimate * 97 // 100}))
    assert short["status"] == 0


def test_raw_transaction_kinds(artifact: dict[str, Any]) -> None:
    w3 = _chain()
    deployer = Account.from_key(DEV_KEYS[4])
    signed = deployer.sign_transaction({
        "data": artifact["bytecode"], "gas": 1_000_000, "maxFeePerGas": 5 * GWEI,
        "maxPriorityFeePerGas": GWEI, "nonce": 0, "chainId": 31337, "type": 2})
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(
        signed.raw_transaction))
    create_address = keccak(rlp.encode([bytes.fromhex(deployer.address[2:]), 0]))[12:]
    assert receipt["contractAddress"] == to_checksum_address(create_address)
    probe = w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"])
    access_list = deployer.sign_transaction({
        "to": probe.address, "data": probe.encode_abi("poke", [1, 4]), "gas": 100_000,
        "gasPrice": 3 * GWEI, "nonce": 1, "chainId": 31337, "type": 1,
        "accessList": [{"address": probe.address, "storageKeys": ["0x" + "00" * 32]}]})
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(
        access_list.raw_transaction))
    assert receipt["status"] == 1 and receipt["type"] == 1
    assert w3.eth.get_transaction(access_list.hash)["accessList"] == [
        {"address": probe.address, "storageKeys": ["0x" + "00" * 32]}]
    assert probe.functions.counter().call() == 4
    other_chain = deployer.sign_transaction({
        "to": probe.address, "gas": 100_000, "maxFeePerGas": 5 * GWEI,
        "maxPriorityFeePerGas": GWEI, "nonce": 2, "chainId": 1, "type": 2})
    with pytest.raises(Web3RPCError, match="invalid chain id 1"):
        w3.eth.send_raw_transaction(other_chain.raw_transaction)
    with pytest.raises(Web3RPCError, match="transaction type 3 is not supported"):
        w3.eth.send_raw_transaction(b"\x03" + bytes(10))
    with pytest.raises(Web3RPCError, match="failed to decode"):
        w3.eth.send_raw_transaction(b"\xf8\x01\x02")


def test_submission_checks(artifact: dict[str, Any]) -> None:
    w3 = _chain()
    probe = _deploy(w3, artifact)
    sender = w3.eth.accounts[3]
    cases = [
        ({"gas": 100}, "intrinsic gas too low"),
        ({"gas": 31_000_000}, "intrinsic gas too high"),
        ({"maxFeePerGas": GWEI - 1, "maxPriorityFeePerGas": 0}, "less than block base fee"),
        ({"value": 20_000 * 10**18, "to": "0x" + "99" * 20, "data": "0x"}, "Insufficient funds"),
    ]
    for extra, message in cases:
        tx = {"from": sender, "to": probe.address, "data": probe.encode_abi("poke", [1, 1]),
              "gas": 100_000, **extra}
        with pytest.raises(Web3RPCError, match=message):
            w3.eth.send_transaction(tx)  # type: ignore[arg-type]
    inverted = _raw(w3, "eth_sendTransaction", [{  # web3 itself refuses to send this one
        "from": sender, "to": probe.address, "gas": hex(100_000),
        "maxFeePerGas": hex(2 * GWEI), "maxPriorityFeePerGas": hex(3 * GWEI)}])
    assert "higher than max fee" in inverted["error"]["message"]
    with pytest.raises(Web3RPCError, match="No Signer available"):
        w3.eth.send_transaction({"from": to_checksum_address("0x" + "98" * 20),
                                 "to": probe.address, "gas": 100_000})
    assert w3.eth.get_transaction_count(sender) == 0


def test_value_transfer_and_balances() -> None:
    w3 = _chain()
    depositor = w3.eth.accounts[1]
    recipient = to_checksum_address("0x" + "55" * 20)
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction(
        {"from": depositor, "to": recipient, "value": 12345}))
    assert receipt["gasUsed"] == 21_000
    assert w3.eth.get_balance(recipient) == 12345
    assert w3.eth.get_balance(depositor) == (
        10_000 * 10**18 - 12345 - 21_000 * receipt["effectiveGasPrice"])


def test_pool_survives_snapshots_and_automine_resumes(artifact: dict[str, Any]) -> None:
    w3 = _chain()
    probe = _deploy(w3, artifact)
    bidder = w3.eth.accounts[2]
    dev.set_automine(w3, False)
    first = probe.functions.poke(1, 1).transact({"from": bidder, "gas": 100_000})
    second = probe.functions.poke(1, 2).transact({"from": bidder, "gas": 100_000})
    assert w3.eth.get_transaction_count(bidder, "pending") == 2
    snap = dev.snapshot(w3)
    dev.mine(w3)
    block = w3.eth.get_block("latest")
    assert block["transactions"] == [first, second]
    assert probe.functions.counter().call() == 3
    dev.revert(w3, snap)
    assert w3.eth.get_transaction(first)["blockNumber"] is None
    dev.set_automine(w3, True)  # pending transactions go in, each in its own block
    assert w3.eth.get_transaction_receipt(second)["blockNumber"] == block["number"] + 1
    assert probe.functions.counter().call() == 3


def test_base_fee_stays_until_set_again() -> None:
    w3 = _chain()
    dev.set_next_base_fee(w3, 7 * GWEI)
    dev.mine(w3, 3)
    assert [w3.eth.get_block(n)["baseFeePerGas"] for n in (0, 1, 3)] == [GWEI, 7 * GWEI,
                                                                        7 * GWEI]
    assert w3.eth.gas_price == 8 * GWEI
    assert w3.eth.max_priority_fee == GWEI
    history = w3.eth.fee_history(2, "latest", [50])
    assert history["baseFeePerGas"] == [7 * GWEI] * 3
    assert history["reward"] == [[0], [0]]


def test_logs_by_block_hash(artifact: dict[str, Any]) -> None:
    w3 = _chain()
    probe = _deploy(w3, artifact)
    receipt = w3.eth.wait_for_transaction_receipt(
        probe.functions.poke(3, 3).transact({"from": w3.eth.accounts[0]}))
    probe.functions.poke(4, 4).transact({"from": w3.eth.accounts[0]})
    logs = w3.eth.get_logs({"blockHash": receipt["blockHash"]})
    assert [entry["transactionHash"] for entry in logs] == [receipt["transactionHash"]]
    full = w3.eth.get_block(receipt["blockNumber"], full_transactions=True)
    assert full["transactions"][0]["hash"] == receipt["transactionHash"]
    bloom = BloomFilter(int.from_bytes(full["logsBloom"], "big"))
    assert bytes.fromhex(probe.address[2:]) in bloom
    assert bytes(logs[0]["topics"][0]) in bloom
    assert bytes.fromhex("66" * 20) not in bloom
    assert full["logsBloom"] == receipt["logsBloom"]  # the only transaction of its block
    assert w3.eth.get_block(receipt["blockHash"])["number"] == receipt["blockNumber"]
    by_index = w3.eth.get_transaction_by_block(receipt["blockNumber"], 0)
    assert by_index["hash"] == receipt["transactionHash"]
    assert w3.eth.get_transaction_by_block(receipt["blockHash"], 0) == by_index
    assert w3.eth.get_block_transaction_count(receipt["blockHash"]) == 1
    with pytest.raises(BlockNotFound):
        w3.eth.get_block(10**6)
    assert _raw(w3, "eth_getBlockByNumber", ["0x999", False])["result"] is None


def test_json_rpc_errors_are_answers() -> None:
    w3 = _chain()
    assert _raw(w3, "eth_noSuchMethod", [])["error"]["code"] == -32601
    bad = _raw(w3, "eth_getBalance", ["0x1234", "latest"])["error"]
    assert bad["code"] == -32602 and "invalid address" in bad["message"]
    bad = _raw(w3, "eth_call", [{"to": "0x" + "11" * 20, "data": "0xzz"}, "latest"])["error"]
    assert bad["code"] == -32602 and "invalid data" in bad["message"]
    assert _raw(w3, "evm_revert", ["0x77"])["result"] is False
    answers = w3.provider.make_batch_request([  # type: ignore[attr-defined]
        ("eth_chainId", []), ("eth_nope", []), ("eth_blockNumber", [])])
    assert [("result" in a, "error" in a) for a in answers] == [
        (True, False), (False, True), (True, False)]
    assert len({a["id"] for a in answers}) == 3


def test_call_from_any_address_needs_no_balance(artifact: dict[str, Any]) -> None:
    w3 = _chain()
    probe = _deploy(w3, artifact)
    stranger = to_checksum_address("0x" + "31" * 20)
    assert probe.functions.counter().call({"from": stranger}) == 0
    assert probe.functions.counter().call({"from": stranger, "gas": 10**9}) == 0  # capped
    with pytest.raises(ContractLogicError, match="Probe/unlucky"):
        probe.functions.poke(1, 13).call({"from": stranger})


def test_throughput(artifact: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    """A regression guard, not a benchmark: signed transactions through web3, end to end."""
    w3 = _chain(history=False)
    probe = _deploy(w3, artifact)
    keeper = Account.from_key(DEV_KEYS[1])
    data = probe.encode_abi("poke", [1, 1])
    count = 150
    started = time.perf_counter()
    for nonce in range(count):
        signed = keeper.sign_transaction({
            "to": probe.address, "data": data, "gas": 100_000, "maxFeePerGas": 5 * GWEI,
            "maxPriorityFeePerGas": GWEI, "nonce": nonce, "chainId": 31337, "type": 2})
        w3.eth.send_raw_transaction(signed.raw_transaction)
    rate = count / (time.perf_counter() - started)
    with capsys.disabled():
        print(f"\nin-process chain: {rate:.0f} signed tx/s through web3 (history=False)")
    assert probe.functions.counter().call() == count
    assert rate > 20


def test_calldata_floor_is_checked_at_submission(artifact: dict[str, Any]) -> None:
    """Prague's EIP-7623: calldata-heavy transactions need gas for their calldata floor."""
    w3 = _chain()
    sender = w3.eth.accounts[1]
    data = "0x" + "ff" * 2_000  # 8,000 tokens: floor 21,000 + 80,000 gas
    with pytest.raises(Web3RPCError, match="intrinsic gas too low"):
        w3.eth.send_transaction({"from": sender, "to": sender, "data": data, "gas": 60_000})
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction(
        {"from": sender, "to": sender, "data": data, "gas": 101_000}))
    assert receipt["status"] == 1 and receipt["gasUsed"] == 101_000
