"""`backstop claim`: receive what the pool owes you (MKR won, DAI refunded) without leaving, and
settle your requests that are ready: deposit requests become shares, redeem requests pay out."""

from __future__ import annotations

import argparse

from backstop.cli.common import (
    DryRun,
    add_write_options,
    console,
    emit,
    finish_dry_run,
    fmt,
    load_signer,
    open_pool,
    send_or_explain,
    sent_transactions,
    tx_words,
)
from backstop.cli.errors import UserError
from backstop.units import Wad

NAME = "claim"
HELP = "receive the MKR and DAI the pool owes you (keeping your shares) and settle ready requests"


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of `backstop claim`."""
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--dai-only", action="store_true", help="receive only the DAI owed")
    which.add_argument("--mkr-only", action="store_true", help="receive only the MKR owed")
    parser.add_argument("--from-block", type=int, default=0, metavar="N",
                        help="look for your requests in the pool's logs from this block "
                             "(default: 0)")
    add_write_options(parser)


def run(args: argparse.Namespace) -> int:
    """Settle the claimable requests, then claim what is owed; print what was received."""
    account = load_signer(args)
    _, pool = open_pool(args)
    member = account.address
    requests = pool.requests(member, args.from_block)
    ready = [r for r in requests if r.claimable.raw]
    owed_dai, owed_mkr = pool.preview_claim(member)
    if not ready and not owed_dai.raw and not owed_mkr.raw:
        pending = [r for r in requests if r.pending.raw]
        waiting = (f"; {len(pending)} request(s) still wait for the bids open when they were "
                   "made" if pending else "")
        raise UserError(f"pool {pool.address} owes {member} nothing now{waiting} "
                        "(nothing was sent)")
    minted = Wad(0)
    got_dai = got_mkr = Wad(0)
    try:
        for request in ready:
            if request.kind == "deposit":
                minted = minted + send_or_explain(
                    lambda r=request: pool.claim_deposit(account, r.request_id, member),
                    f"claim deposit request #{request.request_id}")
            else:
                d, m = send_or_explain(
                    lambda r=request: pool.claim_redeem(account, r.request_id, member),
                    f"claim redeem request #{request.request_id}")
                got_dai, got_mkr = got_dai + d, got_mkr + m
        owed_dai, owed_mkr = pool.preview_claim(member)
        pay_dai = owed_dai.raw and not args.mkr_only
        pay_mkr = owed_mkr.raw and not args.dai_only
        if pay_dai or pay_mkr:
            claim = (pool.claim_dai if args.dai_only else
                     pool.claim_mkr if args.mkr_only else pool.claim)
            d, m = send_or_explain(lambda: claim(account), f"claim from pool {pool.address}")
            got_dai, got_mkr = got_dai + d, got_mkr + m
    except DryRun as dry:
        return finish_dry_run(args, dry, [f"the pool owes you {owed_dai} DAI and {owed_mkr} MKR",
                                          f"{len(ready)} request(s) are ready"])
    txs = sent_transactions()
    data = {"pool": pool.address, "member": member, "dai": str(got_dai), "mkr": str(got_mkr),
            "shares_minted": str(minted),
            "requests": [{"kind": r.kind, "id": r.request_id} for r in ready],
            "transactions": txs}
    emit(args, data, lambda: console().print(
        f"received {fmt(got_dai)} DAI and {fmt(got_mkr, 6)} MKR from pool {pool.address}"
        + (f"; {fmt(minted)} shares minted from deposit requests" if minted.raw else "")
        + tx_words(txs)))
    return 0
