"""The dashboard's JSON API over HTTP (no browser): batched reads cached per block, round trips
that do not grow with the number of auctions, and one-line errors for bad input."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from backstop.testing.rpc_proxy import RpcProxy

Devnet = Any  # the `chain` fixture's Devnet (tests/browser/conftest.py)


def get(url: str) -> tuple[int, dict[str, Any]]:
    """GET a JSON endpoint: (status, body)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def post(url: str, body: Any) -> tuple[int, dict[str, Any]]:
    """POST JSON: (status, body)."""
    req = urllib.request.Request(url, json.dumps(body).encode(),
                                 {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.fixture
def proxied(chain: Devnet) -> Iterator[tuple[Any, RpcProxy]]:
    """A Dashboard whose node traffic goes through a counting proxy."""
    from backstop.chain import connect
    from backstop.web.dashboard import Dashboard

    with RpcProxy(chain.url) as proxy:
        yield Dashboard(connect(proxy.url), factory=chain.factory.address), proxy


def test_state_is_cached_per_block_and_round_trips_do_not_grow_with_auctions(
        proxied: tuple[Any, RpcProxy], chain: Devnet) -> None:
    from backstop.chain.dev import mine
    from backstop.maker.scenario import kick_auctions

    dash, proxy = proxied
    dash.state()
    mine(chain.w3)
    proxy.reset_counts()
    first = dash.state()
    per_block_one_auction = proxy.requests
    proxy.reset_counts()
    assert dash.state() is first  # same block: only the head is asked for
    assert proxy.requests == 1
    kick_auctions(chain.core, 5)
    dash.state()  # the new blocks' Kick logs are scanned once here
    mine(chain.w3)
    proxy.reset_counts()
    state = dash.state()
    assert len(state["auctions"]) == 6
    assert proxy.requests == per_block_one_auction <= 5, proxy.by_method


def test_bad_input_is_one_line_json_errors(server: str, chain: Devnet) -> None:
    status, body = get(f"{server}/api/position?address=0x1234")
    assert status == 400 and body == {
        "error": "address: '0x1234' is not an address (0x followed by 40 hex digits)"}
    status, body = get(f"{server}/api/permit?holder={chain.depositor}&pool={chain.depositor}")
    assert status == 400 and "is not one of the pools" in body["error"]
    status, body = post(f"{server}/api/simulate", {"action": "steal"})
    assert status == 400 and body["error"].startswith("action: must be one of")
    status, body = post(f"{server}/api/simulate", [1, 2])
    assert status == 400 and body["error"] == "the body must be a JSON object"
    status, body = get(f"{server}/static/../../setup.py")
    assert status == 404
    status, body = post(f"{server}/api/simulate", {
        "action": "enlist", "pool": chain.pool.address, "from": chain.depositor,
        "amount": "1.2.3", "check_only": True})
    assert status == 400 and "not a number" in body["error"]


def test_simulation_explains_in_words(server: str, chain: Devnet) -> None:
    from backstop.units import Wad

    held = chain.core.dai.balance_of(chain.depositor)
    status, body = post(f"{server}/api/simulate", {
        "action": "enlist", "pool": chain.pool.address, "from": chain.depositor,
        "amount": str(held + Wad.from_number(1)), "check_only": True})
    assert status == 200 and body == {
        "ok": False, "message": f"you hold {held.format(0)} DAI, this needs "
                                f"{(held + Wad.from_number(1)).format(0)}"}
    # enlist without allowance: the chain's own revert, explained
    data = "0x" + chain.pool.encode("enlist", Wad.from_number(5).raw).hex()
    status, body = post(f"{server}/api/simulate", {
        "action": "enlist", "pool": chain.pool.address, "from": chain.depositor,
        "to": chain.pool.address, "data": data, "amount": "5"})
    assert status == 200 and body["ok"] is False
    assert "not allowed to take that much of your DAI" in body["message"], body


def test_backstop_serve_end_to_end(chain: Devnet, tmp_path: Any) -> None:
    """The real entry point: `backstop serve` with a deployment file, then Ctrl-C."""
    import signal
    import subprocess
    import sys
    import time

    from backstop.testing.anvil import free_port

    deployment = tmp_path / "deployment.json"
    deployment.write_text(json.dumps({"rpc_url": chain.url, "factory": chain.factory.address}))
    port = free_port()
    # the node's URL comes from the deployment file, as `backstop devnet` writes it
    cmd = [sys.executable, "-m", "backstop.cli.main", "serve",
           "--deployment", str(deployment), "--port", str(port), "--json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/", timeout=2) as resp:
                    page = resp.read().decode()
                break
            except OSError:
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline, "backstop serve did not answer in 30 s"
                time.sleep(0.2)
        assert "<h1>Dai Backstop</h1>" in page and "https://" not in page  # nothing remote
        status, state = get(base + "/api/state")
        assert status == 200
        assert [p["address"] for p in state["pools"]] == [chain.pool.address, chain.second.address]
    finally:
        proc.send_signal(signal.SIGTERM)  # as a service manager stops it; Ctrl-C is the same
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert f"dashboard on {base}/" in err
    assert json.loads(out) == {"url": base + "/", "rpc_url": chain.url,
                               "factory": chain.factory.address, "pools": []}

    bad = subprocess.run([*cmd[:4], "--rpc-url", chain.url, "--factory", chain.depositor],
                         capture_output=True, text=True, timeout=30)
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines() == [
        f"error: no factory at {chain.depositor} on this chain: check the address "
        "(or the --rpc-url)"]


def test_a_node_outage_is_a_one_line_error_and_the_server_recovers(
        proxied: tuple[Any, RpcProxy], chain: Devnet) -> None:
    from backstop.chain.dev import mine
    from backstop.web.server import serve_in_thread

    dash, proxy = proxied
    srv, thread = serve_in_thread(dash)
    try:
        assert get(f"{srv.url}/api/state")[0] == 200
        mine(chain.w3)
        proxy.refuse()
        status, body = get(f"{srv.url}/api/state")
        assert status == 502 and body["error"].startswith("reading the chain failed: ")
        assert "\n" not in body["error"]
        proxy.accept()
        status, body = get(f"{srv.url}/api/state")
        assert status == 200 and body["block"]["number"] == chain.w3.eth.block_number
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)


def test_a_deactivated_pool_is_shown_and_refuses_deposits_in_words(server: str,
                                                                   chain: Devnet) -> None:
    from backstop.units import Wad

    chain.factory.cease_fire(chain.deployer, Wad.from_number(100))
    status, state = get(f"{server}/api/state")
    row = next(p for p in state["pools"] if p["address"] == chain.pool.address)
    assert status == 200 and (row["status"], row["status_text"]) == ("deactivated", "deactivated")
    status, body = post(f"{server}/api/simulate", {
        "action": "enlist", "pool": chain.pool.address, "from": chain.depositor,
        "amount": "10", "check_only": True})
    assert status == 200 and body == {"ok": False, "message": (
        "this pool was deactivated by its operator (cease fire): it takes no new deposits; "
        "members can still defect")}
    # withdrawals stay open: the member's defect simulates fine and says what it pays
    shares = chain.pool.shares_of(chain.member)
    data = "0x" + chain.pool.encode("defect", shares.raw).hex()
    status, body = post(f"{server}/api/simulate", {
        "action": "defect", "pool": chain.pool.address, "from": chain.member,
        "to": chain.pool.address, "data": data, "amount": str(shares)})
    paid = chain.pool.defect_amount(shares)
    assert paid.dai.raw % 10**18 == 0 and paid.mkr.raw == 0  # whole DAI: exact in the sentence
    assert status == 200 and body == {"ok": True, "message": (
        f"you would return {shares.format(0)} shares and receive {paid.dai.format(0)} DAI "
        "and 0 MKR")}
