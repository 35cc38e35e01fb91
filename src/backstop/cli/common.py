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
from typing import TYPE_CHECKING, Any

from backstop.cli.errors import UserError
from backstop.units import UnitError, Wad

if TYPE_CHECKING:  # web3 and eth-utils are slow to import: only inside functions
    from web3 import Web3

RPC_ENV = "BACKSTOP_RPC_URL"
KEY_ENV = "BACKSTOP_PRIVATE_KEY"
DEFAULT_RPC = "http://127.0.0.1:8545"
DEVNET_KEY_HINT = ("; on a `backstop devnet` chain use a dev account's key, which it prints "
                   "at its start (docs/CLI.md lists them)")
RPC_HELP = (f"JSON-RPC URL of the node (default: ${RPC_ENV}, then the --deployment file's, "
            f"then {DEFAULT_RPC})")  # the order rpc_url_of() follows


# ---- amounts and addresses ----

def explain_revert(reason: str) -> str:
    """A contract's revert reason in words (``backstop.pool.reasons``, imported when needed)."""
    from backstop.pool.reasons import explain_revert as words

    return words(reason)


def _plain_decimal(raw: str) -> str:
    """``1e3`` -> ``1000``, ``2.5E-3`` -> ``0.0025``: exponent notation written out exactly;
    anything else unchanged (Wad.parse then judges it)."""
    from decimal import Decimal, InvalidOperation

    if "e" not in raw.lower() or raw.lower() in ("inf", "-inf", "nan"):
        return raw
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return raw
    if not value.is_finite() or abs(value.adjusted()) > 80:
        return raw
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def parse_amount(text: str, what: str = "amount", *, allow_all: bool = False) -> Wad | None:
    """A positive token amount written as a decimal string (``1.5``, ``50000``, ``1e3``),
    exact to the wei.

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
        value = Wad.parse(_plain_decimal(raw))
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
    from eth_utils import is_hex_address, to_checksum_address

    raw = (text or "").strip()
    if not is_hex_address(raw):
        raise UserError(f"{what} {raw!r} is not an address: write 0x followed by 40 hex digits",
                        exit_code=2)
    if raw != raw.lower() and raw[2:] != raw[2:].upper() and to_checksum_address(raw) != raw:
        raise UserError(f"{what} {raw!r} has a wrong checksum (a typo?): check the address",
                        exit_code=2)
    return to_checksum_address(raw)


def fmt(amount: Wad, places: int = 4) -> str:
    """A token amount for people: thousands separators, ``places`` decimals (display only); an
    amount too small to show in ``places`` decimals is shown exactly, never as 0.0000."""
    text = amount.format(places)
    if amount.raw > 0 and not text.replace("0", "").replace(",", "").replace(".", ""):
        return fmt_price(amount)
    return text


def fmt_price(price: Wad) -> str:
    """A pool's price for people: exact, every significant decimal, thousands separators
    (a 0.000000000000000001 DAI/MKR pool never shows as "0.00")."""
    whole, _, frac = str(price).partition(".")
    frac = frac.rstrip("0")
    return f"{int(whole):,}" + (f".{frac}" if frac else "")


def check_price(price: Wad, what: str = "--price") -> Wad:
    """``price`` if a pool can be deployed for it (the pool's and the factory's rule,
    ``backstop.pool.rules.price_problem``); else one line with the bounds (exit 2)."""
    from backstop.pool.rules import MAX_PRICE, MIN_PRICE, price_problem

    problem = price_problem(price.raw)
    if problem.endswith("out-of-range"):
        raise UserError(f"{what} {fmt_price(price)} DAI/MKR is out of range: a pool's price is "
                        f"from {fmt_price(Wad(MIN_PRICE))} to {fmt_price(Wad(MAX_PRICE))} DAI "
                        "per MKR", exit_code=2)
    if problem:
        raise UserError(f"{what} {fmt_price(price)} DAI/MKR is not a whole number of cents: "
                        "give at most two decimals, e.g. 100.25", exit_code=2)
    return price


def parse_price(text: str, what: str = "--price") -> Wad:
    """A pool price from the command line: a positive exact amount within the bounds."""
    price = parse_amount(text, what)
    assert price is not None
    return check_price(price, what)


def deposits_open(status: Any) -> bool:
    """Whether a pool in ``status`` takes deposits: the ONE place that decides it (every live
    pool does; only a ceased one refuses)."""
    return bool(status.takes_deposits)


def deposits_words(status: Any, *, as_error: bool = False) -> str:
    """Whether the pool takes deposits, in words: the ONE place for that wording (``status``,
    ``pools``, ``enlist``'s refusal). ``as_error`` gives the refusal of an enlist."""
    name = status.name
    if name == "CEASED":
        return ("the pool is deactivated (cease-fire): it takes no deposits; withdrawals and "
                "claims stay open" if as_error else
                "deactivated (cease-fire: no deposits or bids; withdrawals and claims open)")
    if name == "POSITIONS_OPEN":
        return ("accepting deposits; bids are open, so a deposit bids at once and becomes "
                "shares when those bids are settled (`backstop claim`)")
    return "accepting deposits (shares at once)"


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


def add_write_options(parser: argparse.ArgumentParser) -> None:
    """The options of every command that sends a transaction: the chain (``--pool``,
    ``--factory``...), the signing key, and ``--dry-run``/``--nonce``/fees."""
    from backstop.cli.sending import add_send_options

    add_chain_options(parser, factory=True)
    add_key_options(parser)
    add_send_options(parser)


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
    from backstop.files import atomic_write

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
    from backstop.cli import sending

    url = rpc_url_of(args)
    try:
        w3 = connect(url)
    except ValueError as exc:
        raise UserError(str(exc), exit_code=2) from exc
    try:
        w3.eth.chain_id  # noqa: B018 - one round trip to see that the node answers
    except Exception as exc:
        not_rpc = _not_json_rpc(exc)
        if not_rpc:
            raise UserError(f"something answers at {url} but it is not an Ethereum JSON-RPC "
                            f"node ({not_rpc}): check the URL's port and path") from exc
        raise UserError(f"no node answers at {url}: start one (`backstop devnet`) or give "
                        f"--rpc-url / ${RPC_ENV}") from exc
    sending.watch(w3, sending.start(args, url))
    return w3


def _not_json_rpc(exc: BaseException) -> str:
    """How a server that answered is not a JSON-RPC node ("" if it did not answer at all)."""
    import requests

    if isinstance(exc, requests.exceptions.HTTPError) and exc.response is not None:
        return f"HTTP {exc.response.status_code}"
    if isinstance(exc, requests.exceptions.ConnectionError | requests.exceptions.Timeout
                  | OSError):
        return ""
    if isinstance(exc, ValueError | KeyError | TypeError):
        return "its answer is not JSON-RPC"
    return ""


def require_contract(w3: Web3, address: str, what: str) -> str:
    """``address`` if it has code; else one line saying nothing is deployed there."""
    from eth_utils import to_checksum_address

    address = to_checksum_address(address)
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


def open_factory(args: argparse.Namespace, w3: Web3) -> Any:
    """The factory handle (``--factory`` or the deployment file's), checked to be a factory:
    one line if the address is a pool or anything else."""
    from backstop.pool import factory_at

    address = factory_address(args, w3)
    assert address is not None
    factory = factory_at(w3, address)
    try:
        factory.pool_count()
    except Exception as exc:
        raise UserError(f"{address} is not a backstop factory (is it a pool? `backstop status "
                        f"--pool {address}` shows a pool): give the factory's address") from exc
    return factory


def load_signer(args: argparse.Namespace) -> Any:
    """The signing account from ``--keystore`` (+ ``--password-file``) or $BACKSTOP_PRIVATE_KEY;
    never from the command line, never printed."""
    from backstop.chain.keys import KeyLoadError, load_account
    from backstop.cli.sending import tuned

    try:
        account = load_account(keystore=getattr(args, "keystore", None),
                               password_file=getattr(args, "password_file", None),
                               env_var=KEY_ENV)
    except KeyLoadError as exc:
        hint = DEVNET_KEY_HINT if str(exc).startswith("no signing key") else ""
        raise UserError(f"{exc}{hint}", exit_code=2) from exc
    return tuned(args, account)


# ---- output ----

def emit(args: argparse.Namespace, data: dict[str, Any] | list[Any],
         human: Callable[[], None]) -> None:
    """``--json``: ``data`` as one JSON document on stdout; otherwise call ``human()``."""
    if wants_json(args):
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        human()


PIPE_WIDTH = 10_000  # piped output is never wrapped: addresses stay whole for grep and cut


def console() -> Any:
    """A rich console on stdout: the terminal's width; unlimited when piped (plain text)."""
    from rich.console import Console

    if sys.stdout.isatty():
        return Console(highlight=False)
    return Console(highlight=False, width=PIPE_WIDTH, no_color=True)


def add_address_column(table: Any, header: str) -> None:
    """A table column for addresses (42 characters): never wrapped, cut or folded; other
    columns give way on a narrow terminal."""
    table.add_column(header, no_wrap=True, min_width=42, overflow="ignore")


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


class DryRun(Exception):
    """``--dry-run`` stopped before sending; ``info`` says what would have been sent."""

    def __init__(self, info: dict[str, Any]) -> None:
        super().__init__("dry run")
        self.info = info


def send_or_explain(action: Callable[[], Any], what: str = "the transaction") -> Any:
    """Run a write that simulates first; a revert becomes one line in words (nothing sent).

    Under ``--dry-run`` the simulation passes and the send is stopped: ``DryRun`` is raised with
    what would have been sent (``finish_dry_run`` prints it). A failure after the node took the
    transaction says so (main() adds which hash and how to check it)."""
    from backstop.chain.errors import Revert, RpcError
    from backstop.chain.tx import TxError, TxFailed, TxTimeout
    from backstop.cli import sending

    tracker = sending.current()
    before = len(tracker.sent) if tracker else 0

    def sent_any() -> bool:
        return bool(tracker and len(tracker.sent) > before)

    try:
        return action()
    except sending.DryRunStop as stop:
        raise DryRun(sending.explain_dry_run(stop, what)) from None
    except Revert as exc:
        done = "" if sent_any() else " (nothing was sent)"
        raise UserError(f"{explain_revert(exc.reason)}{done}") from exc
    except TxTimeout as exc:
        raise UserError("no block included the transaction in time") from exc
    except TxFailed as exc:
        raise UserError(f"the transaction was mined but failed (reverted on chain): {exc}"
                        ) from exc
    except (RpcError, TxError) as exc:
        text = str(exc)
        done = "" if sent_any() else " (nothing was sent)"
        if "insufficient funds" in text.lower():
            raise UserError("your account has too little ETH to pay for gas: send it some ETH "
                            f"first{done}") from exc
        if "nonce too low" in text.lower():
            raise UserError(f"the nonce is already used (--nonce too low?){done}: leave out "
                            "--nonce, or give one your account has not used") from exc
        if "underpriced" in text.lower():
            raise UserError(f"the node refused it as underpriced{done}: a transaction with "
                            "this nonce waits already; to replace it raise --max-fee-gwei and "
                            "--tip-gwei by at least 10%") from exc
        raise UserError(f"the node refused the transaction: {text}") from exc


def finish_dry_run(args: argparse.Namespace, dry: DryRun, checks: list[str] | None = None
                   ) -> int:
    """Print what ``--dry-run`` would have sent (and the checks that passed); exit 0."""
    from backstop.cli import sending

    info = {**dry.info, "checks": checks or []}
    emit(args, info, lambda: console().print(sending.dry_run_words(info)))
    return 0


def sent_transactions() -> list[dict[str, Any]]:
    """The transactions this run sent (hash, nonce, status, block, gas), for ``--json``."""
    from backstop.cli import sending

    tracker = sending.current()
    return tracker.to_json() if tracker else []


def tx_words(txs: list[dict[str, Any]]) -> str:
    """`` (tx 0x... in block b, gas g)`` for the last transaction of a run ("" if none)."""
    if not txs:
        return ""
    t = txs[-1]
    where = f" in block {t['block']}, gas {t['gas_used']:,}" if t.get("block") is not None else ""
    return f" (tx {t['hash']}{where})"
