"""The one small internal helper that sends a transaction from an account and waits for it.

``Sender`` is either the address of an account the node has unlocked (dev accounts on anvil and
the in-process chain: sent with ``eth_sendTransaction``) or an eth-account ``LocalAccount``
(signed here, sent raw). Every transaction is simulated first: if it would revert, ``Revert``
is raised with the reason in words and nothing is sent.

Contract calls and deployments both go through ``backstop.chain.tx.TxSender`` (nonces, fees,
replacement): a deployment is a transaction dict with ``data`` and no ``to``.
"""

from __future__ import annotations

from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address
from web3 import Web3
from web3._utils.method_formatters import receipt_formatter

from backstop.chain.errors import Revert
from backstop.chain.tx import TxSender

Sender = str | LocalAccount

RECEIPT_TIMEOUT = 120.0


def address_of(sender: Sender) -> str:
    """The checksummed address that sends for ``sender``."""
    if isinstance(sender, str):
        return to_checksum_address(sender)
    return to_checksum_address(sender.address)


def _send_raw(w3: Web3, sender: Sender, tx: Any) -> dict[str, Any]:
    """Simulate, send and wait for ``tx`` (a contract call or a dict); the node's receipt.

    Raises ``Revert`` (nothing sent) if it would revert, ``TxFailed`` if it was mined but failed.
    """
    # a sender may carry send options (the CLI's --nonce, --max-fee-gwei, --tip-gwei)
    options = getattr(sender, "send_options", None) or {}
    return TxSender(w3, sender, **options).send(  # type: ignore[return-value]
        tx, wait=True, timeout=RECEIPT_TIMEOUT)


def send(w3: Web3, sender: Sender, fn: Any) -> dict[str, Any]:
    """Send a web3 contract function call (``contract.functions.dent(...)``) and wait, through
    ``backstop.chain.tx.TxSender`` (simulated first: ``Revert`` with the reason, nothing sent).

    Returns the receipt (web3's formatting); raises ``TxFailed`` if it was mined but failed.
    """
    raw = _send_raw(w3, sender, fn)
    # TxSender hands back the node's JSON; format it as web3's own get_transaction_receipt
    # would (web3 is pinned), instead of asking the node for it a second time
    return dict(receipt_formatter(raw))


def deploy(w3: Web3, sender: Sender, initcode: bytes | str) -> str:
    """Deploy ``initcode`` (with constructor arguments appended) and return the new address."""
    receipt = _send_raw(w3, sender, {"data": initcode})
    address = receipt.get("contractAddress")
    if not address:
        raise Revert("deployment produced no contract")
    return to_checksum_address(address)
