"""The data of the March 2020 replay: auction parameters, waves, outside bidders, syndicate members.

Everything is an integer (wad for token amounts and prices, seconds for time). Sources: the
project's reference notes (``maker-debt-auctions.md``, ``the-2020-syndicate.md``).

How the clearing prices come about
----------------------------------
Each outside bidder has a private valuation per wave (the most DAI it pays per MKR), a style
and a budget (how many 50,000 DAI bids it can have open at once: its internal Vat DAI).

* ``STEP`` bidders climb one ``beg`` step at a time (the largest lot the Flopper accepts) while
  the implied price stays at or below their valuation. They open every auction and lose.
* ``QUOTE`` bidders (market makers) bid their valuation straight away, once, when the Flopper
  accepts it; the clearing price of a lot is therefore the quote of the bidder that holds it.

Wave 1 (40 lots, 19 March): the trading firm quotes 265 DAI/MKR (188.68 MKR) on every lot;
a second desk quotes 289.6 with money for 7 lots and takes 7 of them: 33 at 265, 7 at 289.6.
Wave 2 (46 lots, 21 March): the firm quotes 220 with money for 23 lots; desks at 226.6 (12 lots)
and 233.6 (7 lots) take lots from it and it moves its money to the next lot; the 4 lots nobody
quoted go to the step bidders at the top of their climb (206 = 200 * 1.03: their valuations,
206 to 213, leave no room for a second step).
Wave 3 (20 lots, 26 March, after governance released the stuck debt; prices chosen by us, the
record gives only the total): the firm quotes 305 on every lot, a desk at 314.15 (one beg step
above) takes 4: 16 at 305, 4 at 314.15. Total 21,038.8 MKR for 5.3M DAI (history: 20,980,
+0.3%), the firm winning 33 + 23 + 16 = 72 of 106.

The counterfactual multiplies every valuation by ``CRASH_FACTOR`` (0.35) and keeps it between
``CRASH_FLOOR`` (83) and ``CRASH_CAP`` (95 DAI/MKR): nobody values MKR at 100 DAI or more,
nobody bids at 200, the
keeper restarts the auctions until the lot is large enough for the pool's 100 DAI/MKR
(after four restarts, 518.4 MKR), and outside bidders come back only after the fifth restart
(622.08 MKR, 80.38 DAI/MKR; the floor lets every one of them step in then): the pool, while
its DAI lasts (8 bids of 50,000 DAI), is the buyer of last resort.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from backstop.units import RAD, WAD

HOUR = 3_600
DAY = 86_400

# 2020-03-19 00:00:00 UTC: the day the first debt auctions were kicked.
MARCH_19_2020 = 1_584_576_000


def dai(text: str) -> int:
    """A DAI amount (or a DAI/MKR price) written as a decimal string, as a wad integer."""
    from backstop.units import Wad

    return Wad.parse(text).raw


@dataclass(frozen=True)
class AuctionParams:
    """The Flopper/Vow parameters of March 2020 (overridable for tests)."""

    beg: int = 103 * WAD // 100  # 3% minimum decrease of the lot per bid
    pad: int = 120 * WAD // 100  # 20% more MKR on each restart
    ttl: int = 6 * HOUR  # a bid's lifetime
    tau: int = 3 * DAY  # an auction's length
    dump: int = 250 * WAD  # opening lot (MKR)
    sump: int = 50_000 * RAD  # fixed bid (internal DAI)

    @property
    def bid_wad(self) -> int:
        """The fixed bid of every auction in ERC20 DAI (wad)."""
        return self.sump // 10**27


class Style(enum.Enum):
    """How an outside bidder bids (see the module docstring)."""

    STEP = "step"
    QUOTE = "quote"


@dataclass(frozen=True)
class Bidder:
    """An outside bidder: its name, style, and per wave its valuation (wad DAI/MKR) and budget.

    ``valuations`` and ``budgets`` map a wave name to a value; a bidder is absent from a wave it
    has no valuation for. ``budgets`` is the number of 50,000 DAI bids it can hold at once.
    """

    name: str
    style: Style
    valuations: dict[str, int]
    budgets: dict[str, int]


@dataclass(frozen=True)
class Wave:
    """A batch of auctions kicked together: its name, kick time (offset from the start, s),
    number of auctions, and the historical clearing (price text -> number of lots)."""

    name: str
    kick_at: int
    auctions: int
    history: dict[str, int] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class Scenario:
    """One complete replay input."""

    name: str
    params: AuctionParams
    waves: tuple[Wave, ...]
    bidders: tuple[Bidder, ...]
    members: tuple[int, ...]  # DAI each syndicate member enlists (wad)
    pool_price: int  # the pool's committed price (wad DAI/MKR)
    tick: bool  # whether the keeper restarts expired auctions
    start: int = MARCH_19_2020
    # DAI each late member enlists once the pool has won its first auction (wad): members who
    # join during the crisis, while the pool bids
    late_members: tuple[int, ...] = ()

    @property
    def total_auctions(self) -> int:
        """How many auctions all waves kick together."""
        return sum(w.auctions for w in self.waves)


FIRM = "trading-firm"
N_STEP_BIDDERS = 31  # 31 step bidders + 5 quoting desks = 36 distinct bidders
CRASH_FACTOR = (35, 100)  # the counterfactual's valuations: 35% of the historical ones ...
CRASH_CAP = 95 * WAD  # ... never more than 95 DAI/MKR ...
CRASH_FLOOR = 83 * WAD  # ... and never less than 83 (one beg step above 80.38)


def _wave_specs(quick: bool) -> tuple[Wave, ...]:
    if quick:
        return (
            Wave("wave 1", 14 * HOUR, 5, {"265": 4, "289.6": 1}, "19 March 2020 (shortened)"),
            Wave("wave 2", 2 * DAY + 14 * HOUR, 6, {"220": 3, "226.6": 1, "233.6": 1},
                 "21 March 2020 (shortened)"),
            Wave("wave 3", 7 * DAY + 14 * HOUR, 3, {"305": 2, "314.15": 1},
                 "26 March 2020 (shortened)"),
        )
    return (
        Wave("wave 1", 14 * HOUR, 40, {"265": 33, "289.6": 7}, "19 March 2020"),
        Wave("wave 2", 2 * DAY + 14 * HOUR, 46, {"220": 23, "226.6": 12, "233.6": 7},
             "21 March 2020 (4 lots unquoted: step bidders)"),
        Wave("wave 3", 7 * DAY + 14 * HOUR, 20, {"305": 16, "314.15": 4},
             "26 March 2020, after the governance fix (prices chosen by the replay)"),
    )


def _quote_desks(quick: bool) -> tuple[Bidder, ...]:
    """The five quoting desks; budgets are the lots each ends up holding (see module doc)."""
    if quick:
        firm_budgets = {"wave 1": 5, "wave 2": 3, "wave 3": 3}
        desk = {"hi": 1, "w2a": 1, "w2b": 1, "w3": 1}
    else:
        firm_budgets = {"wave 1": 40, "wave 2": 23, "wave 3": 20}
        desk = {"hi": 7, "w2a": 12, "w2b": 7, "w3": 4}
    return (
        Bidder(FIRM, Style.QUOTE,
               {"wave 1": dai("265"), "wave 2": dai("220"), "wave 3": dai("305")}, firm_budgets),
        Bidder("desk-289", Style.QUOTE, {"wave 1": dai("289.6")}, {"wave 1": desk["hi"]}),
        Bidder("desk-226", Style.QUOTE, {"wave 2": dai("226.6")}, {"wave 2": desk["w2a"]}),
        Bidder("desk-233", Style.QUOTE, {"wave 2": dai("233.6")}, {"wave 2": desk["w2b"]}),
        Bidder("desk-314", Style.QUOTE, {"wave 3": dai("314.15")}, {"wave 3": desk["w3"]}),
    )


def _step_bidders() -> tuple[Bidder, ...]:
    """31 small step bidders, valuations spread below the firm's quote divided by beg, so that
    none of them can outbid a quote (wave 1 <= 257, wave 2 206..213, wave 3 <= 296)."""
    out = []
    for i in range(N_STEP_BIDDERS):
        spread = (i * 7) % N_STEP_BIDDERS  # 0..30, a fixed shuffle
        out.append(Bidder(
            f"bidder-{i + 1:02d}", Style.STEP,
            {
                "wave 1": (205 + spread * 52 // 30) * WAD,  # 205 .. 257
                "wave 2": (206 + spread * 7 // 30) * WAD,  # 206 .. 213
                "wave 3": (230 + spread * 66 // 30) * WAD,  # 230 .. 296
            },
            {"wave 1": 2, "wave 2": 2, "wave 3": 2},
        ))
    return tuple(out)


def syndicate_members(quick: bool = False) -> tuple[int, ...]:
    """DAI each member enlists (wad): 129 members (12 when quick), from 1 DAI up, 412,345 DAI
    in all; member 0 enlists 1 DAI and member 1 enlists 10,000 DAI (the report follows both)."""
    total = 412_345 * WAD
    if quick:
        sizes = [1, 10_000, 5, 50, 250, 1_000, 2_500, 5_000, 25_000, 50_000, 100_000]
    else:
        tiers = [(1, 1), (1, 10_000), (6, 10), (12, 25), (14, 50), (16, 100), (16, 250),
                 (16, 500), (14, 1_000), (12, 2_000), (8, 5_000), (6, 10_000), (4, 20_000),
                 (2, 40_000)]
        sizes = [size for count, size in tiers for _ in range(count)]
    amounts = [s * WAD for s in sizes]
    amounts.append(total - sum(amounts))  # the last (largest) member makes up the total
    assert amounts[-1] > 0, "member sizes exceed the total"
    return tuple(amounts)


def late_members(quick: bool = False) -> tuple[int, ...]:
    """DAI each late member enlists after the pool's first win (wad): 20 members (3 when
    quick), from 5 DAI to 100,000 DAI, 300,000 DAI in all; late member 0 enlists 10,000 DAI
    (the report follows it)."""
    if quick:
        sizes = [10_000, 40_000, 250_000]
    else:
        sizes = [10_000, 5, 50, 100, 250, 500, 1_000, 1_000, 2_500, 2_500, 5_000, 5_000, 7_500,
                 10_000, 10_000, 20_000, 25_000, 50_000, 50_000]
        sizes.append(300_000 - sum(sizes))
    return tuple(size * WAD for size in sizes)


def crash_valuation(value: int) -> int:
    """A historical valuation in the deeper crash: times ``CRASH_FACTOR`` (rounded down),
    kept between ``CRASH_FLOOR`` and ``CRASH_CAP``."""
    return max(CRASH_FLOOR, min(value * CRASH_FACTOR[0] // CRASH_FACTOR[1], CRASH_CAP))


def history(quick: bool = False) -> Scenario:
    """March 2020 as it happened: every auction clears far above the pool's 100 DAI/MKR."""
    return Scenario(
        name="history",
        params=AuctionParams(),
        waves=_wave_specs(quick),
        bidders=_quote_desks(quick) + _step_bidders(),
        members=syndicate_members(quick),
        pool_price=100 * WAD,
        tick=True,
    )


def counterfactual(quick: bool = False) -> Scenario:
    """The same auctions in a deeper crash: every valuation through ``crash_valuation``."""
    base = history(quick)
    bidders = tuple(
        Bidder(b.name, b.style,
               {w: crash_valuation(v) for w, v in b.valuations.items()},
               dict(b.budgets))
        for b in base.bidders
    )
    return Scenario(
        name="counterfactual",
        params=base.params,
        waves=base.waves,
        bidders=bidders,
        members=base.members,
        pool_price=base.pool_price,
        tick=True,
        late_members=late_members(quick),
    )


def counterfactual_closed(quick: bool = False) -> Scenario:
    """The counterfactual as the 2020 contract would have played it: nobody joins once the
    pool has bid (deposits closed), for the comparison with ``counterfactual``."""
    base = counterfactual(quick)
    return Scenario(name="counterfactual-closed", params=base.params, waves=base.waves,
                    bidders=base.bidders, members=base.members, pool_price=base.pool_price,
                    tick=True, late_members=())
