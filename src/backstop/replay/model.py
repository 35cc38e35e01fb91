"""The replay's simulation logic, independent of any chain.

``run(scenario, engine)`` drives a market of outside bidders, a syndicate pool and its keeper
through a scenario in time order. Everything it does goes through an ``Engine``: ``ModelEngine``
(here) applies the Flopper's rules in pure Python; ``backstop.replay.chain.ChainEngine`` sends
real transactions to a chain and reads the state back. Both run the same bidder strategies.

Flopper rules used (dss flop.sol, March 2020 parameters):
  dent: live auction (end > now, tic == 0 or tic > now), same bid, lot < current lot and
        beg * lot <= current lot * WAD; the new high bidder's bid is taken, the previous one
        refunded at once; tic = now + ttl.
  tick: end < now and tic == 0: lot = lot * pad / WAD, end = now + tau.
  deal: tic != 0 and (tic < now or end < now): MKR lot minted to the high bidder.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from backstop.maker.rules import deal_ready, dent_open, tick_ready
from backstop.replay.scenario import AuctionParams, Bidder, Scenario, Style, Wave
from backstop.units import RAY, WAD

VOW = "vow"
POOL = "pool"
ROUND = 600  # seconds between bidding rounds while the market is active
MARGIN = 60  # seconds past an expiry before acting on it
MAX_DAYS = 120  # a scenario that has not settled by then never will


@dataclass
class AuctionView:
    """One auction as ``bids(id)`` shows it; ``guy`` is a name (bidder, ``pool`` or ``vow``),
    an empty string once the auction is dealt (deleted)."""

    id: int
    bid: int  # rad
    lot: int  # wad
    guy: str
    tic: int
    end: int

    @property
    def dealt(self) -> bool:
        """Deleted by deal (``bids(id)`` reads all zeros)."""
        return self.guy == "" and self.lot == 0

    def biddable(self, now: int) -> bool:
        """Whether dent is possible at ``now``."""
        return not self.dealt and dent_open(self.tic, self.end, now)

    def dealable(self, now: int) -> bool:
        """Whether deal is possible at ``now``."""
        return not self.dealt and deal_ready(self.tic, self.end, now)

    def expired_unbid(self, now: int) -> bool:
        """Whether tick is possible at ``now``."""
        return not self.dealt and tick_ready(self.tic, self.end, now)


# ---- strategies (pure functions, shared by the model and the chain) ------------------------------

def legal(lot: int, current: int, params: AuctionParams) -> bool:
    """The Flopper's dent condition on the lot: smaller, and by at least ``beg``."""
    return 0 < lot < current and params.beg * lot <= current * WAD


def outside_bid(style: Style, valuation: int, current: int, params: AuctionParams) -> int | None:
    """The lot an outside bidder asks for against ``current``, or None if it does not bid.

    STEP: the largest legal lot (one beg step), if its price is within the valuation.
    QUOTE: the lot at exactly the valuation (rounded up: never above it), if legal.
    """
    if style is Style.STEP:
        lot = current * WAD // params.beg  # rounded down: beg * lot <= current * WAD
        if lot > 0 and params.bid_wad * WAD <= valuation * lot and legal(lot, current, params):
            return lot
        return None
    lot = -(-params.bid_wad * WAD // valuation)
    return lot if legal(lot, current, params) else None


def pool_ask(price: int, params: AuctionParams) -> int:
    """The lot the pool asks at its committed price (the bid divided by the price)."""
    return params.bid_wad * WAD // price


# ---- the engine interface ----------------------------------------------------------------------

class Engine(Protocol):
    """What the driver needs from a chain (or from the model)."""

    def now(self) -> int: ...
    def advance(self, seconds: int) -> None: ...
    def enlist_all(self, amounts: Sequence[int]) -> None: ...
    def fund_bidder(self, name: str, rad: int) -> None: ...  # ``rad`` more Vat DAI
    def kick(self, n: int) -> list[int]: ...
    def auctions(self, ids: Iterable[int]) -> dict[int, AuctionView]: ...
    def dent(self, name: str, auction_id: int, lot: int) -> bool: ...
    def deal(self, name: str, auction_id: int) -> bool: ...
    def flush(self) -> list[tuple[str, str, int]]: ...  # send queued bids/deals; the failures
    def keeper_step(self) -> Iterable[int]: ...
    def defect_everyone(self) -> list[tuple[int, int]]: ...
    def enlist_late(self, amounts: Sequence[int]) -> None: ...


# ---- the outcome -------------------------------------------------------------------------------

@dataclass
class AuctionResult:
    """How one auction ended."""

    id: int
    wave: str
    kicked_at: int
    lot: int = 0  # MKR minted (wad)
    bid: int = 0  # DAI raised (wad)
    winner: str = ""
    dealt_at: int = 0
    restarts: int = 0
    bids: int = 0

    @property
    def price(self) -> int:
        """Clearing price (wad DAI/MKR, rounded down)."""
        return self.bid * WAD // self.lot if self.lot else 0


@dataclass
class MemberResult:
    """What one syndicate member put in and took out."""

    deposit: int
    dai_back: int = 0
    mkr_back: int = 0
    late: bool = False  # joined after the pool's first win


@dataclass
class Outcome:
    """Everything a replay produced, in plain integers."""

    scenario: str
    auctions: dict[int, AuctionResult] = field(default_factory=dict)
    members: list[MemberResult] = field(default_factory=list)
    pool_price: int = 0
    transactions: int = 0
    bidders: set[str] = field(default_factory=set)  # outside bidders that placed a bid
    start: int = 0
    finish: int = 0
    late_joined_at: int = 0  # when the late members enlisted (0: none)

    def by_wave(self) -> dict[str, list[AuctionResult]]:
        """Auction results grouped by wave, in kick order."""
        out: dict[str, list[AuctionResult]] = {}
        for r in sorted(self.auctions.values(), key=lambda r: r.id):
            out.setdefault(r.wave, []).append(r)
        return out


# ---- the driver --------------------------------------------------------------------------------

def interested_steppers(index: int, steppers: list[Bidder]) -> list[Bidder]:
    """The two step bidders that follow auction number ``index`` (0-based, in kick order)."""
    n = len(steppers)
    if n == 0:
        return []
    return [steppers[(2 * index) % n], steppers[(2 * index + 1) % n]]


class Driver:
    """Runs a scenario on an engine: kicks the waves, lets bidders and the keeper act in rounds,
    advances time to the next event when nothing happens, deals, and finally lets every member
    defect."""

    def __init__(self, scenario: Scenario, engine: Engine,
                 progress: Callable[[int, int], None] | None = None) -> None:
        self.s = scenario
        self.e = engine
        self.progress = progress or (lambda done, total: None)
        self.outcome = Outcome(scenario.name, pool_price=scenario.pool_price)
        self.wave_of: dict[int, str] = {}
        self.index_of: dict[int, int] = {}
        self.steppers = [b for b in scenario.bidders if b.style is Style.STEP]
        self.quoters = [b for b in scenario.bidders if b.style is Style.QUOTE]
        self.seen: dict[int, AuctionView] = {}  # last state read of each auction not yet dealt
        self.views: dict[int, AuctionView] = {}  # what we know of every live auction now
        self._waves: list[Wave] = []  # waves not kicked yet
        # called (with this driver) where the late members are about to join: the moment the
        # same scenario without them can go on from (``branch``, then ``resume``)
        self.fork: Callable[[Driver], None] | None = None
        self._fork_now = 0

    # ---- phases ----
    def run(self) -> Outcome:
        """Play the whole scenario and return its outcome."""
        self.outcome.start = self.e.now()
        self.e.enlist_all(self.s.members)
        self._waves = sorted(self.s.waves, key=lambda w: w.kick_at)
        return self._play(resume_at=None)

    def branch(self) -> Driver:
        """A copy of this driver as it is now (for ``fork``): its own books, the engine and
        the scenario's bidders and waves shared (they never change)."""
        keep: dict[int, Any] = {id(self.e): self.e, id(self.s): self.s,
                                id(self.progress): self.progress, id(self.fork): None}
        keep.update((id(x), x) for x in (*self.s.bidders, *self.s.waves))
        return copy.deepcopy(self, keep)

    def resume(self, scenario: Scenario, progress: Callable[[int, int], None] | None = None
               ) -> Outcome:
        """Go on, as ``scenario``, from where the driver this one was branched from called
        ``fork`` (the engine's chain put back to that moment first): the scenarios must be
        the same up to there, and this one has no late members."""
        if scenario.late_members:
            raise ValueError("a resumed scenario cannot have late members: it went on "
                             "from where they joined")
        self.s = scenario
        self.outcome.scenario = scenario.name
        self.progress = progress or (lambda done, total: None)
        return self._play(resume_at=self._fork_now)

    def _play(self, resume_at: int | None) -> Outcome:
        waves = self._waves
        total = self.s.total_auctions
        while True:
            if resume_at is None:
                now = self.e.now()
                while waves and self.s.start + waves[0].kick_at <= now:
                    self._kick_wave(waves.pop(0))
                self._read(set(self.e.keeper_step()) & set(self.views))
            else:
                now, resume_at = resume_at, None
            if self.s.late_members and not self.outcome.late_joined_at and any(
                    r.winner == POOL and r.dealt_at for r in self.outcome.auctions.values()):
                # the pool won: members join during the crisis, while it keeps bidding
                if self.fork is not None:  # the same run without them goes on from here
                    self._fork_now = now
                    self.fork(self)
                self.e.enlist_late(self.s.late_members)
                self.outcome.late_joined_at = self.e.now()
            acted = self._bidding_round(now)
            acted |= self._deal_round(now)
            done = sum(1 for r in self.outcome.auctions.values() if r.dealt_at)
            self.progress(done, total)
            if not waves and done == total:
                break
            if now > self.s.start + MAX_DAYS * 86_400:
                raise RuntimeError(f"the replay did not settle within {MAX_DAYS} days: "
                                   f"{total - done} auctions still open (is ticking off?)")
            if acted:
                self.e.advance(ROUND)
            else:
                self.e.advance(self._next_event(now, waves) - now)
        deposits = [*self.s.members,
                    *(self.s.late_members if self.outcome.late_joined_at else ())]
        for k, (deposit, (dai, mkr)) in enumerate(zip(deposits, self.e.defect_everyone(),
                                                       strict=True)):
            self.outcome.members.append(MemberResult(deposit, dai, mkr,
                                                     late=k >= len(self.s.members)))
        self.outcome.finish = self.e.now()
        return self.outcome

    def _kick_wave(self, wave: Wave) -> None:
        for b in self.s.bidders:
            if wave.name in b.budgets:
                self.e.fund_bidder(b.name, b.budgets[wave.name] * self.s.params.sump)
        ids = self.e.kick(wave.auctions)
        now = self.e.now()
        for auction_id in ids:
            self.index_of[auction_id] = len(self.wave_of)
            self.wave_of[auction_id] = wave.name
            self.outcome.auctions[auction_id] = AuctionResult(auction_id, wave.name, now)
        self._read(ids)

    def _live_ids(self) -> list[int]:
        return sorted(self.views)

    def _bidding_round(self, now: int) -> bool:
        """Each step bidder following an auction, then each quoting desk, bids once if it wants.
        Returns whether anyone bid. The auctions bid on are read back at the end."""
        ids = self._live_ids()
        views = self.views
        touched: set[int] = set()
        placed: list[tuple[str, int]] = []
        order: list[tuple[Bidder, list[int]]] = []
        for auction_id in ids:
            for b in interested_steppers(self.index_of[auction_id], self.steppers):
                order.append((b, [auction_id]))
        order.extend((b, ids) for b in self.quoters)
        # a bidder's budget in a wave is used by the lots it won there and every bid it holds
        won = Counter((r.winner, r.wave) for r in self.outcome.auctions.values() if r.winner)
        held = Counter(v.guy for v in views.values())
        for bidder, targets in order:
            for auction_id in targets:
                v = views[auction_id]
                wave = self.wave_of[auction_id]
                if wave not in bidder.valuations or v.guy == bidder.name or not v.biddable(now):
                    continue
                if won[bidder.name, wave] + held[bidder.name] >= bidder.budgets.get(wave, 0):
                    break
                lot = outside_bid(bidder.style, bidder.valuations[wave], v.lot, self.s.params)
                if lot is None:
                    continue
                if self.e.dent(bidder.name, auction_id, lot):
                    placed.append((bidder.name, auction_id))
                    held[bidder.name] += 1
                    held[v.guy] -= 1
                    views[auction_id] = AuctionView(auction_id, v.bid, lot, bidder.name,
                                                    now + self.s.params.ttl, v.end)
                    touched.add(auction_id)
        failed = set(self.e.flush())
        placed = [(name, i) for name, i in placed if ("dent", name, i) not in failed]
        for name, auction_id in placed:
            self.outcome.auctions[auction_id].bids += 1
            self.outcome.bidders.add(name)
        self._read(touched)
        return bool(placed)

    def _read(self, ids: Iterable[int]) -> None:
        """Read auctions into ``views``; remember each one's last state before deal, count
        restarts. Only what can have changed is read: new auctions, our bids, the keeper's."""
        for auction_id, v in self.e.auctions(sorted(ids)).items():
            self.views[auction_id] = v
            if v.dealt:
                continue
            prev = self.seen.get(auction_id)
            if prev is not None and v.lot > prev.lot:
                self.outcome.auctions[auction_id].restarts += 1
            self.seen[auction_id] = v

    def _deal_round(self, now: int) -> bool:
        """Every finished auction: the winner (or the keeper, for the pool) deals it.
        Returns whether anything was dealt."""
        done: list[tuple[int, AuctionView, str]] = []
        pending: list[tuple[int, AuctionView]] = []
        for auction_id in self._live_ids():
            v = self.views[auction_id]
            if v.dealt:  # the keeper dealt it (the pool won)
                done.append((auction_id, self.seen[auction_id], POOL))
            elif v.dealable(now) and v.guy != POOL and self.e.deal(v.guy, auction_id):
                pending.append((auction_id, v))
        failed = set(self.e.flush())
        done += [(i, v, v.guy) for i, v in pending if ("deal", v.guy, i) not in failed]
        for auction_id, v, winner in done:
            self._record(self.outcome.auctions[auction_id], v, winner, now)
            del self.views[auction_id]
        return bool(done)

    def _record(self, result: AuctionResult, v: AuctionView, winner: str, now: int) -> None:
        result.lot = v.lot
        result.bid = v.bid // RAY
        result.winner = winner
        result.dealt_at = now

    def _next_event(self, now: int, waves: list[Wave]) -> int:
        """The next moment something can happen: a bid or an auction expiring, or a wave."""
        times = []
        if waves:
            times.append(self.s.start + waves[0].kick_at)
        for v in self.views.values():
            if v.dealt:
                continue
            times.append((v.tic if v.tic and v.tic < v.end else v.end) + MARGIN)
        future = [t for t in times if t > now]
        return min(future) if future else now + ROUND


# ---- the pure-Python engine ----------------------------------------------------------------------

class ModelEngine:
    """The Flopper, the Vow's kicks, the pool and its keeper as plain Python (no EVM)."""

    def __init__(self, scenario: Scenario) -> None:
        self.s = scenario
        self.p = scenario.params
        self.t = scenario.start
        self.bids: dict[int, AuctionView] = {}
        self.vat: dict[str, int] = {}
        self.kicks = 0
        self.transactions = 0
        self.shares: list[int] = []
        self.vat[POOL] = 0  # the pool's free internal DAI (rad)
        self.pool_mkr = 0
        self.total_shares = 0

    # time
    def now(self) -> int:
        """The current time (s)."""
        return self.t

    def advance(self, seconds: int) -> None:
        """Move time forward."""
        self.t += max(seconds, 1)

    # syndicate
    def enlist_all(self, amounts: Sequence[int]) -> None:
        """Every member enlists its DAI (shares 1:1 before any bid)."""
        for amount in amounts:
            self.shares.append(amount)
            self.total_shares += amount
            self.vat[POOL] += amount * RAY
            self.transactions += 1

    def enlist_late(self, amounts: Sequence[int]) -> None:
        """Late members add bidding power (their outcome is not modelled here: the contract
        tests and the state machine check it; the replay compares auctions only)."""
        for amount in amounts:
            share = amount * self.total_shares // (self.vat[POOL] // RAY or 1)
            self.shares.append(share)
            self.total_shares += share
            self.vat[POOL] += amount * RAY
            self.transactions += 1

    def defect_everyone(self) -> list[tuple[int, int]]:
        """Every member defects with all its shares, in order."""
        return [self.defect(i) for i in range(len(self.shares))]

    def defect(self, member: int) -> tuple[int, int]:
        """Member ``member`` takes out its share of free DAI (wad) and MKR, rounded down."""
        sh = self.shares[member]
        dai = self.vat[POOL] * sh // self.total_shares // RAY
        mkr = self.pool_mkr * sh // self.total_shares
        self.vat[POOL] -= dai * RAY
        self.pool_mkr -= mkr
        self.total_shares -= sh
        self.shares[member] = 0
        self.transactions += 1
        return dai, mkr

    # market
    def fund_bidder(self, name: str, rad: int) -> None:
        """Give a bidder ``rad`` more internal DAI (its budget for a new wave)."""
        self.vat[name] = self.vat.get(name, 0) + rad

    def kick(self, n: int) -> list[int]:
        """Kick ``n`` auctions (dump MKR for sump DAI)."""
        ids = []
        for _ in range(n):
            self.kicks += 1
            self.bids[self.kicks] = AuctionView(self.kicks, self.p.sump, self.p.dump, VOW, 0,
                                                self.t + self.p.tau)
            ids.append(self.kicks)
            self.transactions += 1
        return ids

    def auctions(self, ids: Iterable[int]) -> dict[int, AuctionView]:
        """Copies of the auctions' current state."""
        out = {}
        for i in ids:
            v = self.bids.get(i)
            out[i] = (AuctionView(v.id, v.bid, v.lot, v.guy, v.tic, v.end) if v
                      else AuctionView(i, 0, 0, "", 0, 0))
        return out

    def dent(self, name: str, auction_id: int, lot: int) -> bool:
        """Bid ``lot`` for the fixed bid; False if the Flopper would revert."""
        v = self.bids.get(auction_id)
        if v is None or not v.biddable(self.t) or not legal(lot, v.lot, self.p):
            return False
        if name != v.guy:
            if self.vat.get(name, 0) < v.bid:
                return False
            self.vat[name] -= v.bid
            if v.guy != VOW:
                self.vat[v.guy] = self.vat.get(v.guy, 0) + v.bid
        v.guy, v.lot, v.tic = name, lot, self.t + self.p.ttl
        self.transactions += 1
        return True

    def flush(self) -> list[tuple[str, str, int]]:
        """Nothing is queued here: every action took effect at once."""
        return []

    def deal(self, name: str, auction_id: int) -> bool:
        """Deal a finished auction: the lot goes to the high bidder."""
        v = self.bids.get(auction_id)
        if v is None or not v.dealable(self.t):
            return False
        if v.guy == POOL:
            self.pool_mkr += v.lot
        del self.bids[auction_id]
        self.transactions += 1
        return True

    def _tick(self, v: AuctionView) -> None:
        v.lot = v.lot * self.p.pad // WAD
        v.end = self.t + self.p.tau
        self.transactions += 1

    def keeper_step(self) -> list[int]:
        """The keeper's pass: finalize the pool's finished auctions, restart expired ones (when
        ticking), enter every auction the pool can bid on while it has the DAI. Returns the
        auctions it acted on."""
        touched = []
        for v in list(self.bids.values()):
            if v.guy == POOL and v.dealable(self.t):
                self.deal(POOL, v.id)
                touched.append(v.id)
            elif self.s.tick and v.expired_unbid(self.t):
                self._tick(v)
                touched.append(v.id)
        ask = pool_ask(self.s.pool_price, self.p)
        for v in sorted(self.bids.values(), key=lambda v: v.id):
            if (v.guy != POOL and v.biddable(self.t) and legal(ask, v.lot, self.p)
                    and self.dent(POOL, v.id, ask)):
                touched.append(v.id)
        return touched


def simulate(scenario: Scenario) -> Outcome:
    """Run a scenario on the pure-Python engine."""
    engine = ModelEngine(scenario)
    outcome = Driver(scenario, engine).run()
    outcome.transactions = engine.transactions
    return outcome
