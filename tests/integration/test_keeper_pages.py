"""A pool with more positions than one page of its listing (1,000), on real anvil: a keeper
restarted with them sees every position at once, the one past the first page that an outside
bidder took over included, and settles them all (issue 12, finding 6)."""

from __future__ import annotations

import pytest
from eth_account import Account

from backstop.chain import connect
from backstop.chain.dev import mine, set_automine, time_travel
from backstop.keeper import EventLog, Keeper, KeeperSettings
from backstop.keeper.bench import GAS_LIMIT, PRICE, kick_in_one_block, send_in_one_block
from backstop.keeper.decide import Action
from backstop.keeper.reader import POOL_PAGE, TICK, calldata
from backstop.keeper.scenario import FAST_PARAMS, build_world, drive, world_problems
from backstop.testing.anvil import DEV_KEYS, start_anvil

pytestmark = pytest.mark.anvil

DEPLOYER = Account.from_key(DEV_KEYS[0]).address
MEMBER = Account.from_key(DEV_KEYS[2]).address
BIDDER = Account.from_key(DEV_KEYS[4]).address
AUCTIONS = POOL_PAGE + 3


def _keeper(w3, pools) -> Keeper:
    return Keeper(w3, Account.from_key(DEV_KEYS[1]), list(pools),
                  KeeperSettings(pools=tuple(pools)), log=EventLog(quiet=True, keep=100_000))


def _held(pool) -> set[int]:
    """Every position the pool lists, page by page."""
    out: set[int] = set()
    start = 0
    while True:
        ids, start = pool.contract.functions.getActiveAuctionsFrom(start, POOL_PAGE).call()
        out.update(ids)
        if start == 0:
            return out


def test_a_restarted_keeper_sees_and_settles_positions_past_the_first_page():
    with start_anvil("--gas-limit", str(GAS_LIMIT)) as anvil:
        w3 = connect(anvil.url, timeout=120, read_timeout=120)
        world = build_world(w3, DEPLOYER, MEMBER, prices=[PRICE],
                            deposits=[50_000 * AUCTIONS], params=FAST_PARAMS)
        pool = world.pools[0]
        ids = kick_in_one_block(w3, world, DEPLOYER, AUCTIONS)
        time_travel(w3, FAST_PARAMS.tau + 1)  # expired unbid; one tick makes each biddable
        ticks = [(world.core.flopper.address, calldata(TICK, i)) for i in ids]
        send_in_one_block(w3, DEPLOYER, ticks, gas=200_000)
        set_automine(w3, True)
        first = _keeper(w3, world.pool_addresses)
        drive(first, w3)
        assert _held(pool) == set(ids)
        assert len(pool.active_auctions()) == POOL_PAGE  # one page: the rest is on the next
        # an outside bidder takes over a position past the first page
        last = max(set(ids) - set(pool.active_auctions()))
        world.outbid(BIDDER, last)
        assert world.core.flopper.bids(last).guy == BIDDER

        restarted = _keeper(w3, world.pool_addresses)  # no state from the first run
        first_step = restarted.step()  # start (every page of the listing), then a step
        (started,) = restarted.log.events("started")
        assert started["auctions"] >= AUCTIONS
        # the position past the first page is seen at once, and settled: its DAI came back
        assert [(d.action, d.auction_id) for d in first_step.decisions] == [
            (Action.FINALIZE, last)]
        tic = max(world.core.flopper.bids(i).tic for i in ids)
        time_travel(w3, tic - int(w3.eth.get_block("latest")["timestamp"]) + 1)
        mine(w3)
        step = restarted.step()  # every other position settles at once
        assert {d.auction_id for d in step.decisions} == set(ids) - {last}
        drive(restarted, w3, max_steps=100)
        assert _held(pool) == set()
        assert world_problems(world) == []
