"""`backstop defect AMOUNT|all`: burn shares for the pool's DAI and MKR, pro rata."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

from backstop.cli.common import (
    DryRun,
    add_write_options,
    console,
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
from backstop.units import Wad

NAME = "defect"
HELP = "withdraw: burn shares for your part of the pool's DAI and MKR"


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of `backstop defect`."""
    parser.add_argument("shares", metavar="AMOUNT", help='shares to burn, e.g. "10.5" or "all"')
    add_write_options(parser)


@dataclass(frozen=True)
class DefectLimits:
    """What a member can defect now: any of its ``held`` shares (a defect pays the liquid part
    at once and keeps a redeem request for the bids open now); fewer than ``min_paying`` shares
    pay nothing now (their liquid part rounds down to 0 and nothing else is owed: with bids
    open they still get a redeem request). The ONE place that works these out from the pool's
    previews."""

    held: Wad
    min_paying: Wad

    def to_json(self) -> dict[str, str]:
        """The ``--json`` form."""
        return {"held": str(self.held), "min_paying": str(self.min_paying)}


def defect_limits(pool: Any, held: Wad, member: str | None = None,
                  owed: tuple[Wad, Wad] | None = None, liquid: Any = None) -> DefectLimits:
    """The limits of ``held`` shares in ``pool`` now (``owed``: ``member``'s
    ``preview_claim``, ``liquid``: ``pool.defect_amount(held)``, if the caller has read them
    already)."""
    if member is not None and owed is None:
        owed = pool.preview_claim(member)
    if owed is not None and any(o.raw for o in owed):
        return DefectLimits(held, Wad(min(1, held.raw)))  # anything pays what is owed
    if liquid is None:
        liquid = pool.defect_amount(held)
    if not held.raw or not liquid.dai.raw:
        return DefectLimits(held, held)
    # s shares pay floor(s * L / W) >= 1 wei once s >= ceil(held / liquid part of held)
    min_paying = -(-held.raw // liquid.dai.raw)
    return DefectLimits(held, Wad(min(min_paying, held.raw)))


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
        raise UserError(f"you hold {held} shares, this needs {shares}: "
                        'defect less, or "all"')
    preview = pool.preview_defect(account.address, shares)
    if not preview.ok:
        raise UserError(explain_revert(preview.reason))
    if not (preview.dai.raw or preview.mkr.raw or preview.request_weight.raw):
        limits = defect_limits(pool, held, account.address)
        raise UserError(f"{shares} shares pay nothing now (0 DAI and 0 MKR, rounded down): "
                        f"defect at least {limits.min_paying} shares (nothing was sent)")
    what = f"defect {shares} shares of pool {pool.address}"
    try:
        done = send_or_explain(lambda: pool.defect(account, shares), what)
    except DryRun as dry:
        return finish_dry_run(args, dry, [f"you hold {held} shares",
                                          f"they pay {preview.dai} DAI and {preview.mkr} MKR "
                                          "now"])
    left = held - done.shares
    txs = sent_transactions()
    data = {"pool": pool.address, "member": account.address, "shares_burned": str(done.shares),
            "dai": str(done.dai), "mkr": str(done.mkr), "shares_left": str(left),
            "redeem_request_id": done.request_id or None, "transactions": txs}
    later = (f"; your part of the bids open now is redeem request #{done.request_id}, paid by "
             "`backstop claim` once they are settled" if done.request_id else "")
    emit(args, data, lambda: console().print(
        f"defected {fmt(done.shares)} shares: received {fmt(done.dai)} DAI and "
        f"{fmt(done.mkr, 6)} MKR now; {fmt(left)} shares left{later}" + tx_words(txs)))
    return 0
