"""`backstop demo`: the March 2020 debt auctions replayed on an in-process chain, and what the
syndicate would have done in a deeper crash (``backstop.replay``). ``--basic`` runs the single
debt-auction walk-through of ``backstop.maker.demo`` instead.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from backstop.cli.common import emit, wants_json
from backstop.cli.errors import UserError
from backstop.units import Wad

NAME = "demo"
HELP = "replay the March 2020 debt auctions (and a deeper crash) on an in-process chain"
RESULT_FILE = "debt-auction.json"


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of `backstop demo`."""
    parser.add_argument("--out", metavar="DIR", type=Path,
                        help="write the chart (PNG) and the figures (JSON) into DIR")
    parser.add_argument("--quick", action="store_true",
                        help="a shortened replay (14 auctions, 12 members) for tests")
    parser.add_argument("--basic", action="store_true",
                        help="instead: one debt auction told step by step")


def run(args: argparse.Namespace) -> int:
    """Run the replay (or ``--basic``), print the report or JSON, write files into ``--out``."""
    out_dir = _out_dir(args.out)
    if args.basic:
        return _run_basic(args, out_dir)
    from backstop.replay.run import run_demo

    result = (run_demo(quick=args.quick, out=out_dir) if wants_json(args)
              else _with_progress(args.quick, out_dir))
    emit(args, result.figures, lambda: _report(result))
    return 0


def _with_progress(quick: bool, out_dir: Path | None) -> Any:
    """Run the replay under a rich progress bar (one bar per scenario)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from backstop.replay.run import run_demo

    columns = (TextColumn("{task.description:<15}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("auctions settled"), TimeElapsedColumn())
    with Progress(*columns, transient=False) as bar:
        tasks: dict[str, Any] = {}

        def tell(name: str, done: int, total: int) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=total)
            bar.update(tasks[name], completed=done, total=total)

        return run_demo(quick=quick, out=out_dir, progress=tell)


def _report(result: Any) -> None:
    """The terminal report: why the auctions happened, both scenarios' tables with their
    dates, then time and files. Fits the terminal (narrow ones get fewer columns); piped output
    is never wrapped."""
    import textwrap

    from backstop.cli.common import console as make_console
    from backstop.replay import report

    console = make_console()
    h, c = result.figures["history"], result.figures["counterfactual"]
    for line in textwrap.wrap(report.BACKGROUND, width=min(console.width, 100)):
        console.print(line, soft_wrap=True)
    console.print()
    report.render(h, console, "March 2020 as it happened (the pool at 100 DAI/MKR never bids)")
    console.print(f"  {_story_history(h)}", soft_wrap=True)
    console.print()
    report.render(c, console, "What if (made up, not history): a deeper crash, every outside "
                              "bidder values MKR below 100 DAI")
    console.print(f"  {_story_crash(c)}", soft_wrap=True)
    if result.figures["open_deposits"]["late_members"]:  # nobody joined if the pool never won
        report.render_open_deposits(result.figures["open_deposits"], console)
    console.print(
        f"\n{result.transactions:,} EVM transactions in {result.seconds:.1f} s "
        f"({result.tx_per_second:.0f} tx/s) on the in-process chain."
    )
    for what, path in result.files.items():
        console.print(f"{what}: {path}", soft_wrap=True)


def _story_history(h: dict[str, Any]) -> str:
    """One sentence on the history."""
    t = h["total"]
    low = Wad.parse(t["price_min"]).format(2)
    if t["pool_purchases"]["auctions"]:
        return f"The pool bought {t['pool_purchases']['auctions']} lots at its price."
    return (f"Every auction cleared at {low} DAI/MKR or more, far above the pool's price: "
            "the syndicate never had to bid, and every member got its DAI back.")


def _story_crash(c: dict[str, Any]) -> str:
    """One sentence on the counterfactual."""
    t = c["total"]
    bought = t["pool_purchases"]
    return (f"Nobody bid at 200 DAI/MKR; the keeper restarted unbid auctions {t['restarts']} "
            "times (20% more MKR each time). Once a lot reached the pool's price, the pool, "
            f"buyer of last resort, bought it: {bought['auctions']} lots "
            f"({Wad.parse(bought['mkr']).format(0)} MKR for {Wad.parse(bought['dai']).format(0)}"
            " DAI) while its DAI lasted; the rest waited for outside bidders. Each member took "
            "its part of the MKR and unused DAI of the bids its DAI was in.")


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


# ---- --basic: one debt auction, step by step (backstop.maker.demo) ----

def _run_basic(args: argparse.Namespace, out_dir: Path | None) -> int:
    """Run the single-auction demo, print a table (or JSON), optionally write DIR/…json."""
    from backstop.maker.demo import run_debt_auction_demo

    started = time.monotonic()
    result = run_debt_auction_demo()
    seconds = time.monotonic() - started
    data = {**result.to_json(), "wall_seconds": round(seconds, 2)}
    if out_dir is not None:
        (out_dir / RESULT_FILE).write_text(json.dumps(data, indent=2) + "\n")
    emit(args, data, lambda: _print_basic(result, seconds, out_dir))
    return 0


def _print_basic(result: Any, seconds: float, out_dir: Path | None) -> None:
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
