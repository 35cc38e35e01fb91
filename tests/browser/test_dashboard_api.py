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
from backstop.web import pool_io

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
        # words for a person, not the HTTP stack's exception (issue 13, item 6)
        assert status == 502 and body["error"] == (
            "the Ethereum node does not answer (is it running, and is the --rpc-url right?); "
            "the dashboard retries on its own")
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
    from backstop.web.pool_io import STATUS_WORDS

    chain.factory.cease_fire(chain.deployer, Wad.from_number(100))
    status, state = get(f"{server}/api/state")
    row = next(p for p in state["pools"] if p["address"] == chain.pool.address)
    assert status == 200 and (row["status"], row["status_text"]) == (
        "deactivated", STATUS_WORDS["deactivated"])
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


def dealt_outside(chain: Devnet) -> tuple[Any, Any]:
    """An outside bidder wins the devnet's auction (no log of its dent on today's Flopper) and
    a keeper deals it; returns (the winning bid as read before the deal, the deal's block)."""
    from backstop.chain.dev import time_travel
    from backstop.maker.scenario import fund_vat_dai
    from backstop.units import Wad

    flop = chain.core.flopper
    start = flop.bids(chain.auction)
    fund_vat_dai(chain.core, chain.bidder, start.bid)
    chain.core.vat.hope(chain.bidder, flop.address)
    time_travel(chain.w3, 600)
    flop.dent(chain.bidder, chain.auction, Wad.parse("10.5"), start.bid)
    won = flop.bids(chain.auction)
    time_travel(chain.w3, flop.ttl() + 1)
    receipt = flop.deal(chain.keeper, chain.auction)
    assert not flop.bids(chain.auction).exists
    return won, chain.w3.eth.get_block(receipt["blockNumber"])


def test_a_dealt_auction_keeps_its_winner_price_and_time(server: str, chain: Devnet,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    """Issue 13, item 9: a dealt auction showed lot 0.00 and price "-": its history comes
    from the logs (the server never saw the bid: it starts after the deal)."""
    from backstop.cli.main import main
    from backstop.units import price_of

    won, deal_block = dealt_outside(chain)
    price = str(price_of(won.bid, won.lot))
    status, state = get(f"{server}/api/state")
    row = next(a for a in state["auctions"] if a["id"] == chain.auction)
    assert status == 200
    assert (row["state"], row["state_text"], row["guy"], row["lot"], row["price"],
            row["ended_time"]) == ("dealt", "finished: dealt", chain.bidder, "10.5", price,
                                   deal_block["timestamp"])
    status, hist = get(f"{server}/api/auction?id={chain.auction}")
    assert status == 200 and (hist["ended"], hist["winner"], hist["won_lot"], hist["price"]) \
        == ("dealt", chain.bidder, "10.5", price)
    assert hist["ended_block"] == deal_block["number"]
    assert [(b["bidder"], b["lot"]) for b in hist["bids"]] == [(chain.bidder, "10.5")]
    assert get(f"{server}/api/auction?id=x")[1] == {
        "error": "id: 'x' is not an auction id (a whole number)"}

    code = main(["auctions", "--all", "--json", "--rpc-url", chain.url,
                 "--pool", chain.pool.address])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    cli = next(a for a in out["auctions"] if a["id"] == chain.auction)
    assert (cli["state"], cli["high_bidder"], cli["lot"], cli["price"], cli["ended_at"]) == (
        "dealt", chain.bidder, "10.5", price, deal_block["timestamp"])
    main(["auctions", "--all", "--rpc-url", chain.url, "--pool", chain.pool.address])
    table = capsys.readouterr().out
    assert "dealt" in table and "10.50" in table and "ended 20" in table, table


def test_the_pool_won_auction_history_and_a_members_activity(server: str,
                                                             chain: Devnet) -> None:
    """The pool's bid (AuctionEntered) and its win (finalize: deal + PositionSettled); the
    member's own deposits and withdrawals with amounts and transaction hashes."""
    from backstop.chain.dev import time_travel
    from backstop.units import Wad

    enlisted = chain.pool.approve_and_enlist(chain.depositor, Wad.from_number(40))
    chain.pool.enter_auction(chain.keeper, chain.auction)
    ask = chain.core.flopper.bids(chain.auction).lot
    status, state = get(f"{server}/api/state")
    row = next(p for p in state["pools"] if p["address"] == chain.pool.address)
    assert (row["status"], row["status_text"]) == (
        "bidding", "bidding in 1 auction; open for deposits (they bid at once)")
    time_travel(chain.w3, chain.core.flopper.ttl() + 1)
    chain.pool.finalize_auction(chain.keeper, chain.auction)
    # issue 13, item 5: a pool that only holds MKR is not "bidding"
    status, state = get(f"{server}/api/state")
    row = next(p for p in state["pools"] if p["address"] == chain.pool.address)
    assert (row["status"], row["status_text"], row["active_auctions"]) == (
        "holding", "open for deposits; holds MKR owed to its members", [])
    status, hist = get(f"{server}/api/auction?id={chain.auction}")
    assert status == 200
    assert (hist["ended"], hist["winner"], hist["won_lot"]) == ("dealt", chain.pool.address,
                                                                 str(ask))
    # the pool's own event today; the Flopper's LogNote once it notes (maker's change)
    assert [(b["bidder"], b["source"] in ("pool", "note")) for b in hist["bids"]] == [
        (chain.pool.address, True)]
    shares = chain.pool.shares_of(chain.depositor)
    paid = chain.pool.defect(chain.depositor, shares)
    status, act = get(f"{server}/api/activity?address={chain.depositor.lower()}")
    assert status == 200 and act["address"] == chain.depositor
    kinds = [(e["kind"], e["pool"], e["shares"]) for e in act["entries"]]
    assert kinds == [("withdrawal", chain.pool.address, str(shares)),
                     ("deposit", chain.pool.address, str(enlisted.shares))]
    withdrawal, deposit = act["entries"]
    assert (withdrawal["dai"], withdrawal["mkr"]) == (str(paid.dai), str(paid.mkr))
    assert deposit["dai"] == "40" and deposit["tx"].startswith("0x") and deposit["time"] > 0
    assert get(f"{server}/api/activity?address=0x12")[0] == 400


def test_nothing_below_the_pools_minimum_passes_the_check(server: str, chain: Devnet) -> None:
    """Issue 13, item 3: every check the pool makes comes before the wallet is asked."""
    for action in ("enlist", "approve"):
        status, body = post(f"{server}/api/simulate", {
            "action": action, "pool": chain.pool.address, "from": chain.depositor,
            "amount": "0.5", "check_only": True})
        assert status == 200 and body == {
            "ok": False, "message": "the pool takes at least 1 DAI per enlist, not 0.5"}


def test_server_sent_events_push_each_new_block(server: str, chain: Devnet) -> None:
    from backstop.chain.dev import mine

    def next_event(stream: Any) -> tuple[str, dict[str, Any]]:
        event = data = ""
        for raw in stream:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data = line[6:]
            elif line == "" and event:
                return event, json.loads(data)
        raise AssertionError("the stream ended")

    with urllib.request.urlopen(f"{server}/api/events", timeout=10) as stream:
        assert stream.headers["Content-Type"] == "text/event-stream"
        event, body = next_event(stream)
        assert event == "state" and body["block"]["number"] == chain.w3.eth.block_number
        mine(chain.w3)
        event, body = next_event(stream)
        assert event == "state" and body["block"]["number"] == chain.w3.eth.block_number


def test_value_per_share_history_reaches_back_to_the_pools_first_log(server: str,
                                                                    chain: Devnet) -> None:
    """A fresh server reads the value per share at the blocks of the pool's logs (an archive
    node like anvil keeps their state), not only from when it started."""
    from backstop.chain.dev import time_travel

    first = chain.pool.events("Transfer", 0)[0]
    first_time = chain.w3.eth.get_block(first["blockNumber"])["timestamp"]
    time_travel(chain.w3, 3_600)
    status, state = get(f"{server}/api/state")
    row = next(p for p in state["pools"] if p["address"] == chain.pool.address)
    assert status == 200 and row["share_value"] == "1"
    assert row["share_value_history"] == [{"t": first_time, "value": "1"}]
    assert first_time <= state["block"]["timestamp"] - 3_600


def test_a_yanked_auction_is_not_called_dealt(server: str, chain: Devnet,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Item 9: after global settlement the pool's finalize yanks its auction (DAI back, no
    MKR); the dashboard and `auctions --all` say yanked, with the refunded high bid."""
    from backstop.cli.main import main

    chain.pool.enter_auction(chain.keeper, chain.auction)
    high = chain.core.flopper.bids(chain.auction)
    chain.core.vow.cage(chain.deployer)
    receipt = chain.pool.finalize_auction(chain.keeper, chain.auction)
    assert not chain.core.flopper.bids(chain.auction).exists
    status, state = get(f"{server}/api/state")
    row = next(a for a in state["auctions"] if a["id"] == chain.auction)
    assert status == 200
    assert (row["state"], row["state_text"], row["guy"], row["lot"]) == (
        "yanked", "finished: yanked (bid refunded)", chain.pool.address, str(high.lot))
    assert row["ended_time"] == chain.w3.eth.get_block(receipt["blockNumber"])["timestamp"]
    main(["auctions", "--all", "--json", "--rpc-url", chain.url, "--pool", chain.pool.address])
    cli = next(a for a in json.loads(capsys.readouterr().out)["auctions"]
               if a["id"] == chain.auction)
    assert (cli["state"], cli["high_bidder"], cli["lot"]) == ("yanked (refunded)", "pool",
                                                              str(high.lot))


def test_a_members_activity_asks_the_node_only_for_new_blocks(
        proxied: tuple[Any, RpcProxy], chain: Devnet) -> None:
    """The page asks for the activity on every block: the logs already read are kept."""
    from backstop.units import Wad

    dash, proxy = proxied
    first = dash.activity(chain.member)
    assert [e["kind"] for e in first["entries"]] == ["deposit"]
    proxy.reset_counts()
    assert dash.activity(chain.member)["entries"] == first["entries"]
    assert proxy.by_method.get("eth_getLogs", 0) == 0, proxy.by_method  # no new block
    chain.pool.approve_and_enlist(chain.member, Wad.from_number(5))
    dash.state()  # the new block's own scan
    proxy.reset_counts()
    later = dash.activity(chain.member)
    # the new blocks, one request per filter
    zero = "0x" + "00" * 20
    assert proxy.by_method["eth_getLogs"] == len(pool_io.activity_filters(zero, [], zero))
    assert [(e["kind"], e["dai"]) for e in later["entries"]] == [("deposit", "5"),
                                                                 ("deposit", "2500")]
