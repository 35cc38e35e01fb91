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
    add_key_options,
    connect_chain,
    console,
    deployment_of,
    emit,
    factory_address,
    load_signer,
    parse_amount,
    read_deployment,
    rpc_url_of,
    send_or_explain,
    write_deployment,
)
from backstop.cli.errors import UserError

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
                        help="record what was deployed in FILE (created or updated)")
    add_key_options(parser)


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
    price = parse_amount(args.price, "--price") if args.price is not None else None
    if args.what == "pool" and price is None:
        raise UserError('deploy pool needs --price, e.g. --price 100', exit_code=2)
    if args.what == "factory" and price is not None:
        raise UserError("--price is for `deploy pool`", exit_code=2)
    account = load_signer(args)
    w3 = connect_chain(args)
    if args.what == "factory":
        address = _deploy_factory(w3, args, account)
        record = {"factory": address}
    else:
        address = _deploy_pool(w3, args, account, price)
        record = {"pool": address}
    data = {"deployed": args.what, "address": address, "chain_id": w3.eth.chain_id,
            **({"price": str(price)} if price is not None else {})}
    if args.write:
        _record(args, w3, record)
        data["file"] = str(args.write)
    emit(args, data, lambda: console().print(
        f"{args.what} deployed at {address} on chain {data['chain_id']}"
        + (f" ({price} DAI/MKR)" if price is not None else "")
        + (f"; recorded in {args.write}" if args.write else "")))
    return 0


def _deploy_factory(w3: Any, args: argparse.Namespace, account: Any) -> str:
    from backstop.pool import deploy_factory

    core = _core(w3, args)
    return send_or_explain(lambda: deploy_factory(w3, account, core)).address


def _deploy_pool(w3: Any, args: argparse.Namespace, account: Any, price: Any) -> str:
    from backstop.pool import deploy_pool, factory_at

    if args.direct:
        core = _core(w3, args)
        return send_or_explain(lambda: deploy_pool(w3, account, core, price)).address
    factory = factory_at(w3, factory_address(args, w3))
    existing = factory.pool_for_price(price)
    if existing is not None:
        raise UserError(f"the factory already has the pool for {price} DAI/MKR at "
                        f"{existing.address}: use it (one pool per price)")
    return send_or_explain(lambda: factory.create_pool(account, price)).address


def _record(args: argparse.Namespace, w3: Any, record: dict[str, str]) -> None:
    """Create or update the ``--write`` file."""
    dep = read_deployment(args.write) if args.write.exists() else Deployment(
        rpc_url=rpc_url_of(args), chain_id=w3.eth.chain_id)
    if "factory" in record:
        dep.factory = record["factory"]
    if "pool" in record:
        dep.pool = record["pool"]
        dep.pools = [*dep.pools, record["pool"]]
    if not dep.maker:
        src = deployment_of(args)
        dep.maker = dict(src.maker) if src else {}
    write_deployment(args.write, dep)
