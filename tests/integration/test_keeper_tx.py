"""TxSender against a real anvil: simulate, send, replacement on a base-fee spike, fee cap,
a dropped transaction, the unlocked-account path and many senders sharing one nonce manager."""

from __future__ import annotations

import threading

import pytest
import vyper
from eth_account import Account
from web3 import Web3

from backstop.chain.errors import Revert
from backstop.chain.tx import FeeTooLow, TxSender, TxState
from backstop.testing.anvil import DEV_KEYS, rpc

pytestmark = pytest.mark.anvil

GWEI = 10**9
COUNTER = """
# pragma version 0.4.3
count: public(uint256)

@external
def bump(limit: uint256):
    assert self.count < limit, "Counter/at-limit"
    self.count += 1
"""


@pytest.fixture
def w3(node):
    rpc(node.url, "evm_setAutomine", [True])
    rpc(node.url, "anvil_setNextBlockBaseFeePerGas", [hex(GWEI)])  # calm fees for every test
    rpc(node.url, "evm_mine")
    yield Web3(Web3.HTTPProvider(node.url))
    rpc(node.url, "evm_setAutomine", [True])


@pytest.fixture(scope="module")
def counter(node):
    w3 = Web3(Web3.HTTPProvider(node.url))
    out = vyper.compile_code(COUNTER, output_formats=["abi", "bytecode"])
    deployer = Account.from_key(DEV_KEYS[0])
    tx_hash = w3.eth.send_transaction({"from": deployer.address, "data": out["bytecode"]})
    address = w3.eth.wait_for_transaction_receipt(tx_hash)["contractAddress"]
    return w3.eth.contract(address=address, abi=out["abi"])


def _events(sink: list):
    return lambda event, ptx, info: sink.append((event, ptx.nonce, info))


def test_send_simulates_then_mines(w3, counter):
    keeper = Account.from_key(DEV_KEYS[1])
    sender = TxSender(w3, keeper)
    before = counter.functions.count().call()
    receipt = sender.send(counter.functions.bump(before + 1))
    assert receipt["status"] == "0x1"
    assert counter.functions.count().call() == before + 1


def test_a_call_that_would_revert_is_never_sent(w3, counter):
    keeper = Account.from_key(DEV_KEYS[1])
    sender = TxSender(w3, keeper)
    nonce = w3.eth.get_transaction_count(keeper.address)
    limit = counter.functions.count().call()
    with pytest.raises(Revert) as info:
        sender.send(counter.functions.bump(limit))
    assert info.value.reason == "Counter/at-limit"
    with pytest.raises(Revert):
        sender.simulate(counter.functions.bump(limit))
    assert w3.eth.get_transaction_count(keeper.address) == nonce
    assert sender.in_flight == []


def test_base_fee_spike_is_met_by_a_same_nonce_replacement(node, w3, counter):
    keeper = Account.from_key(DEV_KEYS[2])
    events: list = []
    sender = TxSender(w3, keeper, bump_every_blocks=1, listener=_events(events))
    nonce = w3.eth.get_transaction_count(keeper.address)
    before = counter.functions.count().call()
    rpc(node.url, "evm_setAutomine", [False])
    ptx = sender.submit(counter.functions.bump(before + 10), label="bump")
    first_fee = ptx.fees.max_fee
    rpc(node.url, "anvil_setNextBlockBaseFeePerGas", [hex(50 * GWEI)])
    rpc(node.url, "evm_mine")  # the spike block: ours is priced below it, not included
    for _ in range(5):
        sender.poll()
        if ptx.done:
            break
        rpc(node.url, "evm_mine")
    assert ptx.state is TxState.MINED
    assert ptx.replacements >= 1 and len(ptx.hashes) >= 2
    assert ptx.fees.max_fee > first_fee
    assert any(e[0] == "replaced" for e in events)
    assert w3.eth.get_transaction_count(keeper.address) == nonce + 1  # one nonce, once
    assert counter.functions.count().call() == before + 1  # and it ran exactly once


def test_replacements_stop_at_the_fee_cap(node, w3, counter):
    keeper = Account.from_key(DEV_KEYS[3])
    events: list = []
    sender = TxSender(w3, keeper, max_fee_gwei=8, bump_every_blocks=1,
                      listener=_events(events))
    rpc(node.url, "evm_setAutomine", [False])
    ptx = sender.submit(counter.functions.bump(10**9))
    rpc(node.url, "anvil_setNextBlockBaseFeePerGas", [hex(40 * GWEI)])
    rpc(node.url, "evm_mine")
    with pytest.raises(FeeTooLow):  # nothing new is sent while the base fee is above the cap
        sender.submit(counter.functions.bump(10**9))
    for _ in range(3):
        rpc(node.url, "evm_mine")
        sender.poll()
    assert ptx.state is TxState.PENDING
    assert ptx.fees.max_fee <= 8 * GWEI
    assert any(e[0] == "at_fee_cap" for e in events), events
    # the base fee falls back under the cap (empty blocks): the transaction goes through
    for _ in range(40):
        rpc(node.url, "evm_mine")
        sender.poll()
        if ptx.done:
            break
    assert ptx.state is TxState.MINED
    assert ptx.fees.max_fee <= 8 * GWEI


def test_a_dropped_transaction_is_sent_again(node, w3, counter):
    keeper = Account.from_key(DEV_KEYS[4])
    events: list = []
    sender = TxSender(w3, keeper, listener=_events(events))
    before = counter.functions.count().call()
    rpc(node.url, "evm_setAutomine", [False])
    ptx = sender.submit(counter.functions.bump(before + 10))
    rpc(node.url, "anvil_dropTransaction", [ptx.hash])
    assert rpc(node.url, "eth_getTransactionByHash", [ptx.hash]) is None
    sender.poll()
    assert ptx.resends == 1
    rpc(node.url, "evm_mine")
    sender.poll()
    assert ptx.state is TxState.MINED
    assert counter.functions.count().call() == before + 1


def test_unlocked_dev_account_path(w3, counter):
    deployer = Account.from_key(DEV_KEYS[5]).address  # anvil has it unlocked
    sender = TxSender(w3, deployer)
    before = counter.functions.count().call()
    receipt = sender.send(counter.functions.bump(before + 1))
    assert Web3.to_checksum_address(receipt["from"]) == deployer
    assert counter.functions.count().call() == before + 1


def test_concurrent_senders_share_one_nonce_sequence(w3, counter):
    keeper = Account.from_key(DEV_KEYS[6])
    senders = [TxSender(w3, keeper) for _ in range(3)]
    assert senders[0].nonces is senders[1].nonces  # one manager per account and node
    start = w3.eth.get_transaction_count(keeper.address)
    before = counter.functions.count().call()
    errors: list[BaseException] = []

    def work(sender: TxSender) -> None:
        try:
            for _ in range(4):
                sender.send(counter.functions.bump(10**9))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s,)) for s in senders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert w3.eth.get_transaction_count(keeper.address) == start + 12
    assert counter.functions.count().call() == before + 12


def test_submit_many_sends_what_simulates_and_reports_the_rest(w3, counter):
    keeper = Account.from_key(DEV_KEYS[7])
    sender = TxSender(w3, keeper)
    start = w3.eth.get_transaction_count(keeper.address)
    limit = counter.functions.count().call()
    results = sender.submit_many([
        (counter.functions.bump(10**9), "first"),
        (counter.functions.bump(limit), "doomed"),  # at the limit: would revert
        (counter.functions.bump(10**9), "second"),
    ])
    assert isinstance(results[1], Revert) and results[1].reason == "Counter/at-limit"
    sent = [r for r in results if not isinstance(r, Exception)]
    assert [p.label for p in sent] == ["first", "second"]
    assert [p.nonce for p in sent] == [start, start + 1]
    for _ in range(20):
        sender.poll()
        if all(p.done for p in sent):
            break
    assert all(p.state is TxState.MINED for p in sent)
    assert counter.functions.count().call() == limit + 2


@pytest.mark.parametrize("key_index", [8, None])
def test_contract_creation_signed_or_unlocked(w3, key_index):
    out = vyper.compile_code(COUNTER, output_formats=["bytecode"])
    account = Account.from_key(DEV_KEYS[8]) if key_index else Account.from_key(DEV_KEYS[9]).address
    receipt = TxSender(w3, account).send({"data": out["bytecode"]})
    address = receipt["contractAddress"]
    assert address and w3.eth.get_code(Web3.to_checksum_address(address))
