"""EIP-712 typed data of DAI's own permit (not EIP-2612): one definition for signers and pages."""

from __future__ import annotations

from typing import Any

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
