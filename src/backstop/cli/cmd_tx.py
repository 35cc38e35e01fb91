"""`backstop tx HASH`: where a transaction stands (like `cast tx` / `cast receipt`).

The answer to "did my enlist go through?" after Ctrl-C or a lost node: mined (block, gas,
success or failure), waiting in the node's pool (with its nonce), or unknown to the node (and
what that can mean: replaced, dropped, another chain).
"""

from __future__ import annotations

import argparse
import re
from typing import Any

from backstop.cli.common import add_chain_options, connect_chain, console, emit
from backstop.cli.errors import UserError
from backstop.cli.sending import quantity

NAME = "tx"
HELP = "where a transaction stands: mined (block, gas, success), pending, or unknown"
_HASH = re.compile(r"^0x[0-9a-fA-F]{64}$")


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of `backstop tx`."""
    parser.add_argument("hash", metavar="HASH", help="the transaction hash (0x + 64 hex digits)")
    add_chain_options(parser, pool=False, factory=False)


def lookup(w3: Any, tx_hash: str) -> dict[str, Any]:
    """What the node knows of ``tx_hash``, in one batch."""
    from backstop.chain.batch import send_batch

    tx, receipt = (
        r.get("result")
        for r in send_batch(
            w3, [("eth_getTransactionByHash", [tx_hash]), ("eth_getTransactionReceipt", [tx_hash])]
        )
    )
    out: dict[str, Any] = {
        "hash": tx_hash,
        "status": "unknown",
        "from": None,
        "to": None,
        "nonce": None,
        "block": None,
        "gas_used": None,
    }
    if tx:
        out.update(
            {
                "from": tx.get("from"),
                "to": tx.get("to"),
                "nonce": quantity(tx.get("nonce")),
                "status": "pending",
            }
        )
    if receipt:
        ok = quantity(receipt.get("status", "0x1")) == 1
        out.update(
            {
                "status": "success" if ok else "failed",
                "block": quantity(receipt.get("blockNumber")),
                "gas_used": quantity(receipt.get("gasUsed")),
                "contract_address": receipt.get("contractAddress"),
            }
        )
        head = w3.eth.block_number
        out["confirmations"] = head - out["block"] + 1
    return out


def run(args: argparse.Namespace) -> int:
    """Look the transaction up and say where it stands; exit 0 mined, 1 failed or unknown,
    3 still pending (so scripts can wait on it)."""
    tx_hash = args.hash.strip()
    if not _HASH.match(tx_hash):
        raise UserError(
            f"{tx_hash!r} is not a transaction hash: write 0x followed by 64 hex digits",
            exit_code=2,
        )
    w3 = connect_chain(args)
    info = lookup(w3, tx_hash.lower())
    words = {
        "success": lambda: (
            f"mined in block {info['block']} ({info['confirmations']} "
            f"confirmations), gas used {info['gas_used']:,}: succeeded"
        ),
        "failed": lambda: (
            f"mined in block {info['block']}, gas used {info['gas_used']:,}: "
            "FAILED (reverted on chain; nothing changed but the fee)"
        ),
        "pending": lambda: (
            f"waiting in the node's pool (nonce {info['nonce']} from "
            f"{info['from']}): not mined yet; do not send it again"
        ),
        "unknown": lambda: (
            "this node does not know it: it was never received, was dropped, "
            "or belongs to another chain; if your account's nonce moved past "
            "it, another transaction took its place"
        ),
    }
    emit(
        args, info, lambda: console().print(f"{tx_hash}: {words[info['status']]()}", soft_wrap=True)
    )
    return {"success": 0, "pending": 3}.get(info["status"], 1)
