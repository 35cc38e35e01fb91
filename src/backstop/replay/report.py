"""Figures of a replay outcome: per wave and in total, as JSON-ready data and as terminal tables.

Amounts in the JSON are exact decimal strings (DAI, MKR, DAI/MKR); counts are integers.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from backstop.replay.model import POOL, AuctionResult, Outcome
from backstop.units import WAD, Wad

HISTORY_MKR = 20_980 * WAD  # MKR minted in March 2020 (the record)
HISTORY_DAI = 5_300_000 * WAD
HISTORY_AUCTIONS = 106
FOLLOWED_MEMBERS = {0: "1 DAI member", 1: "10,000 DAI member"}

# Why the debt auctions happened (docs: /work/shared/reference/the-2020-syndicate.md), printed
# before the tables so the figures have a history.
BACKGROUND = (
    "12-13 March 2020, \"Black Thursday\": ETH lost about half its price within a day. "
    "Network congestion, stalled price feeds and keepers that never raised their gas let about "
    "36% of Maker's collateral auctions be won with bids of zero DAI, leaving the protocol "
    "roughly 5.3 to 5.7 million DAI of bad debt. Maker covered it with debt auctions: from 19 "
    "March it minted MKR and sold it for 50,000 DAI a lot; 106 auctions until 28 March minted "
    "20,980 MKR for 5.3 million DAI. The Dai Backstop Syndicate pooled DAI from anyone, down to "
    "1 DAI, to buy those lots at 100 DAI per MKR as buyer of last resort."
)


def _s(raw: int) -> str:
    """An exact decimal string of a wad amount."""
    return str(Wad(raw))


def day(timestamp: int) -> str:
    """A chain timestamp as a UTC date, ``2020-03-19``."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")


def moment(timestamp: int) -> str:
    """A chain timestamp as UTC date and time, ``2020-03-19T14:00:00Z``."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def span(first: str, last: str) -> str:
    """Two ISO dates as a short range for a table: ``19-20 Mar``, ``26 Mar-10 Apr``."""
    a = datetime.strptime(first, "%Y-%m-%d")
    b = datetime.strptime(last, "%Y-%m-%d")
    if a == b:
        return f"{a.day} {a:%b}"
    if a.month == b.month:
        return f"{a.day}-{b.day} {b:%b}"
    return f"{a.day} {a:%b}-{b.day} {b:%b}"


def summarize(results: list[AuctionResult]) -> dict[str, Any]:
    """Figures of a group of auctions (a wave or all of them)."""
    dealt = [r for r in results if r.lot]
    kicked = [r.kicked_at for r in results if r.kicked_at]
    settled = [r.dealt_at for r in results if r.dealt_at]
    dai = sum(r.bid for r in dealt)
    mkr = sum(r.lot for r in dealt)
    prices = [r.price for r in dealt]
    pool = [r for r in dealt if r.winner == POOL]
    wins = Counter(r.winner for r in dealt if r.winner != POOL)
    top, top_wins = wins.most_common(1)[0] if wins else ("", 0)
    return {
        "auctions": len(results),
        "dealt": len(dealt),
        "dai_raised": _s(dai),
        "mkr_minted": _s(mkr),
        "price_avg": _s(dai * WAD // mkr) if mkr else "0",
        "price_min": _s(min(prices)) if prices else "0",
        "price_max": _s(max(prices)) if prices else "0",
        "restarts": sum(r.restarts for r in results),
        "bids": sum(r.bids for r in results),
        "pool_purchases": {
            "auctions": len(pool),
            "mkr": _s(sum(r.lot for r in pool)),
            "dai": _s(sum(r.bid for r in pool)),
        },
        "top_bidder": {"name": top, "wins": top_wins},
        "first_kick": day(min(kicked)) if kicked else None,
        "last_settled": day(max(settled)) if settled else None,
    }


def figures(outcome: Outcome, wave_notes: dict[str, str] | None = None) -> dict[str, Any]:
    """All figures of one scenario's outcome, JSON-ready."""
    notes = wave_notes or {}
    waves = {name: {**summarize(rs), "note": notes.get(name, "")}
             for name, rs in outcome.by_wave().items()}
    total = summarize(list(outcome.auctions.values()))
    members = {
        label: {"deposit": _s(m.deposit), "dai_back": _s(m.dai_back), "mkr_back": _s(m.mkr_back)}
        for i, label in FOLLOWED_MEMBERS.items()
        if i < len(outcome.members)
        for m in [outcome.members[i]]
    }
    mkr = sum(r.lot for r in outcome.auctions.values())
    return {
        "scenario": outcome.scenario,
        "pool_price": _s(outcome.pool_price),
        "waves": waves,
        "total": total,
        "distinct_bidders": len(outcome.bidders),
        "members": {
            "count": len(outcome.members),
            "deposited": _s(sum(m.deposit for m in outcome.members)),
            "dai_back": _s(sum(m.dai_back for m in outcome.members)),
            "mkr_back": _s(sum(m.mkr_back for m in outcome.members)),
            "followed": members,
        },
        # only the replay of history is compared with the record (the crash is made up)
        "vs_history_mkr_percent": (_percent(mkr - HISTORY_MKR, HISTORY_MKR)
                                   if outcome.scenario == "history" else None),
        "transactions": outcome.transactions,
        "days": round((outcome.finish - outcome.start) / 86_400, 2),
        "auctions": [
            {"id": r.id, "wave": r.wave, "winner": r.winner, "lot": _s(r.lot),
             "price": _s(r.price), "restarts": r.restarts, "bids": r.bids,
             "kicked_at": moment(r.kicked_at) if r.kicked_at else None,
             "settled_at": moment(r.dealt_at) if r.dealt_at else None}
            for r in sorted(outcome.auctions.values(), key=lambda r: r.id)
        ],
    }


def open_deposits(open_run: Outcome, closed_run: Outcome) -> dict[str, Any]:
    """What deposits that stay open through the crisis changed: the MKR the pool bought with
    late members joining after its first win, against the same crash with deposits closed
    once it bids (the 2020 contract), and what the followed late member received."""
    def bought(o: Outcome) -> tuple[int, int]:  # MKR (wad) and lots the pool won
        won = [r.lot for r in o.auctions.values() if r.winner == POOL]
        return sum(won), len(won)

    (mkr_open, lots_open), (mkr_closed, lots_closed) = bought(open_run), bought(closed_run)
    late = [m for m in open_run.members if m.late]
    followed = late[0] if late else None
    return {
        "late_members": len(late),
        "late_deposited": _s(sum(m.deposit for m in late)),
        "late_joined_at": moment(open_run.late_joined_at) if open_run.late_joined_at else None,
        "pool_mkr_open": _s(mkr_open),
        "pool_lots_open": lots_open,
        "pool_mkr_closed": _s(mkr_closed),
        "pool_lots_closed": lots_closed,
        "extra_mkr": _s(mkr_open - mkr_closed),
        "followed_late_member": None if followed is None else {
            "deposit": _s(followed.deposit), "dai_back": _s(followed.dai_back),
            "mkr_back": _s(followed.mkr_back)},
    }


def render_open_deposits(figs: dict[str, Any], console: Console) -> None:
    """The comparison of open and closed deposits, in a few lines."""
    f = figs
    console.print(
        f"  deposits open through the crisis: {f['late_members']} members joined after the "
        f"pool's first win ({f['late_joined_at']}) with {_fmt(f['late_deposited'], 0)} DAI; the "
        f"pool bought {_fmt(f['pool_mkr_open'])} MKR in {f['pool_lots_open']} lots, against "
        f"{_fmt(f['pool_mkr_closed'])} MKR in {f['pool_lots_closed']} lots with deposits "
        f"closed once it bid (as in 2020): {_fmt(f['extra_mkr'])} MKR more", soft_wrap=True)
    m = f["followed_late_member"]
    if m:
        console.print(
            f"  a late member who put in {_fmt(m['deposit'], 0)} DAI got back "
            f"{_fmt(m['dai_back'], 4)} DAI and {_fmt(m['mkr_back'], 6)} MKR: only the "
            "auctions the pool entered after it joined", soft_wrap=True)


def _percent(num: int, den: int) -> str:
    """num/den in percent with two decimals, as a string (integer arithmetic)."""
    hundredths = (abs(num) * 10_000 + den // 2) // den
    sign = "-" if num < 0 else "+"
    return f"{sign}{hundredths // 100}.{hundredths % 100:02d}"


def _fmt(text: str, places: int = 2) -> str:
    return Wad.parse(text).format(places)


WIDE = 140  # columns the full table needs; narrower consoles get the essential columns
MID = 100  # below this, short headers and the pool's purchases as a count


def render(figs: dict[str, Any], console: Console, title: str) -> None:
    """One scenario's tables: per wave (with its dates) and total, then the followed members.

    The table fits the console: below ``WIDE`` columns it leaves out the price range, restarts
    and top bidder, so no figure is cut or wrapped."""
    wide, narrow = console.width >= WIDE, console.width < MID
    cols = ["", "dates", "auctions", "DAI raised", "MKR minted", "avg price"]
    cols += ["price range", "restarts"] if wide else []
    cols += ["pool bought"] + (["top bidder"] if wide else [])
    short = {"auctions": "lots", "DAI raised": "DAI", "MKR minted": "MKR",
             "avg price": "DAI/MKR", "pool bought": "pool"} if narrow else {}
    console.print(title, style="bold", soft_wrap=True)
    table = Table()
    for col in cols:
        table.add_column(short.get(col, col), no_wrap=True,
                         justify="left" if col in ("", "dates", "top bidder") else "right")
    rows = [*figs["waves"].items(), ("total", figs["total"])]
    for name, w in rows:
        pool = w["pool_purchases"]
        cells = {
            "": name,
            "dates": span(w["first_kick"], w["last_settled"])
            if w.get("first_kick") and w.get("last_settled") else "-",
            "auctions": str(w["auctions"]), "DAI raised": _fmt(w["dai_raised"], 0),
            "MKR minted": _fmt(w["mkr_minted"]), "avg price": _fmt(w["price_avg"]),
            "price range": f"{_fmt(w['price_min'])}-{_fmt(w['price_max'])}",
            "restarts": str(w["restarts"]),
            "pool bought": f"{pool['auctions']} ({_fmt(pool['mkr'], 0)} MKR)"
            if pool["auctions"] and not narrow else str(pool["auctions"]),
            "top bidder": f"{w['top_bidder']['name']} ({w['top_bidder']['wins']})"
            if w["top_bidder"]["wins"] else "-",
        }
        table.add_row(*(cells[c] for c in cols),
                      end_section=name == "total" or name == rows[-2][0])
    console.print(table)
    notes = [f"{name}: {w['note']}" for name, w in figs["waves"].items() if w.get("note")]
    if notes:
        console.print("  " + "; ".join(notes), soft_wrap=False)
    m = figs["members"]
    vs = (f"; MKR minted vs the record (20,980): {figs['vs_history_mkr_percent']}%"
          if figs.get("vs_history_mkr_percent") is not None
          and figs["total"]["auctions"] == HISTORY_AUCTIONS else "")
    console.print(
        f"  prices in DAI per MKR. {figs['distinct_bidders']} outside bidders bid; the "
        f"syndicate: {m['count']} members enlisted {_fmt(m['deposited'], 0)} DAI at "
        f"{_fmt(figs['pool_price'], 0)} DAI/MKR{vs}"
    )
    for label, f in m["followed"].items():
        console.print(
            f"  a {label} got back {_fmt(f['dai_back'], 4)} DAI and {_fmt(f['mkr_back'], 6)} MKR"
        )
