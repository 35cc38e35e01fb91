"""The `backstop` command line through its entry point, against a real anvil devnet.

One anvil per module (Maker core, factory, 100 DAI/MKR pool, dev accounts funded with DAI, two
auctions kicked: the devnet of `backstop devnet`); every test runs in a snapshot that is
reverted afterwards, so tests do not depend on each other.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backstop.chain import connect, dev
from backstop.cli import cmd_devnet
from backstop.cli.common import write_deployment
from backstop.testing.anvil import DEV_KEYS, start_anvil
from backstop.testing.cli import cli, cli_json, one_line_error
from backstop.units import Wad

pytestmark = pytest.mark.anvil

DEPLOYER_KEY = DEV_KEYS[0]
MEMBER_KEY = DEV_KEYS[1]
MEMBER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
OTHER_MEMBER_KEY = DEV_KEYS[2]
NOBODY = "0x0000000000000000000000000000000000000001"


@pytest.fixture(scope="module")
def devnet(tmp_path_factory):
    node = start_anvil()
    try:
        w3 = connect(node.url)
        deployment = cmd_devnet.setup(w3, fund=Wad.parse("100000"), auctions=2, rpc_url=node.url)
        path = tmp_path_factory.mktemp("devnet") / "devnet.json"
        write_deployment(path, deployment)
        yield w3, deployment, path
    finally:
        node.stop()


@pytest.fixture
def chain(devnet, monkeypatch):
    """The devnet in a snapshot (reverted after the test); the member's key in the env."""
    w3, deployment, path = devnet
    monkeypatch.setenv("BACKSTOP_PRIVATE_KEY", MEMBER_KEY)
    monkeypatch.delenv("BACKSTOP_RPC_URL", raising=False)
    snap = dev.snapshot(w3)
    yield w3, deployment, path
    dev.revert(w3, snap)








# ---- reads ------------------------------------------------------------------------------------

def test_status_of_a_fresh_pool(chain, capsys):
    _, deployment, path = chain
    data = cli_json(capsys, "status", "--deployment", str(path))
    assert data["pool"] == deployment.pool
    assert data["price"] == "100" and data["status"] == "idle"
    assert data["total_shares"] == "0" and data["flopper"]["kicks"] == 2


def test_auctions_lists_the_running_auctions_and_why_the_pool_waits(chain, capsys):
    _, _, path = chain
    data = cli_json(capsys, "auctions", "--deployment", str(path))
    assert [a["id"] for a in data["auctions"]] == [1, 2]
    first = data["auctions"][0]
    assert first["state"] == "open" and first["lot"] == "250" and first["price"] == "200"
    assert first["high_bidder"] == "vow (no bid)"
    assert first["pool_can_enter"] is False and "below the pool's price" in first["pool_reason"]
    code, out, _ = cli(capsys, "auctions", "--deployment", str(path))
    assert code == 0 and "250.00" in out and "200.00" in out


def test_pools_lists_the_factory_pool(chain, capsys):
    _, deployment, path = chain
    data = cli_json(capsys, "pools", "--deployment", str(path))
    assert [p["address"] for p in data["pools"]] == [deployment.pool]
    assert data["pools"][0]["price"] == "100"


# ---- enlist, position, defect -------------------------------------------------------------------

def test_enlist_with_permit_then_position(chain, capsys):
    w3, _, path = chain
    block = w3.eth.block_number
    data = cli_json(capsys, "enlist", "1500.5", "--deployment", str(path))
    assert data["method"] == "permit" and data["shares_minted"] == "1500.5"
    assert w3.eth.block_number == block + 1  # one transaction
    pos = cli_json(capsys, "position", "--deployment", str(path))
    assert pos["member"] == MEMBER and pos["shares"] == "1500.5"
    assert pos["defect_now"] == {"dai": "1500.5", "mkr": "0", "redeemable": True}
    assert pos["wallet"]["dai"] == "98499.5"


def test_enlist_with_approve_and_position_of_another_address(chain, capsys, monkeypatch):
    _, _, path = chain
    monkeypatch.setenv("BACKSTOP_PRIVATE_KEY", OTHER_MEMBER_KEY)
    data = cli_json(capsys, "enlist", "1.000000000000000001", "--approve",
                    "--deployment", str(path))
    assert data["method"] == "approve" and data["dai"] == "1.000000000000000001"
    monkeypatch.setenv("BACKSTOP_PRIVATE_KEY", MEMBER_KEY)
    code, _, err = cli(capsys, "enlist", "0.5", "--deployment", str(path))
    assert code == 1 and "at least 1 DAI" in one_line_error(err)
    pos = cli_json(capsys, "position", data["member"], "--deployment", str(path))
    assert pos["shares"] == data["shares_held"]


def test_defect_all_returns_the_dai(chain, capsys):
    _, _, path = chain
    cli_json(capsys, "enlist", "250", "--deployment", str(path))
    cli_json(capsys, "enlist", "50", "--approve", "--deployment", str(path))
    data = cli_json(capsys, "defect", "all", "--deployment", str(path))
    assert data["shares_burned"] == "300" and data["dai"] == "300" and data["mkr"] == "0"
    assert data["shares_left"] == "0"
    pos = cli_json(capsys, "position", "--deployment", str(path))
    assert pos["shares"] == "0" and pos["wallet"]["dai"] == "100000"


def test_defect_part_in_human_output(chain, capsys):
    _, _, path = chain
    cli_json(capsys, "enlist", "100", "--deployment", str(path))
    code, out, _ = cli(capsys, "defect", "40", "--deployment", str(path))
    assert code == 0 and "received 40.0000 DAI" in out and "60.0000 shares left" in out


# ---- bad input: one line, the right exit code, nothing sent -----------------------------------

@pytest.mark.parametrize(("amount", "words"), [
    ("-5", "is negative"),
    ("1.0000000000000000001", "more than 18 decimals"),
    ("abc", "is not a number"),
    ("0", "is zero"),
])
def test_bad_amounts_are_usage_errors(chain, capsys, amount, words):
    w3, _, path = chain
    block = w3.eth.block_number
    code, _, err = cli(capsys, "enlist", amount, "--deployment", str(path))
    assert code == 2 and words in one_line_error(err)
    assert w3.eth.block_number == block


def test_defect_amount_not_all_is_refused(chain, capsys):
    _, _, path = chain
    code, _, err = cli(capsys, "defect", "everything", "--deployment", str(path))
    assert code == 2 and 'or "all"' in one_line_error(err)


def test_insufficient_balance_says_how_much(chain, capsys):
    w3, _, path = chain
    block = w3.eth.block_number
    code, _, err = cli(capsys, "enlist", "250000", "--deployment", str(path))
    line = one_line_error(err)
    assert code == 1 and "you hold 100,000.0000 DAI, this needs 250,000.0000" in line
    assert w3.eth.block_number == block


def test_defect_more_than_held(chain, capsys):
    _, _, path = chain
    cli_json(capsys, "enlist", "10", "--deployment", str(path))
    code, _, err = cli(capsys, "defect", "25", "--deployment", str(path))
    assert code == 1 and "you hold 10 shares, this needs 25" in one_line_error(err)


def test_defect_with_no_shares(chain, capsys):
    _, _, path = chain
    code, _, err = cli(capsys, "defect", "all", "--deployment", str(path))
    assert code == 1 and "holds no shares" in one_line_error(err)


def test_unknown_pool_address(chain, capsys):
    _, deployment, _ = chain
    code, _, err = cli(capsys, "status", "--pool", NOBODY, "--rpc-url", deployment.rpc_url)
    assert code == 1 and f"no pool at {NOBODY}" in one_line_error(err)


def test_malformed_address(chain, capsys):
    _, _, path = chain
    code, _, err = cli(capsys, "position", "0x1234", "--deployment", str(path))
    assert code == 2 and "is not an address" in one_line_error(err)


def test_no_key(chain, capsys, monkeypatch):
    w3, _, path = chain
    monkeypatch.delenv("BACKSTOP_PRIVATE_KEY")
    block = w3.eth.block_number
    code, _, err = cli(capsys, "enlist", "5", "--deployment", str(path))
    assert code == 2 and "no signing key" in one_line_error(err)
    assert w3.eth.block_number == block


def test_no_node(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("BACKSTOP_PRIVATE_KEY", MEMBER_KEY)
    code, _, err = cli(capsys, "status", "--pool", NOBODY, "--rpc-url", "http://127.0.0.1:9")
    assert code == 1 and "no node answers" in one_line_error(err)


def test_missing_deployment_file(capsys, tmp_path):
    code, _, err = cli(capsys, "status", "--deployment", str(tmp_path / "nope.json"))
    assert code == 1 and "does not exist" in one_line_error(err)


def test_deactivated_pool_refuses_deposits_in_words(chain, capsys):
    w3, deployment, path = chain
    from backstop.pool import factory_at

    factory_at(w3, deployment.factory).cease_fire(deployment.extra["deployer"], Wad.parse("100"))
    block = w3.eth.block_number
    code, _, err = cli(capsys, "enlist", "5", "--deployment", str(path))
    assert code == 1
    assert "the pool is deactivated (cease-fire): it takes no deposits" in one_line_error(err)
    assert w3.eth.block_number == block
    assert cli_json(capsys, "status", "--deployment", str(path))["status"] == "ceased"


# ---- the installed entry point ----------------------------------------------------------------

def test_entry_point_subprocess(chain):
    _, _, path = chain
    exe = Path(sys.executable).parent / "backstop"
    env = {**os.environ, "BACKSTOP_PRIVATE_KEY": MEMBER_KEY}
    ok = subprocess.run([str(exe), "--json", "status", "--deployment", str(path)],
                        capture_output=True, text=True, env=env, timeout=60)
    assert ok.returncode == 0 and json.loads(ok.stdout)["price"] == "100"
    bad = subprocess.run([str(exe), "enlist", "1.5.5", "--deployment", str(path)],
                         capture_output=True, text=True, env=env, timeout=60)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr


# ---- deploy -------------------------------------------------------------------------------------

def test_deploy_factory_and_a_pool_for_another_price(chain, capsys, monkeypatch, tmp_path):
    _, _, path = chain
    monkeypatch.setenv("BACKSTOP_PRIVATE_KEY", DEPLOYER_KEY)
    out = tmp_path / "mine.json"
    made = cli_json(capsys, "deploy", "factory", "--deployment", str(path), "--write", str(out))
    assert made["deployed"] == "factory" and json.loads(out.read_text())["factory"] == \
        made["address"]
    pool = cli_json(capsys, "deploy", "pool", "--price", "150.5", "--deployment", str(out),
                    "--write", str(out))
    recorded = json.loads(out.read_text())
    assert recorded["pool"] == pool["address"] and recorded["maker"]
    status = cli_json(capsys, "status", "--deployment", str(out))
    assert status["price"] == "150.5" and status["status"] == "idle"
    listed = cli_json(capsys, "pools", "--deployment", str(out))
    assert [p["address"] for p in listed["pools"]] == [pool["address"]]


def test_deploy_refuses_a_second_pool_for_a_price(chain, capsys, monkeypatch):
    _, deployment, path = chain
    monkeypatch.setenv("BACKSTOP_PRIVATE_KEY", DEPLOYER_KEY)
    code, _, err = cli(capsys, "deploy", "pool", "--price", "100", "--deployment", str(path))
    assert code == 1 and f"already has the pool for 100 DAI/MKR at {deployment.pool}" in \
        one_line_error(err)
    code, _, err = cli(capsys, "deploy", "pool", "--deployment", str(path))
    assert code == 2 and "needs --price" in one_line_error(err)


def test_deploy_refuses_a_flopper_the_vow_does_not_use(chain, capsys, monkeypatch, tmp_path):
    _, _, path = chain
    monkeypatch.setenv("BACKSTOP_PRIVATE_KEY", DEPLOYER_KEY)
    data = json.loads(path.read_text())
    actual = data["maker"]["flopper"]
    data["maker"]["flopper"] = data["maker"]["dai"]  # say, an outdated Flopper address
    wrong = tmp_path / "outdated.json"
    wrong.write_text(json.dumps(data))
    code, _, err = cli(capsys, "deploy", "factory", "--deployment", str(wrong))
    assert code == 1 and f"in the Flopper at {actual}, not {data['maker']['dai']}" in \
        one_line_error(err)


def test_deploy_without_maker_addresses(chain, capsys, monkeypatch):
    _, deployment, _ = chain
    monkeypatch.setenv("BACKSTOP_PRIVATE_KEY", DEPLOYER_KEY)
    code, _, err = cli(capsys, "deploy", "factory", "--rpc-url", deployment.rpc_url)
    assert code == 2 and "no built-in Maker addresses" in one_line_error(err)


# ---- with the pool in an auction --------------------------------------------------------------

def _pool_enters_auction_1(w3, deployment):
    """Restart auction 1 four times (lot 518.4 MKR) and let the pool bid at 100 DAI/MKR."""
    from backstop.maker import MakerAddresses, core_at
    from backstop.pool import pool_at

    core = core_at(w3, MakerAddresses.from_json(deployment.maker))
    keeper = deployment.extra["deployer"]
    for _ in range(4):
        dev.time_travel(w3, core.flopper.bids(1).end - core.flopper.bids(1).tic + 1)
        core.flopper.tick(keeper, 1)
    pool_at(w3, deployment.pool).enter_auction(keeper, 1)


def test_status_auctions_and_defect_while_the_pool_bids(chain, capsys):
    w3, deployment, path = chain
    cli_json(capsys, "enlist", "60000", "--deployment", str(path))
    _pool_enters_auction_1(w3, deployment)
    status = cli_json(capsys, "status", "--deployment", str(path))
    assert status["status"] == "positions_open" and status["active_auctions"] == [1]
    assert status["dai_in_auctions"] == "50000" and status["dai_available"] == "10000"
    auctions = cli_json(capsys, "auctions", "--deployment", str(path))
    first = auctions["auctions"][0]
    assert first["high_bidder"] == "pool" and first["lot"] == "500" and first["price"] == "100"
    # deposits stay open while the pool bids: a request that bids at once
    late = cli_json(capsys, "enlist", "5", "--deployment", str(path))
    assert late["request_id"] == 2 and late["shares_minted"] == "0"
    pos = cli_json(capsys, "position", "--deployment", str(path))
    assert pos["defect_now"] == {"dai": "10000", "mkr": "0", "redeemable": True}
    assert pos["defect_limits"] == {"held": "60000", "min_paying": "0.000000000000000006"}
    assert pos["requests"] == [{"kind": "deposit", "id": 2, "pending": "5", "claimable": "0"}]
    # defect all: the liquid part now, the part of the open bid as a redeem request
    done = cli_json(capsys, "defect", "all", "--deployment", str(path))
    assert done["redeem_request_id"] == 2 and done["shares_left"] == "0"
    assert Wad.parse("10000") - Wad.parse(done["dai"]) < Wad.parse("0.0001")
    code, _, err = cli(capsys, "claim", "--deployment", str(path))
    assert code == 1 and "owes" in one_line_error(err) and "still wait" in one_line_error(err)



def test_no_eth_for_gas(chain, capsys, monkeypatch):
    w3, deployment, path = chain
    from eth_account import Account

    from backstop.maker import MakerAddresses, core_at

    poor = Account.from_key("0x" + "42" * 32)
    core = core_at(w3, MakerAddresses.from_json(deployment.maker))
    core.dai.transfer(deployment.extra["accounts"][0], poor.address, Wad.parse("20"))
    monkeypatch.setenv("BACKSTOP_PRIVATE_KEY", poor.key.hex())
    code, _, err = cli(capsys, "enlist", "10", "--deployment", str(path))
    assert code == 1 and "too little ETH to pay for gas" in one_line_error(err)


def test_enlist_with_a_keystore(chain, capsys, monkeypatch, tmp_path):
    _, _, path = chain
    from eth_account import Account

    monkeypatch.delenv("BACKSTOP_PRIVATE_KEY")
    keystore = tmp_path / "member.json"
    keystore.write_text(json.dumps(Account.encrypt(MEMBER_KEY, "correct horse", iterations=2)))
    password = tmp_path / "password"
    password.write_text("correct horse\n")
    data = cli_json(capsys, "enlist", "3", "--keystore", str(keystore), "--password-file",
                    str(password), "--deployment", str(path))
    assert data["member"] == MEMBER and data["shares_minted"] == "3"
    password.write_text("wrong\n")
    code, _, err = cli(capsys, "enlist", "3", "--keystore", str(keystore), "--password-file",
                       str(password), "--deployment", str(path))
    line = one_line_error(err)
    assert code == 2 and "correct horse" not in line and MEMBER_KEY[2:] not in err


def test_devnet_runs_until_ctrl_c(tmp_path):
    import signal

    from backstop.testing.anvil import free_port

    exe = Path(sys.executable).parent / "backstop"
    out = tmp_path / "devnet.json"
    proc = subprocess.Popen([str(exe), "--json", "devnet", "--port", str(free_port()),
                             "--write", str(out), "--fund", "5"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()  # the JSON document starts once everything is deployed
        doc = first + "".join(iter(lambda: proc.stdout.readline(), "}\n")) + "}\n"
        announced = json.loads(doc)
        assert announced["pool"] and json.loads(out.read_text())["pool"] == announced["pool"]
        env = {**os.environ, "BACKSTOP_PRIVATE_KEY": MEMBER_KEY}
        status = subprocess.run([str(exe), "--json", "position", "--deployment", str(out)],
                                capture_output=True, text=True, env=env, timeout=60)
        assert json.loads(status.stdout)["wallet"]["dai"] == "5"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
