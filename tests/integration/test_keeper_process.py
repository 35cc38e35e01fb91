"""The keeper as people run it: the real `backstop keeper` entry point in a subprocess, against
anvil mining a block every second. SIGKILLed between sending and mining and started again;
two keepers racing on the same pools; SIGTERM; metrics; a configuration error."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from eth_account import Account

from backstop.chain import connect
from backstop.keeper.scenario import build_world, pool_outcome, world_problems
from backstop.testing.anvil import DEV_KEYS, free_port, rpc, start_anvil
from backstop.testing.rpc_proxy import RpcProxy

pytestmark = pytest.mark.anvil

DEPLOYER = Account.from_key(DEV_KEYS[0]).address
MEMBER = Account.from_key(DEV_KEYS[2]).address
BACKSTOP = str(Path(sys.executable).parent / "backstop")


class KeeperProcess:
    """`backstop keeper ...` in a subprocess, its JSON log lines collected as they come."""

    def __init__(self, url: str | None, pools: list[str] | None, key: str | None,
                 *extra: str) -> None:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("BACKSTOP_KEEPER_", "BACKSTOP_PRIVATE_KEY", "BACKSTOP_RPC"))}
        if key:
            env["BACKSTOP_PRIVATE_KEY"] = key
        args = [BACKSTOP, "keeper", "--poll-interval", "0.1", *extra]
        if url:
            args += ["--rpc-url", url]
        if pools:
            args += ["--pools", ",".join(pools)]
        self.proc = subprocess.Popen(args, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                     text=True, env=env)
        self.lines: list[dict] = []
        self.raw: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.raw.append(line)
            with contextlib.suppress(ValueError):  # not JSON: kept in raw only
                self.lines.append(json.loads(line))

    def events(self, name: str) -> list[dict]:
        return [r for r in list(self.lines) if r.get("event") == name]

    def wait_for(self, name: str, timeout: float = 90.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.events(name)
            if found:
                return found[0]
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        raise AssertionError(f"no {name!r} log line; log:\n{''.join(self.raw[-20:])}")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(timeout=20)
        self._reader.join(timeout=5)
        return code


def wait_until(check, timeout: float = 90.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def chain():
    with start_anvil() as anvil:
        w3 = connect(anvil.url)
        world = build_world(w3, DEPLOYER, MEMBER, prices=[250, 180],
                            deposits=[150_000, 100_000])
        yield anvil, world


def entered_counts(world) -> Counter:
    counts: Counter = Counter()
    for pool in world.pools:
        for ev in pool.events("AuctionEntered", 0):
            counts[int(ev["args"]["auctionId"])] += 1
    return counts


def test_sigkilled_then_restarted_on_a_node_hiding_its_pool_takes_over_from_the_journal(
        chain, tmp_path):
    anvil, world = chain
    journal = str(tmp_path / "keeper.json")
    ids = world.kick(2)
    rpc(anvil.url, "evm_setAutomine", [False])
    with RpcProxy(anvil.url) as proxy:
        proxy.fail_next(1_000, "error", methods={"txpool_content"})  # never shows its pool
        first = KeeperProcess(proxy.url, world.pool_addresses, DEV_KEYS[3], "--journal", journal)
        first.wait_for("enter")
        wait_until(lambda: len(json.loads(Path(journal).read_text())["txs"]) == 2,
                   what="both bids in the journal")
        assert first.stop(signal.SIGKILL) == -signal.SIGKILL
        second = KeeperProcess(proxy.url, world.pool_addresses, DEV_KEYS[3],
                               "--journal", journal)
        inherited = second.wait_for("inherited_txs")
        assert (inherited["adopted"], inherited["from_journal"]) == (2, 2)
        second.wait_for("started")
        rpc(anvil.url, "evm_setIntervalMining", [1])
        wait_until(lambda: world.pools[0].active_auctions() == ids, what="the two bids")
        wait_until(lambda: json.loads(Path(journal).read_text())["txs"] == [],
                   what="an empty journal")
        assert second.stop() == 0
    assert not second.events("enter")  # it took the bids over, never bid again
    assert entered_counts(world) == Counter(dict.fromkeys(ids, 1))


def test_sigkilled_between_send_and_mining_then_restarted(chain):
    anvil, world = chain
    ids = world.kick(3)
    rpc(anvil.url, "evm_setAutomine", [False])  # nothing is mined until we say so
    first = KeeperProcess(anvil.url, world.pool_addresses, DEV_KEYS[1], "--tick")
    first.wait_for("enter")  # its first step, on the newest block, bids in all three
    time.sleep(0.3)  # let it send all three
    assert first.stop(signal.SIGKILL) == -signal.SIGKILL
    address = Account.from_key(DEV_KEYS[1]).address
    assert rpc(anvil.url, "eth_getTransactionCount", [address, "latest"]) == "0x0"
    assert rpc(anvil.url, "eth_getTransactionCount", [address, "pending"]) == "0x3"

    second = KeeperProcess(anvil.url, world.pool_addresses, DEV_KEYS[1], "--tick")
    second.wait_for("started")
    # nothing was mined: it must have taken the three over (anvil shows its pool) instead of
    # bidding again
    assert second.events("inherited_txs")[0]["adopted"] == 3
    assert not second.events("enter")
    # and they are stuck: the base fee jumps above what the dead keeper offered
    rpc(anvil.url, "anvil_setNextBlockBaseFeePerGas", [hex(50 * 10**9)])
    rpc(anvil.url, "evm_mine")
    assert world.pools[0].active_auctions() == []
    rpc(anvil.url, "evm_setIntervalMining", [1])
    wait_until(lambda: world.pools[0].active_auctions() == ids, what="the three bids")
    world.advance(601)
    wait_until(lambda: not world.pools[0].active_auctions(), what="finalization")
    assert second.stop() == 0
    second.wait_for("stopped")
    assert entered_counts(world) == Counter(dict.fromkeys(ids, 1))  # never bid twice
    assert not second.events("enter")
    assert second.events("tx_replaced")  # the new keeper raised the dead one's fees
    assert world_problems(world) == []


def test_two_keepers_racing_on_the_same_pools(chain, tmp_path):
    anvil, world = chain
    rpc(anvil.url, "evm_setAutomine", [False])
    rpc(anvil.url, "evm_setIntervalMining", [1])
    port = free_port()
    keystore, password = tmp_path / "keeper2.json", tmp_path / "password.txt"
    password.write_text("correct horse\n")
    keystore.write_text(json.dumps(Account.encrypt(DEV_KEYS[4], "correct horse", iterations=2)))
    racers = [
        KeeperProcess(anvil.url, world.pool_addresses, DEV_KEYS[1], "--tick",
                      "--metrics-port", str(port)),
        KeeperProcess(anvil.url, world.pool_addresses, None, "--tick",  # key from a keystore
                      "--keystore", str(keystore), "--password-file", str(password)),
    ]
    accounts = [k.wait_for("started")["account"] for k in racers]
    assert accounts == [Account.from_key(DEV_KEYS[i]).address for i in (1, 4)]
    assert DEV_KEYS[4][2:] not in "".join(racers[1].raw)  # never printed
    rpc(anvil.url, "evm_setIntervalMining", [0])
    rpc(anvil.url, "evm_setAutomine", [True])
    ids = world.kick(5)  # three for the 250 pool now, two for the 180 pool after a tick
    rpc(anvil.url, "evm_setAutomine", [False])
    rpc(anvil.url, "evm_setIntervalMining", [1])
    p250, p180 = world.pools
    wait_until(lambda: p250.active_auctions() == ids[:3], what="the 250 pool's bids")
    world.advance(3_601)
    wait_until(lambda: p180.active_auctions() == ids[3:], what="ticks and the 180 pool's bids")
    world.advance(601)
    wait_until(lambda: not p250.active_auctions() and not p180.active_auctions(),
               what="finalization")
    metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read()
    assert b"backstop_keeper_last_block" in metrics
    assert b"backstop_keeper_auctions_seen_total 5.0" in metrics
    assert [k.stop() for k in racers] == [0, 0]
    assert entered_counts(world) == Counter(dict.fromkeys(ids, 1))
    assert world_problems(world) == []
    assert pool_outcome(world, p250).mkr_balance.raw == 3 * 200 * 10**18
    # between them they acted on everything, and each decision is one log line
    acted = sum(len(k.events("enter")) + len(k.events("finalize")) for k in racers)
    assert acted >= 10


def test_a_configuration_error_is_one_line_and_exit_1():
    anvil = start_anvil()
    nothing = Account.from_key(DEV_KEYS[9]).address  # an account, not a contract
    bad = KeeperProcess(anvil.url, [nothing], DEV_KEYS[1])
    try:
        assert bad.proc.wait(timeout=30) == 1
        bad._reader.join(timeout=5)
    finally:
        anvil.stop()
    assert len(bad.raw) == 1 and bad.raw[0].startswith("error: no contract at")


def test_dry_run_from_a_deployment_file_without_a_key_then_ctrl_c(chain, tmp_path):
    from backstop.cli.common import Deployment, write_deployment

    anvil, world = chain
    path = tmp_path / "deployment.json"
    write_deployment(path, Deployment(rpc_url=anvil.url, factory=world.factory.address))
    ids = world.kick(2)
    watcher = KeeperProcess(None, None, None, "--deployment", str(path), "--dry-run")
    started = watcher.wait_for("started")
    assert started["pools"] == world.pool_addresses and started["dry_run"] is True
    watcher.wait_for("would_enter")
    time.sleep(0.5)
    assert sorted(r["auction"] for r in watcher.events("would_enter")) == ids
    assert watcher.stop(signal.SIGINT) == 0
    assert watcher.events("stopped")
    assert world.pools[0].active_auctions() == []  # it sent nothing
