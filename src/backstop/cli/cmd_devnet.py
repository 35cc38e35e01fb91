"""`backstop devnet`: a local anvil chain with the Maker core, a factory and a 100 DAI/MKR pool,
dev accounts funded with DAI; prints the addresses, writes them to a file, runs until Ctrl-C."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from backstop.cli.common import Deployment, console, wants_json, write_deployment
from backstop.cli.errors import UserError
from backstop.testing.anvil import DEV_KEYS  # stdlib only: --help stays fast
from backstop.units import Rad, Wad

# anvil's default dev accounts 1-9: PUBLIC test keys (from its well-known test mnemonic), for
# local chains only; `backstop devnet` prints them so a newcomer can sign at once.
DEV_ACCOUNT_KEYS = DEV_KEYS[1:10]
DEPLOYER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"

NAME = "devnet"
HELP = "start a local anvil chain with Maker, a factory and a 100 DAI/MKR pool (Ctrl-C stops)"
DEFAULT_FILE = Path("devnet.json")
POOL_PRICE = "100"


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of `backstop devnet`."""
    parser.add_argument("--port", type=int, default=8545, help="port on 127.0.0.1 (default 8545)")
    parser.add_argument("--write", type=Path, default=DEFAULT_FILE, metavar="FILE",
                        help=f"where to write the addresses (default {DEFAULT_FILE}); other "
                             "commands read it with --deployment FILE")
    parser.add_argument("--fund", default="100000", metavar="DAI",
                        help="DAI for each dev account 1-9 (default 100000)")
    parser.add_argument("--auctions", type=int, default=0, metavar="N",
                        help="also book bad debt and kick N debt auctions (default 0)")
    parser.add_argument("--block-time", type=int, default=None, metavar="S",
                        help="mine a block every S seconds (default: on each transaction)")


def setup(w3: Any, *, fund: Wad, auctions: int = 0, rpc_url: str | None = None,
          progress: Any = None) -> Deployment:
    """Deploy the Maker core, a factory and its 100 DAI/MKR pool on ``w3`` (dev account 0
    deploys); give dev accounts 1-9 ``fund`` DAI each; kick ``auctions`` debt auctions.
    ``progress(step)`` is told each step as it starts."""
    from backstop.chain.dev import install_multicall3
    from backstop.maker import deploy_core
    from backstop.maker.scenario import fund_dai, kick_auctions
    from backstop.pool import deploy_factory

    say = progress or (lambda _step: None)
    accounts = [str(a) for a in w3.eth.accounts[:10]]
    deployer = accounts[0]
    install_multicall3(w3)  # as on public chains: the keeper reads through it
    say("deploying the Maker core (Vat, Dai, MKR, DaiJoin, Flopper, Vow)")
    core = deploy_core(w3, deployer)
    say("deploying the pool factory")
    factory = deploy_factory(w3, deployer, core)
    say(f"creating the {POOL_PRICE} DAI/MKR pool")
    pool = factory.create_pool(deployer, Wad.parse(POOL_PRICE))
    for k, member in enumerate(accounts[1:], start=1):
        say(f"funding dev account {k} of 9 with {fund} DAI")
        fund_dai(core, member, fund)
    if auctions:
        say(f"kicking {auctions} debt auction(s)")
        kick_auctions(core, auctions, queue=False)
    return Deployment(
        rpc_url=rpc_url, chain_id=w3.eth.chain_id, maker=core.addresses.to_json(),
        factory=factory.address, pool=pool.address, pools=[pool.address],
        extra={"deployer": deployer, "accounts": accounts[1:],
               "funded_dai_each": str(fund), "sump": str(Rad(core.vow.sump().raw).to_wad())},
    )


def run(args: argparse.Namespace) -> int:
    """Start anvil, set everything up, print, wait for Ctrl-C, stop anvil."""
    from backstop.chain import connect
    from backstop.cli.common import parse_amount
    from backstop.testing.anvil import AnvilNotFound, start_anvil

    fund = parse_amount(args.fund, "--fund")
    assert fund is not None
    if args.auctions < 0:
        raise UserError(f"--auctions {args.auctions}: give 0 or more", exit_code=2)
    extra = ["--block-time", str(args.block_time)] if args.block_time else []
    try:
        node = start_anvil(*extra, port=args.port)
    except AnvilNotFound as exc:
        raise UserError(str(exc)) from exc
    except RuntimeError as exc:
        raise UserError(f"anvil did not start on port {args.port} ({exc}); is the port taken? "
                        "try --port 8546") from exc
    as_json = wants_json(args)
    slow = f" (a block every {args.block_time} s: this takes a while)" if args.block_time else ""

    def progress(step: str) -> None:
        if node.proc is not None and node.proc.poll() is not None:
            raise UserError(_died(node))
        message = {"event": "progress", "step": step} if as_json else f"... {step}{slow}"
        print(json.dumps(message) if as_json else message, file=sys.stderr, flush=True)

    try:
        try:
            deployment = setup(connect(node.url), fund=fund, auctions=args.auctions,
                               rpc_url=node.url, progress=progress)
        except UserError:
            raise
        except Exception as exc:
            if node.proc is None or node.proc.poll() is not None:
                raise UserError(_died(node)) from exc
            raise
        write_deployment(args.write, deployment)
        _announce(args, deployment)
        died = _wait_for_ctrl_c(node)
    finally:
        node.stop()
    if died:
        raise UserError(died)
    if not as_json:
        console().print("devnet stopped")
    return 0


def _died(node: Any) -> str:
    """One line: anvil exited, with its exit code and where its log is."""
    code = node.proc.poll() if node.proc is not None else None
    log = getattr(node, "log_path", None)
    return ("anvil (the devnet's chain) exited" + (f" with code {code}" if code is not None
                                                    else "")
            + (f"; its log: {log}" if log else "") + "; start `backstop devnet` again")


def _announce(args: argparse.Namespace, d: Deployment) -> None:
    if wants_json(args):
        keys = dict(zip(d.extra["accounts"], DEV_ACCOUNT_KEYS, strict=False))
        json.dump({**d.to_json(), "file": str(args.write), "dev_keys": keys}, sys.stdout,
                  indent=2)
        sys.stdout.write("\n")
        sys.stdout.flush()
        return
    c = console()
    c.print(f"devnet running at {d.rpc_url} (chain id {d.chain_id})")
    for name, address in d.maker.items():
        c.print(f"  {name:<9} {address}")
    c.print(f"  factory   {d.factory}")
    c.print(f"  pool      {d.pool} (100 DAI/MKR)")
    c.print(f"dev accounts 1-9 hold {d.extra['funded_dai_each']} DAI each; their keys are "
            "anvil's PUBLIC test keys (never use them on a real chain):")
    for k, (address, key) in enumerate(zip(d.extra["accounts"], DEV_ACCOUNT_KEYS,
                                           strict=False), start=1):
        c.print(f"  {k}  {address}  {key}", soft_wrap=True)
    c.print(f"addresses written to {args.write}: use --deployment {args.write}", soft_wrap=True)
    c.print("to sign as dev account 1:", soft_wrap=True)
    c.print(f"  export BACKSTOP_PRIVATE_KEY={DEV_ACCOUNT_KEYS[0]}", soft_wrap=True)
    c.print(f"  backstop enlist 1000 --deployment {args.write}", soft_wrap=True)
    c.print("Ctrl-C stops the chain")
    sys.stdout.flush()


def _wait_for_ctrl_c(node: Any) -> str:
    """Block until SIGINT or SIGTERM ("" then), or until anvil exits (one line saying so)."""
    done = threading.Event()
    previous = {s: signal.signal(s, lambda *_: done.set()) for s in (signal.SIGINT,
                                                                       signal.SIGTERM)}
    try:
        while not done.wait(0.5):
            if node.proc is None or node.proc.poll() is not None:
                return _died(node)
        return ""
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
