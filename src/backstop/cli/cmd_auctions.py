"""`backstop auctions`: the Flopper's debt auctions and whether the pool can bid in each."""

from __future__ import annotations

import argparse
from typing import Any

from backstop.cli.common import (
    add_address_column,
    add_chain_options,
    console,
    emit,
    explain_revert,
    fmt,
    fmt_price,
    open_pool,
)
from backstop.cli.errors import UserError
from backstop.units import Wad

NAME = "auctions"
HELP = "list running debt auctions: lot, price, high bidder, deadlines, can the pool bid"


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of `backstop auctions`."""
    parser.add_argument("--last", type=int, default=200, metavar="N",
                        help="look at the N most recent auction ids (default 200)")
    parser.add_argument("--all", action="store_true",
                        help="also list finished (dealt) auctions")
    add_chain_options(parser, factory=True)


def _state(b: Any, now: int) -> str:
    if not b.exists:
        return "dealt"
    if b.is_biddable(now):
        return "open"
    if b.is_dealable(now):
        return "finished: deal"
    if b.is_tickable(now):
        return "expired unbid: tick"
    return "closed"


def _words(reason: str) -> str:
    """A pool reason in words ("" when there is none)."""
    return explain_revert(reason) if reason else ""


def run(args: argparse.Namespace) -> int:
    """Read the auctions and the pool's previews in one batch; print a table."""
    if args.last < 1:
        raise UserError(f"--last {args.last}: give a positive number of auctions", exit_code=2)
    _, pool = open_pool(args)
    flop = pool.flopper
    kicks = flop.kicks()
    ids = list(range(max(1, kicks - args.last + 1), kicks + 1))
    now, read = pool.read_auctions(ids)
    rows = []
    for i, (b, p) in read.items():
        if not (args.all or b.exists):
            continue
        guy = ("pool" if b.guy.lower() == pool.address.lower() else
               "vow (no bid)" if b.tic == 0 else b.guy)
        rows.append({
            "id": i, "state": _state(b, now), "lot": str(b.lot),
            "price": str(b.price) if b.price is not None else None,
            "bid": str(b.bid.to_wad()), "high_bidder": guy if b.exists else None,
            "bid_expires": b.tic or None, "auction_ends": b.end or None,
            "pool_can_enter": p.ok, "pool_reason": _words(p.reason),
        })
    data = {"pool": pool.address, "flopper": flop.address, "kicks": kicks, "now": now,
            "auctions": rows}

    def human() -> None:
        from rich.table import Table

        if not rows:
            console().print(f"no running debt auctions ({kicks} kicked so far)")
            return
        c = console()
        c.print(f"debt auctions of {flop.address} (pool at {fmt_price(pool.price())} DAI/MKR)",
                soft_wrap=True)
        table = Table()
        for col in ("id", "state", "lot MKR", "DAI/MKR", "high bidder", "ends in", "pool"):
            if col == "high bidder":
                add_address_column(table, col)
                continue
            table.add_column(col, justify="right" if col in ("id", "lot MKR", "DAI/MKR")
                             else "left")
        for r in rows:
            ends = min(t for t in (r["bid_expires"], r["auction_ends"]) if t) \
                if r["auction_ends"] else None
            left = f"{(ends - now) // 3_600}h{(ends - now) % 3_600 // 60:02d}m" \
                if ends and ends > now else "-"
            table.add_row(str(r["id"]), r["state"], fmt(Wad.parse(r["lot"]), 2),
                          fmt(Wad.parse(r["price"]), 2) if r["price"] else "-",
                          str(r["high_bidder"] or "-"), left,
                          "can bid" if r["pool_can_enter"] else r["pool_reason"] or "-")
        c.print(table)

    emit(args, data, human)
    return 0
