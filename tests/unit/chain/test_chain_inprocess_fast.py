"""The in-process chain's fast paths give the answers of the slow ones: calls answered from the
state they read, reads pinned to a block without a state root, one-run gas estimates, and the
recording that ``backstop bench demo`` replays straight on the EVM for its floor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import vyper
from web3 import Web3
from web3.exceptions import Web3RPCError

from backstop.chain import BoaProvider, dev
from backstop.chain import _node as node_module
from backstop.chain.boa_provider import replay_recording

SPY = Path(__file__).with_name("spy.vy")
GENESIS = 1_584_000_000


@pytest.fixture(scope="module")
def artifact() -> dict[str, Any]:
    return vyper.compile_code(SPY.read_text(), output_formats=["abi", "bytecode"])


def _chain(**kwargs: Any) -> Web3:
    return Web3(BoaProvider(genesis_timestamp=GENESIS, **kwargs))


def _deploy(w3: Web3, artifact: dict[str, Any]) -> Any:
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    receipt = w3.eth.wait_for_transaction_receipt(factory.constructor().transact(
        {"from": w3.eth.accounts[0]}))
    return w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"])


class _Runs:
    """Counts the EVM runs of calls and estimates (``Node._run``, ``Node._run_frames``)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        for name in ("_run", "_run_frames"):
            monkeypatch.setattr(node_module.Node, name, self._counting(
                getattr(node_module.Node, name)))

    def _counting(self, original: Any) -> Any:
        def counting(node: Any, *args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return original(node, *args, **kwargs)

        return counting


@pytest.mark.parametrize("history", [False, True])
def test_a_pinned_block_keeps_its_state_after_newer_blocks(artifact: dict[str, Any],
                                                           history: bool) -> None:
    w3 = _chain(history=history)
    spy = _deploy(w3, artifact)
    other = _deploy(w3, artifact)
    me, you = w3.eth.accounts[1], w3.eth.accounts[2]
    spy.functions.poke(5).transact({"from": me})
    pinned = w3.eth.block_number
    assert spy.functions.counter().call(block_identifier=pinned) == 5  # pins it
    balance, nonce = w3.eth.get_balance(me, pinned), w3.eth.get_transaction_count(me, pinned)
    if not history:  # no state root was computed for the pin
        assert w3.eth.get_block(pinned)["stateRoot"] == b"\x00" * 32
    spy.functions.poke(2).transact({"from": me})
    middle = w3.eth.block_number
    assert spy.functions.counter().call(block_identifier=middle) == 7
    spy.functions.poke(3).transact({"from": you})
    other.functions.relay(spy.address, 10).transact({"from": me})
    dev.set_balance(w3, me, 12345)
    assert spy.functions.counter().call() == 20
    assert spy.functions.counter().call(block_identifier=pinned) == 5
    assert spy.functions.counter().call(block_identifier=middle) == 7
    assert spy.functions.balance_of(me).call(block_identifier=pinned) == balance
    assert w3.eth.get_balance(me, pinned) == balance
    assert w3.eth.get_balance(me) == 12345
    assert w3.eth.get_transaction_count(me, pinned) == nonce
    assert w3.eth.get_transaction_count(me, middle) == nonce + 1
    assert w3.eth.get_code(spy.address, pinned) == w3.eth.get_code(spy.address)
    assert spy.functions.now().call(block_identifier=pinned) == w3.eth.get_block(pinned)[
        "timestamp"]


def test_an_edit_of_a_pinned_head_belongs_to_it(artifact: dict[str, Any]) -> None:
    w3 = _chain(history=False)
    spy = _deploy(w3, artifact)
    me = w3.eth.accounts[1]
    older = w3.eth.block_number
    assert spy.functions.balance_of(me).call(block_identifier=older) > 0
    spy.functions.poke(1).transact({"from": me})
    head = w3.eth.block_number
    before = w3.eth.get_balance(me, head)
    dev.set_balance(w3, me, 777)  # edits the head's own state
    spy.functions.poke(1).transact({"from": w3.eth.accounts[2]})
    assert w3.eth.get_balance(me, head) == 777
    assert w3.eth.get_balance(me, older) > before  # before the poke's gas and the edit


def test_pins_made_before_a_revert_are_not_kept(artifact: dict[str, Any]) -> None:
    w3 = _chain(history=False)
    spy = _deploy(w3, artifact)
    snap = dev.snapshot(w3)
    spy.functions.poke(4).transact({"from": w3.eth.accounts[1]})
    pinned = w3.eth.block_number
    assert spy.functions.counter().call(block_identifier=pinned) == 4
    spy.functions.poke(4).transact({"from": w3.eth.accounts[1]})
    dev.revert(w3, snap)
    spy.functions.poke(1).transact({"from": w3.eth.accounts[1]})
    spy.functions.poke(1).transact({"from": w3.eth.accounts[1]})
    with pytest.raises(Web3RPCError, match="was not kept"):
        spy.functions.counter().call(block_identifier=pinned)
    assert spy.functions.counter().call() == 2


def test_a_remembered_call_follows_every_change_it_depends_on(
        artifact: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    w3 = _chain(history=False)
    spy = _deploy(w3, artifact)
    other = _deploy(w3, artifact)
    me = w3.eth.accounts[1]
    runs = _Runs(monkeypatch)
    assert spy.functions.counter().call() == 0
    dev.time_travel(w3, 60)  # a new block that changes nothing the call read
    assert spy.functions.counter().call() == 0
    assert runs.count == 1  # answered from what it read
    other.functions.poke(9).transact({"from": me, "gas": 100_000})  # no estimate: no run
    assert spy.functions.counter().call() == 0
    assert runs.count == 1
    spy.functions.poke(3).transact({"from": me, "gas": 100_000})
    assert spy.functions.counter().call() == 3  # its slot changed: the EVM runs again
    assert runs.count == 2
    other.functions.relay(spy.address, 4).transact({"from": me})
    assert spy.functions.counter().call() == 7
    assert spy.functions.balance_of(me).call() == w3.eth.get_balance(me)
    dev.set_balance(w3, me, 10**18)
    assert spy.functions.balance_of(me).call() == 10**18
    assert spy.functions.code_size(other.address).call() > 0
    assert spy.functions.code_size(me).call() == 0
    first = spy.functions.now().call()  # block values: never answered from memory
    dev.time_travel(w3, 60)
    assert spy.functions.now().call() == first + 60
    snap = dev.snapshot(w3)
    spy.functions.poke(1).transact({"from": me})
    assert spy.functions.counter().call() == 8
    dev.revert(w3, snap)
    assert spy.functions.counter().call() == 7


def test_calls_run_read_only_first_leave_nothing_behind(artifact: dict[str, Any]) -> None:
    """``eth_call`` runs the frames read-only first: a function that writes (or emits) is run
    again as it is and answers as it would; a call that makes calls is given up read-only; no
    call leaves a change or an open journal checkpoint behind."""
    w3 = _chain(history=False)
    spy, other = _deploy(w3, artifact), _deploy(w3, artifact)
    me = w3.eth.accounts[1]
    spy.functions.poke(5).transact({"from": me})
    node = w3.provider.node  # type: ignore[attr-defined]
    journal = node.state._account_db._journaldb._journal._checkpoint_stack
    depth = len(journal)
    for _ in range(2):  # the second time, poke is known to write
        assert spy.functions.poke(3).call({"from": me}) == []
        assert other.functions.relay(spy.address, 4).call({"from": me}) == []
        assert spy.functions.counter().call() == 5
        assert len(journal) == depth
    nobody = "0x" + "42" * 20  # a call to an address with no account creates none
    root = node.head_root()
    assert w3.eth.call({"from": me, "to": nobody, "data": "0x1234"}) == b""
    assert not node.state._account_db.account_exists(bytes.fromhex(nobody[2:]))
    assert node.head_root() == root
    poke = bytes.fromhex(spy.functions.poke(3)._encode_transaction_data()[2:10])
    assert (bytes.fromhex(spy.address[2:]), poke) in node._writers  # found out, remembered
    spy.functions.poke(1).transact({"from": me})
    assert spy.functions.counter().call() == 6


def test_one_run_estimates_are_the_least_limit_that_succeeds(
        artifact: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    w3 = _chain(history=False)
    spy = _deploy(w3, artifact)
    other = _deploy(w3, artifact)
    me = w3.eth.accounts[1]
    spy.functions.poke(1).transact({"from": me})  # the slot is no longer zero
    runs = _Runs(monkeypatch)
    least = spy.functions.poke(1).estimate_gas({"from": me})
    assert runs.count == 1  # no call, no GAS: the run with the cap says it all
    for gas, ok in ((least, True), (least - 1, False)):
        snap = dev.snapshot(w3)
        tx = spy.functions.poke(1).transact({"from": me, "gas": gas})
        assert w3.eth.get_transaction_receipt(tx)["status"] == int(ok)
        dev.revert(w3, snap)
    runs.count = 0
    relayed = other.functions.relay(spy.address, 1).estimate_gas({"from": me})
    assert runs.count == 2  # it forwards gas: a frames-only attempt stopped at the call, one run
    tx = other.functions.relay(spy.address, 1).transact({"from": me, "gas": relayed})
    assert w3.eth.get_transaction_receipt(tx)["status"] == 1


def _effect(w3: Web3, spies: list[Any], tx: dict[str, Any], gas: int) -> tuple[Any, ...]:
    """Status and every spy's counter after ``tx`` with ``gas`` (the chain put back after)."""
    snap = dev.snapshot(w3)
    try:
        receipt = w3.eth.get_transaction_receipt(w3.eth.send_transaction({**tx, "gas": gas}))
        return (receipt["status"], *(s.functions.counter().call() for s in spies))
    finally:
        dev.revert(w3, snap)


@pytest.mark.parametrize("case", ["relay", "limited", "limited_loose", "twice", "try", "pay"])
def test_estimates_of_calls_are_the_least_limit_that_runs_the_same_from_one_run(
        artifact: dict[str, Any], monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    """Calls that forward gas (all but 1/64, an explicit limit, a value with its stipend, two
    deep, a failure caught): the estimate is worked out from the run with the cap, and it is
    the least limit with which the transaction does exactly what it does with plenty."""
    w3 = _chain(history=False)
    spy, target, via = (_deploy(w3, artifact) for _ in range(3))
    me = w3.eth.accounts[1]
    for s in (spy, target, via):
        s.functions.poke(1).transact({"from": me})  # no slot goes from zero in the cases
    fn = {
        "relay": lambda: spy.functions.relay(target.address, 2),
        "limited": lambda: spy.functions.relay_limited(target.address, 2, 30_000),
        "limited_loose": lambda: spy.functions.relay_limited(target.address, 2, 10**6),
        "twice": lambda: spy.functions.relay_twice(via.address, target.address, 2),
        "try": lambda: spy.functions.try_poke(target.address, 2),
        "pay": lambda: spy.functions.pay(target.address),
    }[case]()
    tx = {"from": me, "to": spy.address, "data": fn._encode_transaction_data(),
          "value": 5 if case == "pay" else 0}
    runs = _Runs(monkeypatch)
    estimate = w3.eth.estimate_gas(tx)
    assert runs.count <= 2  # a frames-only attempt given up at the call, then one run
    plenty = _effect(w3, [spy, target, via], tx, 5_000_000)
    assert plenty[0] == 1
    assert _effect(w3, [spy, target, via], tx, estimate) == plenty
    assert _effect(w3, [spy, target, via], tx, estimate - 1) != plenty


def test_a_recording_replayed_on_the_evm_reaches_the_same_state(
        artifact: dict[str, Any]) -> None:
    provider = BoaProvider(genesis_timestamp=GENESIS, history=False)
    provider.record()
    w3 = Web3(provider)
    spy = _deploy(w3, artifact)
    other = _deploy(w3, artifact)
    me = w3.eth.accounts[1]
    snap = dev.snapshot(w3)
    spy.functions.poke(5).transact({"from": me})
    dev.revert(w3, snap)
    dev.set_balance(w3, me, 10**20)
    dev.set_automine(w3, False)
    spy.functions.poke(2).transact({"from": me})
    other.functions.relay(spy.address, 3).transact({"from": me})
    dev.mine(w3)
    dev.set_automine(w3, True)
    dev.time_travel(w3, 3_600)
    floor = replay_recording(provider.recording)
    assert floor.transactions == 5  # two deploys, the reverted poke, two in one block
    assert floor.state_root == provider.state_root()
    assert spy.functions.counter().call() == 5


def test_recording_starts_on_a_fresh_chain(artifact: dict[str, Any]) -> None:
    provider = BoaProvider(genesis_timestamp=GENESIS)
    _deploy(Web3(provider), artifact)
    with pytest.raises(RuntimeError, match="fresh chain"):
        provider.record()


def test_frames_only_answers_equal_the_transactions(artifact: dict[str, Any]) -> None:
    """The message's frames alone give the output and gas of the whole transaction."""
    provider = BoaProvider(genesis_timestamp=GENESIS, history=False)
    w3 = Web3(provider)
    spy = _deploy(w3, artifact)
    other = _deploy(w3, artifact)
    me = w3.eth.accounts[1]
    spy.functions.poke(1).transact({"from": me})
    node = provider.node
    stranger = b"\x42" * 20  # an account that does not exist
    calls = [
        (me, spy.functions.poke(2)), (stranger, spy.functions.counter()),
        (me, spy.functions.balance_of(me)), (stranger, spy.functions.code_size(other.address)),
        (me, spy.functions.now()), (stranger, spy.functions.balance_of(stranger)),
    ]
    for sender, fn in calls:
        sender_bytes = sender if isinstance(sender, bytes) else bytes.fromhex(sender[2:])
        to = bytes.fromhex(fn.address[2:])
        data = bytes.fromhex(fn._encode_transaction_data()[2:])
        whole = node._run(sender_bytes, to, 0, data, 1_000_000, node.head.number)
        frames = node._run_frames(sender_bytes, to, data, 1_000_000, node_module._Watch())
        assert frames is not None
        assert (frames.output, frames.error) == (whole.output, whole.error)
        assert frames.consumed == whole.consumed
    relay = other.functions.relay(spy.address, 1)
    data = bytes.fromhex(relay._encode_transaction_data()[2:])
    watch = node_module._Watch()
    db = node.state._account_db
    db.watch = watch
    try:  # a call forwards gas: not answered from the frames alone
        assert node._run_frames(bytes.fromhex(me[2:]), bytes.fromhex(other.address[2:]),
                                data, 1_000_000, watch) is None
    finally:
        db.watch = None


@pytest.mark.parametrize("fields", [
    {"to": b"\x11" * 20, "data": b"\x00\x12" * 40, "gas": 100_000},
    {"data": b"\x60\x00", "gas": 60_000, "value": 5, "maxPriorityFeePerGas": 0,
     "maxFeePerGas": 3 * 10**9},
])
def test_unlocked_transaction_hashes_sign_the_eip1559_message(fields: dict[str, Any]) -> None:
    node = BoaProvider(genesis_timestamp=GENESIS).node
    sender = node_module.DEV_ADDRESSES[3]
    rec = node.make_unlocked(sender, dict(fields))
    message = rec.tx.spoof_target.get_message_for_signing()  # py-evm's own encoding
    assert rec.hash == node_module.keccak(message + sender)
