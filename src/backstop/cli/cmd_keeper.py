"""`backstop keeper`: run the keeper that enters, ticks and finalizes debt auctions for the pools.

Every option can also come from the environment as ``BACKSTOP_KEEPER_<OPTION>`` (for example
``BACKSTOP_KEEPER_MAX_FEE_GWEI=80``); options on the command line win. The signing key comes
from ``--keystore FILE`` (password from ``--password-file`` or a prompt) or
``$BACKSTOP_PRIVATE_KEY``, never from the command line. Logs: one JSON line per decision on
stderr. Stops cleanly on Ctrl-C or SIGTERM; exits non-zero only for configuration errors.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from backstop.cli.common import RPC_HELP
from backstop.cli.errors import UserError

NAME = "keeper"
HELP = "run the keeper: enter, tick and finalize debt auctions for the pools"


def configure(parser: argparse.ArgumentParser) -> None:
    """The keeper's options (all optional on the command line; see the module docstring)."""
    parser.add_argument("--rpc-url", default=None, metavar="URL[,URL...]",
                        help=RPC_HELP + "; several endpoints of the same chain separated by "
                        "commas: the keeper fails over between them and leaves a stale one")
    parser.add_argument("--pools", default=None, metavar="ADDR[,ADDR...]",
                        help="the pools to keep")
    parser.add_argument("--factory", default=None, metavar="ADDR",
                        help="keep every pool of this factory (new ones too)")
    parser.add_argument("--deployment", type=Path, default=None, metavar="FILE",
                        help="take the RPC URL and factory from a `backstop devnet`/`deploy` file")
    parser.add_argument("--tick", action="store_true", default=None,
                        help="restart auctions that expired with no bid, so the lot grows "
                             "toward the pools' prices")
    parser.add_argument("--from-block", type=int, default=None, metavar="N",
                        help="look for Kick events from this block (default 0)")
    parser.add_argument("--max-fee-gwei", default=None, metavar="GWEI",
                        help="never pay more than this per gas (fees rise toward it while a "
                             "transaction waits)")
    parser.add_argument("--priority-fee-gwei", default=None, metavar="GWEI",
                        help="tip per gas (default 1; doubles, up to 8x, while others win our "
                             "auctions)")
    parser.add_argument("--fee-budget-bps", type=int, default=None, metavar="BPS",
                        help="without --max-fee-gwei, a transaction's gas may cost at most BPS "
                             "/ 10,000 of the DAI at stake (default 10 = 0.1%%)")
    parser.add_argument("--eth-price-dai", type=int, default=None, metavar="DAI",
                        help="DAI per ETH for that rule (default 3000)")
    parser.add_argument("--fee-floor-gwei", default=None, metavar="GWEI",
                        help="that rule never caps below this (default 5)")
    parser.add_argument("--keepers", type=int, default=None, metavar="N",
                        help="N keepers share the same pools (default 1): each takes the "
                             "auctions whose id %% N is its --keeper-index")
    parser.add_argument("--keeper-index", type=int, default=None, metavar="I",
                        help="this keeper's index, 0 to N-1 (default 0)")
    parser.add_argument("--takeover-blocks", type=int, default=None, metavar="B",
                        help="act on another keeper's auction after B blocks without it "
                             "acting (default 3)")
    parser.add_argument("--batch-limit", type=int, default=None, metavar="N",
                        help="at most N JSON-RPC calls per HTTP request (default 1000, geth's "
                             "limit)")
    parser.add_argument("--bump-percent", type=int, default=None, metavar="P",
                        help="raise fees by P%% on each replacement (default 15, at least 10)")
    parser.add_argument("--bump-every-blocks", type=int, default=None, metavar="N",
                        help="replace a transaction still unmined after N blocks (default 2)")
    parser.add_argument("--dry-run", action="store_true", default=None,
                        help="log what it would do, send nothing")
    parser.add_argument("--metrics-port", type=int, default=None, metavar="PORT",
                        help="serve Prometheus metrics on 127.0.0.1:PORT/metrics")
    parser.add_argument("--journal", default=None, metavar="FILE",
                        help="record the transactions in flight in FILE, so a restart takes "
                             "them over even on a node that hides its pool (txpool_content)")
    parser.add_argument("--poll-interval", default=None, metavar="SECONDS",
                        help="how often to look for a new block (default 1)")
    parser.add_argument("--log-format", choices=("json", "logfmt"), default=None,
                        help="log line format (default json)")
    parser.add_argument("--keystore", type=Path, default=None, metavar="FILE",
                        help="encrypted JSON keystore of the signing key "
                             "(else $BACKSTOP_PRIVATE_KEY)")
    parser.add_argument("--password-file", type=Path, default=None, metavar="FILE",
                        help="file holding the keystore password (else you are asked)")


def _settings_args(args: argparse.Namespace) -> dict[str, Any]:
    """The command line as keeper settings (None = not given)."""
    from dataclasses import fields

    from backstop.cli.common import read_deployment
    from backstop.keeper import KeeperSettings

    # every setting the command line has an option for (the same name), None if not given
    out: dict[str, Any] = {f.name: getattr(args, f.name, None) for f in fields(KeeperSettings)}
    out["rpc_url"] = args.rpc_url or os.environ.get("BACKSTOP_RPC_URL")
    if args.deployment is not None:
        dep = read_deployment(args.deployment)
        out["rpc_url"] = out["rpc_url"] or dep.rpc_url
        if not out["pools"] and not out["factory"] and not os.environ.get(
                "BACKSTOP_KEEPER_POOLS"):
            out["factory"] = dep.factory
            if not dep.factory and dep.pools:
                out["pools"] = ",".join(dep.pools)
    return out


def _account(args: argparse.Namespace, dry_run: bool) -> Any:
    """The signing account; in dry-run only if one is configured (to simulate as it)."""
    from backstop.chain.keys import KeyLoadError, load_account

    if dry_run and args.keystore is None and not os.environ.get("BACKSTOP_PRIVATE_KEY"):
        return None
    try:
        return load_account(keystore=args.keystore, password_file=args.password_file)
    except KeyLoadError as exc:
        raise UserError(str(exc)) from None


def _check_options(args: argparse.Namespace) -> None:
    """One line, naming the option, for what the command line can judge itself."""
    text = args.poll_interval or os.environ.get("BACKSTOP_KEEPER_POLL_INTERVAL")
    if text is not None:
        try:
            seconds = float(text)
        except ValueError:
            seconds = -1.0
        if not seconds > 0:
            raise UserError(f"--poll-interval {text}: give a positive number of seconds, "
                            "e.g. 1 or 0.25", exit_code=2)


def _check_journal(path: str | None, account: Any) -> None:
    """A --journal file that exists must be this keeper's journal (never silently ignored)."""
    if not path or account is None:
        return
    from backstop.keeper.journal import Journal, JournalError

    try:
        Journal(path, account.address).read()
    except JournalError as exc:
        raise UserError(f"--journal {exc}: move the file away or give another --journal FILE",
                        exit_code=2) from None


def run(args: argparse.Namespace) -> int:
    """Build the settings, connect, and run the keeper until stopped."""
    import errno

    from backstop.chain import connect
    from backstop.keeper import ConfigError, Keeper, KeeperSettings

    _check_options(args)
    try:
        settings = KeeperSettings.from_sources(_settings_args(args), os.environ)
    except ConfigError as exc:
        raise UserError(str(exc), exit_code=2) from None
    try:
        w3 = connect(settings.rpc_url, batch_limit=settings.batch_limit)
    except ValueError as exc:
        raise UserError(str(exc), exit_code=2) from None
    account = _account(args, settings.dry_run)
    _check_journal(settings.journal, account)
    try:
        keeper = Keeper(w3, account, None, settings)
        return keeper.run()
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:  # e.g. the metrics port is taken
        if exc.errno == errno.EADDRINUSE and settings.metrics_port is not None:
            raise UserError(f"--metrics-port {settings.metrics_port} is taken by another "
                            "program: choose another port (or 0 for any free one)") from None
        raise UserError(f"cannot start: {exc}") from None
