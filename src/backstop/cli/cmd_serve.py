"""`backstop serve`: the web dashboard on localhost, reading the chain live.

Which pools: ``--factory ADDR`` (every pool it lists, new ones included), ``--pools
ADDR[,ADDR...]``, or a ``--deployment FILE`` written by `backstop devnet` / `backstop deploy`
(its factory, else its pools; its RPC URL too unless ``--rpc-url`` or $BACKSTOP_RPC_URL is set).
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import signal
import sys
from typing import Any

from backstop.cli.common import (
    add_chain_options,
    connect_chain,
    deployment_of,
    parse_address,
    require_contract,
    rpc_url_of,
    wants_json,
)
from backstop.cli.errors import UserError

NAME = "serve"
HELP = "serve the web dashboard (pools, auctions, positions, enlist/defect) on localhost"
DEFAULT_PORT = 8550


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of `backstop serve`."""
    add_chain_options(parser, pool=False, factory=True)
    parser.add_argument("--pools", metavar="ADDR[,ADDR...]", help="show only these pools")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port to listen on (default {DEFAULT_PORT}; 0: any free port, "
                             "printed at start)")
    parser.add_argument("--from-block", type=int, default=0, metavar="N",
                        help="first block to scan for share transfers and auction events "
                             "(on mainnet: the factory's deployment block)")


def sources(args: argparse.Namespace) -> tuple[str | None, list[str]]:
    """(factory, pools) from the options, else from the deployment file; usage error if none."""
    if args.factory and args.pools:
        raise UserError("give --factory or --pools, not both", exit_code=2)
    if args.factory:
        return parse_address(args.factory, "--factory"), []
    if args.pools:
        return None, [parse_address(p.strip(), "--pools") for p in args.pools.split(",")
                      if p.strip()]
    dep = deployment_of(args)
    if dep is None:
        raise UserError("say which pools to show: --factory ADDR, --pools ADDR[,ADDR...] or "
                        "--deployment FILE", exit_code=2)
    if dep.factory:
        return parse_address(dep.factory, "the deployment's factory"), []
    pools = dep.pools or ([dep.pool] if dep.pool else [])
    return None, [parse_address(p, "the deployment's pool") for p in pools]


def _stop(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    """Connect, check the addresses, serve until Ctrl-C."""
    from backstop.web.dashboard import Dashboard, InputError
    from backstop.web.server import make_server

    if not 0 <= args.port <= 65_535:
        raise UserError(f"--port {args.port} is not a port; use 1-65535 (or 0 for any free "
                        "port)", exit_code=2)
    if args.from_block < 0:
        raise UserError("--from-block cannot be negative", exit_code=2)
    factory, pools = sources(args)
    w3 = connect_chain(args)
    if factory:
        require_contract(w3, factory, "factory")
    for pool in pools:
        require_contract(w3, pool, "pool")
    try:
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
    if wants_json(args):  # for scripts: where the dashboard is, one JSON line on stdout
        print(json.dumps({"url": server.url + "/", "rpc_url": rpc_url_of(args),
                          "factory": factory, "pools": pools}), flush=True)
    print(f"dashboard on {server.url}/ (reading {rpc_url_of(args)}); Ctrl-C to stop",
          file=sys.stderr, flush=True)
    signal.signal(signal.SIGTERM, _stop)  # a service manager's stop is a clean Ctrl-C
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        server.server_close()
    return 0
