"""Send transactions safely: simulate first, EIP-1559 fees, one nonce manager per account,
same-nonce replacement with higher fees on a schedule up to a cap, dropped transactions resent.

Two ways to use it:

- ``TxSender.send(tx)`` blocks until the transaction is mined and returns the receipt (the CLI);
- ``TxSender.submit(tx)`` returns a :class:`PendingTx` at once and ``TxSender.poll()`` moves every
  transaction in flight forward by one step (the keeper calls it once per block): it collects
  receipts, replaces transactions that stay unmined for ``bump_every_blocks`` blocks with the same
  nonce and ``bump_percent`` higher fees (never above ``max_fee_gwei``), resends transactions the
  node dropped and reports receipts with status 0 as failed.

Every round trip to the node is a JSON-RPC batch, cut into chunks the node accepts
(``backstop.chain.batch``): ``submit_many`` costs two (one batch that simulates, estimates gas
and reads the base fee and nonce; one that sends them all), ``poll`` one while nothing is mined
(the head and the account's mined and pending nonces: a transaction is followed by its nonce),
then the new blocks' receipts (``eth_getBlockReceipts``) and one batch of every replacement and
resend due. The simulation before sending is the node's ``eth_estimateGas`` against the
*pending* block (``simulate_block``; nodes differ when no tag is given: anvil runs it on the
pending block, geth on the latest), so a transaction already sent, ours or someone else's,
counts; ``simulate()`` is a plain ``eth_call``.

Sends can never wedge the account: every send's outcome is classified (``SendOutcome``):
accepted (a valid hash), rejected with a reason (the nonce is given back if nothing after it
was sent), or unknown (a fault on the way, garbage, ``null``, a malformed hash, an internal
error): the transaction may be in the node's pool, so its nonce is kept and the locally computed
hash followed; the next poll sees by the nonce counts whether the node holds it and resends the
same bytes if not. ``on_sent(tx_hash, nonce)`` (constructor or ``send()``) is called once per
version sent.

``tx`` is a web3 contract function call (``pool.functions.enterAuction(7)``) or a TxParams-like
dict with ``to`` and optional ``data`` and ``value`` (without ``to``: a contract creation whose
``data`` is the initcode; the receipt's ``contractAddress`` is the new contract). The account is
an eth-account ``LocalAccount`` (signed here, sent raw) or the address of an account the node
has unlocked (dev chains: anvil, the in-process chain), sent with ``eth_sendTransaction``.

Fees are integers in wei; the ``*_gwei`` options take an int or an exact decimal string ("1.5").
"""

from __future__ import annotations

import functools
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import coincurve
import rlp
from eth_account.signers.local import LocalAccount
from eth_utils import keccak, to_checksum_address
from hexbytes import HexBytes
from web3 import Web3

from backstop.chain.batch import TRANSIENT_CODES, policy_of, result_of, send_batch
from backstop.chain.errors import (
    Revert,
    RpcError,
    RpcUnavailable,
    unavailable_from,
)

GWEI = 10**9
DEFAULT_PRIORITY_FEE_GWEI = "1"
DEFAULT_BUMP_PERCENT = 15  # nodes require >= 10% on both fees to replace a transaction
DEFAULT_BUMP_EVERY_BLOCKS = 2
GAS_MARGIN_PERCENT = 25
ORPHAN_POLLS = 5  # polls that must agree before a nonce counts as taken by another transaction
_GWEI_TEXT = re.compile(r"^\s*(\d+)(?:\.(\d{0,9}))?\s*$")


class TxError(Exception):
    """A transaction could not be sent or did not succeed."""


class TxFailed(TxError):
    """The transaction was mined with status 0 (it reverted on chain)."""

    def __init__(self, message: str, receipt: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.receipt = receipt


class TxTimeout(TxError):
    """``send(wait=True)`` gave up waiting for a receipt."""


class FeeTooLow(TxError):
    """The base fee is above the fee cap: nothing was sent; try again when it falls."""


def is_connection_error(exc: BaseException) -> bool:
    """The node could not be reached or did not answer in time (refused, reset, timed out, HTTP
    5xx / 408 / 429): the one classification of ``backstop.chain.errors.unavailable_from``."""
    return unavailable_from(exc) is not None


def parse_gwei(value: int | str | None) -> int | None:
    """An amount of gwei (int, or an exact decimal string with at most 9 decimals) in wei."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"not an amount of gwei: {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"an amount of gwei cannot be negative: {value}")
        return value * GWEI
    if isinstance(value, str):
        m = _GWEI_TEXT.match(value)
        if not m:
            raise ValueError(
                f"{value.strip()!r} is not an amount of gwei: write it like 30 or 1.5 "
                "(at most 9 decimals)"
            )
        return int(m.group(1)) * GWEI + int((m.group(2) or "").ljust(9, "0"))
    raise ValueError(f"not an amount of gwei: {value!r}")


def format_gwei(wei: int) -> str:
    """Wei as an exact decimal number of gwei ("1.5"), for messages."""
    whole, frac = divmod(wei, GWEI)
    frac_s = str(frac).rjust(9, "0").rstrip("0")
    return f"{whole}.{frac_s}" if frac_s else str(whole)


# ---- nonces -----------------------------------------------------------------------------------


class NonceManager:
    """Hands out nonces for one account, thread-safe.

    It follows the node's pending nonce whenever nothing of ours is in flight (so a restart, a
    reorg or a transaction sent by someone else with the same key never leaves a gap), and counts
    on from its own last nonce while transactions are in flight.
    """

    def __init__(self, address: str) -> None:
        self.address = address
        self._lock = threading.Lock()
        self._next: int | None = None
        self._in_flight: set[int] = set()

    def allocate(self, chain_pending: int) -> int:
        """The next nonce, given the node's ``eth_getTransactionCount(address, "pending")``."""
        with self._lock:
            if self._next is None or not self._in_flight:
                self._next = chain_pending
            else:
                self._next = max(self._next, chain_pending)
            nonce = self._next
            self._next += 1
            self._in_flight.add(nonce)
            return nonce

    def allocate_at(self, nonce: int) -> int:
        """``nonce`` itself (chosen by the caller: replacing a transaction in flight, or filling
        a gap); the next ``allocate`` counts on from it."""
        with self._lock:
            self._next = max(self._next or 0, nonce + 1)
            self._in_flight.add(nonce)
            return nonce

    def settle(self, nonce: int) -> None:
        """The transaction with this nonce is mined, failed or abandoned."""
        with self._lock:
            self._in_flight.discard(nonce)

    def adopt(self, nonce: int) -> None:
        """A transaction with this nonce, sent before (by an earlier run), is in flight."""
        with self._lock:
            self._in_flight.add(nonce)
            if self._next is None or self._next <= nonce:
                self._next = nonce + 1

    def release(self, nonce: int) -> None:
        """The transaction with this nonce never reached the node: the nonce can be used again."""
        with self._lock:
            self._in_flight.discard(nonce)
            if self._next == nonce + 1:
                self._next = nonce

    def resync(self) -> None:
        """Forget the local count: the next ``allocate`` follows the node."""
        with self._lock:
            self._next = None


_MANAGERS: dict[tuple[object, str], NonceManager] = {}
_MANAGERS_LOCK = threading.Lock()


def nonce_manager(w3: Web3, address: str) -> NonceManager:
    """The one nonce manager of ``address`` on the node behind ``w3``."""
    provider = w3.provider
    endpoint = getattr(provider, "endpoint_uri", None) or id(provider)
    key = (endpoint, address.lower())
    with _MANAGERS_LOCK:
        if key not in _MANAGERS:
            _MANAGERS[key] = NonceManager(to_checksum_address(address))
        return _MANAGERS[key]


# ---- signing ------------------------------------------------------------------------------------


def sign_dynamic_fee(key: bytes, chain_id: int, nonce: int, priority_fee: int, max_fee: int,
                     gas: int, to: str | None, value: int, data: bytes) -> tuple[bytes, str]:
    """An EIP-1559 (type 2) transaction signed with ``key``: ``(raw bytes, 0x hash)``.

    The same bytes as eth-account's ``sign_transaction`` (deterministic RFC 6979 signatures,
    low s) in a tenth of the time: RLP by hand and libsecp256k1 through coincurve.
    """
    to_bytes = bytes.fromhex(to[2:]) if to else b""
    fields = [chain_id, nonce, priority_fee, max_fee, gas, to_bytes, value, data, []]
    unsigned = b"\x02" + rlp.encode(fields)
    signature = _private_key(key).sign_recoverable(keccak(unsigned), hasher=None)
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:64], "big")
    raw = b"\x02" + rlp.encode([*fields, signature[64], r, s])
    return raw, "0x" + keccak(raw).hex()


def sign_digest(key: bytes, digest: bytes) -> tuple[int, bytes, bytes]:
    """``(v, r, s)`` of ``key``'s signature of a 32-byte digest (EIP-712 and the like), v 27
    or 28; the same deterministic, low-s signature as eth-account's, through libsecp256k1."""
    signature = _private_key(bytes(key)).sign_recoverable(digest, hasher=None)
    return 27 + signature[64], signature[:32], signature[32:64]


@functools.lru_cache(maxsize=1_024)
def _private_key(key: bytes) -> coincurve.PrivateKey:
    return coincurve.PrivateKey(key)


_HASH = re.compile(r"^0x[0-9a-fA-F]{64}$")


def is_tx_hash(value: Any) -> bool:
    """``value`` is a 0x-prefixed 32-byte hex string."""
    return isinstance(value, str) and bool(_HASH.match(value))


# ---- transactions in flight ---------------------------------------------------------------------


class TxState(Enum):
    """Where a submitted transaction stands."""

    PENDING = "pending"
    MINED = "mined"  # receipt with status 1
    FAILED = "failed"  # receipt with status 0
    REPLACED = "replaced"  # its nonce was used by a transaction that is not ours


class SendOutcome(Enum):
    """What the node said to one send."""

    ACCEPTED = "accepted"  # it answered with the transaction's hash (or "already known")
    REJECTED = "rejected"  # it answered with an error saying why: the transaction is not there
    UNKNOWN = "unknown"  # no usable answer (timeout, garbage, null, internal error): maybe there


class Deferred(TxError):
    """Not sent in this block: the block is full with the transactions sent before it."""


@dataclass
class Fees:
    """EIP-1559 fees of one version of a transaction, in wei."""

    max_fee: int
    priority_fee: int


@dataclass
class PendingTx:
    """One logical transaction and every version of it (same nonce) sent so far."""

    label: str
    nonce: int
    call: dict[str, Any]
    gas: int
    fees: Fees
    sent_block: int
    last_sent_block: int
    hashes: list[str] = field(default_factory=list)
    state: TxState = TxState.PENDING
    receipt: dict[str, Any] | None = None
    replacements: int = 0
    resends: int = 0
    orphan_polls: int = 0
    max_fee_cap: int | None = None  # this transaction's own cap (None: the sender's)
    unknown_sends: int = 0
    _raw: bytes | None = field(default=None, repr=False)

    @property
    def hash(self) -> str:
        """The hash of the newest version ("" if no version reached the node yet)."""
        return self.hashes[-1] if self.hashes else ""

    @property
    def done(self) -> bool:
        """True once mined, failed or replaced."""
        return self.state is not TxState.PENDING


Listener = Callable[[str, PendingTx, dict[str, Any]], None]
OnSent = Callable[[str, int], None]
"""``on_sent(tx_hash, nonce)``: called once per version sent (first send and replacements);
``tx_hash`` is "" for an unlocked account whose send had no usable answer."""

RAW_RESENDS = 3  # a raw send with no usable answer is sent again this many times at once
RECEIPT_SCAN_BLOCKS = 8  # blocks of receipts read with eth_getBlockReceipts per poll at most
BLOCK_RECEIPTS_MAX = 1_000  # larger head blocks: receipts per hash (anvil: 13 s for 5,000)


def _hex(n: int) -> str:
    return hex(n)


def _to_int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value, 16)
        except ValueError:
            pass
    raise RpcError(f"the node answered {value!r} where a number was expected")


class TxSender:
    """Sends transactions for one account on one node; see the module docstring."""

    def __init__(
        self,
        w3: Web3,
        account: LocalAccount | str,
        *,
        max_fee_gwei: int | str | None = None,
        priority_fee_gwei: int | str = DEFAULT_PRIORITY_FEE_GWEI,
        bump_percent: int = DEFAULT_BUMP_PERCENT,
        bump_every_blocks: int = DEFAULT_BUMP_EVERY_BLOCKS,
        listener: Listener | None = None,
        on_sent: OnSent | None = None,
        simulate_block: str = "pending",
        first_nonce: int | None = None,
        start_at_cap: bool = False,
    ) -> None:
        if bump_percent < 10:
            raise ValueError("bump_percent must be at least 10: nodes refuse smaller replacements")
        if bump_every_blocks < 1:
            raise ValueError("bump_every_blocks must be at least 1")
        self.w3 = w3
        if isinstance(account, str):
            self.account: LocalAccount | None = None
            self.address = to_checksum_address(account)
        else:
            self.account = account
            self.address = to_checksum_address(account.address)
        self.max_fee_cap = parse_gwei(max_fee_gwei)
        self.priority_fee = parse_gwei(priority_fee_gwei) or 0
        self.bump_percent = bump_percent
        self.bump_every_blocks = bump_every_blocks
        self.listener = listener
        self.on_sent = on_sent
        self.simulate_block = simulate_block
        self.nonces = nonce_manager(w3, self.address)
        # the nonce of the first send, where the caller chose it (replacing a stuck
        # transaction); the next sends count on from it
        self.first_nonce = first_nonce
        # maxFeePerGas is the cap from the first send (a fee the user chose), not 2 x base
        # fee + tip below it; nothing is then replaced above it
        self.start_at_cap = start_at_cap
        self._chain_id: int | None = None
        self._lock = threading.RLock()
        self._pending: list[PendingTx] = []
        self._scanned = -1  # the newest block whose receipts were read
        self._block_receipts = True  # the node serves eth_getBlockReceipts
        self.block_receipts_max = BLOCK_RECEIPTS_MAX
        self._key: bytes | None = None
        # the fast signer only for an account that signs as LocalAccount does
        if self.account is not None and (
                type(self.account).sign_transaction is LocalAccount.sign_transaction):
            try:
                self._key = bytes(self.account.key)
            except (AttributeError, TypeError):
                self._key = None

    # ---- public API -----------------------------------------------------------------------------

    @property
    def in_flight(self) -> list[PendingTx]:
        """Transactions submitted and not yet mined, failed or replaced."""
        with self._lock:
            return list(self._pending)

    def simulate(self, tx: Any, block: str = "latest") -> bytes:
        """Run ``tx`` as an eth_call from this account; return its output or raise ``Revert``."""
        call = self._call_params(tx)
        (resp,) = self._batch([("eth_call", [call, block])])
        return HexBytes(self._result("eth_call", resp))

    def submit(self, tx: Any, label: str = "") -> PendingTx:
        """Simulate, estimate gas, sign and send ``tx`` without waiting for it to be mined.

        Raises ``Revert`` (nothing sent) if it would revert, ``FeeTooLow`` (nothing sent) if the
        base fee is above the cap, ``RpcError`` if the node refuses it.
        """
        (result,) = self.submit_many([(tx, label)])
        if isinstance(result, Exception):
            raise result
        return result

    def submit_many(self, txs: Sequence[tuple[Any, str]], *,
                    max_fees: Sequence[int | None] | None = None,
                    priority_fee: int | None = None,
                    gas_budget: int | None = None) -> list[PendingTx | Exception]:
        """Submit several transactions in two round trips (one batch to simulate them all and
        read the base fee and nonce, one to send them all), in order, consecutive nonces.

        Returns, per transaction, its ``PendingTx`` or the exception that kept it from being
        sent (``Revert``, ``FeeTooLow``, ``RpcError``, ``Deferred``). Each is simulated on its
        own against the pending block (``simulate_block``), so transactions that depend on
        each other belong in separate calls. ``max_fees`` caps each transaction's fee (wei per
        gas; None: the sender's cap), ``priority_fee`` overrides the tip for these. At most a
        block's gas limit (or ``gas_budget``) of estimated gas is sent; the rest are
        ``Deferred`` (send them again next block).
        """
        if not txs:
            return []
        calls = [self._call_params(tx) for tx, _ in txs]
        requests: list[tuple[str, list[Any]]] = [
            ("eth_getBlockByNumber", ["latest", False]),
            ("eth_getTransactionCount", [self.address, "pending"]),
        ]
        # eth_estimateGas runs the transaction against the pending state (transactions already
        # sent, ours and others', count): it is the simulation (a revert comes back with its
        # reason, as from eth_call) and gives the gas limit.
        requests += [("eth_estimateGas", [call, self.simulate_block]) for call in calls]
        responses = self._batch(requests)
        head = self._result("eth_getBlockByNumber", responses[0])
        if not isinstance(head, Mapping):
            raise RpcError(f"eth_getBlockByNumber answered {head!r}")
        chain_pending = _to_int(self._result("eth_getTransactionCount", responses[1]))
        base_fee = _to_int(head.get("baseFeePerGas") or "0x0")
        number = _to_int(head["number"])
        budget = gas_budget if gas_budget is not None else _to_int(
            head.get("gasLimit") or hex(30_000_000))
        results: list[PendingTx | Exception] = []
        ready: list[PendingTx] = []
        for i, ((_, label), call) in enumerate(zip(txs, calls, strict=True)):
            cap = max_fees[i] if max_fees is not None else None
            fees = self._initial_fees(base_fee, cap, priority_fee)
            try:
                estimate = _to_int(self._result("eth_estimateGas", responses[2 + i]))
                if fees.max_fee < base_fee:
                    raise FeeTooLow(f"base fee {format_gwei(base_fee)} gwei is above the cap "
                                    f"of {format_gwei(fees.max_fee)} gwei: not sent")
                if estimate > budget:
                    raise Deferred("the block is full with the transactions sent before")
            except (Revert, RpcError, FeeTooLow, Deferred) as exc:
                results.append(exc)
                continue
            budget -= estimate
            if self.first_nonce is not None:  # chosen by the caller, whatever is in flight
                nonce, self.first_nonce = self.nonces.allocate_at(self.first_nonce), None
            else:
                nonce = self.nonces.allocate(chain_pending)
            ptx = PendingTx(label=label or str(call.get("data", "0x"))[:10],
                            nonce=nonce, call=call,
                            gas=estimate * (100 + GAS_MARGIN_PERCENT) // 100,
                            fees=fees, sent_block=number, last_sent_block=number,
                            max_fee_cap=cap)
            ready.append(ptx)
            results.append(ptx)
        outcomes = self._broadcast_many(ready)
        # A transaction the node refused leaves a gap if later ones got through: keep it, and
        # poll() sends it again; refused ones at the end give their nonces back. A send with
        # no usable answer may have reached the node: its nonce is never given back.
        tail = len(ready)
        while tail > 0 and outcomes[tail - 1][0] is SendOutcome.REJECTED:
            tail -= 1
        for k, ptx in enumerate(ready):
            outcome, error = outcomes[k]
            if outcome is SendOutcome.REJECTED and k >= tail:
                self.nonces.release(ptx.nonce)
                results[results.index(ptx)] = error or RpcError("send refused")
                continue
            with self._lock:
                self._pending.append(ptx)
            if outcome is SendOutcome.ACCEPTED:
                self._emit("sent", ptx, max_fee=ptx.fees.max_fee,
                           priority_fee=ptx.fees.priority_fee)
            elif outcome is SendOutcome.UNKNOWN:
                self._emit("send_unknown", ptx, error=str(error))
            else:
                self._emit("send_error", ptx, error=str(error))
        if tail < len(ready):
            self.nonces.resync()
        return results

    def adopt(self, tx: Mapping[str, Any], label: str = "") -> PendingTx:
        """Take over a transaction of this account still in the node's pool (as
        ``eth_getTransactionByHash`` or ``txpool_content`` show it), sent by an earlier run:
        from now on ``poll()`` follows it, replaces it with higher fees or resends it."""
        if to_checksum_address(tx["from"]) != self.address:
            raise ValueError(f"transaction {tx.get('hash')} is not from {self.address}")
        call = {"from": self.address, "data": tx.get("input") or tx.get("data") or "0x",
                "value": _hex(_to_int(tx.get("value") or "0x0"))}
        if tx.get("to"):
            call["to"] = to_checksum_address(tx["to"])
        max_fee = _to_int(tx.get("maxFeePerGas") or tx.get("gasPrice") or "0x0")
        priority = _to_int(tx.get("maxPriorityFeePerGas") or tx.get("gasPrice") or "0x0")
        (resp,) = self._batch([("eth_getBlockByNumber", ["latest", False])])
        head = self._result("eth_getBlockByNumber", resp)
        number = _to_int(head["number"])
        ptx = PendingTx(label=label or str(call["data"])[:10], nonce=_to_int(tx["nonce"]),
                        call=call, gas=_to_int(tx["gas"]), fees=Fees(max_fee, priority),
                        sent_block=number, last_sent_block=number, hashes=[str(tx["hash"])])
        self.nonces.adopt(ptx.nonce)
        with self._lock:
            self._pending.append(ptx)
        self._emit("adopted", ptx, max_fee=max_fee, priority_fee=priority)
        return ptx

    def send(self, tx: Any, wait: bool = True, label: str = "", timeout: float = 120.0,
             poll_interval: float = 0.05,
             on_sent: OnSent | None = None) -> dict[str, Any] | PendingTx:
        """Simulate then send ``tx``; with ``wait`` return its receipt once mined.

        Raises ``Revert`` before sending if it would revert, ``TxFailed`` if it was mined with
        status 0 or its nonce was taken by another transaction, ``TxTimeout`` after ``timeout``
        seconds. With ``wait=False`` returns the ``PendingTx`` (drive it with ``poll()``).
        ``on_sent(tx_hash, nonce)`` is called for this transaction's first version and every
        replacement (besides the sender's own ``on_sent``).
        """
        previous = self.on_sent
        if on_sent is not None:
            def both(tx_hash: str, nonce: int) -> None:
                if previous is not None:
                    previous(tx_hash, nonce)
                on_sent(tx_hash, nonce)
            self.on_sent = both
        try:
            ptx = self.submit(tx, label=label)
            if not wait:
                return ptx
            deadline = time.monotonic() + timeout
            while True:
                self.poll()
                if ptx.done:
                    break
                if time.monotonic() > deadline:
                    raise TxTimeout(f"{ptx.label}: not mined within {timeout:g}s ({ptx.hash})")
                time.sleep(poll_interval)
        finally:
            self.on_sent = previous
        if ptx.state is TxState.MINED:
            assert ptx.receipt is not None
            return ptx.receipt
        raise TxFailed(f"{ptx.label}: {ptx.state.value} ({ptx.hash})", ptx.receipt)

    def poll(self) -> list[PendingTx]:
        """Move every transaction in flight forward; return those now done.

        One request (the head and the account's mined and pending nonces) when nothing was
        mined; then the receipts of the new blocks (``eth_getBlockReceipts``, or per hash on
        nodes without it) and, in one batch, every replacement and resend that is due.
        """
        pending = self.in_flight
        if not pending:
            return []
        responses = self._batch([
            ("eth_getBlockByNumber", ["latest", False]),
            ("eth_getTransactionCount", [self.address, "latest"]),
            ("eth_getTransactionCount", [self.address, "pending"]),
        ])
        head = self._result("eth_getBlockByNumber", responses[0])
        if not isinstance(head, Mapping):
            raise RpcError(f"eth_getBlockByNumber answered {head!r}")
        mined_count = _to_int(self._result("eth_getTransactionCount", responses[1]))
        pending_count = _to_int(self._result("eth_getTransactionCount", responses[2]))
        number, base_fee = _to_int(head["number"]), _to_int(head.get("baseFeePerGas") or "0x0")
        mined = [p for p in pending if p.nonce < mined_count]
        in_head = head.get("transactions")
        size = len(in_head) if isinstance(in_head, list) else 0
        receipts = self._receipts(mined, number, size) if mined else {}
        finished: list[PendingTx] = []
        due: list[tuple[PendingTx, bool]] = []  # (transaction, True: replace / False: resend)
        for ptx in pending:
            if ptx.nonce < mined_count:
                if self._settle(ptx, receipts):
                    finished.append(ptx)
                continue
            action = self._due(ptx, pending_count > ptx.nonce, number, base_fee)
            if action is not None:
                due.append((ptx, action))
        self._send_due(due, number, base_fee)
        if finished:
            with self._lock:
                self._pending = [p for p in self._pending if not p.done]
        return finished

    # ---- steps ----------------------------------------------------------------------------------

    def _receipts(self, mined: Sequence[PendingTx], number: int,
                  head_size: int = 0) -> dict[str, Mapping[str, Any]]:
        """Receipts of our mined transactions by hash: the new blocks' receipts in one batch,
        then any still missing (mined earlier, or a node without eth_getBlockReceipts) by
        hash. A head block of more than ``block_receipts_max`` transactions is read per hash
        (in chunks: one answer with thousands of receipts can outlast the timeout; the limit
        halves after such a timeout)."""
        ours = {h for p in mined for h in p.hashes}
        found: dict[str, Mapping[str, Any]] = {}
        lo = max(self._scanned + 1, min(p.sent_block for p in mined) + 1,
                 number - RECEIPT_SCAN_BLOCKS + 1)
        if self._block_receipts and lo <= number and head_size <= self.block_receipts_max:
            blocks = list(range(lo, number + 1))
            try:
                answers = self._batch([("eth_getBlockReceipts", [hex(b)]) for b in blocks])
                for answer in answers:
                    for receipt in self._result("eth_getBlockReceipts", answer) or []:
                        tx_hash = receipt.get("transactionHash") if isinstance(
                            receipt, Mapping) else None
                        if tx_hash in ours:
                            found[tx_hash] = receipt
                self._scanned = number
            except RpcUnavailable:
                # too slow in one piece (a block full of receipts): ask per hash below
                self.block_receipts_max = max(1, min(self.block_receipts_max, head_size) // 2)
            except RpcError as exc:
                text = str(exc).lower()
                if not (exc.code == -32601 or "method not found" in text
                        or "not supported" in text
                        or "unknown method" in text or "not available" in text):
                    raise
                self._block_receipts = False  # the node has no such method: ask per hash
        self._scanned = max(self._scanned, number)  # what is missing is asked for per hash
        missing = [h for p in mined if not any(h2 in found for h2 in p.hashes)
                   for h in p.hashes]
        if missing:
            answers = self._batch([("eth_getTransactionReceipt", [h]) for h in missing])
            for h, answer in zip(missing, answers, strict=True):
                receipt = self._result("eth_getTransactionReceipt", answer)
                if isinstance(receipt, Mapping):
                    found[h] = receipt
        return found

    def _settle(self, ptx: PendingTx, receipts: Mapping[str, Mapping[str, Any]]) -> bool:
        """A transaction whose nonce is used: mined (a receipt of one of its versions) or,
        after a few polls without one, replaced by a transaction that is not ours."""
        receipt = next((receipts[h] for h in ptx.hashes if h in receipts), None)
        if receipt is not None:
            ptx.receipt = dict(receipt)
            ok = _to_int(receipt.get("status", "0x1")) == 1
            ptx.state = TxState.MINED if ok else TxState.FAILED
            self.nonces.settle(ptx.nonce)
            self._emit("mined" if ok else "failed", ptx, tx_hash=receipt.get("transactionHash"),
                       block=_to_int(receipt.get("blockNumber") or "0x0"),
                       gas_used=_to_int(receipt.get("gasUsed") or "0x0"))
            return True
        # Nodes may count the nonce a moment before they serve the receipt, so only believe
        # it after a few polls.
        ptx.orphan_polls += 1
        if ptx.orphan_polls < ORPHAN_POLLS:
            return False
        ptx.state = TxState.REPLACED
        self.nonces.settle(ptx.nonce)
        self._emit("replaced_by_other", ptx)
        return True

    def _due(self, ptx: PendingTx, seen: bool, number: int, base_fee: int) -> bool | None:
        """What an unmined transaction needs now: True a replacement, False a resend (the node
        lost it), None nothing."""
        due = number - ptx.last_sent_block >= self.bump_every_blocks
        if ptx.fees.max_fee < base_fee or (due and seen):
            if self._bumped_fees(ptx, base_fee) is not None:
                return True
            if due:  # at the cap: wait, and say so once per period
                ptx.last_sent_block = number
                self._emit("at_fee_cap", ptx, max_fee=ptx.fees.max_fee, base_fee=base_fee)
            if seen:
                return None
        if not seen and ptx.fees.max_fee >= base_fee:
            return False  # the node lost it (dropped, evicted, restarted)
        return None

    def _bumped_fees(self, ptx: PendingTx, base_fee: int) -> Fees | None:
        """The replacement's fees: ``bump_percent`` more, room for the base fee, up to the cap;
        None if a replacement the node would accept is above the cap."""
        old = ptx.fees
        up = 100 + self.bump_percent
        max_fee = max(-(-old.max_fee * up // 100), 2 * base_fee + old.priority_fee)
        priority = -(-old.priority_fee * up // 100)
        cap = self._cap(ptx.max_fee_cap)
        if cap is not None:
            max_fee = min(max_fee, cap)
        priority = min(priority, max_fee)
        min_max_fee = -(-old.max_fee * 110 // 100)
        min_priority = -(-old.priority_fee * 110 // 100)
        if max_fee < min_max_fee or priority < min_priority or max_fee < base_fee:
            return None
        return Fees(max_fee, priority)

    def _send_due(self, due: Sequence[tuple[PendingTx, bool]], number: int,
                  base_fee: int) -> None:
        """Every replacement and resend of this poll, in one batch."""
        if not due:
            return
        saved = []
        for ptx, replace in due:
            saved.append((ptx.fees, ptx._raw, list(ptx.hashes)))
            if replace:
                fees = self._bumped_fees(ptx, base_fee)
                assert fees is not None
                ptx.fees = fees
        outcomes = self._broadcast_many([p for p, _ in due],
                                        again=[not r for _, r in due])
        for (ptx, replace), (outcome, error), (fees, raw, hashes) in zip(
                due, outcomes, saved, strict=True):
            ptx.last_sent_block = number
            if replace:
                if outcome is SendOutcome.REJECTED:
                    ptx.fees, ptx._raw, ptx.hashes = fees, raw, hashes
                    self._emit("replace_error", ptx, error=str(error))
                    continue
                ptx.replacements += 1
                self._emit("replaced", ptx, max_fee=ptx.fees.max_fee,
                           priority_fee=ptx.fees.priority_fee, base_fee=base_fee,
                           unknown=True if outcome is SendOutcome.UNKNOWN else None)
            elif outcome is SendOutcome.REJECTED:
                self._emit("resend_error", ptx, error=str(error))
            else:
                ptx.resends += 1
                self._emit("resent", ptx)

    def _cap(self, own: int | None) -> int | None:
        caps = [c for c in (own, self.max_fee_cap) if c is not None]
        return min(caps) if caps else None

    def _initial_fees(self, base_fee: int, cap: int | None = None,
                      priority_fee: int | None = None) -> Fees:
        """maxFee = 2 x base fee + priority (room for base-fee rises), capped."""
        tip = self.priority_fee if priority_fee is None else priority_fee
        max_fee = 2 * base_fee + tip
        top = self._cap(cap)
        if top is not None:
            max_fee = top if self.start_at_cap else min(max_fee, top)
        return Fees(max_fee=max_fee, priority_fee=min(tip, max_fee))

    def _prepare(self, ptx: PendingTx, again: bool) -> tuple[str, list[Any], str | None]:
        """The send request for the current version of ``ptx`` and its hash if known here
        (signed here: the hash is kept before anything is sent)."""
        if self.account is None:
            params = {**ptx.call, "gas": _hex(ptx.gas), "nonce": _hex(ptx.nonce), "type": "0x2",
                      "maxFeePerGas": _hex(ptx.fees.max_fee),
                      "maxPriorityFeePerGas": _hex(ptx.fees.priority_fee)}
            return "eth_sendTransaction", [params], None
        if not again or ptx._raw is None:
            raw, local_hash = self._sign(ptx)
            ptx._raw = raw
            if local_hash not in ptx.hashes:
                ptx.hashes.append(local_hash)
        return "eth_sendRawTransaction", ["0x" + ptx._raw.hex()], ptx.hashes[-1]

    def _sign(self, ptx: PendingTx) -> tuple[bytes, str]:
        data_hex = str(ptx.call.get("data", "0x"))
        value = _to_int(ptx.call.get("value", "0x0"))
        if self._key is not None:
            return sign_dynamic_fee(self._key, self._chain(), ptx.nonce,
                                    ptx.fees.priority_fee, ptx.fees.max_fee, ptx.gas,
                                    ptx.call.get("to"), value, bytes.fromhex(data_hex[2:]))
        assert self.account is not None
        fields: dict[str, Any] = {
            "type": 2, "chainId": self._chain(), "nonce": ptx.nonce, "value": value,
            "data": data_hex, "gas": ptx.gas, "maxFeePerGas": ptx.fees.max_fee,
            "maxPriorityFeePerGas": ptx.fees.priority_fee,
        }
        if "to" in ptx.call:
            fields["to"] = ptx.call["to"]
        signed = self.account.sign_transaction(fields)
        return bytes(signed.raw_transaction), "0x" + bytes(signed.hash).hex()

    def _broadcast_many(self, ptxs: Sequence[PendingTx], again: Sequence[bool] | None = None
                        ) -> list[tuple[SendOutcome, Exception | None]]:
        """Send the current version of each (signed anew unless ``again``: the same bytes) in
        one batch (chunked); each send's outcome and the error behind it."""
        if not ptxs:
            return []
        prepared = [self._prepare(p, again=bool(again and again[k]))
                    for k, p in enumerate(ptxs)]
        results = self._send_prepared(prepared)
        # A raw transaction is the same bytes every time (the node answers "already known" if
        # it has it): a send with no usable answer is simply sent again a few times now.
        for attempt in range(1, RAW_RESENDS + 1):
            again_k = [k for k, (outcome, _, _) in enumerate(results)
                       if outcome is SendOutcome.UNKNOWN
                       and prepared[k][0] == "eth_sendRawTransaction"]
            if not again_k:
                break
            time.sleep(policy_of(self.w3).delay(attempt))
            for k, result in zip(again_k, self._send_prepared([prepared[k] for k in again_k]),
                                 strict=True):
                # only "accepted" counts now: a refusal ("nonce too low", "underpriced") may
                # be the node holding or having mined the first try; the poll decides
                if result[0] is SendOutcome.ACCEPTED:
                    results[k] = result
        out: list[tuple[SendOutcome, Exception | None]] = []
        for k, (ptx, (_, _, local_hash), (outcome, tx_hash, error)) in enumerate(zip(
                ptxs, prepared, results, strict=True)):
            if tx_hash and tx_hash not in ptx.hashes:
                ptx.hashes.append(tx_hash)
            if outcome is SendOutcome.UNKNOWN:
                ptx.unknown_sends += 1
            resend = bool(again and again[k])  # the same version again: not reported twice
            if outcome is not SendOutcome.REJECTED and not resend and self.on_sent is not None:
                self.on_sent(tx_hash or local_hash or "", ptx.nonce)
            out.append((outcome, error))
        return out

    def _send_prepared(self, prepared: Sequence[tuple[str, list[Any], str | None]]
                       ) -> list[tuple[SendOutcome, str | None, Exception | None]]:
        """One batch (chunked) of prepared sends; each one's classified outcome."""
        try:
            responses: list[Any] = self._batch([(m, params) for m, params, _ in prepared])
        except (RpcError, RpcUnavailable) as exc:
            # no usable answer at all: every send may or may not have reached the node
            responses = [exc] * len(prepared)
        return [self._classify(method, resp, local_hash)
                for (method, _, local_hash), resp in zip(prepared, responses, strict=True)]

    def _classify(self, method: str, response: Any, local_hash: str | None
                  ) -> tuple[SendOutcome, str | None, Exception | None]:
        """One send's outcome, the hash to follow, and the error behind it.

        Accepted: a valid hash (ours, when we signed) or "already known". Rejected: an error
        answer that says why (nonce too low, underpriced, insufficient funds...). Unknown:
        anything else (a fault on the way, garbage, a null or malformed hash, an internal
        error): the transaction may be in the node's pool, so its nonce is kept and the
        locally computed hash followed; the poll decides.
        """
        if isinstance(response, Exception):
            return SendOutcome.UNKNOWN, local_hash, response
        if not isinstance(response, Mapping):
            return SendOutcome.UNKNOWN, local_hash, RpcError(f"{method}: answered {response!r}")
        error = response.get("error")
        if error is None:
            result = response.get("result")
            if not is_tx_hash(result):
                return SendOutcome.UNKNOWN, local_hash, RpcError(
                    f"{method}: answered {result!r}, not a transaction hash")
            if local_hash and result.lower() != local_hash.lower():
                return SendOutcome.UNKNOWN, local_hash, RpcError(
                    f"{method}: answered {result} for the transaction hashed {local_hash}")
            return SendOutcome.ACCEPTED, local_hash or result, None
        if not isinstance(error, Mapping):
            error = {"message": str(error)}
        exc = RpcError(f"{method}: {error.get('message', error)}", error.get("code"),
                       error.get("data"))
        text = str(error.get("message", "")).lower()
        if "already" in text and ("known" in text or "imported" in text):
            return SendOutcome.ACCEPTED, local_hash, None
        if "nonce too low" in text:
            self.nonces.resync()
        if error.get("code") in TRANSIENT_CODES or not text or "timeout" in text \
                or "rate limit" in text:
            return SendOutcome.UNKNOWN, local_hash, exc
        return SendOutcome.REJECTED, None, exc

    # ---- plumbing -------------------------------------------------------------------------------

    def _chain(self) -> int:
        if self._chain_id is None:
            (resp,) = self._batch([("eth_chainId", [])])
            self._chain_id = _to_int(self._result("eth_chainId", resp))
        return self._chain_id

    def _call_params(self, tx: Any) -> dict[str, Any]:
        """A JSON-RPC call object ``{from, to, data, value}`` from a contract call or a dict."""
        if isinstance(tx, Mapping):
            data = tx.get("data", b"")
            data_hex = data if isinstance(data, str) else "0x" + bytes(data).hex()
            value = tx.get("value", 0)
            call = {"from": self.address, "data": data_hex, "value": _hex(_to_int(value))}
            if tx.get("to"):  # no "to": a contract creation with ``data`` as its initcode
                call["to"] = to_checksum_address(tx["to"])
            elif len(data_hex) <= 2:
                raise ValueError("a transaction dict needs 'to', or 'data' to deploy")
            return call
        encode = getattr(tx, "_encode_transaction_data", None)
        address = getattr(tx, "address", None)
        if encode is None or address is None:
            raise TypeError(f"expected a contract function call or a dict, not {type(tx)}")
        value = 0
        kwargs = getattr(tx, "kwargs", None) or {}
        if isinstance(kwargs, Mapping) and "value" in kwargs:
            value = int(kwargs["value"])
        return {"from": self.address, "to": to_checksum_address(address), "data": encode(),
                "value": _hex(value)}

    def _batch(self, requests: list[tuple[str, list[Any]]]) -> list[Any]:
        """One JSON-RPC batch (chunked); the responses in request order."""
        return send_batch(self.w3, requests)

    @staticmethod
    def _result(method: str, response: Mapping[str, Any]) -> Any:
        """The result of one JSON-RPC response; raises ``Revert`` or ``RpcError``."""
        result = result_of(method, response)
        if isinstance(result, Revert):
            raise result
        return result

    def _emit(self, event: str, ptx: PendingTx, **info: Any) -> None:
        if self.listener is not None:
            self.listener(event, ptx, info)
