"""deploy_core wiring and the typed Maker handles, on a dev chain."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_typed_data
from web3 import Web3

from backstop.chain import dev
from backstop.chain.errors import Revert
from backstop.chain.tx import sign_digest
from backstop.maker import MAINNET, Bid, MakerParams, core_at, deploy_core
from backstop.maker.handles import ZERO_ADDRESS
from backstop.maker.permit import dai_permit_digest, dai_permit_typed_data
from backstop.maker.scenario import advance, fund_dai, fund_vat_dai, kick_auctions, now
from backstop.units import Rad, Wad

MAX_UINT = 2**256 - 1


def _call(w3: Web3, encoded) -> object:
    """Run an EncodedCall with a plain eth_call and decode it (what batch_call does per item)."""
    return encoded.decode(w3.eth.call({"to": encoded.to, "data": encoded.data}))


def test_deploy_wires_every_authorization(core, roles) -> None:
    assert core.mkr_authority is not None and core.flapper is not None
    assert core.dai.wards(core.dai_join.address)
    # MKR is a ds-token: the Flopper mints as a ward of its MkrAuthority
    assert core.mkr.authority() == core.mkr_authority.address
    assert core.mkr_authority.wards(core.flopper.address)
    assert core.mkr.can_mint(core.flopper.address)
    assert not core.mkr.can_mint(roles["bidder"])
    assert core.mkr.owner() == core.mkr_authority.root() == roles["deployer"]
    assert core.vat.wards(core.flopper.address)
    assert core.flopper.wards(core.vow.address)
    assert core.flapper.wards(core.vow.address)
    assert core.vow.flapper() == core.flapper.address
    assert core.vat.can(core.vow.address, core.flapper.address)  # the Vow hopes its Flapper
    for handle in (core.vat, core.dai, core.dai_join, core.flopper, core.flapper, core.vow):
        assert handle.wards(roles["deployer"]), handle
    assert not core.vat.wards(roles["bidder"])
    assert core.vat.live() and core.flopper.live() and core.vow.live() and core.dai_join.live()
    assert core.flapper.live()


def test_mkr_reads_ds_token_metadata_and_rejects_wards_writes(core, roles) -> None:
    """Names and symbols are bytes32 on MKR (ours and mainnet's): the handle decodes them;
    ds-token has no rely/deny, the handle says where minters are let in instead."""
    assert (core.mkr.name(), core.mkr.symbol(), core.mkr.decimals()) == ("Maker", "MKR", 18)
    assert (core.dai.name(), core.dai.symbol()) == ("Dai Stablecoin", "DAI")
    with pytest.raises(TypeError, match="MkrAuthority"):
        core.mkr.rely(roles["deployer"], roles["bidder"])


def test_deploy_files_the_march_2020_parameters(core) -> None:
    assert core.params() == MakerParams()
    assert core.flopper.kicks() == 0


def test_custom_parameters_and_the_2019_flopper(chain, roles) -> None:
    params = MakerParams(tau=3_600, ttl=600, dump=Wad.from_number(100),
                         sump=Rad.from_number(10_000), wait=0)
    core = deploy_core(chain, roles["deployer"], params, flopper="2019")
    assert core.params() == params
    # the 2019 Flopper never kisses: Ash stays at sump after the first dent
    (auction,) = kick_auctions(core, 1)
    fund_vat_dai(core, roles["bidder"], Rad.from_number(10_000))
    core.vat.hope(roles["bidder"], core.flopper.address)
    core.flopper.dent(roles["bidder"], auction, Wad.from_number(90), Rad.from_number(10_000))
    assert core.vow.Ash() == Rad.from_number(10_000)
    assert core.vat.dai(core.vow.address) == Rad.from_number(10_000)


def test_deploy_refuses_an_unknown_flopper(chain, roles) -> None:
    with pytest.raises(ValueError, match="'current' or '2019'"):
        deploy_core(chain, roles["deployer"], flopper="1999")  # type: ignore[arg-type]


def test_core_at_rebuilds_the_same_handles(core) -> None:
    again = core_at(core.w3, core.addresses)
    assert again.addresses == core.addresses
    assert again.flopper.beg() == core.flopper.beg()


def test_core_at_mainnet_needs_no_chain() -> None:
    offline = Web3()  # no provider calls are made to build handles
    core = core_at(offline, MAINNET)
    assert core.addresses == MAINNET
    assert core.flopper.contract.address == MAINNET.flopper
    data = core.flopper.call_bids(7).data
    assert data[:4] == Web3.keccak(text="bids(uint256)")[:4]
    assert int.from_bytes(data[4:], "big") == 7


def test_bids_kicks_and_encoded_calls_agree(core, roles) -> None:
    start = core.w3.eth.block_number
    ids = kick_auctions(core, 2)
    assert ids == [1, 2] and core.flopper.kicks() == 2
    kicked_at = core.w3.eth.get_block(core.flopper.kick_events(start)[1].block_number)
    bid = core.flopper.bids(2)
    assert bid == Bid(Rad.from_number(50_000), Wad.from_number(250), core.vow.address, 0,
                      kicked_at["timestamp"] + 3 * 86_400)
    assert bid.exists and bid.price == Wad.from_number(200)
    assert _call(core.w3, core.flopper.call_bids(2)) == bid
    assert _call(core.w3, core.flopper.call_kicks()) == 2
    assert _call(core.w3, core.flopper.call_live()) is True
    empty = core.flopper.bids(99)
    assert not empty.exists and empty.price is None and empty.guy == ZERO_ADDRESS


def test_bid_state_predicates(core, roles) -> None:
    (auction,) = kick_auctions(core, 1)
    bid = core.flopper.bids(auction)
    t = now(core.w3)
    assert bid.is_biddable(t) and not bid.is_dealable(t) and not bid.is_tickable(t)
    advance(core.w3, core.flopper.tau() + 1)
    t = now(core.w3)
    assert bid.is_tickable(t) and not bid.is_biddable(t)
    core.flopper.tick(roles["keeper"], auction)
    grown = core.flopper.bids(auction)
    assert grown.lot == Wad.from_number(300)  # pad 1.20
    fund_vat_dai(core, roles["bidder"], Rad.from_number(50_000))
    core.vat.hope(roles["bidder"], core.flopper.address)
    core.flopper.dent(roles["bidder"], auction, Wad.from_number(290), Rad.from_number(50_000))
    live = core.flopper.bids(auction)
    assert live.tic > 0 and not live.is_dealable(now(core.w3))
    advance(core.w3, core.flopper.ttl() + 1)
    assert live.is_dealable(now(core.w3))


def test_kick_events_and_receipt_parsing(core) -> None:
    start = core.w3.eth.block_number
    ids = kick_auctions(core, 3)
    events = core.flopper.kick_events(start)
    assert [e.id for e in events] == ids
    assert all(e.lot == Wad.from_number(250) for e in events)
    assert all(e.bid == Rad.from_number(50_000) for e in events)
    assert all(e.gal == core.vow.address for e in events)
    assert events[0].block_number > start and events[0].tx_hash.startswith("0x")


def test_revert_carries_the_contract_reason(core, roles) -> None:
    (auction,) = kick_auctions(core, 1)
    with pytest.raises(Revert, match="Flopper/not-matching-bid"):
        core.flopper.dent(roles["bidder"], auction, Wad.from_number(240),
                          Rad.from_number(40_000))
    with pytest.raises(Revert, match="Vat/not-authorized"):
        core.vat.suck(roles["bidder"], roles["bidder"], roles["bidder"], Rad(1))
    assert core.flopper.bids(auction).lot == Wad.from_number(250)  # nothing was sent


def test_erc20_reads_and_writes(core, roles) -> None:
    depositor, keeper = roles["depositor"], roles["keeper"]
    fund_dai(core, depositor, Wad.parse("10.5"))
    assert core.dai.balance_of(depositor) == Wad.parse("10.5")
    assert core.dai.total_supply() == Wad.parse("10.5")
    assert (core.dai.name(), core.dai.symbol(), core.dai.decimals()) == (
        "Dai Stablecoin", "DAI", 18)
    core.dai.approve(depositor, keeper, Wad.from_number(3))
    assert core.dai.allowance(depositor, keeper) == Wad.from_number(3)
    core.dai.transfer_from(keeper, depositor, keeper, Wad.from_number(2))
    core.dai.transfer(depositor, keeper, Wad.parse("0.5"))
    assert core.dai.balance_of(keeper) == Wad.parse("2.5")
    assert _call(core.w3, core.dai.call_balance_of(keeper)) == Wad.parse("2.5")
    assert (core.mkr.name(), core.mkr.symbol(), core.mkr.decimals()) == ("Maker", "MKR", 18)


def test_mkr_text_reads_ds_token_bytes32(core, monkeypatch) -> None:
    """Mainnet MKR (ds-token) answers name/symbol as bytes32: read the same way."""
    padded = b"MKR".ljust(32, b"\0")
    monkeypatch.setattr(core.w3.eth, "call", lambda tx, *a, **k: padded)
    assert core.mkr.symbol() == "MKR"


def test_dai_join_round_trip_in_rad(core, roles) -> None:
    depositor = roles["depositor"]
    fund_dai(core, depositor, Wad.from_number(7))
    core.dai.approve(depositor, core.dai_join.address, Wad.from_number(7))
    core.dai_join.join(depositor, depositor, Wad.from_number(7))
    assert core.vat.dai(depositor) == Rad.from_number(7)
    assert core.dai.balance_of(depositor) == Wad(0)
    core.vat.hope(depositor, core.dai_join.address)
    core.dai_join.exit(depositor, depositor, Wad.from_number(2))
    assert core.vat.dai(depositor) == Rad.from_number(5)
    assert core.dai.balance_of(depositor) == Wad.from_number(2)


def test_dai_permit_signed_by_a_local_account(core, roles) -> None:
    holder = Account.create()
    sig = core.dai.sign_permit(holder, roles["keeper"])
    assert sig.nonce == 0 and sig.expiry == 0 and sig.allowed
    core.dai.permit(roles["keeper"], holder.address, roles["keeper"], sig)  # anyone may send
    assert core.dai.allowance(holder.address, roles["keeper"]).raw == MAX_UINT
    assert core.dai.nonces(holder.address) == 1
    with pytest.raises(Revert, match="Dai/invalid-nonce"):
        core.dai.permit(roles["keeper"], holder.address, roles["keeper"], sig)  # replayed


@pytest.mark.parametrize("chain_id, nonce, expiry, allowed", [
    (1, 0, 0, True), (31337, 7, 2**32, False), (5, 2**255, 2**256 - 1, True)])
def test_the_direct_permit_digest_is_eip712s(chain_id, nonce, expiry, allowed) -> None:
    """``dai_permit_digest`` (worked out by hand, what ``sign_permit`` signs) is the digest of
    the typed data a wallet's ``eth_signTypedData_v4`` is given, and the signature is
    eth-account's."""
    holder = Account.create()
    args = (chain_id, "0x6B175474E89094C44Da98b954EedeAC495271d0F", holder.address,
            "0x00000000000000000000000000000000000000Aa", nonce, expiry, allowed)
    message = encode_typed_data(full_message=dai_permit_typed_data(*args))
    assert dai_permit_digest(*args) == _hash_eip191_message(message)
    signed = holder.sign_message(message)
    assert sign_digest(holder.key, dai_permit_digest(*args)) == (
        signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big"))


def test_dai_permit_by_the_wrong_signer_is_refused(core, roles) -> None:
    holder, forger = Account.create(), Account.create()
    forged = core.dai.sign_permit(forger, roles["keeper"], nonce=0)
    with pytest.raises(Revert, match="Dai/invalid-permit"):
        core.dai.permit(roles["keeper"], holder.address, roles["keeper"], forged)


def test_local_account_sender_signs_and_sends(core, roles) -> None:
    bidder = Account.create()
    core.w3.provider.make_request("anvil_setBalance", [bidder.address, hex(10**18)])
    (auction,) = kick_auctions(core, 1)
    fund_vat_dai(core, bidder.address, Rad.from_number(50_000))
    core.vat.hope(bidder, core.flopper.address)
    core.flopper.dent(bidder, auction, Wad.from_number(240), Rad.from_number(50_000))
    assert core.flopper.bids(auction).guy == bidder.address
    with pytest.raises(Revert, match="Flopper/lot-not-lower"):
        core.flopper.dent(bidder, auction, Wad.from_number(240), Rad.from_number(50_000))


def test_deploy_with_a_local_account(chain) -> None:
    deployer = Account.create()
    dev.set_balance(chain, deployer.address, 10**19)
    core = deploy_core(chain, deployer, MakerParams(wait=0))
    assert core.vat.wards(deployer.address) and core.vow.wait() == 0
    assert core.deployer is deployer
    (auction,) = kick_auctions(core, 1)  # the scenario helpers sign with it too
    assert core.flopper.bids(auction).guy == core.vow.address


def test_a_write_returns_the_receipt_web3_would(chain, core, roles) -> None:
    receipt = core.dai.approve(roles["depositor"], roles["keeper"], Wad.from_number(3))
    assert receipt == dict(chain.eth.get_transaction_receipt(receipt["transactionHash"]))
    (approval,) = core.dai.contract.events.Approval().process_receipt(receipt)
    assert approval["args"]["wad"] == 3 * 10**18


def test_mkr_reasonless_refusal_is_said_in_words(core, roles) -> None:
    """ds-token reverts without a reason; the handle says what that can mean, sends nothing."""
    from backstop.chain.errors import Revert

    with pytest.raises(Revert, match="MKR refused without a reason"):
        core.mkr.transfer(roles["bidder"], roles["deployer"], Wad.from_number(1))
    with pytest.raises(Revert, match="MKR refused without a reason"):
        core.mkr.mint(roles["bidder"], roles["bidder"], Wad.from_number(1))
