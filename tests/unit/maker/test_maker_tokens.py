"""Dai and MKR tokens, and DaiJoin's units (wad of ERC20 DAI <-> rad of Vat DAI)."""

from __future__ import annotations

import boa
from hypothesis import given
from hypothesis import strategies as st

from backstop.units import RAD, RAY, WAD

MAX = 2**256 - 1


def _mint_dai(core, to: str, wad: int) -> None:
    with boa.env.prank(core.deployer):
        core.dai.mint(to, wad)


# ---- Dai -----------------------------------------------------------------------------------


def test_dai_metadata(core):
    assert core.dai.name() == "Dai Stablecoin"
    assert core.dai.symbol() == "DAI"
    assert core.dai.version() == "1"
    assert core.dai.decimals() == 18


def test_dai_mint_is_for_wards(core, outsider):
    with boa.env.prank(outsider), boa.reverts("Dai/not-authorized"):
        core.dai.mint(outsider, WAD)
    with boa.env.prank(outsider), boa.reverts("Dai/not-authorized"):
        core.dai.rely(outsider)
    _mint_dai(core, outsider, 2 * WAD)
    assert core.dai.balanceOf(outsider) == 2 * WAD
    assert core.dai.totalSupply() == 2 * WAD


def test_dai_transfer_and_insufficient_balance(core, bidders):
    holder, receiver, _ = bidders
    _mint_dai(core, holder, 5 * WAD)
    with boa.env.prank(holder):
        assert core.dai.transfer(receiver, 2 * WAD)
        with boa.reverts("Dai/insufficient-balance"):
            core.dai.transfer(receiver, 3 * WAD + 1)
    assert core.dai.balanceOf(holder) == 3 * WAD
    assert core.dai.balanceOf(receiver) == 2 * WAD


def test_dai_transfer_from_spends_allowance_unless_max(core, bidders):
    holder, spender, receiver = bidders
    _mint_dai(core, holder, 10 * WAD)
    with boa.env.prank(holder):
        core.dai.approve(spender, 3 * WAD)
    with boa.env.prank(spender):
        core.dai.transferFrom(holder, receiver, 2 * WAD)
        assert core.dai.allowance(holder, spender) == WAD
        with boa.reverts("Dai/insufficient-allowance"):
            core.dai.transferFrom(holder, receiver, WAD + 1)
    with boa.env.prank(holder):
        core.dai.approve(spender, MAX)
    with boa.env.prank(spender):
        core.dai.transferFrom(holder, receiver, 5 * WAD)
    assert core.dai.allowance(holder, spender) == MAX
    assert core.dai.balanceOf(receiver) == 7 * WAD


def test_dai_push_pull_move_aliases(core, bidders):
    holder, other, _ = bidders
    _mint_dai(core, holder, 10 * WAD)
    with boa.env.prank(holder):
        core.dai.push(other, WAD)
        core.dai.approve(other, MAX)
    with boa.env.prank(other):
        core.dai.pull(holder, 2 * WAD)
        core.dai.move(holder, other, 3 * WAD)
    assert core.dai.balanceOf(holder) == 4 * WAD
    assert core.dai.balanceOf(other) == 6 * WAD


def test_dai_burn_own_and_with_allowance(core, bidders):
    holder, burner, _ = bidders
    _mint_dai(core, holder, 10 * WAD)
    with boa.env.prank(holder):
        core.dai.burn(holder, WAD)
    with boa.env.prank(burner), boa.reverts("Dai/insufficient-allowance"):
        core.dai.burn(holder, WAD)
    with boa.env.prank(holder):
        core.dai.approve(burner, 2 * WAD)
    with boa.env.prank(burner):
        core.dai.burn(holder, 2 * WAD)
        with boa.reverts("Dai/insufficient-balance"):
            core.dai.burn(holder, 7 * WAD + 1)
    assert core.dai.allowance(holder, burner) == 0
    assert core.dai.balanceOf(holder) == 7 * WAD
    assert core.dai.totalSupply() == 7 * WAD


# ---- MKR -----------------------------------------------------------------------------------


def test_mkr_metadata(core):
    assert core.mkr.name() == "Maker"
    assert core.mkr.symbol() == "MKR"
    assert core.mkr.decimals() == 18


def test_mkr_mint_and_burn_only_for_wards(core, outsider):
    with boa.env.prank(outsider), boa.reverts("MKR/not-authorized"):
        core.mkr.mint(outsider, WAD)
    with boa.env.prank(core.deployer):
        core.mkr.mint(outsider, 3 * WAD)
    with boa.env.prank(outsider), boa.reverts("MKR/not-authorized"):
        core.mkr.burn(outsider, WAD)
    with boa.env.prank(core.deployer):
        core.mkr.approve(core.deployer, 0)
    with boa.env.prank(outsider):
        core.mkr.approve(core.deployer, WAD)
    with boa.env.prank(core.deployer):
        core.mkr.burn(outsider, WAD)
        with boa.reverts("MKR/insufficient-approval"):
            core.mkr.burn(outsider, WAD)
    assert core.mkr.balanceOf(outsider) == 2 * WAD
    assert core.mkr.totalSupply() == 2 * WAD


def test_mkr_mint_logs_mint_and_transfer(core, outsider):
    with boa.env.prank(core.deployer):
        core.mkr.mint(outsider, 4 * WAD)
    logs = core.mkr.get_logs()
    assert [type(log).__name__ for log in logs] == ["Mint", "Transfer"]
    mint, transfer = logs
    assert (str(mint.guy), mint.wad) == (outsider, 4 * WAD)
    assert (int(transfer.src, 16), str(transfer.dst), transfer.wad) == (0, outsider, 4 * WAD)


def test_mkr_transfer_from_and_max_allowance(core, bidders):
    holder, spender, receiver = bidders
    with boa.env.prank(core.deployer):
        core.mkr.mint(holder, 5 * WAD)
    with boa.env.prank(holder):
        core.mkr.approve(spender, MAX)
    with boa.env.prank(spender):
        core.mkr.transferFrom(holder, receiver, 5 * WAD)
        with boa.reverts("MKR/insufficient-balance"):
            core.mkr.transferFrom(holder, receiver, 1)
    assert core.mkr.allowance(holder, spender) == MAX
    assert core.mkr.balanceOf(receiver) == 5 * WAD


# ---- DaiJoin -------------------------------------------------------------------------------


def test_exit_needs_hope(core, bidders):
    user = bidders[0]
    core.give_dai(user, RAD)
    with boa.env.prank(user), boa.reverts("Vat/not-allowed"):
        core.dai_join.exit(user, WAD)


def test_exit_turns_rad_into_wad_and_join_turns_it_back(core, bidders):
    user, receiver, _ = bidders
    core.give_dai(user, 10 * RAD)
    with boa.env.prank(user):
        core.vat.hope(core.dai_join.address)
        core.dai_join.exit(receiver, 4 * WAD)
    assert core.vat.dai(user) == 6 * RAD
    assert core.vat.dai(core.dai_join.address) == 4 * RAD
    assert core.dai.balanceOf(receiver) == 4 * WAD
    with boa.env.prank(receiver):
        core.dai.approve(core.dai_join.address, MAX)
        core.dai_join.join(user, 3 * WAD)
    assert core.dai.balanceOf(receiver) == WAD
    assert core.dai.totalSupply() == WAD
    assert core.vat.dai(user) == 9 * RAD
    assert core.vat.dai(core.dai_join.address) == RAD


def test_join_needs_allowance(core, bidders):
    user = bidders[0]
    core.give_dai(user, RAD)
    with boa.env.prank(user):
        core.vat.hope(core.dai_join.address)
        core.dai_join.exit(user, WAD)
        with boa.reverts("Dai/insufficient-allowance"):
            core.dai_join.join(bidders[1], WAD)


def test_cage_stops_exit_not_join(core, bidders, outsider):
    user = bidders[0]
    core.give_dai(user, 2 * RAD)
    with boa.env.prank(user):
        core.vat.hope(core.dai_join.address)
        core.dai_join.exit(user, WAD)
    with boa.env.prank(outsider), boa.reverts("DaiJoin/not-authorized"):
        core.dai_join.cage()
    with boa.env.prank(core.deployer):
        core.dai_join.cage()
    assert core.dai_join.live() == 0
    with boa.env.prank(user):
        with boa.reverts("DaiJoin/not-live"):
            core.dai_join.exit(user, WAD)
        core.dai.approve(core.dai_join.address, WAD)
        core.dai_join.join(user, WAD)
    assert core.vat.dai(user) == 2 * RAD


@given(rad=st.integers(min_value=0, max_value=10**12 * RAD), wad=st.integers(min_value=0))
def test_exit_then_join_round_trips_exactly(core, rad, wad):
    """Any wad that fits the Vat balance exits and joins back to the same rad, one ray per wei."""
    wad = wad % (rad // RAY + 1)
    with boa.env.anchor():
        user = core.deployer
        core.give_dai(user, rad)
        with boa.env.prank(user):
            core.vat.hope(core.dai_join.address)
            core.dai_join.exit(user, wad)
            assert core.vat.dai(user) == rad - wad * RAY
            assert core.dai.balanceOf(user) == wad
            core.dai.approve(core.dai_join.address, wad)
            core.dai_join.join(user, wad)
        assert core.vat.dai(user) == rad
        assert core.dai.balanceOf(user) == 0
