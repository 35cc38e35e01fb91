"""`backstop position [ADDRESS]`: a member's shares and what defecting would pay now."""

from __future__ import annotations

import argparse

from backstop.cli.common import (
    add_chain_options,
    add_key_options,
    console,
    emit,
    fmt,
    load_signer,
    open_pool,
    parse_address,
)

NAME = "position"
HELP = "a member's shares and what defecting would pay now (default: your own key's address)"


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of `backstop position`."""
    parser.add_argument("address", metavar="ADDRESS", nargs="?",
                        help="the member (default: the address of your signing key)")
    add_chain_options(parser, factory=True)
    add_key_options(parser)


def run(args: argparse.Namespace) -> int:
    """Read the member's position in one batch and print it."""
    from backstop.chain import batch_call
    from backstop.cli.cmd_defect import defect_limits

    member = (parse_address(args.address, "ADDRESS") if args.address
              else load_signer(args).address)
    w3, pool = open_pool(args)
    calls = [pool.call_shares_of(member), pool.call_total_shares(),
             pool.dai.call_balance_of(member), pool.mkr.call_balance_of(member)]
    answers = batch_call(w3, [c.as_tuple() for c in calls])
    shares, total, dai, mkr = (c.decode(a) for c, a in zip(calls, answers, strict=True))
    paid = pool.defect_amount(shares) if shares.raw else None
    owed_dai, owed_mkr = pool.preview_claim(member)
    limits = (defect_limits(pool, shares, member, (owed_dai, owed_mkr), paid) if shares.raw
              else None)
    requests = pool.requests(member)
    bp = shares.raw * 10_000 // total.raw if total.raw else 0  # hundredths of a percent
    part = f"{bp // 100}.{bp % 100:02d}%"
    data = {
        "pool": pool.address, "member": member, "shares": str(shares),
        "total_shares": str(total), "share_of_pool": part,
        "defect_now": None if paid is None else {
            "dai": str(paid.dai), "mkr": str(paid.mkr), "redeemable": paid.redeemable},
        "defect_limits": None if limits is None else limits.to_json(),
        "owed": {"dai": str(owed_dai), "mkr": str(owed_mkr)},
        "requests": [{"kind": r.kind, "id": r.request_id, "pending": str(r.pending),
                      "claimable": str(r.claimable)} for r in requests],
        "wallet": {"dai": str(dai), "mkr": str(mkr)},
    }

    def human() -> None:
        c = console()
        c.print(f"member {member} in pool {pool.address}")
        c.print(f"  shares        {fmt(shares)} of {fmt(total)} ({part})")
        if paid is not None:
            c.print(f"  defect all -> {fmt(paid.dai)} DAI now (the liquid part), plus your "
                    "part of the bids open now when they settle")
        if limits is not None:
            c.print(f"  defect now    up to all {limits.held} shares; at least "
                    f"{limits.min_paying} (fewer pay nothing)")
        c.print(f"  owed now      {fmt(owed_dai)} DAI, {fmt(owed_mkr, 6)} MKR (`backstop claim`)")
        for r in requests:
            state = (f"{r.claimable} claimable now" if r.claimable.raw
                     else f"{r.pending} waiting for the bids open when it was made")
            c.print(f"  request #{r.request_id} ({r.kind}): {state}")
        c.print(f"  wallet        {fmt(dai)} DAI, {fmt(mkr, 6)} MKR")

    emit(args, data, human)
    return 0
