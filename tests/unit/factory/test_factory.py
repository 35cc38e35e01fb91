"""Unit tests of factory.vy: blueprint deployment, one pool per price, listing, operator."""

from __future__ import annotations

import boa
import pytest

from backstop.pool.boa_system import PRICE, System, contract
from backstop.units import WAD


@pytest.fixture(scope="module")
def blueprint(system: System):
    with boa.env.prank(system.deployer):
        return contract("pool/pool").deploy_as_blueprint()


@pytest.fixture
def factory(system: System, blueprint):
    with boa.env.prank(system.deployer):
        return contract("pool/factory").deploy(
            blueprint.address, system.dai.address, system.mkr.address,
            system.dai_join.address, system.vat.address, system.flopper.address,
        )


def pool_at(address: str):
    return contract("pool/pool").at(address)


def test_factory_records_its_wiring(system: System, blueprint, factory) -> None:
    assert factory.blueprint() == blueprint.address
    assert (factory.dai(), factory.mkr(), factory.daiJoin(), factory.vat(),
            factory.flopper()) == (system.dai.address, system.mkr.address,
                                   system.dai_join.address, system.vat.address,
                                   system.flopper.address)
    assert factory.owner() == system.deployer
    assert factory.pool_count() == 0 and factory.get_pools(0, 10) == []


def test_factory_needs_a_blueprint(system: System, outsider: str) -> None:
    with boa.reverts("Factory/no-blueprint"):
        contract("pool/factory").deploy(
            outsider, system.dai.address, system.mkr.address,
            system.dai_join.address, system.vat.address, system.flopper.address,
        )


def test_create_pool_deploys_a_working_pool(system: System, factory, outsider: str,
                                            depositor: str) -> None:
    with boa.env.prank(outsider):
        address = factory.create_pool(PRICE)
    created = [e for e in factory.get_logs() if type(e).__name__ == "PoolCreated"]
    assert [(e.price, e.pool) for e in created] == [(PRICE, address)]
    pool = pool_at(address)
    assert pool.price() == PRICE and pool.symbol() == "DB100"
    assert pool.owner() == factory.address
    assert pool.dai() == system.dai.address and pool.flopper() == system.flopper.address
    assert factory.pool_for_price(PRICE) == address
    assert factory.pools(0) == address and factory.pool_count() == 1
    assert system.enlist(depositor, 5 * WAD, pool) == 5 * WAD


def test_one_pool_per_price_and_listing(factory, outsider: str) -> None:
    prices = [100 * WAD, 150 * WAD, 100 * WAD + WAD // 2]
    with boa.env.prank(outsider):
        made = [factory.create_pool(p) for p in prices]
        with boa.reverts("Factory/pool-exists"):
            factory.create_pool(150 * WAD)
        for bad, reason in [(0, "Factory/price-out-of-range"),
                            (10**6 * WAD + 10**16, "Factory/price-out-of-range"),
                            (100 * WAD + 1, "Factory/price-not-whole-cents")]:
            with boa.reverts(reason):
                factory.create_pool(bad)
    assert len(set(made)) == 3
    # listed in pages that never revert, however far past the end they start
    assert factory.get_pools(0, 1_000) == made
    assert factory.get_pools(1, 1) == made[1:2]
    assert factory.get_pools(2, 5) == made[2:]
    assert factory.get_pools(3, 5) == [] and factory.get_pools(2**255, 2**255) == []
    assert [factory.pool_for_price(p) for p in prices] == made
    assert factory.pool_for_price(200 * WAD) == "0x" + "00" * 20


def test_operator_can_cease_fire_a_pool_nobody_else(system: System, factory,
                                                   outsider: str) -> None:
    with boa.env.prank(outsider):
        pool = pool_at(factory.create_pool(PRICE))
        with boa.reverts("ownable: caller is not the owner"):
            factory.cease_fire(PRICE)
        with boa.reverts("ownable: caller is not the owner"):
            pool.ceaseFire()
    with boa.env.prank(system.deployer):
        with boa.reverts("Factory/no-pool"):
            factory.cease_fire(7 * WAD)
        factory.cease_fire(PRICE)
    assert pool.getStatus() == 2


def test_operator_hands_a_pool_to_its_own_owner(system: System, factory,
                                                outsider: str) -> None:
    with boa.env.prank(outsider):
        pool = pool_at(factory.create_pool(PRICE))
        with boa.reverts("ownable: caller is not the owner"):
            factory.transfer_pool_ownership(PRICE, outsider)
    with boa.env.prank(system.deployer):
        factory.transfer_pool_ownership(PRICE, outsider)
    assert pool.pending_owner() == outsider
    with boa.env.prank(outsider):
        pool.accept_ownership()
        pool.ceaseFire()
    assert pool.owner() == outsider


def test_factory_ownership_is_two_step(system: System, factory, outsider: str) -> None:
    with boa.env.prank(system.deployer):
        factory.transfer_ownership(outsider)
    assert factory.owner() == system.deployer
    with boa.env.prank(outsider):
        factory.accept_ownership()
    assert factory.owner() == outsider
