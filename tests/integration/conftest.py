"""Fixtures the real-anvil tests share: one anvil per test module, and a keeper world put back
to its snapshot after each test (each module builds its own ``base`` world)."""

from __future__ import annotations

import pytest

from backstop.testing.anvil import rpc, start_anvil

GWEI = 10**9


@pytest.fixture(scope="module")
def node():
    """A fresh anvil for the module (its own chain: modules never share state)."""
    with start_anvil() as anvil:
        yield anvil


@pytest.fixture
def world(node, base):
    """The module's ``base`` world, calm fees, put back as it was after the test."""
    snap = rpc(node.url, "evm_snapshot")
    rpc(node.url, "anvil_setNextBlockBaseFeePerGas", [hex(GWEI)])
    yield base
    rpc(node.url, "evm_setAutomine", [True])
    rpc(node.url, "evm_revert", [snap])
