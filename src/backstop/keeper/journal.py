"""The keeper's journal: the transactions it has in flight, written to a file after every change,
so that a keeper started again (after a crash, a SIGKILL, a machine reboot) can take them over
by hash with ``eth_getTransactionByHash``, which every node answers, instead of waiting for them
blind on a node that hides its pool (no ``txpool_content``).

One JSON object: ``{"address": "0x..", "txs": [{"nonce": 7, "label": "enter:3:0x..",
"hashes": ["0x.."]}]}``, written atomically. A journal of another account is ignored, and so is
one that cannot be read (said in the log by the caller).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from eth_utils import to_checksum_address

from backstop.chain.tx import PendingTx
from backstop.files import atomic_write


class JournalError(ValueError):
    """The journal file exists but cannot be used: the message says why."""


@dataclass(frozen=True)
class JournalEntry:
    """One transaction in flight: its nonce, its label and every hash sent for it (newest
    last)."""

    nonce: int
    label: str
    hashes: tuple[str, ...]


class Journal:
    """The journal file of one account."""

    def __init__(self, path: str | Path, address: str) -> None:
        self.path = Path(path).expanduser()
        self.address = to_checksum_address(address)

    def write(self, txs: Iterable[PendingTx]) -> None:
        """Record ``txs`` (those not done and sent at least once) in place of the last record."""
        entries = [{"nonce": p.nonce, "label": p.label, "hashes": list(p.hashes)}
                   for p in txs if not p.done and p.hashes]
        atomic_write(self.path, json.dumps({"address": self.address, "txs": entries}) + "\n")

    def read(self) -> list[JournalEntry]:
        """The recorded transactions, lowest nonce first; none if there is no file yet."""
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            raise JournalError(f"{self.path}: not a keeper journal ({exc})") from None
        if not isinstance(data, dict) or not isinstance(data.get("txs"), list):
            raise JournalError(f"{self.path}: not a keeper journal (no list of txs)")
        if str(data.get("address", "")).lower() != self.address.lower():
            raise JournalError(f"{self.path}: the journal of {data.get('address')}, not of "
                               f"{self.address}")
        try:
            entries = [JournalEntry(int(t["nonce"]), str(t["label"]),
                                    tuple(str(h) for h in t["hashes"])) for t in data["txs"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise JournalError(f"{self.path}: a damaged entry ({exc})") from None
        return sorted(entries, key=lambda e: e.nonce)
