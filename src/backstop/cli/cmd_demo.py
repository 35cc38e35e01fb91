"""`backstop demo`: a Maker debt auction told step by step on the in-process chain.

(For now: the debt auction of ``backstop.maker.demo``; the March 2020 replay replaces it later
and keeps this one as a sub-demo.)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from backstop.cli.errors import UserError

NAME = "demo"
HELP = "run a Maker debt auction on an in-process chain and show what happened"
RESULT_FILE = "debt-auction.json"


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of `backstop demo`."""
    parser.add_argument("--out", metavar="DIR", type=Path,
                        help=f"also write the result as JSON to DIR/{RESULT_FILE}")


def run(args: argparse.Namespace) -> int:
    """Run the demo, print a table (or JSON with --json), optionally write DIR/…json."""
    from backstop.maker.demo import run_debt_auction_demo

    out_dir = _out_dir(args.out)
    started = time.monotonic()
    result = run_debt_auction_demo()
    seconds = time.monotonic() - started
    data = {**result.to_json(), "wall_seconds": round(seconds, 2)}
    if out_dir is not None:
        (out_dir / RESULT_FILE).write_text(json.dumps(data, indent=2) + "\n")
    if getattr(args, "json", False):
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        _print(result, seconds, out_dir)
    return 0


def _out_dir(path: Path | None) -> Path | None:
    """Create ``--out`` if needed; a one-line error if it cannot be."""
    if path is None:
        return None
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create --out directory {str(path)!r}: {exc.strerror}; "
                        "choose a directory you can write to") from exc
    return path


def _print(result, seconds: float, out_dir: Path | None) -> None:
    """The human report: parameters, one table row per step, the outcome."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 100))  # the table needs 100 columns
    p = result.params
    console.print(
        f"[bold]Maker debt auctions[/bold] (March 2020 parameters: beg {p.beg}, pad {p.pad}, "
        f"ttl {p.ttl // 3_600} h, tau {p.tau // 86_400} d, lot {p.dump} MKR for "
        f"{p.sump.to_wad().format(0)} DAI)"
    )
    console.print(f"Bad debt created: {result.bad_debt.to_wad().format(0)} DAI, "
                  "queued and released after `wait`; the Vow kicks two auctions.")
    table = Table(show_lines=False)
    for col, justify in (("id", "right"), ("hour", "right"), ("who", "left"),
                         ("action", "left"), ("lot MKR", "right"), ("DAI/MKR", "right"),
                         ("refund DAI", "left"), ("note", "left")):
        table.add_column(col, justify=justify, no_wrap=col != "note")  # type: ignore[arg-type]
    for s in result.steps:
        refund = f"{s.refund.to_wad().format(0)} → {s.refunded}" if s.refund is not None else ""
        table.add_row(str(s.auction), str(s.hours), s.actor, s.action,
                      s.lot.format(1) if s.lot is not None else "",
                      s.price.format(2) if s.price is not None else "", refund, s.note)
    console.print(table)
    won = ", ".join(f"{who} {mkr.format(1)} MKR" for who, mkr in result.mkr_won.items())
    console.print(f"MKR minted: {result.mkr_minted.format(1)} ({won}); DAI raised: "
                  f"{result.dai_raised.to_wad().format(0)}; bad debt left: "
                  f"{result.debt_left.to_wad().format(0)} DAI.")
    where = f"; result in {out_dir / RESULT_FILE}" if out_dir is not None else ""
    console.print(f"{result.transactions} transactions in {seconds:.1f} s{where}.")
