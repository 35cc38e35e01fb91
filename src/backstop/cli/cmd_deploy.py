"""`backstop deploy factory|pool`: deploy a pool factory, or a pool for a price, on any chain.

Maker's addresses are built in for mainnet (chain id 1); on other chains they come from a
deployment file (``--deployment``, as `backstop devnet` writes it). ``--write FILE`` records
what was deployed so other commands can use ``--deployment FILE``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from backstop.cli.common import (
    RPC_HELP,
    Deployment,
    DryRun,
    add_key_options,
    connect_chain,
    console,
    deployment_of,
    emit,
    finish_dry_run,
    fmt_price,
    load_signer,
    open_factory,
    parse_price,
    read_deployment,
    rpc_url_of,
    send_or_explain,
    sent_transactions,
    tx_words,
    write_deployment,
)
from backstop.cli.errors import UserError
from backstop.cli.sending import add_send_options

NAME = "deploy"
HELP = "deploy a pool factory, or a pool for a price, on any chain (mainnet Maker built in)"


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of `backstop deploy`."""
    parser.add_argument("what", choices=("factory", "pool"), help="what to deploy")
    parser.add_argument("--price", metavar="DAI_PER_MKR",
                        help='the pool\'s price in DAI per MKR, e.g. "100" (for `pool`)')
    parser.add_argument("--direct", action="store_true",
                        help="deploy the pool on its own, not through the factory")
    parser.add_argument("--rpc-url", default=None, metavar="URL", help=RPC_HELP)
    parser.add_argument("--deployment", type=Path, default=None, metavar="FILE",
                        help="a deployment file naming Maker's addresses (and the factory)")
    parser.add_argument("--factory", default=None, metavar="ADDR",
                        help="the factory that creates the pool (for `pool`)")
    parser.add_argument("--write", type=Path, default=None, metavar="FILE",
                        help="record what was deployed in FILE (created or updated); a new "
                             "pool is added beside the file's default pool")
    parser.add_argument("--make-default", action="store_true",
                        help="with --write: make the new pool the file's default pool (the one "
                             "commands use without --pool)")
    add_key_options(parser)
    add_send_options(parser)


def _core(w3: Any, args: argparse.Namespace) -> Any:
    """Maker's handles (built-in for mainnet, else from the deployment file), checked: the
    Vow must start its auctions in that Flopper, or a pool bound to it would never bid."""
    core = _addressed_core(w3, args)
    live = core.vow.flopper()
    if live != core.flopper.address:
        raise UserError(f"the Vow at {core.vow.address} starts its debt auctions in the Flopper "
                        f"at {live}, not {core.flopper.address}: a pool bound to that one would "
                        "never see an auction; give the right \"flopper\" in --deployment FILE")
    return core


def _addressed_core(w3: Any, args: argparse.Namespace) -> Any:
    """Maker's handles: built-in for mainnet, else from the deployment file."""
    from backstop.maker import MakerAddresses, core_at, known_addresses

    known = known_addresses(w3.eth.chain_id)
    if known is not None:
        return core_at(w3, known)
    dep = deployment_of(args)
    if dep is None or not dep.maker:
        raise UserError(f"chain {w3.eth.chain_id} has no built-in Maker addresses: give "
                        "--deployment FILE with a \"maker\" section (as `backstop devnet` "
                        "writes it)", exit_code=2)
    try:
        return core_at(w3, MakerAddresses.from_json(dep.maker))
    except ValueError as exc:
        raise UserError(f"the deployment file's Maker addresses are wrong: {exc}") from exc


def run(args: argparse.Namespace) -> int:
    """Deploy, print the address, optionally record it."""
    price = parse_price(args.price, "--price") if args.price is not None else None
    if args.what == "pool" and price is None:
        raise UserError('deploy pool needs --price, e.g. --price 100', exit_code=2)
    if args.what == "factory" and price is not None:
        raise UserError("--price is for `deploy pool`", exit_code=2)
    if args.make_default and not (args.what == "pool" and args.write):
        raise UserError("--make-default goes with `deploy pool --write FILE`", exit_code=2)
    account = load_signer(args)
    w3 = connect_chain(args)
    try:
        if args.what == "factory":
            address = _deploy_factory(w3, args, account)
            record = {"factory": address}
        else:
            address = _deploy_pool(w3, args, account, price)
            record = {"pool": address}
    except DryRun as dry:
        return finish_dry_run(args, dry)
    txs = sent_transactions()
    data = {"deployed": args.what, "address": address, "chain_id": w3.eth.chain_id,
            **({"price": str(price)} if price is not None else {}), "transactions": txs}
    note = ""
    if args.write:
        note = _record(args, w3, record)
        data["file"] = str(args.write)
        data["file_note"] = note
    emit(args, data, lambda: console().print(
        f"{args.what} deployed at {address} on chain {data['chain_id']}"
        + (f" ({fmt_price(price)} DAI/MKR)" if price is not None else "")
        + tx_words(txs) + (f"; {note}" if note else "")))
    return 0


def _deploy_factory(w3: Any, args: argparse.Namespace, account: Any) -> str:
    from backstop.pool import deploy_factory

    core = _core(w3, args)
    return send_or_explain(lambda: deploy_factory(w3, account, core),
                           "deploy a factory (pool blueprint first)").address


def _deploy_pool(w3: Any, args: argparse.Namespace, account: Any, price: Any) -> str:
    from backstop.pool import deploy_pool

    if args.direct:
        core = _core(w3, args)
        return send_or_explain(lambda: deploy_pool(w3, account, core, price),
                               f"deploy a pool for {price} DAI/MKR").address
    factory = open_factory(args, w3)
    existing = factory.pool_for_price(price)
    if existing is not None:
        raise UserError(f"the factory already has the pool for {fmt_price(price)} DAI/MKR at "
                        f"{existing.address}: use it (one pool per price)")
    return send_or_explain(lambda: factory.create_pool(account, price),
                           f"create the pool for {price} DAI/MKR in factory "
                           f"{factory.address}").address


def _record(args: argparse.Namespace, w3: Any, record: dict[str, str]) -> str:
    """Create or update the ``--write`` file; what changed in it, in words.

    A new pool joins the file's pools; it becomes the default pool (the one commands use without
    ``--pool``) only if the file has none or ``--make-default`` was given. A new factory
    replaces the old one, and the old factory's pools leave the file with it."""
    dep = read_deployment(args.write) if args.write.exists() else Deployment(
        rpc_url=rpc_url_of(args), chain_id=w3.eth.chain_id)
    note = f"recorded in {args.write}"
    if "factory" in record:
        old = dep.factory
        dep.factory = record["factory"]
        if old and old != record["factory"] and (dep.pools or dep.pool):
            dropped = len(set(dep.pools) | ({dep.pool} if dep.pool else set()))
            note += (f" as its factory, replacing {old} and its {dropped} pool(s): create "
                     "pools in the new one with `backstop deploy pool`")
            dep.pools, dep.pool = [], None
    if "pool" in record:
        dep.pools = [*[p for p in dep.pools if p != record["pool"]], record["pool"]]
        if dep.pool is None or args.make_default:
            dep.pool = record["pool"]
            note += " as its default pool"
        else:
            note += (f"; its default pool stays {dep.pool}: use --pool {record['pool']} "
                     "(or deploy with --make-default)")
    if not dep.maker:
        src = deployment_of(args)
        dep.maker = dict(src.maker) if src else {}
    write_deployment(args.write, dep)
    return note
