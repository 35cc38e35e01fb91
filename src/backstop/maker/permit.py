"""EIP-712 typed data of DAI's own permit (not EIP-2612): one definition for signers and pages."""

from __future__ import annotations

from typing import Any

from eth_utils import keccak

DAI_PERMIT_NAME = "Dai Stablecoin"
DAI_PERMIT_VERSION = "1"


def dai_permit_typed_data(chain_id: int, dai: str, holder: str, spender: str, nonce: int,
                          expiry: int, allowed: bool = True) -> dict[str, Any]:
    """Full EIP-712 message for ``Permit(holder, spender, nonce, expiry, allowed)`` on ``dai``.

    Addresses are used as given (callers pass checksummed ones); ``expiry`` 0 means never.
    The result is what ``eth_account.messages.encode_typed_data(full_message=...)`` and a
    wallet's ``eth_signTypedData_v4`` take.
    """
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Permit": [
                {"name": "holder", "type": "address"},
                {"name": "spender", "type": "address"},
                {"name": "nonce", "type": "uint256"},
                {"name": "expiry", "type": "uint256"},
                {"name": "allowed", "type": "bool"},
            ],
        },
        "primaryType": "Permit",
        "domain": {"name": DAI_PERMIT_NAME, "version": DAI_PERMIT_VERSION,
                   "chainId": chain_id, "verifyingContract": dai},
        "message": {"holder": holder, "spender": spender, "nonce": nonce,
                    "expiry": expiry, "allowed": allowed},
    }


_DOMAIN_TYPE = keccak(
    text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
_PERMIT_TYPE = keccak(
    text="Permit(address holder,address spender,uint256 nonce,uint256 expiry,bool allowed)")


def dai_permit_digest(chain_id: int, dai: str, holder: str, spender: str, nonce: int,
                      expiry: int, allowed: bool = True) -> bytes:
    """The 32 bytes a holder signs for ``dai_permit_typed_data`` (EIP-712's
    ``keccak(0x1901 || domainSeparator || hashStruct(message))``), worked out directly: the
    generic typed-data encoder takes a millisecond per permit."""
    domain = keccak(_DOMAIN_TYPE + keccak(text=DAI_PERMIT_NAME) + keccak(text=DAI_PERMIT_VERSION)
                    + chain_id.to_bytes(32, "big") + _word(dai))
    message = keccak(_PERMIT_TYPE + _word(holder) + _word(spender) + nonce.to_bytes(32, "big")
                     + expiry.to_bytes(32, "big") + int(bool(allowed)).to_bytes(32, "big"))
    return keccak(b"\x19\x01" + domain + message)


def _word(address: str) -> bytes:
    return bytes.fromhex(address[2:]).rjust(32, b"\0")
