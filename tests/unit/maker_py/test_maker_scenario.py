"""Scenario helpers: DAI funding, bad debt, kicking auctions, moving time."""

from __future__ import annotations

import pytest

from backstop.maker import core_at
from backstop.maker.scenario import (
    ScenarioError,
    advance,
    advance_past,
    create_bad_debt,
    free_debt,
    fund_dai,
    fund_vat_dai,
    kick_auctions,
    now,
)
from backstop.units import Rad, Wad


def test_fund_dai_mints_erc20_without_touching_the_vow(core, roles) -> None:
    depositor, deployer = roles["depositor"], roles["deployer"]
    fund_dai(core, depositor, Wad.parse("1234.5"))
    fund_dai(core, depositor, Wad.parse("0.5"))  # second time: the hope is already there
    assert core.dai.balance_of(depositor) == Wad.from_number(1_235)
    assert core.vat.dai(core.dai_join.address) == Rad.from_number(1_235)  # backs the ERC20
    assert core.vat.sin(deployer) == Rad.from_number(1_235)  # charged to the ward
    assert core.vat.sin(core.vow.address) == Rad(0)
    assert core.vat.debt() == core.vat.vice() == Rad.from_number(1_235)


def test_fund_vat_dai_gives_internal_dai(core, roles) -> None:
    fund_vat_dai(core, roles["bidder"], Rad(10**45 + 1))
    assert core.vat.dai(roles["bidder"]) == Rad(10**45 + 1)
    assert core.vat.dai(roles["deployer"]) == Rad(0)
    fund_vat_dai(core, roles["deployer"], Rad(5))  # to the ward itself: no move needed
    assert core.vat.dai(roles["deployer"]) == Rad(5)


def test_create_bad_debt_queues_then_flogs_after_wait(core) -> None:
    before = now(core.w3)
    create_bad_debt(core, Rad.from_number(70_000))
    assert now(core.w3) >= before + core.vow.wait()
    assert core.vat.sin(core.vow.address) == Rad.from_number(70_000)
    assert core.vow.Sin() == Rad(0)  # flogged: no longer queued
    assert free_debt(core) == Rad.from_number(70_000)
    assert core.vat.dai(core.vow.address) == Rad(0)  # flop's other condition holds


def test_create_bad_debt_without_queue_moves_no_time(core) -> None:
    before = now(core.w3)
    create_bad_debt(core, Rad.from_number(1_000), queue=False)
    assert now(core.w3) - before < 60
    assert free_debt(core) == Rad.from_number(1_000)


def test_kick_auctions_creates_just_enough_debt(core) -> None:
    create_bad_debt(core, Rad.from_number(30_000), queue=False)
    ids = kick_auctions(core, 3)
    assert ids == [1, 2, 3]
    assert core.vow.Ash() == Rad.from_number(150_000)
    assert core.vat.sin(core.vow.address) == Rad.from_number(150_000)
    assert free_debt(core) == Rad(0)
    assert kick_auctions(core, 1) == [4]
    assert kick_auctions(core, 0) == []


def test_kick_auctions_heals_surplus_first(core, roles) -> None:
    create_bad_debt(core, Rad.from_number(60_000), queue=False)
    core.vat.move(roles["deployer"], roles["deployer"], core.vow.address,
                  Rad.from_number(5_000))  # the ward got the sucked DAI: send some to the Vow
    assert core.vat.dai(core.vow.address) == Rad.from_number(5_000)
    (auction,) = kick_auctions(core, 1)
    assert core.vat.dai(core.vow.address) == Rad(0)
    assert core.vat.sin(core.vow.address) == Rad.from_number(55_000)
    assert core.flopper.bids(auction).exists


def test_helpers_need_a_ward(core, roles) -> None:
    anonymous = core_at(core.w3, core.addresses)  # no deployer known
    with pytest.raises(ScenarioError, match="need a ward"):
        fund_dai(anonymous, roles["depositor"], Wad.from_number(1))
    with pytest.raises(ScenarioError, match="cannot kick -1"):
        kick_auctions(core, -1)


def test_time_helpers(core) -> None:
    t0 = now(core.w3)
    assert advance(core.w3, 3_600) >= t0 + 3_600
    t1 = now(core.w3)
    assert advance_past(core.w3, t1 + 100) > t1 + 100
    t2 = now(core.w3)
    assert advance_past(core.w3, t2 - 10) == t2  # already past: nothing happens
    with pytest.raises(ScenarioError, match="backwards"):
        advance(core.w3, -1)
