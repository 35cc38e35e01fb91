"""`backstop defect AMOUNT|all`: burn shares for the pool's DAI and MKR, pro rata."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

from backstop.cli.common import (
    DryRun,
    add_chain_options,
    add_key_options,
    console,
    emit,
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
from backstop.cli.sending import add_send_options
from backstop.units import Wad

NAME = "defect"
HELP = "withdraw: burn shares for your part of the pool's DAI and MKR"


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of `backstop defect`."""
    parser.add_argument("shares", metavar="AMOUNT", help='shares to burn, e.g. "10.5" or "all"')
    add_chain_options(parser, factory=True)
    add_key_options(parser)
    add_send_options(parser)


@dataclass(frozen=True)
class DefectLimits:
    """What a member can defect now: ``max_now`` shares are paid in full at once (the rest waits
    for the pool's bids to be settled); fewer than ``min_paying`` shares pay nothing (rounded
    down to 0 DAI and 0 MKR). The ONE place that works these out from the pool's previews, so the
    redesigned pool changes only this function."""

    held: Wad
    max_now: Wad
    min_paying: Wad

    def to_json(self) -> dict[str, str]:
        """The ``--json`` form."""
        return {"held": str(self.held), "max_now": str(self.max_now),
                "min_paying": str(self.min_paying)}


def defect_limits(pool: Any, held: Wad) -> DefectLimits:
    """The limits of ``held`` shares in ``pool`` now (a few ``getDefectAmount`` reads)."""
    st = pool.state()
    total = st.total_shares.raw
    owed = [a.raw for a in (st.dai_balance, st.mkr_balance) if a.raw]
    # pro rata rounds down: s pays at least 1 wei of an asset A once s * A >= total
    min_paying = min((-(-total // a) for a in owed), default=total) if total else 0
    min_paying = min(min_paying, held.raw) if held.raw else min_paying
    if not held.raw or pool.defect_amount(held).redeemable:
        return DefectLimits(held, held, Wad(min_paying))
    whole = pool.defect_amount(held)
    free = pool.dai_available().raw
    guess = held.raw * free // whole.dai.raw if whole.dai.raw else 0
    lo, hi = 0, min(guess + 1, held.raw)  # lo works; find the largest that does
    if hi and pool.defect_amount(Wad(hi)).redeemable:
        lo = hi
    else:
        lo = 0
        for _ in range(80):
            if hi - lo <= 1:
                break
            mid = (lo + hi) // 2
            if pool.defect_amount(Wad(mid)).redeemable:
                lo = mid
            else:
                hi = mid
    return DefectLimits(held, Wad(lo), Wad(min_paying))


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
    preview = pool.defect_amount(shares)
    if not preview.redeemable:
        limits = defect_limits(pool, held)
        free = pool.dai_available()
        raise UserError(f"{shares} shares would pay {fmt(preview.dai)} DAI but only "
                        f"{fmt(free)} DAI of the pool is free now (the rest is in bids): "
                        f"defect at most {limits.max_now} shares now, or the rest once the "
                        "pool's auctions are settled")
    if preview.dai.raw == 0 and preview.mkr.raw == 0:
        limits = defect_limits(pool, held)
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
            "transactions": txs}
    emit(args, data, lambda: console().print(
        f"defected {fmt(done.shares)} shares: received {fmt(done.dai)} DAI and "
        f"{fmt(done.mkr, 6)} MKR; {fmt(left)} shares left" + tx_words(txs)))
    return 0
