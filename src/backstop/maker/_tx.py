"""The one small internal helper that sends a transaction from an account and waits for it.

``Sender`` is either the address of an account the node has unlocked (dev accounts on anvil and
the in-process chain: sent with ``eth_sendTransaction``) or an eth-account ``LocalAccount``
(signed here, sent raw). Every transaction is simulated first: if it would revert, ``Revert``
is raised with the reason in words and nothing is sent.

Contract calls go through ``backstop.chain.tx.TxSender`` (nonces, fees, replacement);
deployments (no ``to``, which TxSender does not take) use the small path below.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address
from web3 import Web3

from backstop.chain.errors import Revert, RpcError, revert_from_rpc_error
from backstop.chain.tx import TxSender

Sender = str | LocalAccount

GAS_MARGIN_PERCENT = 25
PRIORITY_FEE_WEI = 10**9
RECEIPT_TIMEOUT = 120.0


def address_of(sender: Sender) -> str:
    """The checksummed address that sends for ``sender``."""
    if isinstance(sender, str):
        return to_checksum_address(sender)
    return to_checksum_address(sender.address)


def send(w3: Web3, sender: Sender, fn: Any) -> dict[str, Any]:
    """Send a web3 contract function call (``contract.functions.dent(...)``) and wait, through
    ``backstop.chain.tx.TxSender`` (simulated first: ``Revert`` with the reason, nothing sent).

    Returns the receipt (web3's formatting); raises ``TxFailed`` if it was mined but failed.
    """
    raw = TxSender(w3, sender).send(fn, wait=True, timeout=RECEIPT_TIMEOUT)
    # TxSender hands back the node's JSON; give callers web3's formatted receipt instead
    tx_hash = raw["transactionHash"]  # type: ignore[index]
    return dict(w3.eth.get_transaction_receipt(tx_hash))


def deploy(w3: Web3, sender: Sender, initcode: bytes | str) -> str:
    """Deploy ``initcode`` (with constructor arguments appended) and return the new address."""
    receipt = send_data(w3, sender, None, initcode)
    address = receipt.get("contractAddress")
    if not address:
        raise Revert("deployment produced no contract")
    return to_checksum_address(address)


def send_data(w3: Web3, sender: Sender, to: str | None, data: bytes | str,
              *, value: int = 0) -> dict[str, Any]:
    """Simulate, send and wait for one transaction with raw ``data`` (``to=None`` deploys)."""
    frm = address_of(sender)
    data_hex = data if isinstance(data, str) else "0x" + bytes(data).hex()
    call: dict[str, Any] = {"from": frm, "data": data_hex, "value": hex(value)}
    if to is not None:
        call["to"] = to_checksum_address(to)
    _rpc(w3, "eth_call", [call, "latest"])  # raises Revert with the reason
    gas = int(_rpc(w3, "eth_estimateGas", [call]), 16) * (100 + GAS_MARGIN_PERCENT) // 100
    if isinstance(sender, str):
        tx_hash = _rpc(w3, "eth_sendTransaction", [{**call, "gas": hex(gas)}])
    else:
        tx_hash = _send_signed(w3, sender, call, gas)
    receipt = dict(w3.eth.wait_for_transaction_receipt(tx_hash, timeout=RECEIPT_TIMEOUT,
                                                       poll_latency=0.02))
    if receipt.get("status") != 1:
        raise Revert(f"transaction {tx_hash} reverted on chain")
    return receipt


def _send_signed(w3: Web3, account: LocalAccount, call: dict[str, Any], gas: int) -> str:
    """Sign an EIP-1559 transaction locally and send it raw; return its hash."""
    head = _rpc(w3, "eth_getBlockByNumber", ["latest", False])
    base_fee = int(head.get("baseFeePerGas") or "0x0", 16)
    nonce = int(_rpc(w3, "eth_getTransactionCount", [call["from"], "pending"]), 16)
    tx: dict[str, Any] = {
        "type": 2,
        "chainId": int(w3.eth.chain_id),
        "nonce": nonce,
        "value": int(call["value"], 16),
        "data": call["data"],
        "gas": gas,
        "maxFeePerGas": 2 * base_fee + PRIORITY_FEE_WEI,
        "maxPriorityFeePerGas": PRIORITY_FEE_WEI,
    }
    if "to" in call:
        tx["to"] = call["to"]
    signed = account.sign_transaction(tx)
    return str(_rpc(w3, "eth_sendRawTransaction", ["0x" + bytes(signed.raw_transaction).hex()]))


def _rpc(w3: Web3, method: str, params: list[Any]) -> Any:
    """One raw JSON-RPC request; a reverted execution becomes ``Revert``."""
    resp = w3.provider.make_request(method, params)  # type: ignore[arg-type]
    err = resp.get("error") if isinstance(resp, Mapping) else None
    if err:
        revert = revert_from_rpc_error(err)
        if revert is not None:
            raise revert
        raise RpcError(f"{method}: {err.get('message', err)}", err.get("code"), err.get("data"))
    return resp["result"]
