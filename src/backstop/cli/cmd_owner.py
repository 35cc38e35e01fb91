"""`backstop owner show|transfer|accept pool|factory`: two-step ownership of a pool and of the
factory (the operator's role).

- ``show``: the owner and the pending owner of the pool and of its factory;
- ``transfer pool NEW``: start handing the pool to NEW (through the factory's
  ``transfer_pool_ownership`` when the factory owns the pool, else the pool's own
  ``transfer_ownership``); NEW then runs ``accept pool``;
- ``transfer factory NEW``: start handing the factory (the operator role) to NEW, who then runs
  ``accept factory``;
- ``accept pool|factory``: the pending owner takes over.

Every write checks first that the signer may do it, and says who may otherwise.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

from backstop.cli.common import (
    DryRun,
    add_write_options,
    console,
    emit,
    finish_dry_run,
    load_signer,
    open_pool,
    parse_address,
    send_or_explain,
    sent_transactions,
    tx_words,
)
from backstop.cli.errors import UserError

NAME = "owner"
HELP = "operator: show, transfer or accept the ownership of a pool or of the factory (two steps)"
ZERO = "0x0000000000000000000000000000000000000000"


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of `backstop owner`."""
    parser.add_argument(
        "action",
        choices=("show", "transfer", "accept"),
        help="show the owners; start a transfer; accept one",
    )
    parser.add_argument(
        "target",
        nargs="?",
        choices=("pool", "factory"),
        help="the pool (--pool / --deployment) or its factory",
    )
    parser.add_argument(
        "new_owner",
        nargs="?",
        metavar="NEW_OWNER",
        help="for transfer: the next owner, who then runs `owner accept`",
    )
    add_write_options(parser)


# ---- the ownership reads and writes (one place for the pool's and the factory's ABI) ----------


def _factory_of(w3: Any, pool: Any, owner: str | None = None) -> Any | None:
    """The factory that owns ``pool`` (None if its owner is not a contract); ``owner``: the
    pool's owner, if the caller has read it."""
    from backstop.pool import factory_at

    owner = owner or pool.owner()
    if owner == ZERO or not w3.eth.get_code(owner):
        return None
    factory = factory_at(w3, owner)
    try:
        factory.owner()
    except Exception:
        return None
    return factory


@dataclass
class Route:
    """How the signer acts on a pool as its owner: directly, or as its factory's operator."""

    kind: str  # "pool" or "factory"
    pool: Any
    factory: Any | None
    via: str
    may: str

    def cease_fire(self, account: Any) -> Any:
        """Stop the pool."""
        if self.kind == "factory":
            return self.factory.cease_fire(account, self.pool.price())
        return self.pool.cease_fire(account)

    def transfer(self, account: Any, new_owner: str) -> Any:
        """Start handing the pool to ``new_owner``."""
        if self.kind == "factory":
            return self.factory.transfer_pool_ownership(account, self.pool.price(), new_owner)
        return self.pool.transfer_ownership(account, new_owner)


def owner_route(w3: Any, pool: Any, signer: str, verb: str) -> Route:
    """How ``signer`` may act on ``pool`` as its owner; one line saying who may if not."""
    owner = pool.owner()
    if owner == signer:
        return Route("pool", pool, None, "(as its owner)", "owns the pool")
    factory = _factory_of(w3, pool, owner)
    if factory is not None:
        operator = factory.owner()
        if operator == signer:
            return Route(
                "factory",
                pool,
                factory,
                f"through its factory {factory.address}",
                f"is the operator of factory {factory.address}, which owns the pool",
            )
        raise UserError(
            f"only the operator of factory {factory.address}, {operator}, may "
            f"{verb} pool {pool.address} (the factory owns it); you are {signer}"
        )
    raise UserError(
        f"only the pool's owner, {owner}, may {verb} pool {pool.address}; you are {signer}"
    )


# ---- the command ------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    """Show, transfer or accept."""
    if args.action == "show":
        if args.new_owner:
            raise UserError("`owner show` takes no NEW_OWNER", exit_code=2)
        return _show(args)
    if args.target is None:
        raise UserError(
            f"`owner {args.action}` needs pool or factory, e.g. "
            f"`backstop owner {args.action} pool`",
            exit_code=2,
        )
    if args.action == "transfer" and not args.new_owner:
        raise UserError(f"`owner transfer {args.target}` needs the NEW_OWNER address", exit_code=2)
    if args.action == "accept" and args.new_owner:
        raise UserError(
            "`owner accept` takes no NEW_OWNER: the pending owner signs it", exit_code=2
        )
    new_owner = parse_address(args.new_owner, "NEW_OWNER") if args.new_owner else None
    if new_owner == ZERO:
        raise UserError("NEW_OWNER is the zero address: nobody could accept", exit_code=2)
    account = load_signer(args)
    w3, pool = open_pool(args)
    me = account.address
    if args.target == "pool":
        action, what, check = _pool_action(w3, pool, me, args.action, new_owner)
    else:
        factory = _factory_of(w3, pool)
        if factory is None:
            raise UserError(
                f"pool {pool.address} is not owned by a factory: give the pool "
                "of a factory (--pool) to reach the factory"
            )
        action, what, check = _factory_action(factory, me, args.action, new_owner)
    try:
        send_or_explain(lambda: action(account), what)
    except DryRun as dry:
        return finish_dry_run(args, dry, [check])
    txs = sent_transactions()
    nxt = (
        f"; {new_owner} takes over with `backstop owner accept {args.target}`" if new_owner else ""
    )
    data = {
        "action": args.action,
        "target": args.target,
        "pool": pool.address,
        "new_owner": new_owner,
        "transactions": txs,
    }
    emit(args, data, lambda: console().print(f"done: {what}{nxt}" + tx_words(txs), soft_wrap=True))
    return 0


def _pool_action(w3: Any, pool: Any, me: str, action: str, new_owner: str | None) -> Any:
    if action == "transfer":
        assert new_owner is not None
        route = owner_route(w3, pool, me, "transfer")
        return (
            lambda acc: route.transfer(acc, new_owner),
            f"pool {pool.address} offered to {new_owner} {route.via}",
            f"{me} {route.may}",
        )
    pending = pool.pending_owner()
    if pending == ZERO:
        raise UserError(
            f"nobody is offered pool {pool.address}: its owner starts with "
            "`backstop owner transfer pool NEW_OWNER`"
        )
    if pending != me:
        raise UserError(
            f"pool {pool.address} is offered to {pending}, not to you ({me}): sign with that key"
        )
    return (
        pool.accept_ownership,
        f"you ({me}) own pool {pool.address}",
        f"{me} is the pending owner",
    )


def _factory_action(factory: Any, me: str, action: str, new_owner: str | None) -> Any:
    if action == "transfer":
        operator = factory.owner()
        if operator != me:
            raise UserError(
                f"only the factory's operator, {operator}, may hand factory "
                f"{factory.address} over; you are {me}"
            )
        return (
            lambda acc: factory.transfer_ownership(acc, new_owner),
            f"factory {factory.address} offered to {new_owner}",
            f"{me} is the operator",
        )
    pending = factory.pending_owner()
    if pending == ZERO:
        raise UserError(
            f"nobody is offered factory {factory.address}: its operator starts "
            "with `backstop owner transfer factory NEW_OWNER`"
        )
    if pending != me:
        raise UserError(
            f"factory {factory.address} is offered to {pending}, not to you "
            f"({me}): sign with that key"
        )
    return (
        lambda acc: factory.accept_ownership(acc),
        f"you ({me}) are the operator of factory {factory.address}",
        f"{me} is the pending owner",
    )


def _show(args: argparse.Namespace) -> int:
    w3, pool = open_pool(args)
    factory = _factory_of(w3, pool)
    data: dict[str, Any] = {
        "pool": {
            "address": pool.address,
            "owner": pool.owner(),
            "pending_owner": pool.pending_owner(),
        },
        "factory": None,
    }
    if factory is not None:
        data["factory"] = {
            "address": factory.address,
            "owner": factory.owner(),
            "pending_owner": factory.pending_owner(),
        }

    def human() -> None:
        c = console()
        p = data["pool"]
        owned = " (its factory: the operator acts through it)" if factory else ""
        c.print(f"pool     {p['address']}", soft_wrap=True)
        c.print(f"  owner          {p['owner']}{owned}", soft_wrap=True)
        c.print(f"  pending owner  {_none(p['pending_owner'])}", soft_wrap=True)
        if data["factory"]:
            f = data["factory"]
            c.print(f"factory  {f['address']}", soft_wrap=True)
            c.print(f"  operator       {f['owner']}", soft_wrap=True)
            c.print(f"  pending owner  {_none(f['pending_owner'])}", soft_wrap=True)

    emit(args, data, human)
    return 0


def _none(address: str) -> str:
    return "none" if address == ZERO else address
