"""Fixtures: one chain per module with the Maker core, a factory and a 100 DAI/MKR pool deployed
once; every test runs from a snapshot of it (evm_snapshot / evm_revert). Each test runs on the
in-process chain and on a real anvil (marked ``anvil``), so the handles cannot drift between
the two."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from web3 import Web3

from backstop.chain import dev
from backstop.maker import MakerCore, deploy_core
from backstop.pool import Factory, Pool, deploy_factory
from backstop.units import Wad

PRICE = Wad.from_number(100)


@dataclass(frozen=True)
class System:
    """What the tests drive: the Maker core, the factory, the 100 DAI/MKR pool, the roles."""

    w3: Web3
    core: MakerCore
    factory: Factory
    pool: Pool
    deployer: str
    depositor: str
    member: str
    keeper: str
    bidder: str


@pytest.fixture(scope="module")
def deployed(chain: Web3) -> System:
    w3 = chain
    deployer, depositor, member, keeper, bidder = w3.eth.accounts[:5]
    core = deploy_core(w3, deployer)
    factory = deploy_factory(w3, deployer, core)
    pool = factory.create_pool(deployer, PRICE)
    return System(w3, core, factory, pool, deployer, depositor, member, keeper, bidder)


@pytest.fixture
def system(deployed: System) -> Iterator[System]:
    """The deployed system, with every change a test makes rolled back after it."""
    with dev.snapshotted(deployed.w3):
        yield deployed
