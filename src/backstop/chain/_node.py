"""The in-process node behind ``BoaProvider``: a chain of blocks over one titanoboa ``boa.Env``.

It keeps what a JSON-RPC node keeps (blocks, transactions, receipts, logs, a pending pool) and
executes transactions with py-evm's own transaction executor, so nonces, intrinsic gas, refunds,
EIP-1559 fees and balances are accounted exactly as on a real node. After every block the state
is persisted (``history=True``), so every block has a state root: calls at past blocks and
``evm_revert`` simply reopen the state at that root. With ``history=False`` the state is persisted
only when needed (a snapshot, a read pinned to the newest block by number): about twice as fast;
reads at past blocks whose state was not kept fail with a clear error.

Values here are Python ints and bytes; JSON (hex strings) is built once per block for receipts,
transactions and logs, and the RPC layer (``boa_provider``) does the rest of the translation.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import boa
import rlp
from boa.vm.py_evm import TracingCodeStream
from eth._utils.address import generate_contract_address
from eth.constants import EMPTY_SHA3
from eth.db.account import AccountDB
from eth.exceptions import Revert as EvmRevert
from eth.exceptions import WriteProtection
from eth.vm.message import Message
from eth.vm.opcode_values import STOP
from eth.vm.spoof import SpoofTransaction
from eth_bloom import BloomFilter
from eth_keys import keys
from eth_utils import ValidationError, keccak

from backstop.chain.errors import decode_revert_reason
from backstop.testing.anvil import DEV_KEYS

CHAIN_ID = 31337
BLOCK_GAS_LIMIT = 30_000_000
DEFAULT_BASE_FEE = 1_000_000_000  # 1 gwei, constant unless set with anvil_setNextBlockBaseFeePerGas
DEFAULT_PRIORITY_FEE = 1_000_000_000
DEV_BALANCE = 10_000 * 10**18
ZERO_ADDRESS = b"\x00" * 20
EMPTY_ROOT = bytes.fromhex("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")
EMPTY_UNCLES = bytes.fromhex("1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347")
DEV_ADDRESSES = tuple(
    keys.PrivateKey(bytes.fromhex(k[2:])).public_key.to_canonical_address() for k in DEV_KEYS
)


class RpcFailure(Exception):
    """A JSON-RPC error object: ``code``, ``message`` and optional ``data``."""

    def __init__(self, code: int, message: str, data: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def fresh(self) -> RpcFailure:
        """A new exception with the same error (memoized errors are raised more than once)."""
        return RpcFailure(self.code, self.message, self.data)

    def to_json(self) -> dict[str, Any]:
        """The ``error`` member of a JSON-RPC response."""
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            out["data"] = self.data
        return out


def hx(value: int) -> str:
    """A JSON-RPC quantity."""
    return hex(value)


def hb(value: bytes) -> str:
    """JSON-RPC data."""
    return "0x" + value.hex()


def revert_failure(output: bytes) -> RpcFailure:
    """The error anvil gives for a reverted call: code 3, the reason, the revert bytes."""
    if output:
        reason = decode_revert_reason(output)
        return RpcFailure(3, f"execution reverted: {reason}", hb(output))
    return RpcFailure(3, "execution reverted", "0x")


@dataclass(slots=True)
class Block:
    """One mined block."""

    number: int
    hash: bytes
    parent_hash: bytes
    timestamp: int
    base_fee: int
    gas_used: int
    state_root: bytes | None  # None: not persisted (history=False)
    tx_hashes: list[bytes]
    bloom: int
    logs: list[dict[str, Any]]


@dataclass(slots=True)
class TxRecord:
    """A transaction the node knows: pending (``block is None``) or mined with its receipt."""

    hash: bytes
    tx: Any  # a py-evm signed transaction, or a SpoofTransaction for unlocked senders
    sender: bytes
    nonce: int
    max_fee: int
    priority_fee: int
    json: dict[str, Any]
    seq: int = 0
    block: int | None = None
    receipt: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a call did: its error (as the JSON-RPC error to give) or output, gas consumed."""

    error: RpcFailure | None
    out_of_gas: bool
    output: bytes
    consumed: int
    gas_sensitive: bool = True  # a GAS, CALL or CREATE ran: the least gas limit is not known
    sstore_need: int = 0  # the least limit SSTORE's 2,300-gas sentry allows (EIP-2200)
    least: int | None = None  # the least gas limit, when one run could tell (``_least_limit``)


@dataclass(slots=True)
class Snapshot:
    """What ``evm_revert`` restores."""

    height: int
    root: bytes
    pending: list[TxRecord]
    next_timestamp: int | None
    time_increase: int
    time_offset: int
    base_fee: int


@dataclass
class Node:
    """An in-process chain with anvil's behaviour (automine, dev accounts, dev methods)."""

    chain_id: int = CHAIN_ID
    genesis_timestamp: int | None = None
    base_fee: int = DEFAULT_BASE_FEE
    gas_limit: int = BLOCK_GAS_LIMIT
    history: bool = True
    env: Any = field(init=False)
    blocks: list[Block] = field(init=False, default_factory=list)
    txs: dict[bytes, TxRecord] = field(init=False, default_factory=dict)
    pending: list[TxRecord] = field(init=False, default_factory=list)
    automine: bool = field(init=False, default=True)
    impersonated: set[bytes] = field(init=False, default_factory=set)
    snapshots: dict[int, Snapshot] = field(init=False, default_factory=dict)
    next_snapshot: int = field(init=False, default=0)
    next_timestamp: int | None = field(init=False, default=None)
    time_increase: int = field(init=False, default=0)
    time_offset: int = field(init=False, default=0)
    _seq: int = field(init=False, default=0)
    version: int = field(init=False, default=0)  # bumped whenever the state changes
    _memo: dict[tuple[Any, ...], Outcome] = field(init=False, default_factory=dict)
    _memo_version: int = field(init=False, default=-1)
    _by_hash: dict[bytes, Block] = field(init=False, default_factory=dict)
    _reads: dict[tuple[Any, ...], tuple[Outcome, tuple[Any, ...]]] = field(
        init=False, default_factory=dict)  # head calls and the state they read (see _execute)
    _pins: list[_Undo] = field(init=False, default_factory=list)  # pinned unpersisted blocks
    _pinned_dbs: dict[int, AccountDB] = field(init=False, default_factory=dict)
    _delegation: dict[bytes, bool] = field(init=False, default_factory=dict)  # by code hash
    # (contract, selector) of calls that wrote state when run read-only (``_run_frames``)
    _writers: set[tuple[bytes, bytes]] = field(init=False, default_factory=set)
    recording: list[tuple[Any, ...]] | None = field(init=False, default=None)  # see record()

    def __post_init__(self) -> None:
        self.env = make_env()
        evm = self.env.evm
        self.vm = evm.vm
        self.state = self.vm.state
        self.state._account_db.__class__ = _LiveAccountDB
        self.vm_class = type(self.vm)
        self.builder = self.vm.get_transaction_builder()
        self.db = self.vm.chaindb.db
        evm.patch.chain_id = self.chain_id
        evm.patch.gas_limit = self.gas_limit
        evm.patch.coinbase = ZERO_ADDRESS
        for address in DEV_ADDRESSES:
            self.state.set_balance(address, DEV_BALANCE)
        self.state.persist()
        ts = self.genesis_timestamp if self.genesis_timestamp is not None else int(time.time())
        root = self.state.state_root
        genesis = Block(0, keccak(b"backstop-genesis" + root + ts.to_bytes(8, "big")),
                        b"\x00" * 32, ts, self.base_fee, 0, root, [], 0, [])
        self._append_block(genesis)
        self._enter_block_context(genesis)

    # ---- blocks and state -----------------------------------------------------------------
    @property
    def head(self) -> Block:
        return self.blocks[-1]

    def _append_block(self, block: Block) -> None:
        self.blocks.append(block)
        self._by_hash[block.hash] = block

    def block_by_hash(self, block_hash: bytes) -> Block | None:
        return self._by_hash.get(block_hash)

    def _enter_block_context(self, block: Block) -> None:
        """Make the EVM's block environment that of ``block`` (for calls and the next tx)."""
        patch = self.env.evm.patch
        patch.block_number = block.number
        patch.timestamp = block.timestamp
        ctx = self.state.execution_context
        ctx._base_fee_per_gas = block.base_fee
        start = max(0, block.number - 256)
        patch.prev_hashes = [b.hash for b in reversed(self.blocks[start:block.number])]

    def reopen_state(self, root: bytes) -> None:
        """Point the live state at ``root`` (a persisted state of some block)."""
        self.state._account_db = _LiveAccountDB(self.db, root)

    # ---- time -------------------------------------------------------------------------------
    def _take_next_timestamp(self) -> int:
        if self.next_timestamp is not None:
            ts = self.next_timestamp
        else:
            ts = self.head.timestamp + max(1, self.time_increase)
        self.next_timestamp = None
        self.time_increase = 0
        return ts

    def increase_time(self, seconds: int) -> int:
        """Move the next block's time forward; the total offset so far (anvil's answer)."""
        if seconds < 0:
            raise RpcFailure(-32602, "evm_increaseTime: seconds must not be negative")
        self.time_increase += seconds
        self.time_offset += seconds
        return self.time_offset

    def set_next_timestamp(self, ts: int) -> None:
        """The next block gets exactly this timestamp (not earlier than the head's)."""
        if ts < self.head.timestamp:
            raise RpcFailure(
                -32602, f"Timestamp error: {ts} is lower than previous block's timestamp")
        self.next_timestamp = ts
        self.time_increase = 0

    # ---- mining -----------------------------------------------------------------------------
    def mine(self, count: int = 1, timestamp: int | None = None) -> None:
        """Mine ``count`` blocks; pending transactions that can run go into the first ones."""
        for i in range(count):
            if i == 0 and timestamp is not None:
                self.set_next_timestamp(timestamp)
            self._mine_block(self._ready(limit=None))

    def _ready(self, limit: int | None) -> list[TxRecord]:
        """Pending transactions that can run now, in order, at most ``limit`` of them."""
        out: list[TxRecord] = []
        nonces: dict[bytes, int] = {}
        gas = 0
        base_fee = self.base_fee
        progress = True
        taken: set[bytes] = set()
        while progress and (limit is None or len(out) < limit):
            progress = False
            for rec in self.pending:
                if rec.hash in taken:
                    continue
                expected = nonces.get(rec.sender)
                if expected is None:
                    expected = self.state.get_nonce(rec.sender)
                if rec.nonce != expected or rec.max_fee < base_fee:
                    continue
                if gas + rec.tx.gas > self.gas_limit:
                    continue
                out.append(rec)
                taken.add(rec.hash)
                nonces[rec.sender] = expected + 1
                gas += rec.tx.gas
                progress = True
                if limit is not None and len(out) >= limit:
                    break
        return out

    def _mine_block(self, records: list[TxRecord]) -> Block:
        parent = self.head
        number = parent.number + 1
        ts = self._take_next_timestamp()
        base_fee = self.base_fee
        header = Block(number, b"", parent.hash, ts, base_fee, 0, None, [], 0, [])
        self._enter_block_context(header)
        bloom = BloomFilter()
        included: list[TxRecord] = []
        for rec in records:
            self.pending.remove(rec)
            if not self._apply(rec, header, len(included), bloom):
                self.txs.pop(rec.hash, None)  # no longer valid (nonce used, funds gone): dropped
                continue
            included.append(rec)
        if self.history:
            self.state.persist()
            header.state_root = self.state.state_root
        else:
            self.state.lock_changes()
        header.bloom = int(bloom)
        header.tx_hashes = [r.hash for r in included]
        # unique per branch and content (the parent's hash chains them); not a real header's
        header.hash = keccak(b"".join((
            parent.hash, number.to_bytes(32, "big"), ts.to_bytes(32, "big"),
            (header.state_root or b"").rjust(32, b"\0"), base_fee.to_bytes(32, "big"),
            header.gas_used.to_bytes(32, "big"), *header.tx_hashes)))
        self._finish_json(header, included)
        self._append_block(header)
        self.version += 1
        if self.recording is not None:
            self.recording.append(("block", number, ts, base_fee, header.hash,
                                   [r.tx for r in included]))
        self._drop_stale()
        return header

    def _apply(self, rec: TxRecord, header: Block, index: int, bloom: BloomFilter) -> bool:
        """Execute one transaction into ``header``; False if it can no longer be included."""
        tx = rec.tx
        state = self.state
        if state.get_nonce(rec.sender) != rec.nonce:
            return False
        if state.get_balance(rec.sender) < tx.gas * rec.max_fee + tx.value:
            return False
        state.lock_changes()
        try:
            computation = state.apply_transaction(tx)
        except ValidationError:  # py-evm validates before it changes anything: drop the tx
            return False
        gas_used = self.vm_class.finalize_gas_used(tx, computation)
        header.gas_used += gas_used
        ok = not computation.is_error
        creates = not tx.to
        contract = generate_contract_address(rec.sender, rec.nonce) if creates else None
        price = min(rec.max_fee, rec.priority_fee + header.base_fee)
        logs = []
        tx_bloom = 0
        if ok:
            for address, topics, data in computation.get_log_entries():
                topic_bytes = [t.to_bytes(32, "big") for t in topics]
                tx_bloom |= _bloom_bits(address)
                for t in topic_bytes:
                    tx_bloom |= _bloom_bits(t)
                logs.append({
                    "address": hb(address),
                    "topics": [hb(t) for t in topic_bytes],
                    "data": hb(data),
                    "transactionHash": hb(rec.hash),
                    "transactionIndex": hx(index),
                    "removed": False,
                })
        bloom.value |= tx_bloom
        rec.block = header.number
        rec.receipt = {
            "type": rec.json["type"],
            "status": "0x1" if ok else "0x0",
            "cumulativeGasUsed": hx(header.gas_used),
            "logs": logs,
            "logsBloom": hb(tx_bloom.to_bytes(256, "big")),
            "transactionHash": hb(rec.hash),
            "transactionIndex": hx(index),
            "blockNumber": hx(header.number),
            "gasUsed": hx(gas_used),
            "effectiveGasPrice": hx(price),
            "from": hb(rec.sender),
            "to": hb(tx.to) if tx.to else None,
            "contractAddress": hb(contract) if contract else None,
            "blobGasPrice": "0x1",
        }
        rec.json.update({"transactionIndex": hx(index), "blockNumber": hx(header.number),
                         "gasPrice": hx(price)})
        header.logs.extend(logs)
        return True

    def _finish_json(self, header: Block, included: list[TxRecord]) -> None:
        """Fill in block hash, block number, timestamps and log indexes."""
        block_hash = hb(header.hash)
        ts = hx(header.timestamp)
        number = hx(header.number)
        log_index = 0
        for rec in included:
            rec.json["blockHash"] = block_hash
            rec.json["blockTimestamp"] = ts
            assert rec.receipt is not None
            rec.receipt["blockHash"] = block_hash
            rec.receipt["blockTimestamp"] = header.timestamp  # a number here, as anvil has it
            for entry in rec.receipt["logs"]:
                entry["blockHash"] = block_hash
                entry["blockNumber"] = number
                entry["blockTimestamp"] = ts
                entry["logIndex"] = hx(log_index)
                log_index += 1

    def _drop_stale(self) -> None:
        """Forget pending transactions whose nonce has been used."""
        if not self.pending:
            return
        keep = []
        for rec in self.pending:
            if rec.nonce >= self.state.get_nonce(rec.sender):
                keep.append(rec)
            else:
                self.txs.pop(rec.hash, None)
        self.pending = keep

    def _automine(self) -> None:
        """Automine: every runnable pending transaction gets its own block."""
        while self.automine:
            ready = self._ready(limit=1)
            if not ready:
                return
            self._mine_block(ready)

    def set_automine(self, enabled: bool) -> None:
        self.automine = enabled
        self._automine()

    # ---- submitting transactions ----------------------------------------------------------------
    def submit(self, rec: TxRecord) -> bytes:
        """Check a signed (or unlocked) transaction like anvil's pool does, queue it, automine."""
        tx = rec.tx
        state_nonce = self.state.get_nonce(rec.sender)
        if rec.nonce < state_nonce:
            raise RpcFailure(-32003, "nonce too low")
        if tx.gas > self.gas_limit:
            raise RpcFailure(-32000, "intrinsic gas too high -- tx.gas_limit > env.block.gas_limit")
        if tx.gas < max(tx.intrinsic_gas, _data_floor(tx.data)):
            raise RpcFailure(-32000, "intrinsic gas too low")
        if rec.max_fee < self.base_fee:
            raise RpcFailure(-32003, "max fee per gas less than block base fee")
        if rec.priority_fee > rec.max_fee:
            raise RpcFailure(-32003, "max priority fee per gas higher than max fee per gas")
        if self.state.get_balance(rec.sender) < tx.gas * rec.max_fee + tx.value:
            raise RpcFailure(-32003, "Insufficient funds for gas * price + value")
        if rec.hash in self.txs:
            raise RpcFailure(-32003, "transaction already imported")
        for old in self.pending:
            if old.sender == rec.sender and old.nonce == rec.nonce:
                if (rec.max_fee * 10 < old.max_fee * 11
                        or rec.priority_fee * 10 < old.priority_fee * 11):
                    raise RpcFailure(-32003, "replacement transaction underpriced")
                self.pending.remove(old)
                self.txs.pop(old.hash, None)
                break
        self._seq += 1
        rec.seq = self._seq
        self.pending.append(rec)
        self.txs[rec.hash] = rec
        self._automine()
        return rec.hash

    def pending_nonce(self, sender: bytes) -> int:
        """The next nonce counting pending transactions (contiguous ones only)."""
        nonce = self.state.get_nonce(sender)
        used = {r.nonce for r in self.pending if r.sender == sender}
        while nonce in used:
            nonce += 1
        return nonce

    def make_unlocked(self, sender: bytes, fields: dict[str, Any]) -> TxRecord:
        """A transaction from an unlocked account (``eth_sendTransaction``), anvil's defaults."""
        if sender not in DEV_ADDRESSES and sender not in self.impersonated:
            raise RpcFailure(-32602, "No Signer available")
        to = fields.get("to") or b""
        value = fields.get("value", 0)
        data = fields.get("data", b"")
        nonce = fields.get("nonce")
        if nonce is None:
            nonce = self.pending_nonce(sender)
        if "gasPrice" in fields:
            max_fee = priority = fields["gasPrice"]
        else:
            priority = fields.get("maxPriorityFeePerGas", DEFAULT_PRIORITY_FEE)
            max_fee = fields.get("maxFeePerGas", self.base_fee + priority)
        gas = fields.get("gas")
        if gas is None:
            gas = self._default_gas(sender, to, value, data)
        if "gasPrice" in fields:
            unsigned = self.builder.create_unsigned_transaction(
                nonce=nonce, gas_price=max_fee, gas=gas, to=to, value=value, data=data)
            kind = "0x0"
            signing = unsigned.get_message_for_signing()
        else:
            unsigned = self.builder.new_unsigned_dynamic_fee_transaction(
                self.chain_id, nonce, priority, max_fee, gas, to, value, data, [])
            kind = "0x2"
            # EIP-1559's message for signing, encoded directly (py-evm's sedes take 2/3 of
            # this method's time); the same bytes as ``unsigned.get_message_for_signing()``
            signing = b"\x02" + rlp.encode(
                [self.chain_id, nonce, priority, max_fee, gas, to, value, data, []])
        tx = SpoofTransaction(unsigned, from_=sender)
        tx_hash = keccak(signing + sender)
        rec = TxRecord(tx_hash, tx, sender, nonce, max_fee, priority, {})
        rec.json = self._tx_json(rec, kind, to, value, data, gas, (0, 0, 0))
        return rec

    def _default_gas(self, sender: bytes, to: bytes, value: int, data: bytes) -> int:
        try:
            return self.estimate_gas(sender, to, value, data, None, self.head.number)
        except RpcFailure:
            return self.gas_limit

    def make_raw(self, raw: bytes) -> TxRecord:
        """Decode a signed raw transaction (legacy, type 1 or type 2) and recover its sender."""
        if not raw:
            raise RpcFailure(-32602, "empty raw transaction")
        if raw[0] <= 0x7F and raw[0] not in (1, 2):
            raise RpcFailure(-32602, f"transaction type {raw[0]} is not supported")
        try:
            tx = self.builder.decode(raw)
            tx.check_signature_validity()
            sender = tx.sender
        except Exception as exc:  # any decoding or signature failure is the caller's fault
            raise RpcFailure(-32602, f"failed to decode signed transaction: {exc}") from exc
        kind = "0x0" if raw[0] > 0x7F else hx(raw[0])
        chain_id = tx.chain_id
        if chain_id is not None and chain_id != self.chain_id:
            raise RpcFailure(-32003, f"invalid chain id {chain_id}: this chain is {self.chain_id}")
        if kind == "0x2":
            max_fee, priority = tx.max_fee_per_gas, tx.max_priority_fee_per_gas
        else:
            max_fee = priority = tx.gas_price
        rec = TxRecord(keccak(raw), tx, sender, tx.nonce, max_fee, priority, {})
        rec.json = self._tx_json(rec, kind, tx.to, tx.value, tx.data, tx.gas,
                                 (tx.y_parity if kind != "0x0" else tx.v, tx.r, tx.s))
        return rec

    def _tx_json(self, rec: TxRecord, kind: str, to: bytes, value: int, data: bytes,
                 gas: int, vrs: tuple[int, int, int]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": kind,
            "hash": hb(rec.hash),
            "nonce": hx(rec.nonce),
            "from": hb(rec.sender),
            "to": hb(to) if to else None,
            "value": hx(value),
            "gas": hx(gas),
            "input": hb(data),
            "v": hx(vrs[0]),
            "r": hx(vrs[1]),
            "s": hx(vrs[2]),
            "gasPrice": hx(rec.max_fee),
            "blockHash": None,
            "blockNumber": None,
            "transactionIndex": None,
        }
        if kind != "0x0":
            out.update({
                "chainId": hx(self.chain_id),
                "accessList": [
                    {"address": hb(address), "storageKeys": [hb(k.to_bytes(32, "big"))
                                                             for k in keys]}
                    for address, keys in getattr(rec.tx, "access_list", ())
                ],
                "yParity": hx(vrs[0]),
            })
            if kind == "0x2":
                out["maxFeePerGas"] = hx(rec.max_fee)
                out["maxPriorityFeePerGas"] = hx(rec.priority_fee)
        return out

    # ---- calls -----------------------------------------------------------------------------------
    def _at_block(self, number: int) -> Block:
        if number > self.head.number or number < 0:
            raise RpcFailure(
                -32602, f"BlockOutOfRangeError: block height is {self.head.number} "
                f"but requested was {number}")
        return self.blocks[number]

    def _execute(self, sender: bytes, to: bytes, value: int, data: bytes, gas: int,
                 number: int, lean: bool = False, view: bool = False) -> Outcome:
        """Run a call at block ``number`` without keeping its effects (memoized per state:
        a simulation followed by an estimate of the same call runs the EVM once).

        A call at the head is also remembered with every piece of state it read (storage
        slots; balance, nonce, code and existence of accounts): the same call later, at any
        head, is answered without the EVM when all of them still hold the same values and it
        used nothing of the block (timestamp, number, ...) nor created a contract. The EVM is
        deterministic in what it reads, so the answer is provably the one it would give.

        ``lean``: the message's frames only when that is provably the same (``_run_frames``).
        ``view``: most likely a read (``eth_call``): the frames are first run read-only, which
        spares undoing them (the same answer; one that writes is run again as it is).
        """
        key = (number, sender, to, value, data, gas, lean)
        if self._memo_version != self.version:
            self._memo.clear()
            self._memo_version = self.version
        found = self._memo.get(key)
        if found is None:
            if number == self.head.number:
                found = self._execute_at_head(key[1:], sender, to, value, data, gas, lean,
                                              view)
            else:
                found = self._run(sender, to, value, data, gas, number)
            if len(self._memo) > 512:
                self._memo.clear()
            self._memo[key] = found
        return found

    def _execute_at_head(self, key: tuple[Any, ...], sender: bytes, to: bytes, value: int,
                         data: bytes, gas: int, lean: bool, view: bool = False) -> Outcome:
        """A call at the head, answered from what it read last time when that still holds."""
        db = self.state._account_db
        known = self._reads.get(key)
        if known is not None and all(_read_again(db, k) == v for k, v in known[1]):
            return known[0]
        outcome = None
        plain = bool(to) and not value and not self._delegated(db, to)
        for frames_only in ((True, False) if lean and plain else (False,)):
            reads: dict[Any, None] = {to: None}  # its code; the rest as the EVM reads it
            db.gate = reads
            watch = db.watch = _Watch(frames_only, tree=not frames_only)
            db.__class__ = _ReadingAccountDB
            try:
                if frames_only:
                    outcome = self._run_frames(sender, to, data, gas, watch, view)
                else:
                    outcome = self._run(sender, to, value, data, gas, self.head.number, watch)
            finally:
                db.__class__ = _LiveAccountDB
                db.gate = db.reads = db.watch = None
            if outcome is not None:
                break
        assert outcome is not None
        # value moves and delegated code are read outside the frames: not remembered
        if watch.volatile or not plain:
            self._reads.pop(key, None)
        else:
            if len(self._reads) > 4_096:
                self._reads.clear()
            self._reads[key] = (outcome, tuple((k, _read_again(db, k)) for k in reads))
        return outcome

    def _delegated(self, db: Any, to: bytes) -> bool:
        """Whether ``to`` holds an EIP-7702 delegation (its code is read outside the frames)."""
        code_hash = db.get_code_hash(to)
        found = self._delegation.get(code_hash)
        if found is None:
            found = self._delegation[code_hash] = db.get_code(to)[:3] == b"\xef\x01\x00"
        return found

    def _run_frames(self, sender: bytes, to: bytes, data: bytes, gas: int,
                    watch: _Watch, view: bool = False) -> Outcome | None:
        """A call at the head (no value, code of its own at ``to``) as its message only,
        without most of the transaction around it (a third of a small call's time): the
        sender exists as in a transaction and the same accounts are warm (sender,
        ``to``, coinbase), but there are no checks, no gas purchase, refunds or fees (at gas
        price 0 none of them shows in the frames). So the frames run exactly as in the
        transaction when nothing in them depends on warm accounts outside these or on the gas
        left: the answer is None (run it as a transaction) when a frame read GAS, made a call
        or created something, or failed other than by a revert. The gas consumed is then the
        intrinsic gas plus the frames' (before refunds), at least Prague's calldata floor.

        ``view``: run read-only first (a static message: with no call there is one frame,
        and a write ends it with ``WriteProtection``), so there is nothing to undo; a call
        that wrote is run again as it is, and its function is not tried read-only again."""
        state = self.state
        zeros = data.count(0)
        intrinsic = 21_000 + 4 * zeros + 16 * (len(data) - zeros)  # a call: no list, no code
        if gas < intrinsic:
            raise RpcFailure(-32000, "intrinsic gas too low")
        # the sender's nonce only shows in the frames as whether it exists (EXTCODEHASH):
        # bumped, as a transaction would, only when that changes it (creation ends the run)
        db = state._account_db
        account = db._get_account(sender)
        bump = not (account.nonce or account.balance or account.code_hash != EMPTY_SHA3)
        # read-only only where the message writes nothing either: py-evm touches ``to``, which
        # creates an account where there was none (a call to code-less ``to`` is cheap anyway)
        static = (view and not bump and (to, data[:4]) not in self._writers
                  and db.get_code_hash(to) != EMPTY_SHA3)
        db.undo, undo = None, db.undo
        ctx = state.execution_context
        ctx._base_fee_per_gas = 0
        try:
            state.lock_changes()  # every call starts with cold accounts and slots
            if static:
                open_checkpoints = len(db._journaldb._journal._checkpoint_stack)
            else:
                snap = state.snapshot()
                cached = db._account_cache.items()
            try:
                if bump:
                    state.increment_nonce(sender)
                for address in (sender, to, state.coinbase):
                    state.mark_address_warm(address)
                message = Message(gas=gas - intrinsic, to=to, sender=sender, value=0,
                                  data=data, code=state.get_code(to), is_static=static)
                context = state.get_transaction_context_class()(gas_price=0, origin=sender)
                computation = state.computation_class.apply_message(state, message, context)
            except _Abandon:
                if static:  # the message's own checkpoint was left open: close it
                    stack = db._journaldb._journal._checkpoint_stack
                    if len(stack) > open_checkpoints:
                        db.discard(stack[open_checkpoints])
                return None
            finally:
                if not static:
                    state.revert(snap)
                    _restore(db, cached)
                state.clear_transient_storage()
        finally:
            ctx._base_fee_per_gas = self.head.base_fee
            db.undo = undo
        error = computation.error if computation.is_error else None
        if static and isinstance(error, WriteProtection):  # it writes: as it is, and remember
            if len(self._writers) > 10_000:
                self._writers.clear()
            self._writers.add((to, data[:4]))
            return self._run_frames(sender, to, data, gas, watch)
        if watch.gas_sensitive or (error is not None and not isinstance(error, EvmRevert)):
            return None
        sstore_need = 0
        if watch.sstore_low is not None:
            sstore_need = gas - watch.sstore_low + SSTORE_SENTRY + 1
        return Outcome(
            error=None if error is None else _failure_of(computation),
            out_of_gas=False,
            output=b"" if error is not None else computation.output,
            consumed=max(gas - computation.get_gas_remaining(), _data_floor(data)),
            gas_sensitive=False,
            sstore_need=sstore_need,
        )

    def _run(self, sender: bytes, to: bytes, value: int, data: bytes, gas: int,
             number: int, watch: _Watch | None = None) -> Outcome:
        block = self._at_block(number)
        historic = block is not self.head
        live_db = self.state._account_db
        if historic:
            self.state._account_db = self.account_db_at(number)
            self._enter_block_context(block)
        else:
            live_db.undo, undo = None, live_db.undo  # a call's writes are undone at once
        ctx = self.state.execution_context
        ctx._base_fee_per_gas = 0
        try:
            self.state.lock_changes()
            snap = self.state.snapshot()
            cached = self.state._account_db._account_cache.items()
            try:
                nonce = self.state.get_nonce(sender)
                unsigned = self.builder.create_unsigned_transaction(
                    nonce=nonce, gas_price=0, gas=gas, to=to, value=value, data=data)
                tx = SpoofTransaction(unsigned, from_=sender)
                if self.state.get_balance(sender) < value:
                    raise RpcFailure(-32003, "Insufficient funds for gas * price + value")
                if gas < tx.intrinsic_gas:
                    raise RpcFailure(-32000, "intrinsic gas too low")
                computation = self.state.apply_transaction(tx)
                error = computation.error if computation.is_error else None
                sstore_need = 0
                if watch is not None and watch.sstore_low is not None:
                    sstore_need = gas - watch.sstore_low + SSTORE_SENTRY + 1
                least = None
                if (error is None and watch is not None and watch.frames is not None
                        and watch.gas_sensitive and not watch.opaque and not watch.gas_values
                        and to):
                    least = max(_least_limit(computation, gas, watch.frames),
                                _data_floor(data), tx.intrinsic_gas)
                return Outcome(
                    error=None if error is None else _failure_of(computation),
                    out_of_gas=error is not None and not isinstance(error, EvmRevert)
                    and "gas" in type(error).__name__.lower(),
                    output=b"" if error is not None else computation.output,
                    consumed=max(gas - computation.get_gas_remaining(), _data_floor(data)),
                    gas_sensitive=watch is None or watch.gas_sensitive or not to,
                    sstore_need=sstore_need,
                    least=least,
                )
            finally:
                self.state.revert(snap)
                _restore(self.state._account_db, cached)
        finally:
            ctx._base_fee_per_gas = self.head.base_fee
            if historic:
                self.state._account_db = live_db
                self._enter_block_context(self.head)
            else:
                live_db.undo = undo

    def call(self, sender: bytes, to: bytes, value: int, data: bytes, gas: int | None,
             number: int) -> bytes:
        """``eth_call``: the return data, or an anvil-shaped revert error."""
        outcome = self._execute(sender, to, value, data, min(gas or self.gas_limit,
                                                              self.gas_limit), number, lean=True,
                                view=True)
        if outcome.error is not None:
            raise outcome.error.fresh()
        return outcome.output

    def estimate_gas(self, sender: bytes, to: bytes, value: int, data: bytes, gas: int | None,
                     number: int) -> int:
        """``eth_estimateGas``: a gas limit that succeeds, at most ~3% above the least one.

        The EVM runs once with the cap. When that run made no call, read no GAS and created
        nothing, nothing in it depended on the gas left but running out and SSTORE's sentry:
        the least limit is what it consumed, or what the sentry needed if more (no second run).
        When it made calls that forward gas (GAS only to give a call all there is, no
        creation), the least limit follows from what each frame was given and had left
        (``_least_limit``, no second run either). Otherwise it runs again with exactly what was
        consumed, then with a 63/64-rule allowance on top; only when that is still short does
        a bisection follow.
        """
        cap = min(gas or self.gas_limit, self.gas_limit)
        first = self._execute(sender, to, value, data, cap, number, lean=True)
        if first.error is not None:
            if first.out_of_gas:
                raise RpcFailure(-32000, f"gas required exceeds allowance ({cap})")
            raise first.error.fresh()
        lo = first.consumed
        if not first.gas_sensitive:
            return min(cap, max(lo, first.sstore_need))
        if first.least is not None:  # calls that forward gas: worked out from the same run
            return min(cap, first.least)
        if self._execute(sender, to, value, data, lo, number).error is None:
            return lo
        hi = min(cap, lo * 65 // 63 + 2_300)
        if self._execute(sender, to, value, data, hi, number).error is None:
            return hi
        lo, hi = hi, cap
        while (hi - lo) * 100 > hi:
            mid = (lo + hi) // 2
            if self._execute(sender, to, value, data, mid, number).error is None:
                hi = mid
            else:
                lo = mid
        return hi

    # ---- snapshots -------------------------------------------------------------------------------
    def no_history(self, number: int) -> RpcFailure:
        """The error for a read at a past block whose state was not kept."""
        return RpcFailure(
            -32000, f"the state of block {number} was not kept (in-process chain with "
            "history=False): read at 'latest' or create the provider with history=True")

    def head_root(self) -> bytes:
        """The head's state root, persisting the state first if needed."""
        if self.head.state_root is None:
            self.state.persist()
            self.head.state_root = self.state.state_root
        return self.head.state_root

    def pin(self, number: int) -> None:
        """Keep block ``number``'s state readable after newer blocks (a read named it by number
        or hash: whoever pins a block may read it again, like the keeper's batches).

        With ``history=False`` the head is not persisted for that (a state root costs as
        much as many transactions): from now on the live state notes the value every slot and
        account had before its first change (``_Undo``), and a read at this block later
        rebuilds its state from the live one and those values (``account_db_at``).
        """
        head = self.head
        if number != head.number or head.state_root is not None:
            return
        if self._pins and self._pins[-1].block == number:
            return
        undo = _Undo(number)
        self._pins.append(undo)
        if len(self._pins) > MAX_PINNED:
            dropped = self._pins.pop(0)
            self._pinned_dbs.pop(dropped.block, None)
        self.state._account_db.undo = undo

    def account_db_at(self, number: int) -> Any:
        """The state of block ``number`` (the live one for the head); the clear error if it
        was not kept."""
        block = self._at_block(number)
        if block is self.head:
            return self.state._account_db
        if block.state_root is not None:
            return AccountDB(self.db, block.state_root)
        found = self._pinned_dbs.get(number)
        if found is not None:
            return found
        later = [u for u in self._pins if u.block >= number]
        if not later or later[0].block != number or any(u.broken for u in later):
            raise self.no_history(number)
        # the live state, persisted (rarely needed), with the values changed since put back:
        # older changes last, so each key gets its value from the first change after ``number``
        live = self.state._account_db
        live.undo, undo = None, live.undo
        try:
            self.state.lock_changes()
            root = self.head_root()
        finally:
            live.undo = undo
        db = AccountDB(self.db, root)
        for u in reversed(later):
            for (address, slot), value in u.slots.items():
                db.set_storage(address, slot, value)
            for address, fields in u.accounts.items():
                if fields is None:
                    db.delete_account(address)
                else:
                    balance, nonce, code_hash = fields
                    db.set_balance(address, balance)
                    db.set_nonce(address, nonce)
                    db._set_account(address, db._get_account(address).copy(code_hash=code_hash))
        db.lock_changes()
        self._pinned_dbs[number] = db
        return db

    def snapshot(self) -> int:
        snap_id = self.next_snapshot
        self.next_snapshot += 1
        self.snapshots[snap_id] = Snapshot(
            self.head.number, self.head_root(), [_copy(r) for r in self.pending],
            self.next_timestamp,
            self.time_increase, self.time_offset, self.base_fee)
        if self.recording is not None:
            self.recording.append(("snapshot", snap_id))
        return snap_id

    def revert(self, snap_id: int) -> bool:
        snap = self.snapshots.get(snap_id)
        if snap is None:
            return False
        for later in [k for k in self.snapshots if k >= snap_id]:
            del self.snapshots[later]
        for block in self.blocks[snap.height + 1:]:
            self._by_hash.pop(block.hash, None)
            for tx_hash in block.tx_hashes:
                self.txs.pop(tx_hash, None)
        del self.blocks[snap.height + 1:]
        for rec in self.pending:
            self.txs.pop(rec.hash, None)
        self.pending = [_copy(r) for r in snap.pending]
        for rec in self.pending:
            self.txs[rec.hash] = rec
        self.next_timestamp = snap.next_timestamp
        self.time_increase = snap.time_increase
        self.time_offset = snap.time_offset
        self.base_fee = snap.base_fee
        self.head.state_root = snap.root
        self.reopen_state(snap.root)
        self._pins.clear()  # their notes were taken on the abandoned branch
        self._pinned_dbs.clear()
        self.version += 1
        self._enter_block_context(self.head)
        if self.recording is not None:
            self.recording.append(("revert", snap_id))
        return True

    def record(self) -> list[tuple[Any, ...]]:
        """Start noting what changes the state, from genesis on (mined blocks with their
        transactions, state edits, snapshots, reverts): what ``replay_recording`` replays
        straight on the EVM. Call it before the first transaction."""
        if len(self.blocks) > 1 or self.pending:
            raise RuntimeError("record() must be called on a fresh chain")
        self.recording = [("genesis", self.head.hash)]
        return self.recording

    # ---- direct state edits (anvil_set*) ---------------------------------------------------------
    def edit_state(self, fn: Any) -> None:
        """Apply a state edit to the head state (anvil edits the latest state)."""
        self.state.lock_changes()
        db = self.state._account_db
        undo = db.undo
        if self._pins and self._pins[-1].block == self.head.number:
            # the head's own state changes: a pin of the head includes the edit, older pins
            # see it as a change after them
            db.undo = self._pins[-2] if len(self._pins) > 1 else None
        try:
            fn(self.state)
        finally:
            db.undo = undo
        self.version += 1
        if self.recording is not None:
            self.recording.append(("edit", fn))
        if self.history:
            self.state.persist()
            self.head.state_root = self.state.state_root
        else:
            self.state.lock_changes()
            self.head.state_root = None


SSTORE_SENTRY = 2_300  # EIP-2200: SSTORE fails with this much gas left or less
CALL_STIPEND = 2_300  # what a call that moves value gives on top, free to the caller
MAX_PINNED = 64  # pinned blocks (history=False) whose state stays readable


class _Undo:
    """The values slots and accounts had at a pinned block before their first change after
    it, up to the next pinned block (``Node.pin``); ``broken`` when a storage was wiped."""

    __slots__ = ("accounts", "block", "broken", "slots")

    def __init__(self, block: int) -> None:
        self.block = block
        self.slots: dict[tuple[bytes, int], int] = {}
        self.accounts: dict[bytes, tuple[int, int, bytes] | None] = {}
        self.broken = False


class _Watch:
    """What a call did that its answer may depend on besides the state it read
    (``_WATCHED`` opcodes): ``volatile`` (block values, contract creation: not remembered),
    ``gas_sensitive`` (GAS, calls, creation: the least gas limit is not simply what it
    consumed) and the least gas left at an SSTORE of the outermost frame.

    While a call runs as a transaction for an estimate (``tree``), every frame's calls and
    least gas left at an SSTORE are noted too (``frames``, by ``id`` of the computation), so
    ``_least_limit`` can work out the least gas limit from this one run; ``opaque`` when
    something in it depends on the gas left in a way that analysis does not follow (a
    creation, a frame that failed other than by a revert; ``gas_values`` left over: GAS read
    other than to give it to a call)."""

    __slots__ = ("frames", "frames_only", "gas_sensitive", "gas_values", "opaque", "sstore_low",
                 "volatile")

    def __init__(self, frames_only: bool = False, tree: bool = False) -> None:
        self.volatile = False
        self.gas_sensitive = False
        self.sstore_low: int | None = None
        self.frames_only = frames_only  # a gas-sensitive opcode ends the run (``_Abandon``)
        self.opaque = False
        # id(computation) -> [least gas left before an SSTORE or None, its calls]
        self.frames: dict[int, list[Any]] | None = {} if tree else None
        self.gas_values: dict[tuple[int, int], int] = {}  # GAS values no call took yet


class _Abandon(Exception):
    """Raised out of the EVM when a frames-only run meets an opcode that makes its answer
    unusable (it will be run again as a transaction): the rest of the run would be wasted."""


class _LiveAccountDB(AccountDB):
    """py-evm's account database of the live state, which can note the values the first change
    of each slot or account after a pinned block overwrites (``undo``: None while no block is
    pinned) and, as ``_ReadingAccountDB`` while a remembered call runs, the state its frames
    read (``reads``: the transaction's own checks and fees, with no value and no gas price,
    depend on nothing)."""

    reads: dict[Any, None] | None = None
    gate: dict[Any, None] | None = None  # ``reads`` while the call's frames run
    undo: _Undo | None = None
    watch: _Watch | None = None

    def set_storage(self, address: bytes, slot: int, value: int) -> None:
        undo = self.undo
        if undo is not None and (address, slot) not in undo.slots:
            undo.slots[(address, slot)] = super().get_storage(address, slot)
        super().set_storage(address, slot, value)

    def _note_account(self, address: bytes) -> None:
        undo = self.undo
        if undo is not None and address not in undo.accounts:
            if super().account_exists(address):
                account = super()._get_account(address)
                undo.accounts[address] = (account.balance, account.nonce, account.code_hash)
            else:
                undo.accounts[address] = None

    def _set_account(self, address: bytes, account: Any) -> None:
        self._note_account(address)
        super()._set_account(address, account)

    def delete_account(self, address: bytes) -> None:
        self._note_account(address)
        super().delete_account(address)

    def _wipe_storage(self, address: bytes) -> None:
        if self.undo is not None and super().get_code_hash(address) != EMPTY_SHA3:
            self.undo.broken = True  # its slots cannot be listed: that block is not kept
        super()._wipe_storage(address)


class _ReadingAccountDB(_LiveAccountDB):
    """The live account database while a remembered call runs: notes what its frames read."""

    def get_storage(self, address: bytes, slot: int, from_journal: bool = True) -> int:
        if self.reads is not None:
            self.reads[(address, slot)] = None
        return super().get_storage(address, slot, from_journal)

    def _get_account(self, address: bytes, from_journal: bool = True) -> Any:
        if self.reads is not None:
            self.reads[address] = None
        return super()._get_account(address, from_journal)

    def _get_encoded_account(self, address: bytes, from_journal: bool = True) -> bytes:
        if self.reads is not None:
            self.reads[address] = None
        return super()._get_encoded_account(address, from_journal)


def _restore(db: Any, cached: list[tuple[bytes, Any]]) -> None:
    """Put back the accounts py-evm's account cache held before a call it has just undone
    (undoing empties that cache; those accounts are as they were, and decoding them again
    costs every later read)."""
    cache = db._account_cache
    for address, account in reversed(cached):  # the most recently used goes back last
        cache[address] = account


def _read_again(db: Any, key: Any) -> Any:
    """The value now of one piece of state a call read: a storage slot, or an account's balance,
    nonce, code and (when all three are blank) whether it exists."""
    if isinstance(key, tuple):
        return db.get_storage(key[0], key[1])
    account = db._get_account(key)
    balance, nonce, code_hash = account.balance, account.nonce, account.code_hash
    if not balance and not nonce and code_hash == EMPTY_SHA3 and not db.account_exists(key):
        return None
    return balance, nonce, code_hash


class _Watched:
    """An opcode that tells the running call's ``_Watch`` it ran."""

    __slots__ = ("fn", "gas_sensitive", "mnemonic", "volatile")

    def __init__(self, fn: Any, volatile: bool, gas_sensitive: bool) -> None:
        self.fn = fn
        self.mnemonic = getattr(fn, "mnemonic", "")
        self.volatile = volatile
        self.gas_sensitive = gas_sensitive

    def __call__(self, computation: Any) -> Any:
        watch = getattr(computation.state._account_db, "watch", None)
        if watch is not None:
            self._note(watch, computation)
        return self.fn(computation=computation)

    def _note(self, watch: _Watch, computation: Any) -> None:
        watch.volatile |= self.volatile
        if self.gas_sensitive:
            watch.gas_sensitive = True
            if watch.frames_only:
                raise _Abandon
            if self.volatile:  # creation, SELFDESTRUCT: not analysed
                watch.opaque = True


class _WatchedGas(_Watched):
    """GAS: harmless to the least-limit analysis when what it pushed is the gas a call asks
    for (how Vyper and Solidity forward all there is: that is never less than what the 63/64
    rule allows the call, whatever the limit); a GAS value no call takes makes it opaque."""

    __slots__ = ()

    def __call__(self, computation: Any) -> Any:
        watch = getattr(computation.state._account_db, "watch", None)
        if watch is None:
            return self.fn(computation=computation)
        self._note(watch, computation)
        result = self.fn(computation=computation)
        if watch.frames is not None:
            key = (id(computation), computation._stack.values[-1])
            watch.gas_values[key] = watch.gas_values.get(key, 0) + 1
        return result


class _WatchedCall(_Watched):
    """A call: for the least-limit analysis, notes in the calling frame what the callee was
    given and what the 63/64 rule allowed (``_least_limit``)."""

    __slots__ = ()

    def __call__(self, computation: Any) -> Any:
        watch = getattr(computation.state._account_db, "watch", None)
        if watch is None:
            return self.fn(computation=computation)
        self._note(watch, computation)
        if watch.frames is None:
            return self.fn(computation=computation)
        values = computation._stack.values
        requested = values[-1]
        if not isinstance(requested, int):
            requested = int.from_bytes(requested, "big")
        fed = watch.gas_values.get((id(computation), requested))
        if fed:  # what a GAS pushed: it asks for all there is (the 63/64 rule decides)
            if fed == 1:
                del watch.gas_values[(id(computation), requested)]
            else:
                watch.gas_values[(id(computation), requested)] = fed - 1
            requested = None
        value = 0
        if self.mnemonic in ("CALL", "CALLCODE"):
            raw = values[-3]
            value = raw if isinstance(raw, int) else int.from_bytes(raw, "big")
        children = computation.children
        before = len(children)
        result = self.fn(computation=computation)
        if len(children) > before:
            child = children[-1]
            given = child.msg.gas - (CALL_STIPEND if value else 0)  # the stipend is free
            returned = child.get_gas_remaining() if child.should_return_gas else 0
            basis = computation.get_gas_remaining() + given - returned  # left after the fees
            if child.is_error and not isinstance(child.error, EvmRevert):
                watch.opaque = True
            frame = watch.frames.setdefault(id(computation), [None, []])
            frame[1].append((child, basis, given, requested))
        return result


class _WatchedSstore(_Watched):
    """SSTORE, noting the least gas left when it runs (its sentry needs more than 2,300)."""

    __slots__ = ()

    def __call__(self, computation: Any) -> Any:
        watch = getattr(computation.state._account_db, "watch", None)
        if watch is not None:
            left = computation.get_gas_remaining()
            if watch.sstore_low is None or left < watch.sstore_low:
                watch.sstore_low = left
            if watch.frames is not None:
                frame = watch.frames.setdefault(id(computation), [None, []])
                if frame[0] is None or left < frame[0]:
                    frame[0] = left
        return self.fn(computation=computation)


_CALLS = (b"\xf1", b"\xf2", b"\xf4", b"\xfa")


def _least_limit(top: Any, limit: int, frames: dict[int, list[Any]]) -> int:
    """The least gas limit with which a transaction runs exactly as it did with ``limit``,
    from that one run (``_Watch.frames``; nothing in it opaque).

    Lowering the limit by d lowers the gas left in the outermost frame by d at every step
    (the gas left in a frame only falls: a callee's unused gas comes back). A callee that got
    ``min(requested, a - a // 64)`` of the ``a`` its caller had left after the call's fees now
    gets that of ``a - d``: less by what that takes, and so on down. A frame still runs the
    same while what it had left at its end, and before each SSTORE beyond the 2,300-gas
    sentry, covers what it lost. Every condition only tightens as d grows: the largest d
    is found by bisection over the noted figures, without the EVM."""

    def fits(computation: Any, lost: int) -> bool:
        if lost <= 0:
            return True
        if lost > computation.get_gas_remaining():
            return False
        low, calls = frames.get(id(computation), (None, ()))
        if low is not None and low - lost <= SSTORE_SENTRY:
            return False
        for child, basis, given, requested in calls:
            left = basis - lost
            allowed = left - left // 64
            if requested is not None:
                allowed = min(requested, allowed)
            if not fits(child, given - allowed):
                return False
        return True

    lo, hi = 0, top.get_gas_remaining()  # lo fits; find the largest that does
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(top, mid):
            lo = mid
        else:
            hi = mid - 1
    return limit - lo


# opcode -> (volatile, gas_sensitive): block values (BLOCKHASH .. BLOBBASEFEE but CHAINID and
# SELFBALANCE, which are constant or read through the state), GAS, calls, creation
_WATCHED = {
    **dict.fromkeys((0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x48, 0x49, 0x4A), (True, False)),
    0x5A: (False, True),
    **dict.fromkeys((0xF1, 0xF2, 0xF4, 0xFA), (False, True)),
    **dict.fromkeys((0xF0, 0xF5, 0xFF), (True, True)),
}


_BLOOM_BITS: dict[bytes, int] = {}  # an address's or topic's bits in a logs bloom


def _bloom_bits(value: bytes) -> int:
    """The three bits ``value`` sets in a logs bloom (the same contracts and topics come back
    in most blocks: computed once each)."""
    bits = _BLOOM_BITS.get(value)
    if bits is None:
        if len(_BLOOM_BITS) > 100_000:
            _BLOOM_BITS.clear()
        one = BloomFilter()
        one.add(value)
        bits = _BLOOM_BITS[value] = one.value
    return bits


def _data_floor(data: bytes) -> int:
    """EIP-7623's least gas for a transaction's calldata (Prague)."""
    zeros = data.count(0)
    return 21_000 + 10 * (zeros + 4 * (len(data) - zeros))


def _copy(rec: TxRecord) -> TxRecord:
    """A pending transaction as it is now (mining fills in the original)."""
    return replace(rec, json=dict(rec.json))


def _failure_of(computation: Any) -> RpcFailure:
    if isinstance(computation.error, EvmRevert):
        return revert_failure(computation.output)
    return RpcFailure(-32603, f"EvmError: {type(computation.error).__name__}")


class _Code(TracingCodeStream):
    """titanoboa's code stream without its per-opcode trace (only its coverage tools read it)."""

    __slots__ = ()

    def __iter__(self) -> Iterator[int]:
        raw = self._raw_code_bytes
        end = self._length_cache
        while self.program_counter < end:
            opcode = raw[self.program_counter]
            self.program_counter += 1
            yield opcode
        yield STOP


# JUMPDEST analysis per contract code, shared by every call frame of every chain (py-evm redoes
# it for each new frame otherwise): (valid positions, invalid positions), pure functions of code.
_JUMPDESTS: dict[bytes, tuple[set[int], set[int]]] = {}


def _fast_computation(base: type) -> type:
    """``base`` (titanoboa's computation class) with the untraced code stream and the shared
    JUMPDEST analysis."""

    class FastComputation(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            code = self.code
            code.__class__ = _Code
            raw = code._raw_code_bytes
            known = _JUMPDESTS.get(raw)
            if known is None:
                if len(_JUMPDESTS) > 2_000:
                    _JUMPDESTS.clear()
                known = _JUMPDESTS[raw] = (set(), set())
            code.valid_positions, code.invalid_positions = known

        @classmethod
        def apply_computation(cls, state: Any, message: Any, transaction_context: Any,
                              **kwargs: Any) -> Any:
            db = state._account_db
            gate = getattr(db, "gate", None)
            if gate is None or message.depth:
                return super().apply_computation(state, message, transaction_context, **kwargs)
            db.reads = gate  # the outermost frame of a call whose reads are noted
            try:
                return super().apply_computation(state, message, transaction_context, **kwargs)
            finally:
                db.reads = None

    return FastComputation


def make_env() -> Any:
    """A fresh ``boa.Env`` whose EVM does not trace SHA3/SSTORE (titanoboa's storage-dump
    tracers), leaving titanoboa's shared state (opcode table, address generator) as it was."""
    singleton_cls = boa.env.evm.vm.state.computation_class
    owner = next(k for k in singleton_cls.__mro__[1:] if "opcodes" in k.__dict__)
    saved = {op: owner.opcodes[op] for op in (0x20, 0x55)}
    random_state = boa.Env._random.getstate()  # titanoboa's shared address generator
    env = boa.Env()
    boa.Env._random.setstate(random_state)
    owner.opcodes.update(saved)  # undo the new Env's wrapping of the shared table
    own = dict(owner.opcodes)
    for op, fn in saved.items():
        while hasattr(fn, "env") and (hasattr(fn, "sha3") or hasattr(fn, "sstore")):
            fn = getattr(fn, "sha3", None) or fn.sstore
        own[op] = fn
    for op, (volatile, gas_sensitive) in _WATCHED.items():
        if op in own:
            kind = (_WatchedGas if op == 0x5A else _WatchedCall if bytes([op]) in _CALLS
                    else _Watched)
            own[op] = kind(own[op], volatile, gas_sensitive)
    own[0x55] = _WatchedSstore(own[0x55], False, False)
    state = env.evm.vm.state
    state.computation_class.opcodes = own
    state.computation_class = _fast_computation(state.computation_class)
    return env
