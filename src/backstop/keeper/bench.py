"""`backstop bench keeper`: the keeper on a real anvil with N auctions that become biddable in
the same block, kept by P pools. The benchmark mines the blocks itself (one ``Keeper.step()`` per
block, as the replay does) and counts the keeper's JSON-RPC requests with the fault proxy in
front of anvil; ``batch_limit`` makes the proxy refuse larger batches as geth does.

Figures:
- ``blocks_to_enter_p50`` / ``_max``: blocks from the block in which an auction became biddable
  to the block that holds the pool's bid (1 = bid in the very next block);
- ``blocks_to_finalize_max``: the same, from the first block in which the won auctions could be
  dealt to the block holding the finalization;
- ``rpc_requests_per_block_idle``: HTTP requests (a batch chunk is one) per block with nothing
  to do, while N auctions are open; ``_held``: while the pools hold N positions;
  ``_busy``: while bidding and finalizing; ``rpc_calls_per_block_*``: the JSON-RPC calls in
  them;
- ``cpu_ms_per_block_idle`` / ``_held``: the keeper thread's CPU per block;
  ``cpu_us_per_held_auction_block``: the held figure per position held;
- ``cpu_seconds_per_1000_blocks``: the keeper thread's CPU over all its blocks, per 1,000;
- ``largest_batch_calls``: the most calls the keeper put in one HTTP request;
  ``refused_batches``: batches the capped node refused (the keeper then cuts smaller ones);
- ``rpc_requests_per_block_idle_run``: the idle figure for ``Keeper.run()`` polling on its
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
from backstop.chain.batch import send_batch
from backstop.chain.dev import mine, set_automine, time_travel
from backstop.keeper.logs import EventLog
from backstop.keeper.reader import TICK, calldata, selector
from backstop.keeper.scenario import FAST_PARAMS, build_world
from backstop.keeper.service import Keeper
from backstop.keeper.settings import KeeperSettings
from backstop.maker.scenario import create_bad_debt, free_debt
from backstop.testing.anvil import DEV_KEYS, start_anvil
from backstop.testing.rpc_proxy import RpcProxy

IDLE_BLOCKS = 20
HELD_BLOCKS = 10
RUN_SECONDS = 8
GAS_LIMIT = 1_500_000_000  # 5,000 bids of ~150,000 gas fit in one block
FLOP = selector("flop()")
MAX_AUCTIONS = 5_000
MAX_POOLS = 20
PRICE = 200  # DAI per MKR (pool k: 200 - k, k < 20): asks >= 250 MKR, so a fresh lot of 250 is
#              too small and one tick (300) makes every auction biddable at once


@dataclass
class KeeperBench:
    """The figures printed by `backstop bench keeper`."""

    auctions: int
    pools: int
    batch_limit: int | None
    blocks_to_enter_p50: float
    blocks_to_enter_max: int
    blocks_to_finalize_max: int
    rpc_requests_per_block_idle: float
    rpc_requests_per_block_held: float
    rpc_requests_per_block_busy: float
    rpc_calls_per_block_idle: float
    rpc_calls_per_block_held: float
    rpc_calls_per_block_busy: float
    cpu_ms_per_block_idle: float
    cpu_ms_per_block_held: float
    cpu_us_per_held_auction_block: float
    cpu_seconds_per_1000_blocks: float
    largest_batch_calls: int
    refused_batches: int
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
        self.samples: dict[str, list[tuple[int, int, float]]] = {
            "idle": [], "held": [], "busy": []}

    def step(self, keeper: Keeper, kind: str) -> Any:
        before_req, before_calls = self.proxy.requests, self.proxy.calls
        t0 = time.thread_time()
        result = keeper.step()
        spent = time.thread_time() - t0
        self.cpu += spent
        if result.error:
            raise RuntimeError(f"keeper step failed: {result.error}")
        if result.new_block:
            self.blocks += 1
            self.samples[kind].append((self.proxy.requests - before_req,
                                       self.proxy.calls - before_calls, spent))
        return result

    def per_block(self, kind: str) -> tuple[float, float, float]:
        """Requests, calls and CPU seconds per block of one kind."""
        s = self.samples[kind]
        if not s:
            return 0.0, 0.0, 0.0
        n = len(s)
        return (round(sum(r for r, _, _ in s) / n, 2), round(sum(c for _, c, _ in s) / n, 2),
                sum(t for _, _, t in s) / n)


def kick_in_one_block(w3: Web3, world: Any, deployer: str, n: int) -> list[int]:
    """``n`` debt auctions kicked in one block (the bad debt first), their ids."""
    core = world.core
    need = core.vow.sump().scale(n) - free_debt(core)
    if need.raw > 0:
        create_bad_debt(core, need, sender=deployer, queue=False)
    first = core.flopper.kicks() + 1
    send_in_one_block(w3, deployer, [(core.vow.address, calldata(FLOP))] * n, gas=400_000)
    ids = list(range(first, core.flopper.kicks() + 1))
    if len(ids) != n:
        raise RuntimeError(f"kicked {len(ids)} of {n} auctions")
    return ids


def send_in_one_block(w3: Web3, sender: str, txs: list[tuple[str, str]], gas: int) -> None:
    """Send every ``(to, data)`` from an unlocked account and mine them in one block."""
    set_automine(w3, False)
    nonce = w3.eth.get_transaction_count(sender, "pending")  # type: ignore[arg-type]
    requests: list[tuple[str, list[Any]]] = [
        ("eth_sendTransaction", [{"from": sender, "to": to, "data": data, "gas": hex(gas),
                                  "nonce": hex(nonce + k)}])
        for k, (to, data) in enumerate(txs)]
    for answer in send_batch(w3, requests):
        if "error" in answer:
            raise RuntimeError(f"bench transaction refused: {answer['error']}")
    mine(w3)


def run_keeper_bench(auctions: int = 100, pools: int = 1, batch_limit: int | None = None,
                     progress: Callable[[str], None] | None = None) -> KeeperBench:
    """Run the benchmark on a fresh anvil and return the figures."""
    say = progress or (lambda _msg: None)
    started = time.monotonic()
    with start_anvil("--gas-limit", str(GAS_LIMIT)) as anvil:
        w3 = connect(anvil.url, timeout=600, read_timeout=600)
        deployer = Account.from_key(DEV_KEYS[0]).address
        member = Account.from_key(DEV_KEYS[2]).address
        say(f"deploying the Maker core and {pools} pool(s)")
        share = -(-auctions // pools)
        world = build_world(w3, deployer, member, prices=[PRICE - k for k in range(pools)],
                            deposits=[50_000 * share] * pools, params=FAST_PARAMS)
        say(f"kicking {auctions} debt auctions")
        ids = kick_in_one_block(w3, world, deployer, auctions)
        set_automine(w3, True)
        addresses = [p.address for p in world.pools]
        with RpcProxy(anvil.url, timeout_hold=30.0) as proxy:
            proxy.batch_limit = batch_limit
            keeper = Keeper(connect(proxy.url), Account.from_key(DEV_KEYS[1]), addresses,
                            KeeperSettings(pools=tuple(addresses)), log=EventLog(quiet=True))
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
            send_in_one_block(w3, deployer, [(world.core.flopper.address, calldata(TICK, i))
                                     for i in ids], gas=200_000)
            biddable = start_block = w3.eth.block_number

            def held() -> int:
                """Positions held now, from the pools' events (the listing stops at 1,000)."""
                return sum(len(p.events("AuctionEntered", start_block))
                           - len(p.events("PositionSettled", start_block)) for p in world.pools)

            entered = _drive(w3, keeper, meter, lambda: held() == auctions)
            enter_blocks = [b - biddable for b in _mined_blocks(keeper, "enter")]

            say(f"{HELD_BLOCKS} blocks holding {auctions} positions")
            for _ in range(HELD_BLOCKS):
                mine(w3)
                meter.step(keeper, "held")

            say("the pools' bids expire: finalize them all")
            tic = max(world.core.flopper.bids(i).tic for i in ids)
            now = int(w3.eth.get_block("latest")["timestamp"])
            time_travel(w3, tic - now + 1)
            final_from = w3.eth.block_number
            _drive(w3, keeper, meter, lambda: held() == 0)
            final_blocks = [b - final_from for b in _mined_blocks(keeper, "finalize")]
            largest, refused = proxy.largest_batch, proxy.refused_batches

            say(f"run mode: a block every second, the keeper polling on its own for "
                f"{RUN_SECONDS} s")
            run_rate = _run_mode(w3, proxy, addresses)
        if len(enter_blocks) != auctions or len(final_blocks) != auctions:
            raise RuntimeError(f"entered {len(enter_blocks)} and finalized {len(final_blocks)} "
                               f"of {auctions} auctions (after {entered} blocks)")
    idle_req, idle_calls, idle_cpu = meter.per_block("idle")
    held_req, held_calls, held_cpu = meter.per_block("held")
    busy_req, busy_calls, _ = meter.per_block("busy")
    return KeeperBench(
        auctions=auctions,
        pools=pools,
        batch_limit=batch_limit,
        blocks_to_enter_p50=statistics.median(enter_blocks),
        blocks_to_enter_max=max(enter_blocks),
        blocks_to_finalize_max=max(final_blocks),
        rpc_requests_per_block_idle=idle_req,
        rpc_requests_per_block_held=held_req,
        rpc_requests_per_block_busy=busy_req,
        rpc_calls_per_block_idle=idle_calls,
        rpc_calls_per_block_held=held_calls,
        rpc_calls_per_block_busy=busy_calls,
        cpu_ms_per_block_idle=round(idle_cpu * 1000, 2),
        cpu_ms_per_block_held=round(held_cpu * 1000, 2),
        cpu_us_per_held_auction_block=round(held_cpu * 1e6 / auctions, 2),
        cpu_seconds_per_1000_blocks=round(meter.cpu / max(meter.blocks, 1) * 1000, 3),
        largest_batch_calls=largest,
        refused_batches=refused,
        rpc_requests_per_block_idle_run=run_rate,
        blocks=meter.blocks,
        wall_seconds=round(time.monotonic() - started, 2),
    )


def _run_mode(w3: Web3, proxy: RpcProxy, pools: list[str]) -> float:
    """Requests per block of ``Keeper.run()`` itself (its own polling) on a chain that mines a
    block every second, with nothing to do."""
    runner = Keeper(connect(proxy.url), Account.from_key(DEV_KEYS[1]), pools,
                    KeeperSettings(pools=tuple(pools), poll_interval=0.25),
                    log=EventLog(quiet=True))
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
