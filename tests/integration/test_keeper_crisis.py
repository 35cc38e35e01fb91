"""The keeper and the chain layer against real nodes' odd answers (issue 12), on real anvil
behind the fault proxy: a node that caps batches, a send answered with garbage or null or not at
all, null inside a read batch, half of all requests failing, several keepers on the same pools,
a base-fee spike with no fee cap given, several endpoints of which one is down or stale. Each
test ends with the chain's own account: entered, finalized, nothing bid twice or lost."""

from __future__ import annotations

from collections import Counter

import pytest
from eth_account import Account

from backstop.chain import connect
from backstop.keeper import scenario
from backstop.keeper.scenario import build_world, drive, finish
from backstop.testing.anvil import DEV_KEYS, rpc, start_anvil
from backstop.testing.rpc_proxy import RpcProxy

pytestmark = pytest.mark.anvil

DEPLOYER = Account.from_key(DEV_KEYS[0]).address
KEEPER = Account.from_key(DEV_KEYS[1])
OTHER = Account.from_key(DEV_KEYS[3])
MEMBER = Account.from_key(DEV_KEYS[2]).address
GWEI = 10**9
BIDS = 24  # DAI for this many bids of 50,000


@pytest.fixture(scope="module")
def base(node):
    """One pool at 250 DAI/MKR (it can enter every auction at kick) with DAI for 24 bids."""
    return build_world(connect(node.url), DEPLOYER, MEMBER, prices=[250],
                       deposits=[50_000 * BIDS])


@pytest.fixture
def proxy(node):
    with RpcProxy(node.url, timeout_hold=3.0, seed=7) as running:
        yield running


def make_keeper(w3, world, account=KEEPER, **settings):
    return scenario.make_keeper(w3, world, account, **settings)


def entered(world) -> list[int]:
    """The pool's positions, in id order (the pool lists them in the order it took them)."""
    return sorted(world.pools[0].active_auctions())


def test_a_node_that_caps_batches_is_served_in_chunks_it_accepts(node, world, proxy):
    ids = world.kick(12)
    proxy.batch_limit = 8  # a node with a small BatchRequestLimit (geth's answer when above)
    w3 = connect(proxy.url)  # the keeper does not know the limit: it finds it
    keeper = make_keeper(w3, world)
    drive(keeper, w3)
    assert entered(world) == ids
    assert proxy.refused_batches >= 1
    assert not keeper.log.events("rpc_error")  # refusals never failed a step
    proxy.reset_counts()
    refused = proxy.refused_batches
    finish(world, keeper, w3)
    assert proxy.refused_batches - refused <= 3  # it found the limit: few refusals after


def test_a_configured_batch_limit_is_never_exceeded(node, world, proxy):
    ids = world.kick(12)
    w3 = connect(proxy.url, batch_limit=5)
    keeper = make_keeper(w3, world)
    drive(keeper, w3)
    assert entered(world) == ids
    finish(world, keeper, w3)
    assert 1 <= proxy.largest_batch <= 5


@pytest.mark.parametrize("answer", ["garbage", "null", "close", "error"])
def test_an_odd_answer_to_a_send_never_wedges_the_account(node, world, proxy, answer):
    """The first send gets no usable answer (garbage and null: the node took it; close and
    error: it never got there). The keeper keeps the nonce and its own hash, the poll decides;
    later transactions are not stuck behind it."""
    first = world.kick(1)
    w3 = connect(proxy.url)
    keeper = make_keeper(w3, world)
    proxy.fail_next(4 if answer in ("close", "error") else 1, answer,
                    methods={"eth_sendRawTransaction"})
    drive(keeper, w3)
    assert entered(world) == first
    assert not keeper.sender.in_flight
    (sent,) = [r for r in keeper.log.events("enter")]
    assert sent["tx"].startswith("0x") and len(sent["tx"]) == 66
    second = world.kick(1)  # the account is not wedged: the next bid goes through
    drive(keeper, w3)
    assert entered(world) == first + second
    assert len(keeper.log.events("enter")) == 2  # one bid per auction
    finish(world, keeper, w3)
    assert len(keeper.log.events("tx_mined")) == 4  # two bids, two finalizations


def test_null_inside_a_read_batch_is_a_node_fault_not_a_crash(node, world, proxy):
    ids = world.kick(2)
    w3 = connect(proxy.url, retries=0)
    keeper = make_keeper(w3, world)
    keeper.step()
    proxy.fail_next(1, "null", methods={"eth_call"})
    world.advance(1)
    result = keeper.step()  # every call answered null: a node fault, not a crash
    assert result.error and keeper.log.events("rpc_error")
    drive(keeper, w3)
    assert entered(world) == ids
    finish(world, keeper, w3)


def test_half_of_all_requests_failing_delays_the_keeper_by_at_most_three_blocks(
        node, world, proxy):
    ids = world.kick(4)
    w3 = connect(proxy.url)
    keeper = make_keeper(w3, world)
    proxy.error_rate = 0.5
    rpc(node.url, "evm_setAutomine", [False])
    start = int(rpc(node.url, "eth_blockNumber"), 16)
    for _ in range(3):
        keeper.step()
        rpc(node.url, "evm_mine")
        if entered(world) == ids:
            break
    assert entered(world) == ids, keeper.log.events("rpc_error")
    assert int(rpc(node.url, "eth_blockNumber"), 16) - start <= 3
    assert proxy.faults_injected > 0
    proxy.error_rate = 0.0
    rpc(node.url, "evm_setAutomine", [True])
    finish(world, keeper, w3)


def test_requests_hanging_past_the_timeout_delay_the_keeper_by_a_few_blocks(node, world,
                                                                         proxy):
    ids = world.kick(4)
    w3 = connect(proxy.url, timeout=2.0, read_timeout=0.5)
    keeper = make_keeper(w3, world)
    proxy.timeout_rate = 0.1  # one request in ten hangs (3 s) past the client's timeout
    rpc(node.url, "evm_setAutomine", [False])
    blocks = 0
    while entered(world) != ids and blocks < 4:
        keeper.step()
        rpc(node.url, "evm_mine")
        blocks += 1
    assert entered(world) == ids
    proxy.timeout_rate = 0.0
    rpc(node.url, "evm_setAutomine", [True])
    finish(world, keeper, w3)


def test_two_keepers_on_the_same_pools_send_one_bid_per_auction(node, world, proxy):
    ids = world.kick(6)
    rpc(node.url, "evm_setAutomine", [False])
    w3 = connect(proxy.url)
    a = make_keeper(w3, world, keepers=2, keeper_index=0)
    b = make_keeper(w3, world, OTHER, keepers=2, keeper_index=1)
    for _ in range(3):
        a.step()
        b.step()
        rpc(node.url, "evm_mine")
    assert entered(world) == ids
    sent = Counter(r["auction"] for k in (a, b) for r in k.log.events("enter"))
    assert sent == dict.fromkeys(ids, 1)
    assert {r["auction"] % 2 for r in a.log.events("enter")} == {0}
    assert {r["auction"] % 2 for r in b.log.events("enter")} == {1}
    rpc(node.url, "evm_setAutomine", [True])
    finish(world, a, w3)


def test_a_quiet_keepers_share_is_taken_over(node, world, proxy):
    ids = world.kick(4)
    rpc(node.url, "evm_setAutomine", [False])
    w3 = connect(proxy.url)
    alone = make_keeper(w3, world, keepers=2, keeper_index=0, takeover_blocks=2)
    for _ in range(4):  # keeper 1 never shows up
        alone.step()
        rpc(node.url, "evm_mine")
    assert entered(world) == ids
    taken = {r["auction"] for r in alone.log.events("take_over")}
    assert taken == {i for i in ids if i % 2 == 1}
    rpc(node.url, "evm_setAutomine", [True])
    finish(world, alone, w3)


def test_racing_keepers_simulate_on_pending_and_do_not_send_a_doomed_bid(node, world, proxy):
    """Two keepers that do not split the auctions, in the same block: the second one's
    simulation runs on the pending block, where the first one's bid already is."""
    ids = world.kick(3)
    rpc(node.url, "evm_setAutomine", [False])
    w3 = connect(proxy.url)
    a = make_keeper(w3, world)
    b = make_keeper(w3, world, OTHER)
    a.step()
    b.step()
    assert len(a.log.events("enter")) == 3
    assert not b.log.events("enter")
    assert len(b.log.events("dropped")) == 3
    rpc(node.url, "evm_setAutomine", [True])
    rpc(node.url, "evm_mine")
    assert entered(world) == ids
    finish(world, a, w3)


def test_a_base_fee_spike_without_a_fee_cap_is_not_paid(node, world, proxy):
    """No --max-fee-gwei: the cap follows from the DAI at stake (50,000 DAI, 0.1%, at 3,000
    DAI per ETH for 200,000 gas: 83 gwei); a 1000x base fee (1,000 gwei) is waited out."""
    ids = world.kick(1)
    w3 = connect(proxy.url)
    keeper = make_keeper(w3, world)
    rpc(node.url, "anvil_setNextBlockBaseFeePerGas", [hex(1_000 * GWEI)])
    rpc(node.url, "evm_mine")
    keeper.step()
    assert keeper.log.events("fee_above_cap")
    assert not keeper.log.events("enter")
    assert entered(world) == []
    rpc(node.url, "anvil_setNextBlockBaseFeePerGas", [hex(GWEI)])
    rpc(node.url, "evm_mine")
    drive(keeper, w3)
    assert entered(world) == ids
    (mined,) = keeper.log.events("tx_mined")
    assert mined["label"].startswith("enter:")
    finish(world, keeper, w3)


def test_several_endpoints_fail_over_and_a_stale_one_is_left(node):
    other = start_anvil()
    try:
        with RpcProxy(node.url) as down, RpcProxy(node.url) as up:
            down.refuse()
            w3 = connect(f"{down.url},{up.url}")
            assert w3.eth.block_number == int(rpc(node.url, "eth_blockNumber"), 16)
            assert w3.provider.active_url == up.url and up.requests >= 1
        # a fresh node (block 0) first, the real one second: the heads are compared
        rpc(node.url, "evm_mine")
        w3 = connect(f"{other.url},{node.url}")
        assert w3.eth.block_number == 0
        heads = w3.provider.compare_heads()
        assert heads[other.url] == 0 and heads[node.url] >= 3
        assert w3.provider.active_url == node.url
        assert w3.eth.block_number == heads[node.url]
    finally:
        other.stop()
