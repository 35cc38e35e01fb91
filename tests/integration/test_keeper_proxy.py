"""The fault-injecting JSON-RPC proxy the keeper tests rely on, against a real anvil."""

from __future__ import annotations

import pytest
import requests

from backstop.testing.anvil import start_anvil
from backstop.testing.rpc_proxy import RpcProxy

pytestmark = pytest.mark.anvil


def post(url: str, body, timeout: float = 5.0):
    return requests.post(url, json=body, timeout=timeout)


def call(method: str, i: int = 1) -> dict:
    return {"jsonrpc": "2.0", "id": i, "method": method, "params": []}


def test_counts_round_trips_and_calls_and_injects_faults():
    with start_anvil() as anvil, RpcProxy(anvil.url) as proxy:
        assert post(proxy.url, call("eth_chainId")).json()["result"] == "0x7a69"
        batch = post(proxy.url, [call("eth_chainId", 1), call("eth_blockNumber", 2)]).json()
        assert [r["id"] for r in batch] == [1, 2]
        assert (proxy.requests, proxy.calls) == (2, 3)
        assert proxy.by_method["eth_chainId"] == 2

        proxy.fail_next(1, "error", methods={"eth_blockNumber"})
        assert "result" in post(proxy.url, call("eth_chainId")).json()  # not that method
        assert post(proxy.url, call("eth_blockNumber")).json()["error"]["code"] == -32603
        proxy.fail_next(1, "http500")
        assert post(proxy.url, call("eth_chainId")).status_code == 500
        proxy.fail_next(1, "close")
        with pytest.raises(requests.exceptions.ConnectionError):
            post(proxy.url, call("eth_chainId"))
        assert proxy.faults_injected == 3

        proxy.refuse()
        with pytest.raises(requests.exceptions.ConnectionError):
            post(proxy.url, call("eth_chainId"))
        proxy.accept()
        assert "result" in post(proxy.url, call("eth_chainId")).json()
        proxy.reset_counts()
        assert (proxy.requests, proxy.calls) == (0, 0)


def test_upstream_down_is_a_502():
    anvil = start_anvil()
    with RpcProxy(anvil.url) as proxy:
        anvil.stop()
        assert post(proxy.url, call("eth_chainId")).status_code == 502
