"""`backstop auctions`: the Flopper's debt auctions and whether the pool can bid in each."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
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
                        help="also list finished auctions, with their history from the logs "
                             "(who won, at what price, when; dealt or yanked)")
    parser.add_argument("--from-block", type=int, default=0, metavar="N",
                        help="with --all: read the logs from block N (default 0; on mainnet "
                             "give the Flopper's deployment block to read fewer)")
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


def _history(pool: Any, from_block: int, read: dict[int, Any], now: int) -> Any:
    """The auctions' histories from the logs (backstop.maker.history), completed with the
    Flopper's state just read (an outside bid our local Flopper logs nowhere)."""
    from backstop.maker.history import read_history

    flop = pool.flopper
    book = read_history(pool.w3, flop.address, pools=[pool.address], mkr=pool.mkr.address,
                        from_block=from_block)
    ttl, tau = int(flop.ttl()), int(flop.tau())
    for i, (b, _p) in read.items():
        book.observe(i, bid=b.bid.raw, lot=b.lot.raw, guy=b.guy, tic=b.tic, end=b.end, ttl=ttl,
                     tau=tau, now=now)
    return book


def _with_history(row: dict[str, Any], hist: Any, b: Any, pool_address: str) -> None:
    """A finished auction's row from its history: winner, lot, price, when, dealt or yanked."""
    row["history"] = hist.as_json()
    if b.exists:
        return
    row["state"] = {"dealt": "dealt", "yanked": "yanked (refunded)"}.get(
        hist.ended or "", "closed (no log says how)")
    last = hist.last_bid
    # dealt: the winner; yanked: the high bidder, refunded
    winner = hist.winner or (last.bidder if last and hist.ended == "yanked" else None)
    row["high_bidder"] = ("pool" if winner and winner.lower() == pool_address.lower()
                          else winner)
    row["lot"] = str(hist.won_lot) if hist.won_lot else str(hist.last_bid.lot) \
        if hist.last_bid else "0"
    row["price"] = str(hist.price) if hist.price else None
    row["bid"] = str(hist.bid.to_wad()) if hist.bid else row["bid"]
    row["ended_at"] = hist.ended_time


def run(args: argparse.Namespace) -> int:
    """Read the auctions and the pool's previews in one batch; print a table."""
    if args.last < 1:
        raise UserError(f"--last {args.last}: give a positive number of auctions", exit_code=2)
    _, pool = open_pool(args)
    flop = pool.flopper
    kicks = flop.kicks()
    ids = list(range(max(1, kicks - args.last + 1), kicks + 1))
    now, read = pool.read_auctions(ids)
    book = _history(pool, args.from_block, read, now) if args.all else None
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
        if book is not None:
            _with_history(rows[-1], book.get(i), b, pool.address)
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
            if r.get("ended_at"):
                left = "ended " + datetime.fromtimestamp(r["ended_at"], UTC).strftime(
                    "%Y-%m-%d %H:%M UTC")
            table.add_row(str(r["id"]), r["state"], fmt(Wad.parse(r["lot"]), 2),
                          fmt(Wad.parse(r["price"]), 2) if r["price"] else "-",
                          str(r["high_bidder"] or "-"), left,
                          "can bid" if r["pool_can_enter"] else r["pool_reason"] or "-")
        c.print(table)

    emit(args, data, human)
    return 0
