"""The pool's own rules (``pool.vy``), as pure functions on plain integers: whether
``enterAuction`` would succeed and with which bid, what ``enlist`` would give, whether
``finalizeAuction`` would succeed. The contract has the same previews on chain
(``previewEnterAuction``, ``previewEnlist``, ``previewFinalizeAuction``); these copies exist for
the keeper, which decides for thousands of auctions from one batch of raw reads without an
``eth_call`` per auction. The contract tests and the state machine check that both agree.

Units: ``bid_rad`` is rad (Vat DAI), ``lot`` and ``ask`` wad (MKR), ``price`` wad (DAI per MKR),
pool DAI and shares wad, times in seconds. Reasons are the contract's revert codes.
"""

from __future__ import annotations

from dataclasses import dataclass

from backstop.maker.rules import deal_ready, dent_open
from backstop.units import RAD, RAY, WAD

MIN_ENLIST = WAD
"""The smallest enlist, 1 DAI (``_MIN_ENLIST``)."""

MAX_BID = (2**40 - 1) * WAD
"""The largest bid a position can hold, wad (``_MAX_BID_WHOLE`` whole DAI)."""

MAX_AUCTION_ID = 2**27 - 1
"""The highest auction id a position can record (``_MAX_AUCTION_ID``)."""

MAX_MKR = 2**96 - 1
"""The most MKR the pool can count, wad (``_M96``): an ask beyond what is left is refused."""

MAX_ASK = 2**88 - 1
"""The largest MKR ask a position can record, wad (``_M88``)."""


@dataclass(frozen=True)
class EnterCheck:
    """Would ``enterAuction`` succeed: with the pool's ask and bid (wad), or the revert code."""

    ok: bool
    ask: int = 0
    bid: int = 0
    reason: str = ""


def ask_for(bid_rad: int, price: int) -> tuple[int, int]:
    """The pool's (ask, bid) in wad for an auction's bid: ask = bid / price, rounded up, so the
    pool never pays more than its price per MKR."""
    bid = bid_rad // RAY
    return (bid * WAD + price - 1) // price, bid


def bid_bookable(bid_rad: int) -> bool:
    """The pool can book an auction's bid: whole DAI, and neither 0 nor above ``MAX_BID``."""
    return bid_rad % RAD == 0 and 0 < bid_rad // RAY <= MAX_BID


def lot_allows(ask: int, lot: int, beg: int) -> bool:
    """The Flopper takes ``ask`` as a dent on ``lot``: smaller, and by at least ``beg``."""
    return ask < lot and beg * ask <= lot * WAD


def enter_check(*, ceased: bool, entered: bool, live: bool, pool_is_guy: bool, exists: bool,
                bid_rad: int, lot: int, tic: int, end: int, now: int, beg: int, price: int,
                free: int, auction_id: int = 0, mkr_held: int = 0) -> EnterCheck:
    """``enterAuction``'s checks in the contract's order (``_preview_enter``), at time ``now``.

    ``entered``: the pool holds a position in the auction; ``exists``: the Flopper still has
    it (its ``guy`` is not zero); ``free``: the pool's liquid DAI (wad); ``mkr_held``: the MKR
    it counts (wad). One check is not the
    contract's: the pool as high bidder ("Pool/already-high-bidder") cannot happen without a
    position, but a caller whose view of the positions is older than its view of the
    Flopper (the keeper, between refreshes) must not bid again.
    """
    if ceased:
        return EnterCheck(False, reason="Pool/ceased")
    if entered:
        return EnterCheck(False, reason="Pool/already-entered")
    if auction_id > MAX_AUCTION_ID:
        return EnterCheck(False, reason="Pool/auction-id-too-high")
    if not live:
        return EnterCheck(False, reason="Pool/flopper-not-live")
    if not exists:
        return EnterCheck(False, reason="Pool/no-auction")
    if pool_is_guy:  # not a contract check: a view of positions older than the Flopper's
        return EnterCheck(False, reason="Pool/already-high-bidder")
    if not dent_open(tic, end, now):
        return EnterCheck(False, reason="Pool/auction-finished")
    if not bid_bookable(bid_rad):
        return EnterCheck(False, reason="Pool/bid-not-whole-dai" if bid_rad % RAD
                          else "Pool/bid-out-of-range")
    ask, bid = ask_for(bid_rad, price)
    if not lot_allows(ask, lot, beg):
        return EnterCheck(False, ask, bid, "Pool/lot-too-small")
    if ask > MAX_ASK or mkr_held + ask > MAX_MKR:
        return EnterCheck(False, ask, bid, "Pool/ask-too-large")
    if free < bid:
        return EnterCheck(False, ask, bid, "Pool/not-enough-dai")
    return EnterCheck(True, ask, bid)


def finalize_check(*, entered: bool, pool_is_guy: bool, live: bool, tic: int, end: int,
                   now: int) -> str:
    """``finalizeAuction``'s checks at time ``now``: "" if it would succeed, else the code."""
    if not entered:
        return "Pool/no-position"
    if pool_is_guy and live and not deal_ready(tic, end, now):
        return "Pool/auction-not-finished"
    return ""


def weight_for(amount: int, *, weight: int, liquid: int) -> int:
    """The weight ``enlist(amount)`` gives (``_weight_for``): 1:1 in an empty era, else
    ``amount * weight / liquid`` rounded down."""
    if weight == 0:
        return amount
    return amount * weight // liquid


MIN_PRICE = WAD
"""The lowest price a pool takes, 1 DAI per MKR (wad)."""

MAX_PRICE = 10**6 * WAD
"""The highest price a pool takes, 1,000,000 DAI per MKR (wad)."""

PRICE_STEP = 10**16
"""Prices are whole cents."""


def price_problem(price: int) -> str:
    """The pool's and the factory's price rule: "" if ``price`` (wad) is acceptable, else the
    pool's revert code ("Pool/price-out-of-range", "Pool/price-not-whole-cents")."""
    if not MIN_PRICE <= price <= MAX_PRICE:
        return "Pool/price-out-of-range"
    if price % PRICE_STEP:
        return "Pool/price-not-whole-cents"
    return ""


def pool_name(price: int) -> str:
    """The share token's name for ``price`` (the factory's ``_name``): "Dai Backstop 100.5"."""
    whole, cents = divmod(price, WAD)
    cents //= PRICE_STEP
    if not cents:
        return f"Dai Backstop {whole}"
    frac = f"{cents:02d}".rstrip("0")
    return f"Dai Backstop {whole}.{frac}"


def pool_symbol(price: int) -> str:
    """The share token's symbol for ``price`` (the factory's ``_symbol``): "DB100", "DB25K",
    "DBMAX" from 100,000 DAI per MKR on."""
    whole = price // WAD
    if whole >= 100_000:
        return "DBMAX"
    if whole >= 1_000:
        return f"DB{whole // 1_000}K"
    return f"DB{whole}"
