"""`backstop bench keeper`: the keeper on a real anvil with N auctions that become biddable in
the same block. The benchmark mines the blocks itself (one ``Keeper.step()`` per block, as the
replay does) and counts the keeper's JSON-RPC requests with the fault proxy in front of anvil.

Figures:
- ``blocks_to_enter_p50`` / ``_max``: blocks from the block in which an auction became biddable
  to the block that holds the pool's bid (1 = bid in the very next block);
- ``blocks_to_finalize_max``: the same, from the first block in which the won auctions could be
  dealt to the block holding the finalization;
- ``rpc_requests_per_block_idle``: HTTP requests (a batch is one) per block with nothing to do,
  while N auctions are open; ``rpc_requests_per_block_busy``: per block while bidding and
  finalizing; ``rpc_calls_per_block_*``: the JSON-RPC calls inside them;
- ``cpu_seconds_per_1000_blocks``: the keeper thread's CPU time per 1,000 blocks;
- ``rpc_requests_per_block_idle_run``: the same idle figure for ``Keeper.run()`` polling on its
  own (``--poll-interval 0.25``) while anvil mines a block every second.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from eth_account import Account
from web3 import Web3

from backstop.chain import connect
from backstop.chain.dev import mine, set_automine, time_travel
from backstop.keeper.logs import EventLog
from backstop.keeper.reader import TICK, calldata
from backstop.keeper.scenario import FAST_PARAMS, build_world
from backstop.keeper.service import Keeper
from backstop.keeper.settings import KeeperSettings
from backstop.testing.anvil import DEV_KEYS, start_anvil
from backstop.testing.rpc_proxy import RpcProxy

IDLE_BLOCKS = 20
RUN_SECONDS = 8
PRICE = 200  # DAI per MKR: asks 250 MKR, so a fresh lot of 250 is too small and one tick (300)
#              makes every auction biddable at once


@dataclass
class KeeperBench:
    """The figures printed by `backstop bench keeper`."""

    auctions: int
    blocks_to_enter_p50: float
    blocks_to_enter_max: int
    blocks_to_finalize_max: int
    rpc_requests_per_block_idle: float
    rpc_requests_per_block_busy: float
    rpc_calls_per_block_idle: float
    rpc_calls_per_block_busy: float
    cpu_seconds_per_1000_blocks: float
    rpc_requests_per_block_idle_run: float
    blocks: int
    wall_seconds: float

    def to_json(self) -> dict[str, Any]:
        """The figures as a JSON object."""
        return asdict(self)


class _Meter:
    """Counts the keeper's requests and CPU per block."""

    def __init__(self, proxy: RpcProxy) -> None:
        self.proxy = proxy
        self.cpu = 0.0
        self.blocks = 0
        self.samples: dict[str, list[tuple[int, int]]] = {"idle": [], "busy": []}

    def step(self, keeper: Keeper, kind: str) -> Any:
        before_req, before_calls = self.proxy.requests, self.proxy.calls
        t0 = time.thread_time()
        result = keeper.step()
        self.cpu += time.thread_time() - t0
        if result.error:
            raise RuntimeError(f"keeper step failed: {result.error}")
        if result.new_block:
            self.blocks += 1
            self.samples[kind].append((self.proxy.requests - before_req,
                                       self.proxy.calls - before_calls))
        return result

    def per_block(self, kind: str) -> tuple[float, float]:
        s = self.samples[kind]
        if not s:
            return 0.0, 0.0
        return (round(sum(r for r, _ in s) / len(s), 2), round(sum(c for _, c in s) / len(s), 2))


def run_keeper_bench(auctions: int = 100,
                     progress: Callable[[str], None] | None = None) -> KeeperBench:
    """Run the benchmark on a fresh anvil and return the figures."""
    say = progress or (lambda _msg: None)
    started = time.monotonic()
    with start_anvil("--gas-limit", "300000000") as anvil:
        w3 = connect(anvil.url)
        deployer = Account.from_key(DEV_KEYS[0]).address
        member = Account.from_key(DEV_KEYS[2]).address
        say("deploying the Maker core and a pool")
        world = build_world(w3, deployer, member, prices=[PRICE],
                            deposits=[50_000 * auctions], params=FAST_PARAMS)
        say(f"kicking {auctions} debt auctions")
        ids = world.kick(auctions)
        pool = world.pools[0]
        with RpcProxy(anvil.url) as proxy:
            keeper = Keeper(connect(proxy.url), Account.from_key(DEV_KEYS[1]), [pool.address],
                            KeeperSettings(pools=(pool.address,)), log=EventLog(quiet=True))
            meter = _Meter(proxy)
            set_automine(w3, False)
            keeper.step()  # start: discovery from the Kick logs (not counted)
            say(f"{IDLE_BLOCKS} idle blocks with {auctions} open auctions")
            for _ in range(IDLE_BLOCKS):
                mine(w3)
                meter.step(keeper, "idle")

            say("every auction expires unbid, then one block ticks them all")
            time_travel(w3, FAST_PARAMS.tau + 1)
            meter.step(keeper, "idle")
            for i in ids:
                w3.provider.make_request("eth_sendTransaction", [{  # type: ignore[arg-type]
                    "from": deployer, "to": world.core.flopper.address,
                    "data": calldata(TICK, i), "gas": hex(200_000)}])
            mine(w3)
            biddable = w3.eth.block_number
            entered = _drive(w3, keeper, meter, lambda: len(pool.active_auctions()) == auctions)
            enter_blocks = [b - biddable for b in _mined_blocks(keeper, "enter")]

            say("the pool's bids expire: finalize them all")
            tic = max(world.core.flopper.bids(i).tic for i in ids)
            now = int(w3.eth.get_block("latest")["timestamp"])
            time_travel(w3, tic - now + 1)
            final_from = w3.eth.block_number
            _drive(w3, keeper, meter, lambda: not pool.active_auctions())
            final_blocks = [b - final_from for b in _mined_blocks(keeper, "finalize")]

            say(f"run mode: a block every second, the keeper polling on its own for "
                f"{RUN_SECONDS} s")
            run_rate = _run_mode(w3, proxy, pool.address)
        if len(enter_blocks) != auctions or len(final_blocks) != auctions:
            raise RuntimeError(f"entered {len(enter_blocks)} and finalized {len(final_blocks)} "
                               f"of {auctions} auctions (after {entered} blocks)")
    idle_req, idle_calls = meter.per_block("idle")
    busy_req, busy_calls = meter.per_block("busy")
    return KeeperBench(
        auctions=auctions,
        blocks_to_enter_p50=statistics.median(enter_blocks),
        blocks_to_enter_max=max(enter_blocks),
        blocks_to_finalize_max=max(final_blocks),
        rpc_requests_per_block_idle=idle_req,
        rpc_requests_per_block_busy=busy_req,
        rpc_calls_per_block_idle=idle_calls,
        rpc_calls_per_block_busy=busy_calls,
        cpu_seconds_per_1000_blocks=round(meter.cpu / max(meter.blocks, 1) * 1000, 3),
        rpc_requests_per_block_idle_run=run_rate,
        blocks=meter.blocks,
        wall_seconds=round(time.monotonic() - started, 2),
    )


def _run_mode(w3: Web3, proxy: RpcProxy, pool: str) -> float:
    """Requests per block of ``Keeper.run()`` itself (its own polling) on a chain that mines a
    block every second, with nothing to do."""
    runner = Keeper(connect(proxy.url), Account.from_key(DEV_KEYS[1]), [pool],
                    KeeperSettings(pools=(pool,), poll_interval=0.25), log=EventLog(quiet=True))
    w3.provider.make_request("evm_setIntervalMining", [1])  # type: ignore[arg-type]
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    try:
        time.sleep(6)  # start-up, and a few blocks to learn the block time
        b0, r0 = w3.eth.block_number, proxy.requests
        time.sleep(RUN_SECONDS)
        b1, r1 = w3.eth.block_number, proxy.requests
    finally:
        runner.stop()
        thread.join(timeout=10)
        w3.provider.make_request("evm_setIntervalMining", [0])  # type: ignore[arg-type]
    return round((r1 - r0) / max(b1 - b0, 1), 2)


def _drive(w3: Web3, keeper: Keeper, meter: _Meter, done: Callable[[], bool],
           limit: int = 50) -> int:
    """Step once per block (mining a block after each step) until ``done``; the blocks used."""
    for n in range(1, limit + 1):
        meter.step(keeper, "busy")
        mine(w3)
        if done():
            meter.step(keeper, "busy")  # the keeper sees its transactions mined
            return n
    raise RuntimeError(f"not done within {limit} blocks")


def _mined_blocks(keeper: Keeper, action: str) -> list[int]:
    """The blocks of the keeper's mined transactions of one action."""
    return [int(r["block"]) for r in keeper.log.events("tx_mined")
            if str(r.get("label", "")).startswith(action + ":")]
