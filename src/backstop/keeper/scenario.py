"""A small world for the keeper's tests and benchmark, on any chain: the Maker core with short
auction times, a factory with pools at given prices, members' DAI in them, auctions to kick,
an outside bidder, and the end-state checks (entered, finalized, no DAI or MKR lost)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from web3 import Web3

from backstop.chain.dev import install_multicall3
from backstop.maker import MakerParams, deploy_core
from backstop.maker._tx import Sender, address_of
from backstop.maker.handles import MakerCore
from backstop.maker.scenario import advance, fund_dai, fund_vat_dai, kick_auctions
from backstop.pool.deploy import deploy_factory
from backstop.pool.handles import Factory, Pool
from backstop.units import WAD, Rad, Wad

# Short auctions so tests move time in seconds: a bid lives 10 minutes, an auction 1 hour.
FAST_PARAMS = MakerParams().with_(ttl=600, tau=3_600, wait=0)


@dataclass
class KeeperWorld:
    """The contracts and actors of one keeper scenario."""

    w3: Web3
    core: MakerCore
    factory: Factory
    pools: list[Pool]
    deployer: Sender
    member: Sender
    deposits: dict[str, Wad] = field(default_factory=dict)

    @property
    def pool_addresses(self) -> list[str]:
        """The pools' addresses."""
        return [p.address for p in self.pools]

    def kick(self, n: int) -> list[int]:
        """Kick ``n`` debt auctions (50,000 DAI for 250 MKR each, by default)."""
        return kick_auctions(self.core, n, sender=self.deployer)

    def advance(self, seconds: int) -> int:
        """Move chain time and mine one block."""
        return advance(self.w3, seconds)

    def outbid(self, bidder: Sender, auction_id: int) -> Wad:
        """``bidder`` asks ``beg`` less MKR than the current lot (given the Vat DAI it needs)."""
        flopper = self.core.flopper
        bid = flopper.bids(auction_id)
        beg = flopper.beg().raw
        lot = bid.lot.raw * WAD // beg
        who = address_of(bidder)
        fund_vat_dai(self.core, who, bid.bid, sender=self.deployer)
        if not self.core.vat.can(who, flopper.address):
            self.core.vat.hope(bidder, flopper.address)
        flopper.dent(bidder, auction_id, Wad(lot), bid.bid)
        return Wad(lot)


def build_world(w3: Web3, deployer: Sender, member: Sender, prices: Sequence[int],
                deposits: Sequence[int], params: MakerParams = FAST_PARAMS) -> KeeperWorld:
    """Deploy the core and a factory, one pool per price (whole DAI per MKR) and enlist
    ``deposits`` (whole DAI) of the member's DAI in each."""
    core = deploy_core(w3, deployer, params)
    install_multicall3(w3)
    factory = deploy_factory(w3, deployer, core)
    pools = [factory.create_pool(deployer, Wad.from_number(p)) for p in prices]
    world = KeeperWorld(w3, core, factory, pools, deployer, member)
    fund_dai(core, address_of(member), Wad.from_number(sum(deposits)), sender=deployer)
    for pool, amount in zip(pools, deposits, strict=True):
        if amount:
            pool.approve_and_enlist(member, Wad.from_number(amount))
        world.deposits[pool.address] = Wad.from_number(amount)
    return world


@dataclass(frozen=True)
class PoolOutcome:
    """What happened to one pool, from its events and balances."""

    entered: dict[int, tuple[Wad, Wad]]  # id -> (ask MKR, bid DAI)
    settled: dict[int, tuple[Wad, Wad]]  # id -> (DAI back, MKR got)
    active: list[int]
    dai_balance: Wad
    mkr_balance: Wad
    mkr_held: Wad  # MKR.balanceOf(pool)
    dai_held: Wad  # ERC20 DAI + Vat DAI (whole wads) the pool holds


def pool_outcome(world: KeeperWorld, pool: Pool, from_block: int = 0) -> PoolOutcome:
    """The pool's entries, settlements and balances now."""
    entered: dict[int, tuple[Wad, Wad]] = {}
    for ev in pool.events("AuctionEntered", from_block):
        entered[int(ev["args"]["auctionId"])] = (Wad(ev["args"]["mkrAsk"]),
                                                 Wad(ev["args"]["daiBid"]))
    settled: dict[int, tuple[Wad, Wad]] = {}
    for ev in pool.events("PositionSettled", from_block):
        aid = int(ev["args"]["auctionId"])
        if aid in settled:
            raise AssertionError(f"auction {aid} settled twice for {pool.address}")
        settled[aid] = (Wad(ev["args"]["dai"]), Wad(ev["args"]["mkr"]))
    core = world.core
    vat_dai: Rad = core.vat.dai(pool.address)
    return PoolOutcome(entered, settled, pool.active_auctions(), pool.dai_balance(),
                       pool.mkr_balance(), core.mkr.balance_of(pool.address),
                       core.dai.balance_of(pool.address) + vat_dai.to_wad())


def check_nothing_lost(world: KeeperWorld, pool: Pool, outcome: PoolOutcome) -> list[str]:
    """Every entered auction finalized once; the DAI and MKR the pool holds are exactly its
    deposits less the bids it won plus the lots it won. Returns the problems found."""
    problems: list[str] = []
    if outcome.active:
        problems.append(f"{pool.address}: auctions still active {outcome.active}")
    if set(outcome.entered) != set(outcome.settled):
        problems.append(f"{pool.address}: entered {sorted(outcome.entered)} but settled "
                        f"{sorted(outcome.settled)}")
    won_dai = Wad(0)
    won_mkr = Wad(0)
    for aid, (dai_back, mkr_got) in outcome.settled.items():
        ask, bid = outcome.entered.get(aid, (Wad(0), Wad(0)))
        if mkr_got == ask and dai_back == Wad(0):
            won_dai, won_mkr = won_dai + bid, won_mkr + mkr_got
        elif not (dai_back == bid and mkr_got == Wad(0)):
            problems.append(f"{pool.address}: auction {aid} settled {dai_back} DAI and "
                            f"{mkr_got} MKR for a bid of {bid} DAI asking {ask} MKR")
    # the pool holds every deposit less the bids it won (its books split it between the
    # liquid DAI and what members are owed: refunds belong to the members of their position)
    expected_dai = world.deposits[pool.address] - won_dai
    if outcome.dai_held != expected_dai or outcome.dai_balance > expected_dai:
        problems.append(f"{pool.address}: DAI {outcome.dai_balance} liquid or in bids, "
                        f"{outcome.dai_held} held, {expected_dai} expected")
    if outcome.mkr_balance != won_mkr or outcome.mkr_held != won_mkr:
        problems.append(f"{pool.address}: MKR {outcome.mkr_balance} booked, {outcome.mkr_held} "
                        f"held, {won_mkr} expected")
    return problems


def world_problems(world: KeeperWorld) -> list[str]:
    """``check_nothing_lost`` for every pool."""
    out: list[str] = []
    for pool in world.pools:
        out += check_nothing_lost(world, pool, pool_outcome(world, pool))
    return out


def describe(world: KeeperWorld) -> dict[str, Any]:
    """A summary for failure messages."""
    return {p.address: pool_outcome(world, p) for p in world.pools}


def drive(keeper: Any, w3: Web3, max_steps: int = 50) -> list[Any]:
    """Step the keeper until it has nothing left to do in the current chain state: it steps,
    its transactions are mined (automine, or a block mined here when nothing came), and it
    stops when a step on a new block decides nothing and nothing is in flight."""
    results = []
    for _ in range(max_steps):
        r = keeper.step()
        results.append(r)
        if r.error:
            continue
        if not r.decisions and not keeper.in_flight and r.new_block:
            return results
        if not r.new_block or keeper.in_flight:
            w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    raise AssertionError(f"the keeper did not settle in {max_steps} steps")


def make_keeper(w3: Web3, world: KeeperWorld, account: Any, **settings: Any) -> Any:
    """A quiet keeper of the world's pools sending from ``account`` (its events in its log)."""
    from backstop.keeper import EventLog, Keeper, KeeperSettings

    cfg = KeeperSettings(pools=tuple(world.pool_addresses), **settings)
    return Keeper(w3, account, None, cfg, log=EventLog(quiet=True))


def finish(world: KeeperWorld, keeper: Any, w3: Web3 | None = None) -> None:
    """Let every bid expire, let the keeper finalize, check nothing is left or lost."""
    world.advance(601)
    drive(keeper, w3 or world.w3)
    assert world.pools[0].active_auctions() == []
    assert world_problems(world) == []
