"""`backstop enlist AMOUNT`: deposit DAI into a pool for shares (DAI's permit: one transaction)."""

from __future__ import annotations

import argparse
from typing import Any

from backstop.cli.common import (
    DryRun,
    add_write_options,
    console,
    deposits_open,
    deposits_words,
    emit,
    explain_revert,
    finish_dry_run,
    fmt,
    load_signer,
    open_pool,
    parse_amount,
    send_or_explain,
    sent_transactions,
    tx_words,
)
from backstop.cli.errors import UserError

NAME = "enlist"
HELP = "deposit DAI into a pool for shares (one transaction with DAI's permit)"


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of `backstop enlist`."""
    parser.add_argument("amount", metavar="AMOUNT", help='DAI to deposit, e.g. "1.5" or "50000"')
    parser.add_argument("--approve", action="store_true",
                        help="use approve + enlist (two transactions) instead of DAI's permit")
    add_write_options(parser)


def run(args: argparse.Namespace) -> int:
    """Check, simulate, send; print the shares received and the transaction."""
    amount = parse_amount(args.amount, "AMOUNT")
    assert amount is not None
    account = load_signer(args)
    _, pool = open_pool(args)
    check(pool, account.address, amount)
    what = (f"enlist {amount} DAI in pool {pool.address}"
            + (" (approve first: the enlist follows once it is mined)" if args.approve else ""))
    try:
        if args.approve:
            done = send_or_explain(lambda: pool.approve_and_enlist(account, amount), what)
        else:
            done = send_or_explain(lambda: pool.enlist_with_permit(account, amount), what)
    except DryRun as dry:
        return finish_dry_run(args, dry, [f"you hold at least {amount} DAI",
                                          "the pool takes deposits and this amount"])
    shares = pool.shares_of(account.address)
    txs = sent_transactions()
    data = {"pool": pool.address, "member": account.address, "dai": str(done.dai),
            "shares_minted": str(done.shares), "shares_held": str(shares),
            "request_id": done.request_id or None,
            "method": "approve" if args.approve else "permit", "transactions": txs}
    if done.request_id:
        words = (f"enlisted {fmt(done.dai)} DAI in pool {pool.address} as deposit request "
                 f"#{done.request_id}: it bids from now on and becomes shares once the bids "
                 "open now are settled (`backstop claim` then)")
    else:
        words = (f"enlisted {fmt(done.dai)} DAI in pool {pool.address}: {fmt(done.shares)} "
                 f"shares minted, you now hold {fmt(shares)}")
    emit(args, data, lambda: console().print(words + tx_words(txs)))
    return 0


def check(pool: Any, member: str, amount: Any) -> None:
    """Refuse, in words, what the pool would refuse: closed deposits or too little DAI."""
    status = pool.status()
    if not deposits_open(status):
        raise UserError(deposits_words(status, as_error=True))
    held = pool.dai.balance_of(member)
    if held < amount:
        raise UserError(f"you hold {fmt(held)} DAI, this needs {fmt(amount)}: "
                        f"get more DAI to {member} or enlist less")
    preview = pool.preview_enlist(amount)
    if not preview.ok:
        raise UserError(explain_revert(preview.reason))
