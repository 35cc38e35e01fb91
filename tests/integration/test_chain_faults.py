"""batch_call and the dev helpers over a real network path (anvil behind a fault-injecting proxy):
one HTTP round trip per batch, and every transport fault turned into RpcUnavailable or RpcError,
never a raw requests/web3 exception."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eth_utils import keccak
from web3 import Web3

from backstop.chain import RpcError, RpcUnavailable, batch_call, connect, dev
from backstop.testing.anvil import start_anvil
from backstop.testing.rpc_proxy import RpcProxy

pytestmark = pytest.mark.anvil

# anvil's first dev account: an eth_call to an address without code succeeds with empty output
EOA = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


@pytest.fixture(scope="module")
def proxy() -> Iterator[RpcProxy]:
    node = start_anvil()
    try:
        with RpcProxy(node.url, timeout_hold=3.0).start() as running:
            yield running
    finally:
        node.stop()


@pytest.fixture
def w3(proxy: RpcProxy) -> Web3:
    proxy.clear_faults()
    proxy.reset_counts()
    return connect(proxy.url, timeout=1.0, retries=0)  # no retries: every fault shows


def _calls(n: int) -> list[tuple[str, bytes]]:
    return [(EOA, keccak(text=f"f{i}()")[:4]) for i in range(n)]


def test_one_round_trip_for_many_calls(w3: Web3, proxy: RpcProxy) -> None:
    assert batch_call(w3, _calls(25)) == [b""] * 25
    assert (proxy.requests, proxy.calls, proxy.by_method["eth_call"]) == (1, 25, 25)


@pytest.mark.parametrize("fault", ["close", "timeout", "http500"])
def test_transport_faults_are_rpc_unavailable(w3: Web3, proxy: RpcProxy, fault: str) -> None:
    proxy.fail_next(1, fault)
    with pytest.raises(RpcUnavailable):
        batch_call(w3, _calls(3))
    assert batch_call(w3, _calls(3)) == [b""] * 3  # the next request goes through


def test_error_answers_are_rpc_error(w3: Web3, proxy: RpcProxy) -> None:
    proxy.fail_next(1, "error")
    with pytest.raises(RpcError, match="injected fault"):
        batch_call(w3, _calls(2))


def test_dev_helpers_report_faults(w3: Web3, proxy: RpcProxy) -> None:
    proxy.fail_next(1, "close")
    with pytest.raises(RpcUnavailable):
        dev.mine(w3)
    proxy.fail_next(1, "error")
    with pytest.raises(RpcError, match="evm_snapshot"):
        dev.snapshot(w3)
    height = w3.eth.block_number
    dev.mine(w3)
    assert w3.eth.block_number == height + 1


def test_refused_connection(w3: Web3, proxy: RpcProxy) -> None:
    proxy.refuse()
    try:
        with pytest.raises(RpcUnavailable):
            batch_call(w3, _calls(1))
    finally:
        proxy.accept()
    assert batch_call(w3, _calls(1)) == [b""]


@pytest.mark.parametrize("fault", ["close", "timeout", "http500", "error"])
def test_reads_are_retried_through_a_fault(proxy: RpcProxy, fault: str) -> None:
    proxy.clear_faults()
    proxy.reset_counts()
    w3 = connect(proxy.url, timeout=1.0)  # the default: reads retried
    before = proxy.faults_injected
    proxy.fail_next(2, fault)
    assert batch_call(w3, _calls(3)) == [b""] * 3
    assert proxy.faults_injected == before + 2 and proxy.requests >= 3


def test_reads_give_up_on_a_node_that_keeps_failing(proxy: RpcProxy) -> None:
    proxy.clear_faults()
    proxy.reset_counts()
    w3 = connect(proxy.url, timeout=1.0, retries=3)
    proxy.fail_next(10, "http500")
    with pytest.raises(RpcUnavailable):
        batch_call(w3, _calls(3))
    assert proxy.requests == 4  # the first try and 3 retries


def test_a_batch_capped_node_gets_chunks_it_accepts(proxy: RpcProxy) -> None:
    proxy.clear_faults()
    proxy.reset_counts()
    w3 = connect(proxy.url, timeout=5.0, batch_limit=1_000)
    proxy.batch_limit = 400  # the node refuses more than 400 calls in one request, as geth does
    try:
        assert batch_call(w3, _calls(1_500)) == [b""] * 1_500  # refused, then cut smaller
        assert proxy.refused_batches >= 1
        assert proxy.largest_batch <= 1_000
        for _ in range(20):  # it probes toward the limit, a few refusals in all
            assert batch_call(w3, _calls(1_500)) == [b""] * 1_500
        assert proxy.refused_batches <= 12
        proxy.reset_counts()
        for _ in range(5):  # found: never above it again
            assert batch_call(w3, _calls(1_500)) == [b""] * 1_500
        assert proxy.refused_batches == 0
        assert 350 <= proxy.largest_batch <= 400
    finally:
        proxy.batch_limit = None


def test_a_batch_above_the_configured_limit_is_cut(proxy: RpcProxy) -> None:
    proxy.clear_faults()
    proxy.reset_counts()
    w3 = connect(proxy.url, timeout=5.0, batch_limit=100)
    assert batch_call(w3, _calls(250)) == [b""] * 250
    assert (proxy.requests, proxy.calls, proxy.largest_batch) == (3, 250, 100)
