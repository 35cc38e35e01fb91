"""Fixtures: one chain per module with the Maker core deployed once; every test runs from a
snapshot of it (evm_snapshot / evm_revert), so tests are independent and fast.

The chain is the in-process one (``backstop.chain.connect("inprocess")``) when the chain layer
provides it, else a real anvil started for the module.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from web3 import Web3

from backstop.maker import MakerCore, deploy_core


def _connect() -> tuple[Web3, object | None]:
    try:
        from backstop.chain import connect
    except ImportError:
        connect = None
    if connect is not None:
        return connect("inprocess"), None
    from backstop.testing.anvil import start_anvil

    node = start_anvil()
    return Web3(Web3.HTTPProvider(node.url)), node


@pytest.fixture(scope="module")
def chain() -> Iterator[Web3]:
    """A fresh dev chain for this test module."""
    w3, node = _connect()
    try:
        yield w3
    finally:
        if node is not None:
            node.stop()


@pytest.fixture(scope="module")
def roles(chain: Web3) -> dict[str, str]:
    """Unlocked dev accounts named for their role."""
    accounts = chain.eth.accounts
    return {"deployer": accounts[0], "bidder": accounts[1], "outbidder": accounts[2],
            "keeper": accounts[3], "depositor": accounts[4]}


@pytest.fixture(scope="module")
def deployed(chain: Web3, roles: dict[str, str]) -> MakerCore:
    """The Maker core with March 2020 parameters, deployed once per module."""
    return deploy_core(chain, roles["deployer"])


@pytest.fixture
def core(chain: Web3, deployed: MakerCore) -> Iterator[MakerCore]:
    """The deployed core, with every change a test makes rolled back after it."""
    snap = chain.provider.make_request("evm_snapshot", [])["result"]
    try:
        yield deployed
    finally:
        chain.provider.make_request("evm_revert", [snap])
