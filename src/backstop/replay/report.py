"""Figures of a replay outcome: per wave and in total, as JSON-ready data and as terminal tables.

Amounts in the JSON are exact decimal strings (DAI, MKR, DAI/MKR); counts are integers.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.console import Console
from rich.table import Table

from backstop.replay.model import POOL, AuctionResult, Outcome
from backstop.units import WAD, Wad

HISTORY_MKR = 20_980 * WAD  # MKR minted in March 2020 (the record)
HISTORY_DAI = 5_300_000 * WAD
HISTORY_AUCTIONS = 106
FOLLOWED_MEMBERS = {0: "1 DAI member", 1: "10,000 DAI member"}


def _s(raw: int) -> str:
    """An exact decimal string of a wad amount."""
    return str(Wad(raw))


def summarize(results: list[AuctionResult]) -> dict[str, Any]:
    """Figures of a group of auctions (a wave or all of them)."""
    dealt = [r for r in results if r.lot]
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
        "vs_history_mkr_percent": _percent(mkr - HISTORY_MKR, HISTORY_MKR),
        "transactions": outcome.transactions,
        "days": round((outcome.finish - outcome.start) / 86_400, 2),
        "auctions": [
            {"id": r.id, "wave": r.wave, "winner": r.winner, "lot": _s(r.lot),
             "price": _s(r.price), "restarts": r.restarts, "bids": r.bids}
            for r in sorted(outcome.auctions.values(), key=lambda r: r.id)
        ],
    }


def _percent(num: int, den: int) -> str:
    """num/den in percent with two decimals, as a string (integer arithmetic)."""
    hundredths = (abs(num) * 10_000 + den // 2) // den
    sign = "-" if num < 0 else "+"
    return f"{sign}{hundredths // 100}.{hundredths % 100:02d}"


def _fmt(text: str, places: int = 2) -> str:
    return Wad.parse(text).format(places)


def render(figs: dict[str, Any], console: Console, title: str) -> None:
    """One scenario's tables: per wave and total, then the followed members."""
    table = Table(title=title, title_justify="left")
    for col in ("", "auctions", "DAI raised", "MKR minted", "avg price", "price range",
                "restarts", "pool bought", "top bidder"):
        table.add_column(col, justify="left" if col in ("", "top bidder") else "right",
                         no_wrap=True)
    rows = [*figs["waves"].items(), ("total", figs["total"])]
    for name, w in rows:
        pool = w["pool_purchases"]
        table.add_row(
            name, str(w["auctions"]), _fmt(w["dai_raised"], 0), _fmt(w["mkr_minted"]),
            _fmt(w["price_avg"]), f"{_fmt(w['price_min'])}-{_fmt(w['price_max'])}",
            str(w["restarts"]),
            f"{pool['auctions']} ({_fmt(pool['mkr'], 0)} MKR)" if pool["auctions"] else "0",
            f"{w['top_bidder']['name']} ({w['top_bidder']['wins']})" if w["top_bidder"]["wins"]
            else "-",
            end_section=name == "total" or name == rows[-2][0],
        )
    console.print(table)
    m = figs["members"]
    vs = (f"; MKR minted vs the record (20,980): {figs['vs_history_mkr_percent']}%"
          if figs["total"]["auctions"] == HISTORY_AUCTIONS else "")
    console.print(
        f"  prices in DAI per MKR. {figs['distinct_bidders']} outside bidders bid; the "
        f"syndicate: {m['count']} members enlisted {_fmt(m['deposited'], 0)} DAI at "
        f"{_fmt(figs['pool_price'], 0)} DAI/MKR{vs}"
    )
    for label, f in m["followed"].items():
        console.print(
            f"  a {label} got back {_fmt(f['dai_back'], 4)} DAI and {_fmt(f['mkr_back'], 6)} MKR"
        )
