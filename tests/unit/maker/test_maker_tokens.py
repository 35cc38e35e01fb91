"""Dai and MKR tokens, and DaiJoin's units (wad of ERC20 DAI <-> rad of Vat DAI)."""

from __future__ import annotations

from typing import Any

import boa
from eth_abi import encode as abi_encode
from eth_utils import function_signature_to_4byte_selector
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


# ---- MKR (a ds-token with MkrAuthority, like mainnet) ---------------------------------------


def _call(to: str, sender: str, sig: str, types: list[str], args: list) -> Any:
    """Run ``sig(args)`` on ``to`` from ``sender`` as a raw call; return boa's computation."""
    data = function_signature_to_4byte_selector(sig) + abi_encode(types, args)
    with boa.env.prank(sender):
        return boa.env.execute_code(to_address=to, sender=sender, data=data)


def _reverts_without_reason(to: str, sender: str, sig: str, types: list[str], args: list):
    computation = _call(to, sender, sig, types, args)
    assert computation.is_error, f"{sig} did not revert"
    assert bytes(computation.output) == b"", f"{sig} reverted with data {computation.output!r}"


def test_mkr_metadata_is_ds_token(core):
    assert core.mkr.name() == b"Maker".ljust(32, b"\0")
    assert core.mkr.symbol() == b"MKR".ljust(32, b"\0")
    assert core.mkr.decimals() == 18
    assert core.mkr.owner() == core.deployer
    assert core.mkr.authority() == core.mkr_authority.address
    assert core.mkr_authority.root() == core.deployer
    assert not core.mkr.stopped()


def test_mkr_mint_for_owner_and_authority_wards_only(core, outsider):
    mint = ("mint(address,uint256)", ["address", "uint256"])
    _reverts_without_reason(core.mkr.address, outsider, *mint, [outsider, WAD])
    # the Flopper is a ward of the authority, the owner needs none
    assert core.mkr_authority.wards(core.flopper.address) == 1
    assert core.mkr_authority.canCall(core.flopper.address, core.mkr.address, b"\x40\xc1\x0f\x19")
    with boa.env.prank(core.flopper.address):
        core.mkr.mint(outsider, 2 * WAD)
    with boa.env.prank(core.deployer):
        core.mkr.mint(outsider, WAD)
    assert core.mkr.balanceOf(outsider) == 3 * WAD
    assert core.mkr.totalSupply() == 3 * WAD
    # only the root administers the authority (no reason either)
    _reverts_without_reason(core.mkr_authority.address, outsider, "rely(address)", ["address"],
                            [outsider])
    with boa.env.prank(core.deployer):
        core.mkr_authority.rely(outsider)
    with boa.env.prank(outsider):
        core.mkr.mint(outsider, WAD)
    with boa.env.prank(core.deployer):
        core.mkr_authority.deny(outsider)
    _reverts_without_reason(core.mkr.address, outsider, *mint, [outsider, WAD])


def test_mkr_burn_through_the_authority_spends_allowance(core, outsider, bidders):
    burner = bidders[0]
    with boa.env.prank(core.deployer):
        core.mkr.mint(outsider, 3 * WAD)
    burn = ("burn(address,uint256)", ["address", "uint256"])
    # MkrAuthority lets anyone burn, but burning another's MKR needs its allowance
    _reverts_without_reason(core.mkr.address, burner, *burn, [outsider, WAD])
    with boa.env.prank(outsider):
        core.mkr.approve(burner, WAD)
    with boa.env.prank(burner):
        core.mkr.burn(outsider, WAD)
    assert core.mkr.allowance(outsider, burner) == 0
    _reverts_without_reason(core.mkr.address, burner, *burn, [outsider, 1])
    with boa.env.prank(outsider):
        core.mkr.burn(outsider, 2 * WAD)
    logs = core.mkr.get_logs()
    assert [type(log).__name__ for log in logs] == ["Burn"]
    assert (core.mkr.balanceOf(outsider), core.mkr.totalSupply()) == (0, 0)


def test_mkr_mint_logs_mint_only(core, outsider):
    with boa.env.prank(core.deployer):
        core.mkr.mint(outsider, 4 * WAD)
    logs = core.mkr.get_logs()
    assert [type(log).__name__ for log in logs] == ["Mint"]
    assert (str(logs[0].guy), logs[0].wad) == (outsider, 4 * WAD)


def test_mkr_transfer_from_and_max_allowance(core, bidders):
    holder, spender, receiver = bidders
    with boa.env.prank(core.deployer):
        core.mkr.mint(holder, 5 * WAD)
    transfer_from = ("transferFrom(address,address,uint256)", ["address", "address", "uint256"])
    # no allowance: reverts without a reason, as ds-token does
    _reverts_without_reason(core.mkr.address, spender, *transfer_from, [holder, receiver, WAD])
    with boa.env.prank(holder):
        core.mkr.approve(spender, MAX)
    with boa.env.prank(spender):
        core.mkr.transferFrom(holder, receiver, 5 * WAD)
    # over the balance: no reason either
    _reverts_without_reason(core.mkr.address, spender, *transfer_from, [holder, receiver, 1])
    _reverts_without_reason(core.mkr.address, holder, "transfer(address,uint256)",
                            ["address", "uint256"], [receiver, 1])
    assert core.mkr.allowance(holder, spender) == MAX
    assert core.mkr.balanceOf(receiver) == 5 * WAD


def test_mkr_stop_refuses_transfers_mints_and_approvals(core, bidders):
    holder, receiver, _ = bidders
    with boa.env.prank(core.deployer):
        core.mkr.mint(holder, 5 * WAD)
    _reverts_without_reason(core.mkr.address, holder, "stop()", [], [])
    with boa.env.prank(core.deployer):
        core.mkr.stop()
    assert core.mkr.stopped()
    assert core.mkr.owner() == core.deployer  # the flag shares the owner's word
    for sender, sig, types, args in (
        (holder, "transfer(address,uint256)", ["address", "uint256"], [receiver, WAD]),
        (holder, "approve(address,uint256)", ["address", "uint256"], [receiver, WAD]),
        (core.flopper.address, "mint(address,uint256)", ["address", "uint256"], [holder, 1]),
        (core.deployer, "mint(address,uint256)", ["address", "uint256"], [holder, 1]),
    ):
        _reverts_without_reason(core.mkr.address, sender, sig, types, args)
    with boa.env.prank(core.deployer):
        core.mkr.start()
    with boa.env.prank(holder):
        core.mkr.transfer(receiver, WAD)
    assert core.mkr.balanceOf(receiver) == WAD


def test_mkr_owner_and_authority_are_dsauth(core, outsider):
    with boa.env.prank(core.deployer):
        core.mkr.setOwner(outsider)
    assert core.mkr.owner() == outsider
    # the authority's root may still do anything on MKR (MkrAuthority: src == root)
    with boa.env.prank(core.deployer):
        core.mkr.setAuthority(outsider)
    assert core.mkr.authority() == outsider


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
