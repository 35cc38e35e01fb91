"""`backstop cease-fire`: the operator stops a pool for good (no deposits or bids; withdrawals
and settling stay open).

A pool the factory created is owned by the factory: its operator (the factory's owner) stops it
through the factory's ``cease_fire(price)``. A pool with an owner of its own (after
``backstop owner transfer pool``, or deployed ``--direct``) is stopped by that owner with the
pool's ``ceaseFire``. The command finds which applies and checks the signer may do it.
"""

from __future__ import annotations

import argparse

from backstop.cli.common import (
    DryRun,
    add_write_options,
    console,
    emit,
    finish_dry_run,
    load_signer,
    open_pool,
    send_or_explain,
    sent_transactions,
    tx_words,
)
from backstop.cli.errors import UserError

NAME = "cease-fire"
HELP = "operator: stop a pool for good (no deposits or bids; withdrawals stay open)"


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of `backstop cease-fire`."""
    add_write_options(parser)


def run(args: argparse.Namespace) -> int:
    """Find who may stop the pool, check it is the signer, send."""
    from backstop.cli.cmd_owner import owner_route

    account = load_signer(args)
    w3, pool = open_pool(args)
    if pool.ceased():
        raise UserError(f"pool {pool.address} is already deactivated (cease-fire): nothing to do")
    route = owner_route(w3, pool, account.address, "stop")
    what = f"cease-fire of pool {pool.address} {route.via}"
    try:
        send_or_explain(lambda: route.cease_fire(account), what)
    except DryRun as dry:
        return finish_dry_run(args, dry, [f"{account.address} {route.may}"])
    txs = sent_transactions()
    data = {"pool": pool.address, "ceased": pool.ceased(), "via": route.kind, "transactions": txs}
    emit(
        args,
        data,
        lambda: console().print(
            f"pool {pool.address} is deactivated: no more deposits or bids; members can still "
            f"defect" + tx_words(txs)
        ),
    )
    return 0
