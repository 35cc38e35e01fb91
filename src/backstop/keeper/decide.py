"""The keeper's decisions as pure functions on plain data (no chain, no I/O).

A :class:`ChainView` is what one block's batched reads say: the Flopper, every followed auction
and every pool. :func:`plan` turns it into the actions to take now, given the actions already in
flight. The rules are the contracts' own (``pool.vy``'s ``_preview_enter`` and
``finalizeAuction``, the Flopper's ``tick``), evaluated at the block's timestamp; the transaction
is still simulated before it is sent, so a rule that is out of date only costs a log line.

Units: ``bid`` is rad (Vat DAI), ``lot`` wad (MKR), ``price`` wad (DAI per MKR), pool DAI wad.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum

from backstop.maker.handles import ZERO_ADDRESS
from backstop.maker.rules import deal_ready, dent_open, tick_ready
from backstop.pool.rules import (  # noqa: F401 - ask_for: this module's API too
    EnterCheck,
    ask_for,
    bid_bookable,
    enter_check,
)
from backstop.units import RAY, WAD, Wad


class Action(Enum):
    """What the keeper can do."""

    ENTER = "enter"  # pool.enterAuction(id)
    FINALIZE = "finalize"  # pool.finalizeAuction(id)
    TICK = "tick"  # flopper.tick(id)


@dataclass(frozen=True)
class AuctionView:
    """``flopper.bids(id)``: all zeros once dealt or yanked."""

    id: int
    bid: int  # rad
    lot: int  # wad
    guy: str
    tic: int
    end: int

    @property
    def exists(self) -> bool:
        """Running: kicked and not yet dealt or yanked."""
        return self.guy.lower() != ZERO_ADDRESS

    def open_at(self, now: int) -> bool:
        """``dent`` is possible at ``now``: neither the auction nor its bid has expired."""
        return self.exists and dent_open(self.tic, self.end, now)

    def dealable_at(self, now: int) -> bool:
        """``deal`` is possible at ``now``: someone bid, and the bid or the auction expired."""
        return self.exists and deal_ready(self.tic, self.end, now)

    def tickable_at(self, now: int) -> bool:
        """``tick`` is possible at ``now``: expired with no bid."""
        return self.exists and tick_ready(self.tic, self.end, now)


@dataclass(frozen=True)
class PoolView:
    """One pool as read this block."""

    address: str
    price: int  # wad, DAI per MKR
    ceased: bool
    available_dai: int  # wad: free DAI the pool can bid
    active: frozenset[int]  # auctions entered and not finalized

    def is_guy(self, auction: AuctionView) -> bool:
        """The pool is the auction's high bidder."""
        return auction.guy.lower() == self.address.lower()


_MIN_PRICE: dict[tuple[int, int, int], int | None] = {}


def min_price(bid: int, lot: int, beg: int) -> int | None:
    """The lowest pool price (wad) whose ask the lot allows for this bid (rad) and lot
    (wad), None if none: memoized, so the keeper's per-block check of every followed auction
    against every pool is one lookup per auction and an integer comparison per pool.

    The ask ``ceil(bid * WAD / price)`` must be below the lot and ``beg * ask <= lot * WAD``:
    ``ask <= top = min(lot - 1, lot * WAD // beg)``, so ``price >= ceil(bid * WAD / top)``.
    """
    key = (bid, lot, beg)
    if key in _MIN_PRICE:
        return _MIN_PRICE[key]
    if len(_MIN_PRICE) > 200_000:
        _MIN_PRICE.clear()
    found: int | None = None
    if bid_bookable(bid):
        top = lot - 1 if beg == 0 else min(lot - 1, lot * WAD // beg)
        if top > 0:
            found = max(1, -(-(bid // RAY) * WAD // top))
    _MIN_PRICE[key] = found
    return found


def lot_suits_price(price: int, bid: int, lot: int, beg: int) -> bool:
    """The lot is large enough for a pool at ``price`` (whatever its funds and status)."""
    least = min_price(bid, lot, beg)
    return least is not None and price >= least


@dataclass(frozen=True)
class ChainView:
    """One block's worth of reads."""

    block: int
    now: int  # the block's timestamp
    live: bool  # flopper.live
    beg: int  # wad
    auctions: Mapping[int, AuctionView]
    pools: tuple[PoolView, ...]


@dataclass(frozen=True)
class Decision:
    """One action to take, and why (for the log line)."""

    action: Action
    auction_id: int
    pool: str | None  # None for tick (the Flopper)
    why: str
    ask: int = 0  # wad, for enter
    bid: int = 0  # wad, for enter

    @property
    def key(self) -> tuple[str, str, int]:
        """What makes it unique among transactions in flight."""
        return (self.pool or "flopper", self.action.value, self.auction_id)


# The pool's revert codes in the keeper's log words.
_WORDS = {
    "Pool/ceased": "pool ceased",
    "Pool/already-entered": "already entered",
    "Pool/flopper-not-live": "flopper not live",
    "Pool/no-auction": "no auction",
    "Pool/already-high-bidder": "already high bidder",
    "Pool/auction-finished": "auction finished",
    "Pool/bid-not-whole-dai": "bid not whole DAI",
    "Pool/bid-out-of-range": "bid out of range",
    "Pool/lot-too-small": "lot too small for the pool's price",
    "Pool/not-enough-dai": "not enough free DAI",
}


def can_enter(pool: PoolView, auction: AuctionView, view: ChainView,
              available_dai: int | None = None) -> EnterCheck:
    """``pool.enterAuction(id)`` would succeed at the block's time: the pool's own rule
    (``backstop.pool.rules.enter_check``), its reason in log words."""
    check = enter_check(
        ceased=pool.ceased, entered=auction.id in pool.active, live=view.live,
        pool_is_guy=pool.is_guy(auction), exists=auction.exists, bid_rad=auction.bid,
        lot=auction.lot, tic=auction.tic, end=auction.end, now=view.now, beg=view.beg,
        price=pool.price, free=pool.available_dai if available_dai is None else available_dai)
    words = _WORDS.get(check.reason)
    if check.ok or words is None:
        return check
    return EnterCheck(False, check.ask, check.bid, words)


def finalize_reason(pool: PoolView, auction: AuctionView, view: ChainView) -> str | None:
    """Why ``pool.finalizeAuction(id)`` should be called now, or None if not yet."""
    if auction.id not in pool.active:
        return None
    if not pool.is_guy(auction):
        return "dealt by someone else" if not auction.exists else "outbid"
    if not view.live:
        return "flopper caged: yank the bid"
    if auction.dealable_at(view.now):
        return "won"
    return None


@dataclass
class Plan:
    """The decisions for one block, and the ones held back (with the reason) for the log."""

    decisions: list[Decision] = field(default_factory=list)
    skipped: list[tuple[Decision, str]] = field(default_factory=list)


def plan(view: ChainView, in_flight: Iterable[tuple[str, str, int]] = (), *,
         tick: bool = False) -> Plan:
    """Every action to take in this block.

    - finalize every position that is won and dealable, outbid, dealt by others or caged;
    - enter each open auction with the pool asking the least MKR (the highest price) among the
      pools that can, counting the DAI the pool commits earlier in this same block;
    - with ``tick``, restart every auction that expired with no bid;
    - nothing that is already in flight (same pool, action and auction).
    """
    busy = set(in_flight)
    out = Plan()

    def add(decision: Decision) -> None:
        if decision.key in busy:
            out.skipped.append((decision, "in flight"))
        else:
            out.decisions.append(decision)
            busy.add(decision.key)

    for pool in view.pools:
        for auction_id in sorted(pool.active):
            auction = view.auctions.get(auction_id)
            if auction is None:
                continue
            why = finalize_reason(pool, auction, view)
            if why:
                add(Decision(Action.FINALIZE, auction_id, pool.address, why))

    free = {p.address: p.available_dai for p in view.pools}
    # open pools, highest price first: a lot too small for the highest price suits no pool
    # (the ask falls as the price rises), so most held or idle auctions cost one lookup
    open_pools = sorted((p for p in view.pools if not p.ceased), key=lambda p: -p.price) \
        if view.live else []
    entering = {k[2] for k in busy if k[1] == Action.ENTER.value}
    now = view.now
    for auction_id in sorted(view.auctions):
        auction = view.auctions[auction_id]
        best: tuple[PoolView, EnterCheck] | None = None
        if (open_pools and auction_id not in entering and auction.exists
                and dent_open(auction.tic, auction.end, now)):
            least = min_price(auction.bid, auction.lot, view.beg)
            for pool in open_pools:
                if least is None or pool.price < least:
                    break  # nor for any lower price
                if auction_id in pool.active or free[pool.address] < auction.bid // RAY:
                    continue  # (the pool's bid is the auction's, in wad)
                check = can_enter(pool, auction, view, free[pool.address])
                if check.ok and (best is None or check.ask < best[1].ask):
                    best = (pool, check)
        if best is not None:
            pool, check = best
            free[pool.address] -= check.bid
            add(Decision(Action.ENTER, auction_id, pool.address,
                         f"lot {Wad(auction.lot)} MKR allows the pool's ask of "
                         f"{Wad(check.ask)} MKR",
                         ask=check.ask, bid=check.bid))
        if tick and auction.tickable_at(now):
            add(Decision(Action.TICK, auction_id, None, "expired with no bid"))
    return out
