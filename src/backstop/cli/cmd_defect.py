"""`backstop defect AMOUNT|all`: burn shares for the pool's DAI and MKR, pro rata."""

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
    parse_amount,
    send_or_explain,
)
from backstop.cli.errors import UserError

NAME = "defect"
HELP = "withdraw: burn shares for your part of the pool's DAI and MKR"


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of `backstop defect`."""
    parser.add_argument("shares", metavar="AMOUNT", help='shares to burn, e.g. "10.5" or "all"')
    add_chain_options(parser, factory=True)
    add_key_options(parser)


def run(args: argparse.Namespace) -> int:
    """Check, simulate, send; print what was paid."""
    wanted = parse_amount(args.shares, "AMOUNT", allow_all=True)
    account = load_signer(args)
    _, pool = open_pool(args)
    held = pool.shares_of(account.address)
    shares = held if wanted is None else wanted
    if held.raw == 0:
        raise UserError(f"{account.address} holds no shares of pool {pool.address}: "
                        "nothing to defect")
    if shares > held:
        raise UserError(f"you hold {fmt(held)} shares, this needs {fmt(shares)}: "
                        'defect less, or "all"')
    preview = pool.defect_amount(shares)
    if not preview.redeemable:
        free = pool.dai_available()
        raise UserError(f"this would pay {fmt(preview.dai)} DAI but only {fmt(free)} DAI of the "
                        "pool is free now (the rest is locked in bids): defect fewer shares or "
                        "wait until the auctions are finalized")
    done = send_or_explain(lambda: pool.defect(account, shares))
    left = held - done.shares
    data = {"pool": pool.address, "member": account.address, "shares_burned": str(done.shares),
            "dai": str(done.dai), "mkr": str(done.mkr), "shares_left": str(left)}
    emit(args, data, lambda: console().print(
        f"defected {fmt(done.shares)} shares: received {fmt(done.dai)} DAI and "
        f"{fmt(done.mkr, 6)} MKR; {fmt(left)} shares left"))
    return 0
