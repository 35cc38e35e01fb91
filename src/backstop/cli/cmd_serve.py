"""`backstop serve`: the web dashboard on localhost, reading the chain live."""

from __future__ import annotations

import argparse
import errno
import json
import logging
import sys
from pathlib import Path
from typing import Any

from backstop.cli.errors import UserError

NAME = "serve"
HELP = "serve the web dashboard (pools, auctions, positions, enlist/defect) on localhost"
DEFAULT_PORT = 8550


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of `backstop serve`."""
    parser.add_argument("--rpc-url", required=True, help="JSON-RPC URL of the node to read")
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--factory", metavar="ADDR", help="the pool factory: show all its pools")
    src.add_argument("--deployment", metavar="FILE", type=Path,
                     help="a deployment JSON file (as written by `backstop devnet`/`deploy`) "
                          "naming the factory or the pools")
    src.add_argument("--pools", metavar="ADDR[,ADDR...]", help="show only these pools")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port to listen on (default {DEFAULT_PORT})")
    parser.add_argument("--from-block", type=int, default=0, metavar="N",
                        help="first block to scan for share transfers and auction kicks")


def _find(data: Any, key: str) -> Any:
    """The first value under ``key`` anywhere in nested dicts/lists, or None."""
    if isinstance(data, dict):
        if key in data:
            return data[key]
        values = list(data.values())
    elif isinstance(data, list):
        values = data
    else:
        return None
    for v in values:
        found = _find(v, key)
        if found is not None:
            return found
    return None


def read_deployment(path: Path) -> tuple[str | None, list[str]]:
    """(factory, pools) named in a deployment JSON file; ``UserError`` if it names neither."""
    try:
        data = json.loads(path.read_text())
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}; check the path") from exc
    except ValueError as exc:
        raise UserError(f"{path} is not JSON ({exc}); give the file `backstop devnet` wrote") \
            from exc
    factory = _find(data, "factory")
    pools = _find(data, "pools") or ([_find(data, "pool")] if _find(data, "pool") else [])
    if isinstance(factory, dict):
        factory = factory.get("address")
    pools = [p.get("address") if isinstance(p, dict) else p for p in pools]
    if not isinstance(factory, str) and not pools:
        raise UserError(f"{path} names no factory and no pool; give --factory ADDR instead")
    return (factory if isinstance(factory, str) else None), [p for p in pools if isinstance(p, str)]


def _sources(args: argparse.Namespace) -> tuple[str | None, list[str]]:
    if args.deployment:
        return read_deployment(args.deployment)
    if args.pools:
        return None, [p.strip() for p in args.pools.split(",") if p.strip()]
    return args.factory, []


def _check_contracts(w3: Any, addresses: list[str]) -> None:
    from backstop.web.dashboard import checked_address

    for a in addresses:
        if not w3.eth.get_code(checked_address(a, "address")):
            raise UserError(f"there is no contract at {a} on this chain; check the address "
                            "and --rpc-url")


def run(args: argparse.Namespace) -> int:
    """Connect, check the addresses, serve until Ctrl-C."""
    from backstop.chain import connect
    from backstop.web.dashboard import Dashboard, InputError
    from backstop.web.server import make_server

    if not 0 <= args.port <= 65_535:
        raise UserError(f"--port {args.port} is not a port; use 1-65535")
    factory, pools = _sources(args)
    try:
        w3 = connect(args.rpc_url)
        w3.eth.chain_id  # noqa: B018 - the first request tells whether the node answers
    except Exception as exc:
        raise UserError(f"cannot reach the node at {args.rpc_url} ({type(exc).__name__}); "
                        "start it or check --rpc-url") from exc
    try:
        _check_contracts(w3, [a for a in [factory, *pools] if a])
        dashboard = Dashboard(w3, factory=factory, pools=pools, from_block=args.from_block)
    except InputError as exc:
        raise UserError(str(exc)) from exc
    try:
        server = make_server(dashboard, args.host, args.port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UserError(f"port {args.port} is already in use; pick another with --port") \
                from exc
        raise UserError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from exc
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    print(f"dashboard on {server.url}/ (reading {args.rpc_url}); Ctrl-C to stop", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        server.server_close()
    return 0
