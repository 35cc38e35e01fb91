"""backstop.chain.connect and failures to reach a node."""

from __future__ import annotations

import time

import pytest
from web3 import Web3

from backstop.chain import BoaProvider, RpcUnavailable, batch_call, connect, dev
from backstop.testing.anvil import free_port


def test_inprocess_is_a_fresh_chain_each_time() -> None:
    first, second = connect(), connect("inprocess")
    assert isinstance(first.provider, BoaProvider)
    assert first.provider is not second.provider
    assert first.is_connected()
    assert first.eth.chain_id == 31337


def test_http_url_gets_an_http_provider_with_a_timeout() -> None:
    w3 = connect("http://127.0.0.1:8545", timeout=3)
    assert isinstance(w3.provider, Web3.HTTPProvider)
    assert w3.provider.get_request_kwargs()["timeout"] == 3


@pytest.mark.parametrize("url", ["", "   ", "mainnet", "ftp://node:21", "127.0.0.1:8545"])
def test_other_urls_are_refused_with_what_to_write(url: str) -> None:
    with pytest.raises(ValueError, match=r"inprocess|http") as info:
        connect(url)
    assert "\n" not in str(info.value)


def test_websocket_urls_say_use_http() -> None:
    with pytest.raises(ValueError, match="websocket"):
        connect("ws://127.0.0.1:8546")


def test_unreachable_node_raises_rpc_unavailable_quickly() -> None:
    w3 = connect(f"http://127.0.0.1:{free_port()}", timeout=2)
    started = time.monotonic()
    with pytest.raises(RpcUnavailable):
        batch_call(w3, [("0x" + "11" * 20, b"")])
    with pytest.raises(RpcUnavailable):
        dev.mine(w3)
    assert time.monotonic() - started < 5


def test_batch_call_rejects_a_bad_block() -> None:
    w3 = connect()
    with pytest.raises(ValueError, match="invalid block"):
        batch_call(w3, [("0x" + "11" * 20, b"")], block=-1)
