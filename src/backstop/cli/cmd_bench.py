"""`backstop bench <name>`: benchmarks that print figures (they are not tests).

Each benchmark is one entry of ``BENCHMARKS``: a name, a one-line help, a function that adds
its options to its sub-parser, and a function that runs it and returns the figures as a dict.
``--json`` prints the figures as one JSON object; otherwise a table.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from backstop.cli.errors import UserError

NAME = "bench"
HELP = "benchmarks that print figures: keeper (on anvil)"


@dataclass(frozen=True)
class Benchmark:
    """One `backstop bench <name>`."""

    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Callable[[str], None]], dict[str, Any]]


def _configure_keeper(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--auctions", type=int, default=100, metavar="N",
                        help="auctions that become biddable in the same block (default 100)")


def _run_keeper(args: argparse.Namespace, say: Callable[[str], None]) -> dict[str, Any]:
    from backstop.keeper.bench import run_keeper_bench
    from backstop.testing.anvil import AnvilNotFound

    if not 1 <= args.auctions <= 500:
        raise UserError(f"--auctions {args.auctions}: give a number from 1 to 500", exit_code=2)
    try:
        return run_keeper_bench(args.auctions, progress=say).to_json()
    except AnvilNotFound as exc:
        raise UserError(str(exc)) from None


BENCHMARKS: dict[str, Benchmark] = {
    "keeper": Benchmark("the keeper on anvil: N auctions biddable at once; blocks to enter "
                        "and finalize, RPC requests per block, CPU", _configure_keeper,
                        _run_keeper),
}


def configure(parser: argparse.ArgumentParser) -> None:
    """One sub-parser per benchmark."""
    sub = parser.add_subparsers(dest="benchmark", metavar="BENCHMARK")
    sub.required = True
    for name, bench in BENCHMARKS.items():
        p = sub.add_parser(name, help=bench.help, description=bench.help)
        p.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                       help="machine-readable output on stdout")
        bench.configure(p)


def run(args: argparse.Namespace) -> int:
    """Run the chosen benchmark; print its figures."""
    from backstop.cli.common import emit

    bench = BENCHMARKS[args.benchmark]
    quiet = bool(getattr(args, "json", False))

    def say(message: str) -> None:
        if not quiet:
            print(f"... {message}", file=sys.stderr, flush=True)

    figures = bench.run(args, say)

    def human() -> None:
        width = max(len(k) for k in figures)
        for key, value in figures.items():
            print(f"{key.ljust(width)}  {value}")

    emit(args, figures, human)
    return 0
