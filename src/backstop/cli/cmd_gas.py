"""``backstop gas``: the pool's gas on our Maker core, beside the 2020 syndicate's figures."""

from __future__ import annotations

import argparse
import json

NAME = "gas"
HELP = "measure the pool's gas per operation in-process, beside the 2020 syndicate's figures"

FLOPPERS = {"current": "flopper", "2019": "flopper_2019"}


def configure(parser: argparse.ArgumentParser) -> None:
    """``--flopper current|2019|both`` picks the Flopper the pool bids on; ``--core`` prints
    the gas of each Maker core call beside dss's instead."""
    parser.add_argument(
        "--flopper", choices=("current", "2019", "both"), default="both",
        help="current dss Flopper (first bid kisses the Vow), the 2019 one the 2020 figures "
             "were measured on, or both side by side (default: both)",
    )
    parser.add_argument(
        "--core", action="store_true",
        help="print the gas of each call into the Maker core (ours beside dss's) instead",
    )


def run(args: argparse.Namespace) -> int:
    """Run the benchmark and print a table, or one JSON object with ``--json``."""
    from backstop.maker.gas import MAKER_MEASURED

    kinds = ["current", "2019"] if args.flopper == "both" else [args.flopper]
    if getattr(args, "core", False):
        return _core(kinds, getattr(args, "json", False))

    from backstop.pool.gas import GAS_2020, TARGET_PERCENT, measure_gas

    gas = {kind: measure_gas(FLOPPERS[kind]) for kind in kinds}
    if getattr(args, "json", False):
        print(json.dumps(gas if len(kinds) > 1 else gas[kinds[0]], sort_keys=False))
        return 0
    # the 2020 figures were measured on the 2019 Flopper: compare with it when it was run
    base = "2019" if "2019" in kinds else kinds[0]
    heads = "".join(f" {kind:>11}" for kind in kinds)
    print(f"{'operation':<22}{heads} {'2020':>11} {'ratio':>7}  target")
    for key, value in gas[base].items():
        cells = "".join(f" {gas[kind][key]:>11,}" for kind in kinds)
        old = GAS_2020.get(key)
        if not old:
            print(f"{key:<22}{cells}")
            continue
        limit = TARGET_PERCENT.get(key)
        met = value * 100 <= old * limit if limit else value < old
        target = f"<= {limit}%" if limit else "< 100%"
        print(f"{key:<22}{cells} {old:>11,} {value / old:7.1%}  {target:<7} "
              f"{'met' if met else 'MISSED'}")
    print(f"Maker: {MAKER_MEASURED}.")
    print(f"Flopper: {' and '.join(kinds)}; ratio and target against the {base} column. 2020: "
          "the v3-100 syndicate on the 2019 Maker contracts; enlist_with_permit is compared with "
          "the 2020 enlist alone (2020 also needed an approve transaction); create_pool (a pool "
          "from the factory's blueprint, as `backstop deploy pool` does) is compared with the "
          "2020 deployment too. enlist_with_permit here is a third member's first enlist of "
          "1,000 DAI with DAI's permit (nonce 0 -> 1, allowance 0 -> max) into a pool that "
          "already has members; other scenarios (a first member, a new pool) cost more.")
    if "current" in kinds:
        print("On the current Flopper an auction's first bid (the pool's, here) also kisses "
              "the Vow's debt (Vow.kiss and vat.heal inside dent, about 38,000 gas).")
    return 0


def _core(kinds: list[str], as_json: bool) -> int:
    """The gas of each Maker core call on our core beside dss's, per Flopper."""
    from backstop.maker.gas import (
        CORE_CALLS,
        DSS,
        DSS_METHOD,
        TOLERANCE,
        compare,
        measure_core_calls,
    )

    rows = {kind: compare(measure_core_calls(FLOPPERS[kind]), DSS[FLOPPERS[kind]])
            for kind in kinds}
    if as_json:
        print(json.dumps({kind: {key: {"ours": ours, "dss": dss}
                                 for key, ours, dss, _ in table}
                          for kind, table in rows.items()}))
        return 0
    what = dict(CORE_CALLS)
    for kind, table in rows.items():
        print(f"Flopper: {kind}")
        print(f"  {'call':<20} {'ours':>8} {'dss':>8} {'diff':>7}")
        for key, ours, dss, rel in table:
            flag = "" if abs(rel) <= TOLERANCE else "  OVER 2%"
            print(f"  {key:<20} {ours:>8,} {dss:>8,} {rel:+7.2%}{flag}")
    print("Gas of each call's frame, in the context a pool makes it in "
          "(backstop.maker.gas.CORE_CALLS):")
    for key, text in what.items():
        print(f"  {key}: {text}")
    print(DSS_METHOD)
    return 0
