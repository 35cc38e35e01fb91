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
HELP = "benchmarks that print figures: keeper (on anvil), demo (the replay), help (start-up)"


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


def _configure_demo(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true",
                        help="the shortened replay (14 auctions) instead of the full one (106)")


def _run_demo(args: argparse.Namespace, say: Callable[[str], None]) -> dict[str, Any]:
    """The whole `backstop demo` (both scenarios): wall time, CPU time, EVM transactions/s."""
    import time

    from backstop.replay.run import run_demo

    say(f"replaying {'the shortened' if args.quick else 'the full'} March 2020 and the "
        "counterfactual on the in-process chain")
    cpu = time.process_time()
    result = run_demo(quick=args.quick)
    cpu = time.process_time() - cpu
    auctions = (result.figures["history"]["total"]["auctions"]
                + result.figures["counterfactual"]["total"]["auctions"])
    return {
        "wall_seconds": round(result.seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "evm_transactions": result.transactions,
        "tx_per_second": round(result.tx_per_second, 1),
        "tx_per_cpu_second": round(result.transactions / cpu, 1) if cpu else 0.0,
        "auctions": auctions,
        "within_60_s": result.seconds <= 60,
    }


def _configure_help(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--runs", type=int, default=10, metavar="N",
                        help="how many times to run each command (default 10)")


def _run_help(args: argparse.Namespace, say: Callable[[str], None]) -> dict[str, Any]:
    """Wall time of `backstop --help` and `backstop enlist --help` in fresh processes (the
    target: under 0.5 s; every command imports web3 and titanoboa only inside its run)."""
    import statistics
    import subprocess
    import time

    if not 1 <= args.runs <= 100:
        raise UserError(f"--runs {args.runs}: give a number from 1 to 100", exit_code=2)
    figures: dict[str, Any] = {}
    for label, argv in (("help", ["--help"]), ("enlist_help", ["enlist", "--help"]),
                        ("version", ["--version"])):
        say(f"backstop {' '.join(argv)} x {args.runs}")
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "backstop.cli.main", *argv], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.append(time.perf_counter() - start)
        figures[f"{label}_median_s"] = round(statistics.median(times), 3)
        figures[f"{label}_max_s"] = round(max(times), 3)
    figures["under_0_5_s"] = all(v < 0.5 for k, v in figures.items() if k.endswith("median_s"))
    return figures


BENCHMARKS: dict[str, Benchmark] = {
    "help": Benchmark("`backstop --help` and `--version` in fresh processes: wall time (target "
                      "under 0.5 s)", _configure_help, _run_help),
    "demo": Benchmark("the whole replay (`backstop demo`): wall time, CPU time, EVM "
                      "transactions per second", _configure_demo, _run_demo),
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
