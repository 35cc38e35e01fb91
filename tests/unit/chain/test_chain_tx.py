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
