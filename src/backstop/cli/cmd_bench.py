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
                        help="auctions that become biddable in the same block, 1 to 5000 "
                             "(default 100)")
    parser.add_argument("--pools", type=int, default=1, metavar="P",
                        help="pools sharing them, 1 to 20 (default 1)")
    parser.add_argument("--batch-limit", type=int, default=None, metavar="N",
                        help="the node refuses batches of more than N calls, as geth does "
                             "(default: no limit)")


def _run_keeper(args: argparse.Namespace, say: Callable[[str], None]) -> dict[str, Any]:
    from backstop.keeper.bench import MAX_AUCTIONS, MAX_POOLS, run_keeper_bench
    from backstop.testing.anvil import AnvilNotFound

    if not 1 <= args.auctions <= MAX_AUCTIONS:
        raise UserError(f"--auctions {args.auctions}: give a number from 1 to {MAX_AUCTIONS}",
                        exit_code=2)
    if not 1 <= args.pools <= MAX_POOLS:
        raise UserError(f"--pools {args.pools}: give a number from 1 to {MAX_POOLS}",
                        exit_code=2)
    if args.batch_limit is not None and args.batch_limit < 1:
        raise UserError(f"--batch-limit {args.batch_limit}: give at least 1", exit_code=2)
    try:
        return run_keeper_bench(args.auctions, args.pools, args.batch_limit,
                                progress=say).to_json()
    except AnvilNotFound as exc:
        raise UserError(str(exc)) from None


def _configure_demo(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true",
                        help="the shortened replay (14 auctions) instead of the full one (106)")


def _run_demo(args: argparse.Namespace, say: Callable[[str], None]) -> dict[str, Any]:
    """The whole `backstop demo` (both scenarios): wall time, CPU time, EVM transactions/s,
    then its floor: exactly the replay's transactions again, straight on the EVM."""
    from backstop.chain.boa_provider import replay_recording
    from backstop.replay.run import run_demo

    say(f"replaying {'the shortened' if args.quick else 'the full'} March 2020 and the "
        "counterfactual on the in-process chain")
    result = run_demo(quick=args.quick, record=True)
    cpu = result.cpu_seconds  # the same span as its wall time
    auctions = (result.figures["history"]["total"]["auctions"]
                + result.figures["counterfactual"]["total"]["auctions"])
    say("the floor: the same transactions straight on py-evm (no JSON-RPC, no web3)")
    provider = result.provider
    floor = replay_recording(provider.recording)
    root = provider.state_root()
    if floor.state_root != root:
        raise UserError(f"the floor replay reached state root 0x{floor.state_root.hex()}, the "
                        f"replay 0x{root.hex()}: the floor does not measure the same work "
                        "(a bug: please report it)")
    return {
        "wall_seconds": round(result.seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "evm_transactions": result.transactions,
        "tx_per_second": round(result.tx_per_second, 1),
        "tx_per_cpu_second": round(result.transactions / cpu, 1) if cpu else 0.0,
        "floor_seconds": round(floor.seconds, 2),
        "floor_cpu_seconds": round(floor.cpu_seconds, 2),
        "floor_transactions": floor.transactions,
        "ratio_to_floor": round(result.seconds / floor.seconds, 2) if floor.seconds else 0.0,
        "cpu_ratio_to_floor": (round(cpu / floor.cpu_seconds, 2) if floor.cpu_seconds
                               else 0.0),
        "state_root": "0x" + root.hex(),
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
                      "transactions per second, and its floor (the same transactions "
                      "straight on the EVM) with the ratio to it", _configure_demo, _run_demo),
    "keeper": Benchmark("the keeper on anvil: N auctions biddable at once in P pools; blocks "
                        "to enter and finalize, RPC requests and calls per block, CPU per "
                        "held auction, the largest batch", _configure_keeper,
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
