"""The keeper against a real anvil: the whole life of several pools' auctions, driven by
``Keeper.step()``: entering when the lot first allows it, being outbid, ticking unbid auctions
until the lot suits a pool, finalizing won and lost positions; then dry-run and a ceased pool."""

from __future__ import annotations

import pytest
from eth_account import Account

from backstop.chain import connect
from backstop.keeper import EventLog, Keeper, KeeperSettings
from backstop.keeper.scenario import (
    build_world,
    drive,
    pool_outcome,
    world_problems,
)
from backstop.maker.scenario import fund_dai
from backstop.testing.anvil import DEV_KEYS, rpc
from backstop.units import Wad

pytestmark = pytest.mark.anvil

DEPLOYER = Account.from_key(DEV_KEYS[0]).address
KEEPER = Account.from_key(DEV_KEYS[1])
MEMBER = Account.from_key(DEV_KEYS[2]).address
BIDDER = Account.from_key(DEV_KEYS[3]).address


@pytest.fixture(scope="module")
def base(node):
    """Two pools, 250 and 180 DAI/MKR, each with DAI for two bids; a snapshot to return to."""
    w3 = connect(node.url)
    world = build_world(w3, DEPLOYER, MEMBER, prices=[250, 180], deposits=[100_000, 100_000])
    return world, rpc(node.url, "evm_snapshot")


@pytest.fixture
def fresh(node, base):
    """The world at its snapshot (reverted after the test, with a new snapshot taken)."""
    world, _ = base
    snap = rpc(node.url, "evm_snapshot")
    yield world
    rpc(node.url, "evm_revert", [snap])


def keeper_for(world, **settings) -> Keeper:
    cfg = KeeperSettings(pools=tuple(world.pool_addresses), **settings)
    return Keeper(world.w3, KEEPER, None, cfg, log=EventLog(quiet=True))


def test_full_lifecycle_with_two_pools(fresh):
    world = fresh
    p250, p180 = world.pools
    ids = world.kick(5)
    keeper = keeper_for(world, tick=True)

    drive(keeper, world.w3)  # the 250 pool enters the first two (its DAI allows two bids)
    assert p250.active_auctions() == ids[:2]
    assert p180.active_auctions() == []

    world.outbid(BIDDER, ids[1])  # an outside bidder asks less MKR in the second
    drive(keeper, world.w3)  # outbid -> finalized: the refund is owed to the pool's members
    assert p250.active_auctions() == [ids[0]]
    finals = keeper.log.events("finalize")
    assert [(r["auction"], r["why"]) for r in finals] == [(ids[1], "outbid")]
    # the second bid drained the pool (a new era): its members take the refund at once from
    # their era's redeem request (position 1 is still open) and enlist it again
    p250.claim(MEMBER)  # the checkpoint turns the era's shares into the request
    (request,) = p250.requests(MEMBER)
    refund, _ = p250.claim_redeem(MEMBER, request.request_id, MEMBER)
    assert Wad.from_number(50_000) - refund <= Wad(2)
    world.deposits[p250.address] -= refund
    p250.approve_and_enlist(MEMBER, refund)  # a new era: shares at once, and it bids
    world.deposits[p250.address] += refund
    drive(keeper, world.w3)
    assert p250.active_auctions() == [ids[0], ids[2]]

    world.advance(3_601)  # every auction ends: won ones dealt, unbid ones ticked
    drive(keeper, world.w3)
    assert sorted(r["auction"] for r in keeper.log.events("tick")) == ids[3:]
    assert p180.active_auctions() == ids[3:]  # after one tick the lot (300) suits 180 DAI/MKR
    assert p250.active_auctions() == []

    world.advance(601)  # the 180 pool's bids expire: it won both
    drive(keeper, world.w3)
    assert p180.active_auctions() == []

    assert world_problems(world) == []
    got250, got180 = pool_outcome(world, p250), pool_outcome(world, p180)
    assert got250.mkr_balance == Wad.from_number(400)  # auctions 1 and 3 at 200 MKR each
    assert got250.dai_balance <= Wad(2)  # all bid: at most the refund's rounding is left
    assert got180.mkr_balance == Wad.parse("277.777777777777777778") + Wad.parse(
        "277.777777777777777778")
    assert world.core.flopper.bids(ids[1]).guy == BIDDER  # the outside winner keeps its own
    m = keeper.metrics
    assert m.value("entered") == 5 and m.value("finalized") == 5
    assert m.value("ticks") == 2


def test_dry_run_logs_and_sends_nothing(fresh):
    world = fresh
    ids = world.kick(2)
    keeper = Keeper(world.w3, None, None, KeeperSettings(pools=tuple(world.pool_addresses),
                                                         dry_run=True), log=EventLog(quiet=True))
    keeper.step()
    world.advance(1)
    keeper.step()
    would = keeper.log.events("would_enter")
    assert [r["auction"] for r in would] == ids  # logged once each, not once per block
    assert world.pools[0].active_auctions() == []
    assert world.w3.eth.get_transaction_count(KEEPER.address) == 0


def test_a_ceased_pool_is_not_entered_but_still_finalized(fresh):
    world = fresh
    p250, p180 = world.pools
    ids = world.kick(1)
    keeper = keeper_for(world, tick=True)
    drive(keeper, world.w3)
    assert p250.active_auctions() == ids
    world.factory.cease_fire(DEPLOYER, Wad.from_number(250))
    more = world.kick(1)
    world.advance(3_601)
    drive(keeper, world.w3)
    assert p250.active_auctions() == []  # the won auction was still finalized
    assert more[0] not in p250.active_auctions()
    assert p180.active_auctions() == more  # ticked, then the open pool took it
    assert pool_outcome(world, p250).mkr_balance == Wad.from_number(200)


def test_factory_mode_picks_up_pools_created_while_running(fresh):
    world = fresh
    keeper = Keeper(world.w3, KEEPER, None,
                    KeeperSettings(factory=world.factory.address, tick=True),
                    log=EventLog(quiet=True))
    keeper.step()
    assert keeper.pools == world.pool_addresses
    newcomer = world.factory.create_pool(DEPLOYER, Wad.from_number(300))
    fund_dai(world.core, MEMBER, Wad.from_number(50_000), sender=DEPLOYER)
    world.core.dai.approve(MEMBER, newcomer.address, Wad.from_number(50_000))
    newcomer.enlist(MEMBER, Wad.from_number(50_000))
    world.deposits[newcomer.address] = Wad.from_number(50_000)
    world.pools.append(newcomer)
    try:
        ids = world.kick(1)
        drive(keeper, world.w3)
        assert newcomer.address in keeper.pools
        assert newcomer.active_auctions() == ids  # 300 DAI/MKR asks least: it takes the lot
        world.advance(601)
        drive(keeper, world.w3)
        assert world_problems(world) == []
    finally:
        world.pools.remove(newcomer)
        del world.deposits[newcomer.address]


def test_global_settlement_the_pools_bids_are_yanked_back(fresh):
    world = fresh
    p250, _ = world.pools
    ids = world.kick(2)
    keeper = keeper_for(world)
    drive(keeper, world.w3)
    assert p250.active_auctions() == ids
    world.core.flopper.cage(DEPLOYER)  # global settlement
    drive(keeper, world.w3)
    finals = keeper.log.events("finalize")
    assert {r["auction"] for r in finals} == set(ids)
    assert {r["why"] for r in finals} == {"flopper caged: yank the bid"}
    assert p250.active_auctions() == []
    assert world_problems(world) == []  # both bids back as Vat DAI, nothing lost
    # both bids back as Vat DAI, owed to the members who funded them (the pool is drained)
    assert pool_outcome(world, p250).dai_held == Wad.from_number(100_000)
    p250.claim(MEMBER)  # the member's checkpoint: the drained era's shares become a request
    (request,) = p250.requests(MEMBER)
    paid, _ = p250.claim_redeem(MEMBER, request.request_id, MEMBER)
    assert Wad.from_number(100_000) - paid <= Wad(4)


def test_discovery_reads_kick_logs_in_chunks_from_the_given_block(fresh):
    world = fresh
    old = world.kick(2)
    start = world.w3.eth.block_number + 1
    new = world.kick(2)
    keeper = keeper_for(world, log_chunk_blocks=2, dry_run=True)
    keeper.step()
    assert sorted(keeper.followed) == old + new
    late = keeper_for(world, from_block=start, dry_run=True)
    late.step()
    # auctions kicked before --from-block are not looked for (no pool holds them)
    assert sorted(late.followed) == new
