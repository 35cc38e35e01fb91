"""Fixtures: one chain per module with the Maker core deployed once; every test runs from a
snapshot of it (evm_snapshot / evm_revert), so tests are independent and fast.

The chain is the in-process one (``backstop.chain.connect("inprocess")``); the same code runs
on a real anvil in tests/integration.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from web3 import Web3

from backstop.chain import connect, dev
from backstop.maker import MakerCore, deploy_core


@pytest.fixture(scope="module")
def chain() -> Web3:
    """A fresh in-process dev chain for this test module."""
    return connect("inprocess")


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
    with dev.snapshotted(chain):
        yield deployed
