"""What every `backstop` subcommand shares: amounts, addresses, the chain, the deployment file,
the signing key, and output (human tables or ``--json``).

Every function here raises ``UserError`` with one line that says what is wrong and what to do.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_utils import is_hex_address, to_checksum_address
from web3 import Web3

from backstop.cli.errors import UserError
from backstop.files import atomic_write
from backstop.pool.reasons import explain_revert
from backstop.units import UnitError, Wad

RPC_ENV = "BACKSTOP_RPC_URL"
KEY_ENV = "BACKSTOP_PRIVATE_KEY"
DEFAULT_RPC = "http://127.0.0.1:8545"
RPC_HELP = (f"JSON-RPC URL of the node (default: ${RPC_ENV}, then the --deployment file's, "
            f"then {DEFAULT_RPC})")  # the order rpc_url_of() follows


# ---- amounts and addresses ----

def parse_amount(text: str, what: str = "amount", *, allow_all: bool = False) -> Wad | None:
    """A positive token amount written as a decimal string, exact to the wei.

    Returns ``None`` for "all" when ``allow_all``. Refuses negatives, zero, more than 18
    decimals and anything that is not a number, with one line naming the problem.
    """
    raw = text.strip()
    if allow_all and raw.lower() == "all":
        return None
    hint = ' or "all"' if allow_all else ""
    if raw.startswith("-"):
        raise UserError(f"{what} {raw!r} is negative: give a positive amount like 1.5{hint}",
                        exit_code=2)
    try:
        value = Wad.parse(raw)
    except UnitError as exc:
        if "decimals" in str(exc):
            raise UserError(f"{what} {raw!r} has more than 18 decimals: DAI and shares are exact "
                            "to 18 decimals (1 wei = 0.000000000000000001)", exit_code=2) from exc
        raise UserError(f"{what} {raw!r} is not a number: write it like 1.5 or 50000{hint}",
                        exit_code=2) from exc
    if value.raw == 0:
        raise UserError(f"{what} is zero: give a positive amount like 1.5{hint}", exit_code=2)
    return value


def parse_address(text: str, what: str = "address") -> str:
    """A 0x-prefixed 20-byte hex address, checksummed; usage error (2) otherwise."""
    raw = (text or "").strip()
    if not is_hex_address(raw):
        raise UserError(f"{what} {raw!r} is not an address: write 0x followed by 40 hex digits",
                        exit_code=2)
    if raw != raw.lower() and raw[2:] != raw[2:].upper() and to_checksum_address(raw) != raw:
        raise UserError(f"{what} {raw!r} has a wrong checksum (a typo?): check the address",
                        exit_code=2)
    return to_checksum_address(raw)


def fmt(amount: Wad, places: int = 4) -> str:
    """A token amount for people: thousands separators, ``places`` decimals (display only)."""
    return amount.format(places)


# ---- options ----

def add_chain_options(parser: argparse.ArgumentParser, *, pool: bool = True,
                      factory: bool = True) -> None:
    """``--rpc-url`` (env BACKSTOP_RPC_URL), ``--deployment FILE``, ``--pool``, ``--factory``."""
    parser.add_argument("--rpc-url", default=None, metavar="URL", help=RPC_HELP)
    parser.add_argument("--deployment", type=Path, default=None, metavar="FILE",
                        help="addresses written by `backstop devnet` or `backstop deploy`")
    if pool:
        parser.add_argument("--pool", default=None, metavar="ADDR", help="the pool to use")
    if factory:
        parser.add_argument("--factory", default=None, metavar="ADDR",
                            help="the pool factory (lists every pool)")


def add_key_options(parser: argparse.ArgumentParser) -> None:
    """``--keystore FILE`` and ``--password-file FILE``; else env BACKSTOP_PRIVATE_KEY."""
    parser.add_argument("--keystore", type=Path, default=None, metavar="FILE",
                        help=f"encrypted JSON keystore of the signing key (else ${KEY_ENV})")
    parser.add_argument("--password-file", type=Path, default=None, metavar="FILE",
                        help="file holding the keystore password (else you are asked)")


def wants_json(args: argparse.Namespace) -> bool:
    """Whether ``--json`` was given (before or after the subcommand)."""
    return bool(getattr(args, "json", False))


# ---- deployment file ----

@dataclass
class Deployment:
    """What a deployment file names: chain, Maker addresses, factory, pools."""

    rpc_url: str | None = None
    chain_id: int | None = None
    maker: dict[str, str] = field(default_factory=dict)
    factory: str | None = None
    pools: list[str] = field(default_factory=list)
    pool: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The file's contents."""
        return {"rpc_url": self.rpc_url, "chain_id": self.chain_id, "maker": self.maker,
                "factory": self.factory, "pool": self.pool, "pools": self.pools, **self.extra}


def read_deployment(path: Path) -> Deployment:
    """Read a deployment file; one clear line if it is missing or not ours."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise UserError(f"deployment file {path} does not exist: run `backstop devnet` or "
                        "`backstop deploy` first, or check the path") from exc
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise UserError(f"{path} is not JSON: give the file `backstop devnet` wrote") from exc
    if not isinstance(data, dict) or not ({"factory", "pool", "pools"} & data.keys()):
        raise UserError(f"{path} is not a backstop deployment file (no factory or pool in it)")
    known = {"rpc_url", "chain_id", "maker", "factory", "pool", "pools"}
    return Deployment(
        rpc_url=data.get("rpc_url"), chain_id=data.get("chain_id"),
        maker=dict(data.get("maker") or {}), factory=data.get("factory"),
        pools=list(data.get("pools") or []), pool=data.get("pool"),
        extra={k: v for k, v in data.items() if k not in known},
    )


def write_deployment(path: Path, deployment: Deployment) -> None:
    """Write the deployment file (creating its directory)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(deployment.to_json(), indent=2) + "\n")


def deployment_of(args: argparse.Namespace) -> Deployment | None:
    """The ``--deployment`` file's contents, if one was given."""
    path = getattr(args, "deployment", None)
    return read_deployment(path) if path else None


# ---- the chain ----

def rpc_url_of(args: argparse.Namespace) -> str:
    """``--rpc-url``, else $BACKSTOP_RPC_URL, else the deployment file's, else the default."""
    if getattr(args, "rpc_url", None):
        return args.rpc_url
    if os.environ.get(RPC_ENV):
        return os.environ[RPC_ENV]
    dep = deployment_of(args)
    if dep and dep.rpc_url:
        return dep.rpc_url
    return DEFAULT_RPC


def connect_chain(args: argparse.Namespace) -> Web3:
    """A connected ``Web3``; one line if the URL is wrong or the node does not answer."""
    from backstop.chain import connect

    url = rpc_url_of(args)
    try:
        w3 = connect(url)
    except ValueError as exc:
        raise UserError(str(exc), exit_code=2) from exc
    try:
        w3.eth.chain_id  # noqa: B018 - one round trip to see that the node answers
    except Exception as exc:
        raise UserError(f"no node answers at {url}: start one (`backstop devnet`) or give "
                        f"--rpc-url / ${RPC_ENV}") from exc
    return w3


def require_contract(w3: Web3, address: str, what: str) -> str:
    """``address`` if it has code; else one line saying nothing is deployed there."""
    if not w3.eth.get_code(address):
        raise UserError(f"no {what} at {address} on this chain: check the address "
                        "(or the --rpc-url)")
    return address


def pool_address(args: argparse.Namespace, w3: Web3) -> str:
    """The pool to act on: ``--pool``, else the deployment file's pool, else the factory's only
    pool. One line if none or several could be meant."""
    if getattr(args, "pool", None):
        return require_contract(w3, parse_address(args.pool, "--pool"), "pool")
    dep = deployment_of(args)
    if dep and dep.pool:
        return require_contract(w3, parse_address(dep.pool, "pool"), "pool")
    if dep and len(dep.pools) == 1:
        return require_contract(w3, parse_address(dep.pools[0], "pool"), "pool")
    factory = factory_address(args, w3, required=False)
    if factory:
        from backstop.pool import factory_at

        pools = factory_at(w3, factory).pools()
        if len(pools) == 1:
            return pools[0].address
        if not pools:
            raise UserError("the factory has no pool yet: create one with `backstop deploy pool`")
        raise UserError(f"the factory has {len(pools)} pools: choose one with --pool ADDR "
                        "(`backstop pools` lists them)", exit_code=2)
    raise UserError("which pool? give --pool ADDR or --deployment FILE", exit_code=2)


def factory_address(args: argparse.Namespace, w3: Web3, *, required: bool = True) -> str | None:
    """The factory: ``--factory``, else the deployment file's."""
    if getattr(args, "factory", None):
        return require_contract(w3, parse_address(args.factory, "--factory"), "factory")
    dep = deployment_of(args)
    if dep and dep.factory:
        return require_contract(w3, parse_address(dep.factory, "factory"), "factory")
    if required:
        raise UserError("which factory? give --factory ADDR or --deployment FILE", exit_code=2)
    return None


def load_signer(args: argparse.Namespace) -> Any:
    """The signing account from ``--keystore`` (+ ``--password-file``) or $BACKSTOP_PRIVATE_KEY;
    never from the command line, never printed."""
    from backstop.chain.keys import KeyLoadError, load_account

    try:
        return load_account(keystore=getattr(args, "keystore", None),
                            password_file=getattr(args, "password_file", None), env_var=KEY_ENV)
    except KeyLoadError as exc:
        raise UserError(str(exc), exit_code=2) from exc


# ---- output ----

def emit(args: argparse.Namespace, data: dict[str, Any] | list[Any],
         human: Callable[[], None]) -> None:
    """``--json``: ``data`` as one JSON document on stdout; otherwise call ``human()``."""
    if wants_json(args):
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        human()


def console() -> Any:
    """A rich console on stdout (plain text when not a terminal)."""
    from rich.console import Console

    width = Console().width
    return Console(highlight=False, width=max(width, 120) if not sys.stdout.isatty() else width)


# ---- the pool ----

def open_pool(args: argparse.Namespace) -> tuple[Web3, Any]:
    """The chain and the typed handle of the pool the command acts on."""
    from backstop.pool import pool_at

    w3 = connect_chain(args)
    address = pool_address(args, w3)
    pool = pool_at(w3, address)
    try:
        pool.price()
    except Exception as exc:
        raise UserError(f"{address} is not a backstop pool: check --pool") from exc
    return w3, pool


def send_or_explain(action: Callable[[], Any]) -> Any:
    """Run a write that simulates first; a revert becomes one line in words (nothing sent)."""
    from backstop.chain.errors import Revert, RpcError
    from backstop.chain.tx import TxError

    try:
        return action()
    except Revert as exc:
        raise UserError(f"{explain_revert(exc.reason)} (nothing was sent)") from exc
    except (RpcError, TxError) as exc:
        text = str(exc)
        if "insufficient funds" in text.lower():
            raise UserError("your account has too little ETH to pay for gas: send it some ETH "
                            "first (nothing was sent)") from exc
        raise UserError(f"the node refused the transaction: {text}") from exc
