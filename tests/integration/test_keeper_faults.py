"""The keeper under faults, against real anvil nodes: a proxy injecting errors, closed
connections, timeouts and delays; a dropped transaction; a base-fee spike that needs a
replacement; a reorg that undoes a bid; the node killed and restarted mid-run. Each test ends by
checking the chain: every auction the pool could bid on entered, every finished one finalized,
no DAI or MKR lost."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from eth_account import Account

from backstop.chain import connect
from backstop.keeper import scenario
from backstop.keeper.scenario import build_world, drive, finish, world_problems
from backstop.testing.anvil import DEV_KEYS, rpc, start_anvil
from backstop.testing.rpc_proxy import RpcProxy

pytestmark = pytest.mark.anvil

DEPLOYER = Account.from_key(DEV_KEYS[0]).address
KEEPER = Account.from_key(DEV_KEYS[1])
MEMBER = Account.from_key(DEV_KEYS[2]).address
GWEI = 10**9


@pytest.fixture(scope="module")
def base(node):
    """One pool at 250 DAI/MKR with DAI for three bids (it can enter every auction at kick)."""
    w3 = connect(node.url)
    world = build_world(w3, DEPLOYER, MEMBER, prices=[250], deposits=[150_000])
    return world


def make_keeper(w3, world, **settings):
    return scenario.make_keeper(w3, world, KEEPER, **settings)


def test_errors_closed_connections_timeouts_and_delays_through_a_proxy(node, world):
    ids = world.kick(3)
    with RpcProxy(node.url, timeout_hold=1.5) as proxy:
        w3 = connect(proxy.url, timeout=1.0)
        keeper = make_keeper(w3, world)
        proxy.fail_next(2, "error")
        proxy.fail_next(1, "close")
        proxy.fail_next(1, "timeout")
        proxy.fail_next(1, "http500")
        results = [keeper.step() for _ in range(5)]
        assert all(r.error for r in results)  # each fault: a failed step, logged and counted
        assert keeper.metrics.value("rpc_errors") == 5
        assert len(keeper.log.events("rpc_error")) == 5
        proxy.delay = 0.05
        drive(keeper, w3)
        assert world.pools[0].active_auctions() == ids
        proxy.fail_next(2, "error", methods={"eth_sendRawTransaction", "eth_getTransactionCount"})
        proxy.error_rate = 0.2
        world.advance(601)
        for _ in range(40):
            keeper.step()
            if not world.pools[0].active_auctions():
                break
            w3.provider.make_request("evm_mine", [])
        proxy.clear_faults()
        finish(world, keeper, w3)
        assert proxy.faults_injected >= 7


def test_a_dropped_transaction_is_sent_again(node, world):
    ids = world.kick(1)
    rpc(node.url, "evm_setAutomine", [False])
    keeper = make_keeper(world.w3, world)
    rpc(node.url, "evm_mine")
    r = keeper.step()
    assert [d.action.value for d in r.decisions] == ["enter"]
    (ptx,) = keeper.in_flight.values()
    rpc(node.url, "anvil_dropTransaction", [ptx.hash])
    assert rpc(node.url, "eth_getTransactionByHash", [ptx.hash]) is None  # gone from the pool
    rpc(node.url, "evm_mine")
    keeper.step()  # sees it is gone: sends the same transaction again
    assert ptx.resends == 1
    rpc(node.url, "evm_mine")
    keeper.step()
    assert world.pools[0].active_auctions() == ids
    assert keeper.metrics.value("entered") == 1
    rpc(node.url, "evm_setAutomine", [True])
    finish(world, keeper)


def test_a_base_fee_spike_is_met_by_a_replacement_up_to_the_cap(node, world):
    ids = world.kick(1)
    rpc(node.url, "evm_setAutomine", [False])
    keeper = make_keeper(world.w3, world, max_fee_gwei="60", bump_every_blocks=1)
    rpc(node.url, "evm_mine")
    keeper.step()
    (ptx,) = keeper.in_flight.values()
    first_fee = ptx.fees.max_fee
    rpc(node.url, "anvil_setNextBlockBaseFeePerGas", [hex(40 * GWEI)])
    rpc(node.url, "evm_mine")  # a 40 gwei block: our 3 gwei bid cannot be in it
    assert world.pools[0].active_auctions() == []
    keeper.step()  # replaced: same nonce, fees over the base fee, under the 60 gwei cap
    assert ptx.replacements == 1 and first_fee < ptx.fees.max_fee <= 60 * GWEI
    rpc(node.url, "evm_mine")
    keeper.step()
    assert world.pools[0].active_auctions() == ids
    assert keeper.metrics.value("txs_replaced") == 1
    assert keeper.metrics.value("txs_sent") == 1  # one transaction, two versions
    rpc(node.url, "evm_setAutomine", [True])
    finish(world, keeper)


def test_a_reorg_that_undoes_a_bid_is_seen_and_the_bid_made_again(node, world):
    ids = world.kick(1)
    keeper = make_keeper(world.w3, world)
    drive(keeper, world.w3)
    assert world.pools[0].active_auctions() == ids
    rpc(node.url, "anvil_reorg", [2, []])  # the two newest blocks replaced: the bid is gone
    assert world.pools[0].active_auctions() == []
    rpc(node.url, "evm_mine")
    drive(keeper, world.w3)
    assert keeper.log.events("reorg")
    assert world.pools[0].active_auctions() == ids
    finish(world, keeper)


def test_the_node_killed_and_restarted_mid_run(tmp_path):
    state = str(tmp_path / "anvil-state.json")
    anvil = start_anvil(state_file=state)
    try:
        w3 = connect(anvil.url, timeout=1.0)
        world = build_world(w3, DEPLOYER, MEMBER, prices=[250], deposits=[150_000])
        ids = world.kick(1)
        keeper = make_keeper(w3, world, poll_interval=0.05, max_backoff=0.2)
        worker = threading.Thread(target=keeper.run, daemon=True)
        worker.start()
        deadline = time.monotonic() + 20
        while world.pools[0].active_auctions() != ids and time.monotonic() < deadline:
            time.sleep(0.05)
        assert world.pools[0].active_auctions() == ids
        anvil.stop()  # the node goes away (its state is written to the file)
        deadline = time.monotonic() + 20
        while not keeper.log.events("rpc_error") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert keeper.log.events("rpc_error")  # refused connections: logged, retried
        anvil.start()  # the same chain again, on the same port
        more = world.kick(2)  # the keeper must pick up after the restart
        deadline = time.monotonic() + 20
        while world.pools[0].active_auctions() != ids + more and time.monotonic() < deadline:
            time.sleep(0.05)
        assert world.pools[0].active_auctions() == ids + more
        world.advance(3_601)
        deadline = time.monotonic() + 20
        while world.pools[0].active_auctions() and time.monotonic() < deadline:
            time.sleep(0.05)
        keeper.stop()
        worker.join(timeout=10)
        assert not worker.is_alive()
        assert world.pools[0].active_auctions() == []
        assert world_problems(world) == []
    finally:
        anvil.stop()


def test_a_start_interrupted_by_faults_is_simply_retried(node, world):
    ids = world.kick(1)
    with RpcProxy(node.url) as proxy:
        w3 = connect(proxy.url, timeout=1.0)
        keeper = make_keeper(w3, world)
        # discovery fails half-way, more often than reads are retried
        proxy.fail_next(20, "error", methods={"eth_getLogs"})
        assert keeper.step().error
        assert not keeper.started
        proxy.refuse()  # then the node is not there at all
        assert keeper.step().error
        proxy.accept()
        drive(keeper, w3)
        assert keeper.started and world.pools[0].active_auctions() == ids
        finish(world, keeper, w3)


def test_with_a_journal_a_restart_takes_the_previous_bids_over_without_txpool(node, world,
                                                                            tmp_path):
    journal = str(tmp_path / "keeper-journal.json")
    ids = world.kick(1)
    rpc(node.url, "evm_setAutomine", [False])
    rpc(node.url, "evm_mine")
    before = make_keeper(world.w3, world, journal=journal)
    before.step()  # bids, then "dies": its bid waits in the node's pool, named in the journal
    (ptx,) = before.sender.in_flight
    before.sender.nonces.settle(ptx.nonce)  # a dead process takes its nonce count with it
    recorded = json.loads(Path(journal).read_text())
    assert [(t["nonce"], t["hashes"]) for t in recorded["txs"]] == [(ptx.nonce, ptx.hashes)]
    with RpcProxy(node.url) as proxy:
        w3 = connect(proxy.url, timeout=1.0)
        after = make_keeper(w3, world, journal=journal)
        proxy.fail_next(1, "unsupported", methods={"txpool_content"})  # hides its pool
        after.step()
        (inherited,) = after.log.events("inherited_txs")
        assert (inherited["adopted"], inherited["from_journal"]) == (1, 1)
        assert not after.log.events("inherited_txs_wait")  # taken over: nothing to wait for
        assert [p.hash for p in after.sender.in_flight] == [ptx.hash]
        rpc(node.url, "evm_setAutomine", [True])
        rpc(node.url, "evm_mine")  # the old bid is mined, and the new keeper sees it so
        drive(after, w3)
        assert after.log.events("tx_mined")
        assert not after.log.events("enter")  # never bid twice
        assert world.pools[0].active_auctions() == ids
        finish(world, after, w3)
    assert json.loads(Path(journal).read_text())["txs"] == []  # nothing left in flight


def test_without_txpool_content_a_restart_waits_for_the_previous_bids(node, world):
    ids = world.kick(1)
    rpc(node.url, "evm_setAutomine", [False])
    rpc(node.url, "evm_mine")
    before = make_keeper(world.w3, world)
    before.step()  # bids, then "dies" (never stepped again): its bid waits in the pool
    assert len(before.in_flight) == 1
    (ptx,) = before.sender.in_flight
    before.sender.nonces.settle(ptx.nonce)  # a dead process takes its nonce count with it
    with RpcProxy(node.url) as proxy:
        w3 = connect(proxy.url, timeout=1.0)
        after = make_keeper(w3, world)
        proxy.fail_next(1, "unsupported", methods={"txpool_content"})  # hides its pool
        after.step()  # same block: it sees a pending transaction it cannot take over
        assert after.log.events("inherited_txs")[0]["adopted"] == 0
        assert [r["auction"] for r in after.log.events("held")] == ids
        rpc(node.url, "evm_setAutomine", [True])
        rpc(node.url, "evm_mine")  # the old bid is mined
        drive(after, w3)
        assert after.log.events("inherited_txs_done")
        assert not after.log.events("enter")
        assert world.pools[0].active_auctions() == ids
        finish(world, after, w3)
