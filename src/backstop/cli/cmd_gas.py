"""``backstop gas``: the pool's gas on our Maker core, beside the 2020 syndicate's figures."""

from __future__ import annotations

import argparse
import json

NAME = "gas"
HELP = "measure the pool's gas per operation in-process, beside the 2020 syndicate's figures"


def configure(parser: argparse.ArgumentParser) -> None:
    """``--flopper current|2019`` picks the Flopper the pool bids on."""
    parser.add_argument(
        "--flopper", choices=("current", "2019"), default="current",
        help="current dss Flopper (first bid kisses the Vow) or the 2019 one the 2020 figures "
             "were measured on (default: current)",
    )


def run(args: argparse.Namespace) -> int:
    """Run the benchmark and print a table, or one JSON object with ``--json``."""
    from backstop.pool.gas import GAS_2020, TARGET_PERCENT, measure_gas

    gas = measure_gas("flopper_2019" if args.flopper == "2019" else "flopper")
    if getattr(args, "json", False):
        print(json.dumps(gas, sort_keys=False))
        return 0
    print(f"{'operation':<22} {'backstop':>11} {'2020':>11} {'ratio':>7}  target")
    for key, value in gas.items():
        old = GAS_2020.get(key)
        if not old:
            print(f"{key:<22} {value:>11,}")
            continue
        limit = TARGET_PERCENT.get(key)
        met = value * 100 <= old * limit if limit else value < old
        target = f"<= {limit}%" if limit else "< 100%"
        print(f"{key:<22} {value:>11,} {old:>11,} {value / old:7.1%}  {target:<7} "
              f"{'met' if met else 'MISSED'}")
    print(f"Flopper: {args.flopper}. 2020: the v3-100 syndicate on the 2019 Maker contracts; "
          "enlist_with_permit is compared with the 2020 enlist alone (2020 also needed an "
          "approve transaction); create_pool (a pool from the factory's blueprint, as "
          "`backstop deploy pool` does) is compared with the 2020 deployment too.")
    if args.flopper == "current":
        print("On the current Flopper an auction's first bid (the pool's, here) also kisses "
              "the Vow's debt (vat.heal inside dent, about 24,000 gas); `--flopper 2019` shows "
              "the pool on the Flopper the 2020 figures were measured on.")
    return 0
