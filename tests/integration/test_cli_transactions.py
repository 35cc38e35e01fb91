"""What the command line says about what it sends, and the operator's commands, against anvil.

Issue 13: every state-changing command says "sent 0x... (nonce n)" and then the block and gas
(also in --json); on Ctrl-C or a lost node it says what was sent and how to check it
(`backstop tx HASH`); --dry-run sends nothing; --nonce and the fee options reach the signed
transaction; deploy --write keeps the default pool; prices are bounded in one place; the
operator can cease-fire and hand over pools and the factory in two steps.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from web3.exceptions import TransactionNotFound

from backstop.chain import connect, dev
from backstop.cli import cmd_devnet
from backstop.cli.common import read_deployment, write_deployment
from backstop.testing.anvil import DEV_KEYS, start_anvil
from backstop.testing.cli import cli, cli_json, one_line_error
from backstop.units import Wad

pytestmark = pytest.mark.anvil

OPERATOR_KEY = DEV_KEYS[0]
OPERATOR = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
MEMBER_KEY = DEV_KEYS[1]
MEMBER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
OTHER_KEY = DEV_KEYS[2]
OTHER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
EXE = Path(sys.executable).parent / "backstop"








@pytest.fixture(scope="module")
def devnet(tmp_path_factory):
    node = start_anvil()
    try:
        w3 = connect(node.url)
        deployment = cmd_devnet.setup(w3, fund=Wad.parse("100000"), rpc_url=node.url)
        path = tmp_path_factory.mktemp("devnet") / "devnet.json"
        write_deployment(path, deployment)
        yield node, w3, deployment, path
    finally:
        node.stop()


@pytest.fixture
def chain(devnet, monkeypatch):
    _node, w3, deployment, path = devnet
    monkeypatch.setenv("BACKSTOP_PRIVATE_KEY", MEMBER_KEY)
    monkeypatch.delenv("BACKSTOP_RPC_URL", raising=False)
    snap = dev.snapshot(w3)
    yield w3, deployment, path
    dev.set_automine(w3, True)
    dev.revert(w3, snap)


# ---- sent, nonce, block, gas ---------------------------------------------------------------------


def test_enlist_reports_the_transaction_as_it_goes_and_in_json(chain, capsys):
    w3, _, path = chain
    nonce = w3.eth.get_transaction_count(MEMBER)
    code, out, err = cli(capsys, "enlist", "10", "--deployment", str(path))
    assert code == 0
    sent = [line for line in err.splitlines() if line.startswith("sent 0x")]
    assert len(sent) == 1 and f"(nonce {nonce}), waiting for a block" in sent[0]
    tx_hash = sent[0].split()[1]
    receipt = w3.eth.get_transaction_receipt(tx_hash)
    assert f"mined in block {receipt['blockNumber']}, gas used {receipt['gasUsed']:,}" in err
    assert f"tx {tx_hash} in block {receipt['blockNumber']}" in out
    data = cli_json(capsys, "defect", "4", "--deployment", str(path))
    (tx,) = data["transactions"]
    receipt = w3.eth.get_transaction_receipt(tx["hash"])
    assert tx == {
        "hash": tx["hash"],
        "nonce": nonce + 1,
        "status": "mined",
        "block": receipt["blockNumber"],
        "gas_used": receipt["gasUsed"],
    }


def test_json_progress_is_json_lines_on_stderr(chain, capsys):
    _, _, path = chain
    code, out, err = cli(capsys, "--json", "enlist", "3", "--deployment", str(path))
    assert code == 0 and json.loads(out)["dai"] == "3"
    events = [json.loads(line) for line in err.splitlines()]
    assert [e["event"] for e in events] == ["sent", "mined"]
    assert events[0]["hash"] == events[1]["hash"] == json.loads(out)["transactions"][0]["hash"]


def _run_until_sent(path: Path, *argv: str) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "BACKSTOP_PRIVATE_KEY": MEMBER_KEY}
    proc = subprocess.Popen(
        [str(EXE), *argv, "--deployment", str(path)],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()  # "sent 0x... (nonce n), waiting for a block"
    assert line.startswith("sent 0x"), line + proc.stderr.read()
    return proc, line.split()[1]


def test_ctrl_c_after_sending_says_what_was_sent_and_how_to_check(chain, capsys):
    w3, _, path = chain
    dev.set_automine(w3, False)  # the deposit waits in the node's pool, as on a 30 s chain
    proc, tx_hash = _run_until_sent(path, "enlist", "77")
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    line = err.strip().splitlines()[-1]
    assert line.startswith("error: interrupted; ") and tx_hash in line
    assert f"backstop tx {tx_hash}" in line and "before sending again" in line
    # the check it names: still pending (exit 3), then mined after a block
    code, out, _ = cli(capsys, "tx", tx_hash, "--deployment", str(path))
    assert code == 3 and "waiting in the node's pool" in out
    dev.mine(w3)
    info = cli_json(capsys, "tx", tx_hash, "--deployment", str(path))
    assert info["status"] == "success" and info["block"] == w3.eth.block_number
    assert cli_json(capsys, "position", "--deployment", str(path))["shares"] == "77"


def test_tx_of_an_unknown_hash_and_a_bad_hash(chain, capsys):
    _, _, path = chain
    code, out, _ = cli(capsys, "tx", "0x" + "ab" * 32, "--deployment", str(path))
    assert code == 1 and "does not know it" in out
    code, _, err = cli(capsys, "tx", "0x1234", "--deployment", str(path))
    assert code == 2 and "is not a transaction hash" in one_line_error(err)


def test_node_lost_after_sending_says_what_was_sent(tmp_path):
    node = start_anvil()
    try:
        w3 = connect(node.url)
        deployment = cmd_devnet.setup(w3, fund=Wad.parse("1000"), rpc_url=node.url)
        path = tmp_path / "devnet.json"
        write_deployment(path, deployment)
        dev.set_automine(w3, False)
        proc, tx_hash = _run_until_sent(path, "enlist", "200")
        os.killpg(node.proc.pid, signal.SIGKILL)  # anvil and its launcher (its own session)
        _, err = proc.communicate(timeout=60)
    finally:
        node.stop()
    assert proc.returncode == 1
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err and len(lines) == 1, err
    assert lines[0].startswith("error: lost the node") and tx_hash in lines[0]
    assert f"backstop tx {tx_hash}" in lines[0]


# ---- --dry-run, --nonce, fees -------------------------------------------------------------------


def test_dry_run_simulates_and_sends_nothing(chain, capsys):
    w3, deployment, path = chain
    block, nonce = w3.eth.block_number, w3.eth.get_transaction_count(MEMBER)
    data = cli_json(capsys, "enlist", "25", "--dry-run", "--deployment", str(path))
    assert data["dry_run"] is True and data["sent"] is False
    assert data["to"].lower() == deployment.pool.lower() and data["gas_estimate"] > 21_000
    assert data["nonce"] == nonce
    assert w3.eth.block_number == block and w3.eth.get_transaction_count(MEMBER, "pending") == nonce
    # a dry run that would fail says why, like a real one
    code, _, err = cli(capsys, "defect", "1", "--dry-run", "--deployment", str(path))
    assert code == 1 and "holds no shares" in one_line_error(err)


def test_nonce_and_fee_options_reach_the_signed_transaction(chain, capsys):
    w3, _, path = chain
    nonce = w3.eth.get_transaction_count(MEMBER)
    data = cli_json(
        capsys,
        "enlist",
        "5",
        "--tip-gwei",
        "2.5",
        "--max-fee-gwei",
        "40",
        "--deployment",
        str(path),
    )
    tx = w3.eth.get_transaction(data["transactions"][0]["hash"])
    assert tx["maxPriorityFeePerGas"] == 2_500_000_000 and tx["maxFeePerGas"] == 40 * 10**9
    assert tx["nonce"] == nonce
    # replace a stuck transaction: same nonce, higher fees
    dev.set_automine(w3, False)
    proc, stuck = _run_until_sent(path, "enlist", "6", "--tip-gwei", "1", "--max-fee-gwei", "10")
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=30)
    again, replacement = _run_until_sent(
        path, "enlist", "6", "--nonce", str(nonce + 1), "--tip-gwei", "2", "--max-fee-gwei", "20"
    )
    assert replacement != stuck
    dev.mine(w3)
    _out, err = again.communicate(timeout=60)
    assert again.returncode == 0, err
    tx = w3.eth.get_transaction(replacement)
    assert tx["nonce"] == nonce + 1 and tx["maxPriorityFeePerGas"] == 2 * 10**9
    assert w3.eth.get_transaction_receipt(replacement)["status"] == 1
    with pytest.raises(TransactionNotFound):  # replaced, never mined
        w3.eth.get_transaction_receipt(stuck)


def test_bad_send_options_are_usage_errors(chain, capsys):
    _, _, path = chain
    for argv, words in (
        (["--nonce", "-1"], "--nonce -1"),
        (["--tip-gwei", "x"], "--tip-gwei"),
        (["--tip-gwei", "5", "--max-fee-gwei", "2"], "above --max-fee-gwei"),
    ):
        code, _, err = cli(capsys, "enlist", "1", *argv, "--deployment", str(path))
        assert code == 2 and words in one_line_error(err)


# ---- deploy -------------------------------------------------------------------------------------


def test_deploy_pool_write_keeps_the_default_pool(chain, capsys, monkeypatch, tmp_path):
    _, deployment, path = chain
    monkeypatch.setenv("BACKSTOP_PRIVATE_KEY", OPERATOR_KEY)
    copy = tmp_path / "d.json"
    copy.write_text(path.read_text())
    code, out, _ = cli(
        capsys, "deploy", "pool", "--price", "150", "--deployment", str(copy), "--write", str(copy)
    )
    assert code == 0 and f"its default pool stays {deployment.pool}" in out
    dep = read_deployment(copy)
    assert dep.pool == deployment.pool and len(dep.pools) == 2
    new = dep.pools[1]
    # a later command still acts on the default pool
    assert cli_json(capsys, "status", "--deployment", str(copy))["pool"] == deployment.pool
    data = cli_json(
        capsys,
        "deploy",
        "pool",
        "--price",
        "175",
        "--make-default",
        "--deployment",
        str(copy),
        "--write",
        str(copy),
    )
    dep = read_deployment(copy)
    assert dep.pool == data["address"] and dep.pools == [deployment.pool, new, data["address"]]


def test_deploy_factory_write_drops_the_old_factorys_pools(chain, capsys, monkeypatch, tmp_path):
    _, deployment, path = chain
    monkeypatch.setenv("BACKSTOP_PRIVATE_KEY", OPERATOR_KEY)
    copy = tmp_path / "d.json"
    copy.write_text(path.read_text())
    data = cli_json(capsys, "deploy", "factory", "--deployment", str(copy), "--write", str(copy))
    dep = read_deployment(copy)
    assert dep.factory == data["address"] != deployment.factory
    assert dep.pool is None and dep.pools == []
    assert deployment.factory in data["file_note"]


@pytest.mark.parametrize(
    "price",
    [
        "1e62",
        "100000000000000000000000000000000000000000000000000",
        "0.000000000000000001",
        "1000000000000",
        "1000000.01",
        "0.99",
    ],
)
def test_prices_out_of_bounds_are_one_line_and_nothing_is_sent(chain, capsys, monkeypatch, price):
    w3, _, path = chain
    monkeypatch.setenv("BACKSTOP_PRIVATE_KEY", OPERATOR_KEY)
    block = w3.eth.block_number
    code, _, err = cli(capsys, "deploy", "pool", "--price", price, "--deployment", str(path))
    assert code == 2 and "is out of range: a pool's price is from 1 to" in one_line_error(err)
    assert w3.eth.block_number == block


def test_prices_print_every_significant_decimal(chain, capsys, monkeypatch):
    _, _, path = chain
    monkeypatch.setenv("BACKSTOP_PRIVATE_KEY", OPERATOR_KEY)
    code, out, _ = cli(capsys, "deploy", "pool", "--price", "1234.5", "--deployment", str(path))
    assert code == 0 and "(1,234.5 DAI/MKR)" in out
    code, out, _ = cli(capsys, "pools", "--deployment", str(path))
    assert " 1,234.5 " in out
    code, _, err = cli(capsys, "deploy", "pool", "--price", "100.001", "--deployment", str(path))
    assert code == 2 and "is not a whole number of cents" in one_line_error(err)


def test_pools_of_a_pool_address_is_one_line(chain, capsys):
    _, deployment, path = chain
    code, _, err = cli(capsys, "pools", "--factory", deployment.pool, "--deployment", str(path))
    assert code == 1 and "is not a backstop factory" in one_line_error(err)


# ---- the operator ------------------------------------------------------------------------------


def test_cease_fire_through_the_factory_by_its_operator_only(chain, capsys, monkeypatch):
    w3, deployment, path = chain
    block = w3.eth.block_number
    code, _, err = cli(capsys, "cease-fire", "--deployment", str(path))  # a member
    assert code == 1 and f"only the operator of factory {deployment.factory}" in one_line_error(err)
    assert w3.eth.block_number == block
    monkeypatch.setenv("BACKSTOP_PRIVATE_KEY", OPERATOR_KEY)
    data = cli_json(capsys, "cease-fire", "--deployment", str(path))
    assert data["ceased"] is True and data["via"] == "factory" and data["transactions"]
    assert cli_json(capsys, "status", "--deployment", str(path))["status"] == "ceased"
    code, _, err = cli(capsys, "cease-fire", "--deployment", str(path))
    assert code == 1 and "already deactivated" in one_line_error(err)


def test_pool_ownership_in_two_steps_then_the_owner_stops_it(chain, capsys, monkeypatch):
    _, deployment, path = chain
    monkeypatch.setenv("BACKSTOP_PRIVATE_KEY", OPERATOR_KEY)
    cli_json(capsys, "owner", "transfer", "pool", MEMBER, "--deployment", str(path))
    shown = cli_json(capsys, "owner", "show", "--deployment", str(path))
    assert shown["pool"]["owner"] == deployment.factory
    assert shown["pool"]["pending_owner"] == MEMBER
    monkeypatch.setenv("BACKSTOP_PRIVATE_KEY", OTHER_KEY)
    code, _, err = cli(capsys, "owner", "accept", "pool", "--deployment", str(path))
    assert code == 1 and f"is offered to {MEMBER}, not to you" in one_line_error(err)
    monkeypatch.setenv("BACKSTOP_PRIVATE_KEY", MEMBER_KEY)
    cli_json(capsys, "owner", "accept", "pool", "--deployment", str(path))
    assert cli_json(capsys, "owner", "show", "--deployment", str(path))["pool"]["owner"] == MEMBER
    data = cli_json(capsys, "cease-fire", "--deployment", str(path))
    assert data["via"] == "pool" and data["ceased"] is True


def test_factory_ownership_in_two_steps(chain, capsys, monkeypatch):
    _, _deployment, path = chain
    monkeypatch.setenv("BACKSTOP_PRIVATE_KEY", MEMBER_KEY)
    code, _, err = cli(capsys, "owner", "transfer", "factory", OTHER, "--deployment", str(path))
    assert code == 1 and f"only the factory's operator, {OPERATOR}" in one_line_error(err)
    monkeypatch.setenv("BACKSTOP_PRIVATE_KEY", OPERATOR_KEY)
    cli_json(capsys, "owner", "transfer", "factory", OTHER, "--deployment", str(path))
    monkeypatch.setenv("BACKSTOP_PRIVATE_KEY", OTHER_KEY)
    cli_json(capsys, "owner", "accept", "factory", "--deployment", str(path))
    shown = cli_json(capsys, "owner", "show", "--deployment", str(path))
    assert shown["factory"]["owner"] == OTHER
    assert shown["factory"]["pending_owner"] == "0x0000000000000000000000000000000000000000"
    # the new operator now stops pools through the factory
    assert cli_json(capsys, "cease-fire", "--deployment", str(path))["via"] == "factory"


def test_keeper_names_a_busy_metrics_port(chain, capsys):
    import socket

    _, _, path = chain
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = cli(
            capsys, "keeper", "--metrics-port", str(port), "--dry-run", "--deployment", str(path)
        )
    assert code == 1
    assert f"--metrics-port {port} is taken by another program" in err.strip().splitlines()[-1]


# ---- the devnet ---------------------------------------------------------------------------------


def test_devnet_says_each_step_and_stops_in_one_line_when_anvil_dies(tmp_path):
    from backstop.testing.anvil import free_port

    out = tmp_path / "devnet.json"
    proc = subprocess.Popen(
        [str(EXE), "devnet", "--port", str(free_port()), "--write", str(out), "--fund", "5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None and proc.stdout is not None
        first = proc.stderr.readline()  # progress comes before the chain is ready
        assert first.startswith("... deploying the Maker core"), first
        for line in proc.stdout:
            if line.startswith("Ctrl-C stops"):
                break
        # anvil (started by the devnet in a session of its own) dies
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        assert children
        for child in children:
            os.killpg(int(child), signal.SIGKILL)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 1
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: anvil (the devnet's chain) exited") and "Traceback" not in err
