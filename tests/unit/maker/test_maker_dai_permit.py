"""DAI's own permit (not EIP-2612), signed with eth_account as EIP-712 typed data."""

from __future__ import annotations

import boa
import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data

from backstop.testing.anvil import DEV_KEYS

MAX = 2**256 - 1

PERMIT_TYPES = {
    "Permit": [
        {"name": "holder", "type": "address"},
        {"name": "spender", "type": "address"},
        {"name": "nonce", "type": "uint256"},
        {"name": "expiry", "type": "uint256"},
        {"name": "allowed", "type": "bool"},
    ]
}


@pytest.fixture
def holder():
    """The DAI holder who signs permits."""
    return Account.from_key(DEV_KEYS[1])


@pytest.fixture
def spender():
    """The address the permit gives an allowance to."""
    return boa.env.generate_address("spender")


def _domain(dai) -> dict:
    return {
        "name": "Dai Stablecoin",
        "version": "1",
        "chainId": boa.env.evm.patch.chain_id,
        "verifyingContract": dai.address,
    }


def _sign(dai, signer, holder: str, spender: str, nonce: int, expiry: int, allowed: bool):
    message = {
        "holder": holder,
        "spender": spender,
        "nonce": nonce,
        "expiry": expiry,
        "allowed": allowed,
    }
    signable = encode_typed_data(_domain(dai), PERMIT_TYPES, message)
    signed = signer.sign_message(signable)
    return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")


def test_domain_separator_and_typehash_match_eip712(core):
    signable = encode_typed_data(
        _domain(core.dai),
        PERMIT_TYPES,
        {
            "holder": core.deployer,
            "spender": core.deployer,
            "nonce": 0,
            "expiry": 0,
            "allowed": True,
        },
    )
    # EIP-191 version 1 message: header = the domain separator.
    assert signable.header == core.dai.DOMAIN_SEPARATOR()
    assert core.dai.PERMIT_TYPEHASH() == bytes.fromhex(
        "ea2aa0a1be11a07ed86d755c93467f4f82362b452371d1ba94d1715123511acb"
    )


def test_valid_permit_sets_max_then_zero_and_bumps_nonce(core, holder, spender):
    v, r, s = _sign(core.dai, holder, holder.address, spender, 0, 0, True)
    with boa.env.prank(spender):  # anyone may submit the signature
        core.dai.permit(holder.address, spender, 0, 0, True, v, r, s)
    (approval,) = core.dai.get_logs()
    assert core.dai.allowance(holder.address, spender) == MAX
    assert core.dai.nonces(holder.address) == 1
    assert (str(approval.src), str(approval.guy), approval.wad) == (holder.address, spender, MAX)

    v, r, s = _sign(core.dai, holder, holder.address, spender, 1, 0, False)
    core.dai.permit(holder.address, spender, 1, 0, False, v, r, s)
    assert core.dai.allowance(holder.address, spender) == 0
    assert core.dai.nonces(holder.address) == 2


def test_permit_with_expiry_zero_never_expires(core, holder, spender):
    v, r, s = _sign(core.dai, holder, holder.address, spender, 0, 0, True)
    boa.env.time_travel(seconds=10 * 365 * 86_400)
    core.dai.permit(holder.address, spender, 0, 0, True, v, r, s)
    assert core.dai.allowance(holder.address, spender) == MAX


def test_permit_valid_until_expiry_inclusive(core, holder, spender):
    expiry = boa.env.timestamp + 100
    v, r, s = _sign(core.dai, holder, holder.address, spender, 0, expiry, True)
    boa.env.time_travel(seconds=100)
    core.dai.permit(holder.address, spender, 0, expiry, True, v, r, s)
    assert core.dai.allowance(holder.address, spender) == MAX


def test_expired_permit_is_refused(core, holder, spender):
    expiry = boa.env.timestamp + 100
    v, r, s = _sign(core.dai, holder, holder.address, spender, 0, expiry, True)
    boa.env.time_travel(seconds=101)
    with boa.reverts("Dai/permit-expired"):
        core.dai.permit(holder.address, spender, 0, expiry, True, v, r, s)
    assert core.dai.nonces(holder.address) == 0


def test_wrong_nonce_is_refused(core, holder, spender):
    v, r, s = _sign(core.dai, holder, holder.address, spender, 1, 0, True)
    with boa.reverts("Dai/invalid-nonce"):
        core.dai.permit(holder.address, spender, 1, 0, True, v, r, s)


def test_replayed_permit_is_refused(core, holder, spender):
    v, r, s = _sign(core.dai, holder, holder.address, spender, 0, 0, True)
    core.dai.permit(holder.address, spender, 0, 0, True, v, r, s)
    with boa.reverts("Dai/invalid-nonce"):
        core.dai.permit(holder.address, spender, 0, 0, True, v, r, s)


def test_wrong_signer_is_refused(core, holder, spender):
    impostor = Account.from_key(DEV_KEYS[2])
    v, r, s = _sign(core.dai, impostor, holder.address, spender, 0, 0, True)
    with boa.reverts("Dai/invalid-permit"):
        core.dai.permit(holder.address, spender, 0, 0, True, v, r, s)
    assert core.dai.allowance(holder.address, spender) == 0


def test_signature_for_other_terms_is_refused(core, holder, spender):
    v, r, s = _sign(core.dai, holder, holder.address, spender, 0, 0, False)
    with boa.reverts("Dai/invalid-permit"):
        core.dai.permit(holder.address, spender, 0, 0, True, v, r, s)


def test_zero_holder_is_refused(core, spender):
    with boa.reverts("Dai/invalid-address-0"):
        core.dai.permit("0x" + "00" * 20, spender, 0, 0, True, 27, b"\x01" * 32, b"\x01" * 32)


def test_permit_allowance_lets_spender_pull(core, holder, spender):
    with boa.env.prank(core.deployer):
        core.dai.mint(holder.address, 10**18)
    v, r, s = _sign(core.dai, holder, holder.address, spender, 0, 0, True)
    core.dai.permit(holder.address, spender, 0, 0, True, v, r, s)
    with boa.env.prank(spender):
        core.dai.transferFrom(holder.address, spender, 10**18)
    assert core.dai.balanceOf(spender) == 10**18
    assert core.dai.allowance(holder.address, spender) == MAX


def test_the_permit_domain_takes_the_constructors_chain_id(core):
    """dss's Dai takes the chain id in its constructor (not from the chain it runs on)."""
    from eth_abi import encode
    from eth_utils import keccak

    from .core import factory

    dai = factory("dai").deploy(5)  # not the chain's id (1 here)
    domain = keccak(encode(
        ["bytes32", "bytes32", "bytes32", "uint256", "address"],
        [keccak(b"EIP712Domain(string name,string version,uint256 chainId,"
                b"address verifyingContract)"), keccak(b"Dai Stablecoin"), keccak(b"1"), 5,
         dai.address]))
    assert dai.DOMAIN_SEPARATOR() == domain
    assert domain != core.dai.DOMAIN_SEPARATOR()
