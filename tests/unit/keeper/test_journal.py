"""The keeper's journal: what is in flight, written after every change and read back by the
next start (the restart itself is tested on anvil in tests/integration/test_keeper_faults.py)."""

from __future__ import annotations

import json

import pytest

from backstop.chain.tx import Fees, PendingTx, TxState
from backstop.keeper.journal import Journal, JournalEntry, JournalError

KEEPER = "0x" + "ab" * 20
OTHER = "0x" + "cd" * 20


def ptx(nonce: int, hashes: list[str], state: TxState = TxState.PENDING) -> PendingTx:
    return PendingTx(label=f"enter:{nonce}:pool", nonce=nonce, call={}, gas=100_000,
                     fees=Fees(2, 1), sent_block=1, last_sent_block=1, hashes=hashes,
                     state=state)


def test_it_records_what_is_in_flight_and_reads_it_back_by_nonce(tmp_path):
    journal = Journal(tmp_path / "j.json", KEEPER)
    journal.write([ptx(8, ["0x08"]), ptx(7, ["0x07a", "0x07b"]),
                   ptx(6, ["0x06"], TxState.MINED),  # done: not recorded
                   ptx(9, [])])  # never reached the node: nothing to look up
    assert journal.read() == [JournalEntry(7, "enter:7:pool", ("0x07a", "0x07b")),
                              JournalEntry(8, "enter:8:pool", ("0x08",))]
    journal.write([])  # all mined: the next start has nothing to take over
    assert journal.read() == []
    assert not list(tmp_path.glob(".j.json.*"))  # atomic: no temporary file left


def test_no_journal_yet_is_empty_and_a_wrong_one_says_why(tmp_path):
    path = tmp_path / "j.json"
    assert Journal(path, KEEPER).read() == []
    Journal(path, OTHER).write([ptx(1, ["0x01"])])
    with pytest.raises(JournalError, match=r"the journal of .* not of"):
        Journal(path, KEEPER).read()
    path.write_text("{not json")
    with pytest.raises(JournalError, match="not a keeper journal"):
        Journal(path, KEEPER).read()
    path.write_text(json.dumps({"address": KEEPER, "txs": [{"nonce": "x"}]}))
    with pytest.raises(JournalError, match="damaged entry"):
        Journal(path, KEEPER).read()
