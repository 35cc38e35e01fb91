"""Pure parts of backstop.chain.tx: gwei parsing and formatting, the nonce manager."""

from __future__ import annotations

import threading

import pytest

from backstop.chain.tx import NonceManager, format_gwei, parse_gwei


@pytest.mark.parametrize(
    ("text", "wei"),
    [(None, None), (0, 0), (30, 30 * 10**9), ("1.5", 1_500_000_000), ("0.000000001", 1),
     (" 12 ", 12 * 10**9), ("7.", 7 * 10**9)],
)
def test_parse_gwei_is_exact(text, wei):
    assert parse_gwei(text) == wei


@pytest.mark.parametrize("bad", ["-1", "1.0000000001", "abc", "", -3, 1.5, True])
def test_parse_gwei_refuses_bad_input(bad):
    with pytest.raises(ValueError):
        parse_gwei(bad)


def test_format_gwei_is_exact():
    assert format_gwei(1_500_000_000) == "1.5"
    assert format_gwei(30 * 10**9) == "30"
    assert format_gwei(1) == "0.000000001"


def test_nonce_manager_follows_chain_when_idle_and_counts_on_when_busy():
    nm = NonceManager("0x" + "11" * 20)
    assert nm.allocate(chain_pending=5) == 5
    assert nm.allocate(chain_pending=5) == 6  # 5 still in flight: count on
    nm.settle(5)
    nm.settle(6)
    assert nm.allocate(chain_pending=3) == 3  # nothing in flight (e.g. after a reorg): follow
    assert nm.allocate(chain_pending=9) == 9  # someone else used the key: jump ahead
    nm.release(9)
    assert nm.allocate(chain_pending=4) == 9  # 3 still in flight, 9 given back


def test_nonce_manager_is_thread_safe():
    nm = NonceManager("0x" + "22" * 20)
    nm.allocate(0)
    got: list[int] = []
    lock = threading.Lock()

    def take() -> None:
        for _ in range(200):
            n = nm.allocate(0)
            with lock:
                got.append(n)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == list(range(1, 801))


def test_nonce_manager_adopts_transactions_of_an_earlier_run():
    nm = NonceManager("0x" + "33" * 20)
    nm.adopt(4)
    nm.adopt(5)
    assert nm.allocate(chain_pending=4) == 6  # after the adopted ones, not over them
    nm.settle(4)
    nm.settle(5)
    nm.settle(6)
    assert nm.allocate(chain_pending=7) == 7


def test_fast_signing_gives_eth_accounts_bytes():
    from eth_account import Account
    from eth_utils import to_checksum_address

    from backstop.chain.tx import sign_dynamic_fee

    account = Account.from_key("0x" + "42" * 32)
    for to, data, value in [("0x" + "ab" * 20, b"\x12\x34" + bytes(34), 0),
                            (None, b"\x60\x00", 5), ("0x" + "00" * 20, b"", 10**18)]:
        fields = {"type": 2, "chainId": 31337, "nonce": 7, "maxPriorityFeePerGas": 10**9,
                  "maxFeePerGas": 3 * 10**9, "gas": 210_000, "value": value,
                  "data": "0x" + data.hex()}
        if to:
            fields["to"] = to_checksum_address(to)
        signed = account.sign_transaction(fields)
        raw, tx_hash = sign_dynamic_fee(bytes(account.key), 31337, 7, 10**9, 3 * 10**9,
                                        210_000, to, value, data)
        assert raw == bytes(signed.raw_transaction)
        assert tx_hash == "0x" + bytes(signed.hash).hex()


@pytest.mark.parametrize(
    ("response", "outcome"),
    [
        ({"result": "0x" + "11" * 32}, "accepted"),
        ({"error": {"code": -32000, "message": "already known"}}, "accepted"),
        ({"error": {"code": -32000, "message": "nonce too low"}}, "rejected"),
        ({"error": {"code": -32000, "message": "replacement transaction underpriced"}},
         "rejected"),
        ({"error": {"code": -32603, "message": "internal error"}}, "unknown"),
        ({"result": None}, "unknown"),
        ({"result": "0x1234"}, "unknown"),
        ({"result": "0x" + "22" * 32}, "unknown"),  # not the hash we signed
        (None, "unknown"),
        ("<html>", "unknown"),
        (ConnectionError("reset"), "unknown"),
    ],
)
def test_every_send_answer_is_classified(response, outcome):
    from backstop.chain import connect
    from backstop.chain.tx import TxSender

    sender = TxSender(connect("inprocess"), "0x" + "11" * 20)
    got, tx_hash, _ = sender._classify("eth_sendRawTransaction", response, "0x" + "11" * 32)
    assert got.value == outcome
    assert tx_hash == (None if outcome == "rejected" else "0x" + "11" * 32)


def test_on_sent_reports_each_version_sent_with_its_nonce():
    from eth_account import Account

    from backstop.chain import connect
    from backstop.chain.tx import TxSender
    from backstop.testing.anvil import DEV_KEYS

    w3 = connect("inprocess")
    account = Account.from_key(DEV_KEYS[1])
    seen: list[tuple[str, int]] = []
    everyone: list[tuple[str, int]] = []
    sender = TxSender(w3, account, on_sent=lambda h, n: everyone.append((h, n)))
    receipt = sender.send({"to": w3.eth.accounts[2], "value": 1},
                          on_sent=lambda h, n: seen.append((h, n)))
    tx_hash = receipt["transactionHash"]
    nonce = w3.eth.get_transaction(tx_hash)["nonce"]
    assert seen == everyone == [(tx_hash, nonce)]
    sender.send({"to": w3.eth.accounts[2], "value": 1})
    assert len(seen) == 1 and len(everyone) == 2  # the per-send hook is for that send only


def test_a_chosen_first_nonce_and_fee_cap_are_what_is_signed_and_followed():
    """The CLI's --nonce and --max-fee-gwei: the first send takes the nonce given (the next
    counts on from it) and the cap as its maxFeePerGas; the account signs as any other (the
    fast signer), so replacements are TxSender's own."""
    from eth_account import Account

    from backstop.chain import connect, dev
    from backstop.chain.tx import TxSender
    from backstop.testing.anvil import DEV_KEYS

    w3 = connect("inprocess")
    account = Account.from_key(DEV_KEYS[1])
    TxSender(w3, account).send({"to": w3.eth.accounts[2], "value": 1})
    dev.set_automine(w3, False)
    stuck = TxSender(w3, account, priority_fee_gwei="1").submit({"to": w3.eth.accounts[2],
                                                                 "value": 1})
    nonce = w3.eth.get_transaction_count(account.address)  # the stuck one's
    assert stuck.nonce == nonce
    sender = TxSender(w3, account, first_nonce=nonce, max_fee_gwei="40", start_at_cap=True,
                      priority_fee_gwei="3")
    assert sender._key is not None  # signs like LocalAccount: nothing rewrites what it signs
    replacement = sender.submit({"to": w3.eth.accounts[2], "value": 2})
    dev.mine(w3)
    tx = w3.eth.get_transaction(replacement.hashes[-1])
    assert tx["nonce"] == nonce and tx["maxFeePerGas"] == 40 * 10**9
    assert tx["maxPriorityFeePerGas"] == 3 * 10**9 and tx["value"] == 2
    assert w3.eth.get_transaction_receipt(replacement.hashes[-1])["status"] == 1
