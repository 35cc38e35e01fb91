"""Send transactions safely: simulate first, EIP-1559 fees, one nonce manager per account,
same-nonce replacement with higher fees on a schedule up to a cap, dropped transactions resent.

Two ways to use it:

- ``TxSender.send(tx)`` blocks until the transaction is mined and returns the receipt (the CLI);
- ``TxSender.submit(tx)`` returns a :class:`PendingTx` at once and ``TxSender.poll()`` moves every
  transaction in flight forward by one step (the keeper calls it once per block): it collects
  receipts, replaces transactions that stay unmined for ``bump_every_blocks`` blocks with the same
  nonce and ``bump_percent`` higher fees (never above ``max_fee_gwei``), resends transactions the
  node dropped and reports receipts with status 0 as failed.

Every round trip to the node is a single JSON-RPC request or batch: ``submit`` costs two (one batch
that simulates, estimates gas and reads the base fee and nonce; one send), ``poll`` costs one
whatever the number of transactions in flight. The simulation before sending is the node's
``eth_estimateGas`` (it executes the transaction and reports a revert with its reason);
``simulate()`` is a plain ``eth_call``.

``tx`` is a web3 contract function call (``pool.functions.enterAuction(7)``) or a TxParams-like
dict with ``to`` and optional ``data`` and ``value`` (without ``to``: a contract creation whose
``data`` is the initcode; the receipt's ``contractAddress`` is the new contract). The account is
an eth-account ``LocalAccount`` (signed here, sent raw) or the address of an account the node
has unlocked (dev chains: anvil, the in-process chain), sent with ``eth_sendTransaction``.

Fees are integers in wei; the ``*_gwei`` options take an int or an exact decimal string ("1.5").
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address
from hexbytes import HexBytes
from web3 import Web3

from backstop.chain.batch import result_of, send_batch
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


# ---- transactions in flight ---------------------------------------------------------------------


class TxState(Enum):
    """Where a submitted transaction stands."""

    PENDING = "pending"
    MINED = "mined"  # receipt with status 1
    FAILED = "failed"  # receipt with status 0
    REPLACED = "replaced"  # its nonce was used by a transaction that is not ours


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


def _hex(n: int) -> str:
    return hex(n)


def _to_int(value: Any) -> int:
    if isinstance(value, int):
        return value
    return int(value, 16)


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
        self.nonces = nonce_manager(w3, self.address)
        self._chain_id: int | None = None
        self._lock = threading.RLock()
        self._pending: list[PendingTx] = []

    # ---- public API -----------------------------------------------------------------------------

    @property
    def in_flight(self) -> list[PendingTx]:
        """Transactions submitted and not yet mined, failed or replaced."""
        with self._lock:
            return list(self._pending)

    def simulate(self, tx: Any, block: str = "latest") -> bytes:
        """Run ``tx`` as an eth_call from this account; return its output or raise ``Revert``."""
        call = self._call_params(tx)
        resp = self._request("eth_call", [call, block])
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

    def submit_many(self, txs: Sequence[tuple[Any, str]]) -> list[PendingTx | Exception]:
        """Submit several transactions in two round trips (one batch to simulate them all and
        read the base fee and nonce, one to send them all), in order, consecutive nonces.

        Returns, per transaction, its ``PendingTx`` or the exception that kept it from being
        sent (``Revert``, ``FeeTooLow``, ``RpcError``). Each is simulated on its own against the
        latest block, so transactions that depend on each other belong in separate calls.
        """
        if not txs:
            return []
        calls = [self._call_params(tx) for tx, _ in txs]
        requests: list[tuple[str, list[Any]]] = [
            ("eth_getBlockByNumber", ["latest", False]),
            ("eth_getTransactionCount", [self.address, "pending"]),
        ]
        # eth_estimateGas runs the transaction against the latest state: it is the simulation
        # (a revert comes back with its reason, as from eth_call) and gives the gas limit.
        requests += [("eth_estimateGas", [call]) for call in calls]
        responses = self._batch(requests)
        head = self._result("eth_getBlockByNumber", responses[0])
        chain_pending = _to_int(self._result("eth_getTransactionCount", responses[1]))
        base_fee = _to_int(head.get("baseFeePerGas") or "0x0")
        number = _to_int(head["number"])
        fees = self._initial_fees(base_fee)
        results: list[PendingTx | Exception] = []
        ready: list[PendingTx] = []
        for i, ((_, label), call) in enumerate(zip(txs, calls, strict=True)):
            try:
                estimate = _to_int(self._result("eth_estimateGas", responses[2 + i]))
                if fees.max_fee < base_fee:
                    raise FeeTooLow(f"base fee {format_gwei(base_fee)} gwei is above the cap "
                                    f"of {format_gwei(fees.max_fee)} gwei: not sent")
            except (Revert, RpcError, FeeTooLow) as exc:
                results.append(exc)
                continue
            ptx = PendingTx(label=label or str(call.get("data", "0x"))[:10],
                            nonce=self.nonces.allocate(chain_pending), call=call,
                            gas=estimate * (100 + GAS_MARGIN_PERCENT) // 100,
                            fees=Fees(fees.max_fee, fees.priority_fee),
                            sent_block=number, last_sent_block=number)
            ready.append(ptx)
            results.append(ptx)
        errors = self._broadcast_many(ready)
        # A transaction the node refused leaves a gap if later ones got through: keep it, and
        # poll() sends it again; refused ones at the end give their nonces back.
        tail = len(ready)
        while tail > 0 and (tail - 1) in errors:
            tail -= 1
        for k, ptx in enumerate(ready):
            exc = errors.get(k)
            if exc is not None and k >= tail:
                self.nonces.release(ptx.nonce)
                results[results.index(ptx)] = exc
                continue
            with self._lock:
                self._pending.append(ptx)
            if exc is not None:
                self._emit("send_error", ptx, error=str(exc))
            else:
                self._emit("sent", ptx, max_fee=ptx.fees.max_fee,
                           priority_fee=ptx.fees.priority_fee)
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
        head = self._result("eth_getBlockByNumber",
                            self._request("eth_getBlockByNumber", ["latest", False]))
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
             poll_interval: float = 0.05) -> dict[str, Any] | PendingTx:
        """Simulate then send ``tx``; with ``wait`` return its receipt once mined.

        Raises ``Revert`` before sending if it would revert, ``TxFailed`` if it was mined with
        status 0 or its nonce was taken by another transaction, ``TxTimeout`` after ``timeout``
        seconds. With ``wait=False`` returns the ``PendingTx`` (drive it with ``poll()``).
        """
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
        if ptx.state is TxState.MINED:
            assert ptx.receipt is not None
            return ptx.receipt
        raise TxFailed(f"{ptx.label}: {ptx.state.value} ({ptx.hash})", ptx.receipt)

    def poll(self) -> list[PendingTx]:
        """One round trip: move every transaction in flight forward; return those now done."""
        pending = self.in_flight
        if not pending:
            return []
        requests: list[tuple[str, list[Any]]] = [
            ("eth_getBlockByNumber", ["latest", False]),
            ("eth_getTransactionCount", [self.address, "latest"]),
        ]
        for ptx in pending:
            requests += [("eth_getTransactionReceipt", [h]) for h in ptx.hashes]
            if ptx.hashes:
                requests.append(("eth_getTransactionByHash", [ptx.hash]))
        responses = self._batch(requests)
        head = self._result("eth_getBlockByNumber", responses[0])
        mined_count = _to_int(self._result("eth_getTransactionCount", responses[1]))
        number, base_fee = _to_int(head["number"]), _to_int(head.get("baseFeePerGas") or "0x0")
        finished: list[PendingTx] = []
        i = 2
        for ptx in pending:
            receipts = [self._result("eth_getTransactionReceipt", r)
                        for r in responses[i:i + len(ptx.hashes)]]
            i += len(ptx.hashes)
            seen = None
            if ptx.hashes:
                seen = self._result("eth_getTransactionByHash", responses[i])
                i += 1
            if self._advance(ptx, receipts, seen, mined_count, number, base_fee):
                finished.append(ptx)
        if finished:
            with self._lock:
                self._pending = [p for p in self._pending if not p.done]
        return finished

    # ---- steps ----------------------------------------------------------------------------------

    def _advance(self, ptx: PendingTx, receipts: Sequence[Any], seen: Any, mined_count: int,
                 number: int, base_fee: int) -> bool:
        """Update one transaction from what the node said; True if it is now done."""
        receipt = next((r for r in receipts if r), None)
        if receipt is not None:
            ptx.receipt = dict(receipt)
            ok = _to_int(receipt.get("status", "0x1")) == 1
            ptx.state = TxState.MINED if ok else TxState.FAILED
            self.nonces.settle(ptx.nonce)
            self._emit("mined" if ok else "failed", ptx, tx_hash=receipt.get("transactionHash"),
                       block=_to_int(receipt.get("blockNumber") or "0x0"),
                       gas_used=_to_int(receipt.get("gasUsed") or "0x0"))
            return True
        if mined_count > ptx.nonce:
            # The nonce is used and none of our versions has a receipt. Nodes may count the nonce
            # a moment before they serve the receipt, so only believe it after a few polls.
            ptx.orphan_polls += 1
            if ptx.orphan_polls < ORPHAN_POLLS:
                return False
            ptx.state = TxState.REPLACED
            self.nonces.settle(ptx.nonce)
            self._emit("replaced_by_other", ptx)
            return True
        due = number - ptx.last_sent_block >= self.bump_every_blocks
        bumped = False
        if ptx.fees.max_fee < base_fee or (due and seen is not None):
            bumped = self._bump(ptx, number, base_fee, due)
        if not bumped and seen is None and ptx.fees.max_fee >= base_fee:
            self._resend(ptx, number)  # the node lost it (dropped, evicted, restarted)
        return False

    def _resend(self, ptx: PendingTx, number: int) -> None:
        """The node lost the transaction (dropped, or restarted): send it again as it was."""
        try:
            self._broadcast(ptx, again=True)
        except RpcError as exc:
            self._emit("resend_error", ptx, error=str(exc))
            return
        ptx.resends += 1
        ptx.last_sent_block = number
        self._emit("resent", ptx)

    def _bump(self, ptx: PendingTx, number: int, base_fee: int, due: bool) -> bool:
        """Replace an unmined transaction with the same nonce and higher fees, up to the cap.

        True if a replacement was sent."""
        old = ptx.fees
        up = 100 + self.bump_percent
        max_fee = max(-(-old.max_fee * up // 100), 2 * base_fee + old.priority_fee)
        priority = -(-old.priority_fee * up // 100)
        if self.max_fee_cap is not None:
            max_fee = min(max_fee, self.max_fee_cap)
        priority = min(priority, max_fee)
        min_max_fee = -(-old.max_fee * 110 // 100)
        min_priority = -(-old.priority_fee * 110 // 100)
        if max_fee < min_max_fee or priority < min_priority or max_fee < base_fee:
            if due:  # at the cap: wait, and say so once per period
                ptx.last_sent_block = number
                self._emit("at_fee_cap", ptx, max_fee=old.max_fee, base_fee=base_fee)
            return False
        ptx.fees = Fees(max_fee, priority)
        old_raw, old_hashes = ptx._raw, list(ptx.hashes)
        try:
            self._broadcast(ptx)
        except RpcError as exc:
            ptx.fees, ptx._raw, ptx.hashes = old, old_raw, old_hashes
            ptx.last_sent_block = number
            self._emit("replace_error", ptx, error=str(exc))
            return False
        ptx.replacements += 1
        ptx.last_sent_block = number
        self._emit("replaced", ptx, max_fee=max_fee, priority_fee=priority, base_fee=base_fee)
        return True

    def _initial_fees(self, base_fee: int) -> Fees:
        """maxFee = 2 x base fee + priority (room for base-fee rises), capped."""
        max_fee = 2 * base_fee + self.priority_fee
        if self.max_fee_cap is not None:
            max_fee = min(max_fee, self.max_fee_cap)
        return Fees(max_fee=max_fee, priority_fee=min(self.priority_fee, max_fee))

    def _prepare(self, ptx: PendingTx, again: bool) -> tuple[str, list[Any], str | None]:
        """The send request for the current version of ``ptx`` and its hash if known here."""
        if self.account is None:
            params = {**ptx.call, "gas": _hex(ptx.gas), "nonce": _hex(ptx.nonce), "type": "0x2",
                      "maxFeePerGas": _hex(ptx.fees.max_fee),
                      "maxPriorityFeePerGas": _hex(ptx.fees.priority_fee)}
            return "eth_sendTransaction", [params], None
        if not again or ptx._raw is None:
            fields: dict[str, Any] = {
                "type": 2, "chainId": self._chain(), "nonce": ptx.nonce,
                "value": _to_int(ptx.call.get("value", "0x0")),
                "data": ptx.call.get("data", "0x"), "gas": ptx.gas,
                "maxFeePerGas": ptx.fees.max_fee,
                "maxPriorityFeePerGas": ptx.fees.priority_fee,
            }
            if "to" in ptx.call:
                fields["to"] = ptx.call["to"]
            signed = self.account.sign_transaction(fields)
            ptx._raw = bytes(signed.raw_transaction)
            local_hash = "0x" + bytes(signed.hash).hex()
            if local_hash not in ptx.hashes:
                ptx.hashes.append(local_hash)
        return "eth_sendRawTransaction", ["0x" + ptx._raw.hex()], ptx.hashes[-1]

    def _broadcast(self, ptx: PendingTx, again: bool = False) -> None:
        """Send the current version of ``ptx`` (sign it unless ``again``: the same raw bytes)."""
        method, params, local_hash = self._prepare(ptx, again)
        resp = self._request(method, params)
        tx_hash = self._send_result(method, resp, local_hash)
        if tx_hash not in ptx.hashes:
            ptx.hashes.append(tx_hash)

    def _broadcast_many(self, ptxs: Sequence[PendingTx]) -> dict[int, Exception]:
        """Send several in one batch; the errors by position in ``ptxs``."""
        if not ptxs:
            return {}
        if len(ptxs) == 1:
            try:
                self._broadcast(ptxs[0])
            except (RpcError, RpcUnavailable) as exc:
                return {0: exc}
            return {}
        prepared = [self._prepare(p, again=False) for p in ptxs]
        try:
            responses = self._batch([(m, params) for m, params, _ in prepared])
        except (RpcError, RpcUnavailable) as exc:
            return dict.fromkeys(range(len(ptxs)), exc)
        errors: dict[int, Exception] = {}
        for k, (ptx, (method, _, local_hash), resp) in enumerate(
                zip(ptxs, prepared, responses, strict=True)):
            try:
                tx_hash = self._send_result(method, resp, local_hash)
            except RpcError as exc:
                errors[k] = exc
                continue
            if tx_hash not in ptx.hashes:
                ptx.hashes.append(tx_hash)
        return errors

    # ---- plumbing -------------------------------------------------------------------------------

    def _chain(self) -> int:
        if self._chain_id is None:
            self._chain_id = int(self.w3.eth.chain_id)
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

    def _request(self, method: str, params: list[Any]) -> Any:
        """One JSON-RPC request; ``RpcUnavailable`` if the node cannot be reached."""
        try:
            return self.w3.provider.make_request(method, params)  # type: ignore[arg-type]
        except Exception as exc:
            if is_connection_error(exc):
                raise RpcUnavailable(f"{method}: cannot reach the node: {exc}") from exc
            raise

    def _batch(self, requests: list[tuple[str, list[Any]]]) -> list[Any]:
        """One JSON-RPC batch; the responses in request order."""
        return send_batch(self.w3, requests)

    @staticmethod
    def _result(method: str, response: Mapping[str, Any]) -> Any:
        """The result of one JSON-RPC response; raises ``Revert`` or ``RpcError``."""
        result = result_of(method, response)
        if isinstance(result, Revert):
            raise result
        return result

    def _send_result(self, method: str, response: Mapping[str, Any],
                     local_hash: str | None) -> str:
        """The hash a send returned; "already known" counts as sent."""
        try:
            return str(self._result(method, response))
        except RpcError as exc:
            text = str(exc).lower()
            if local_hash and "already" in text and "known" in text:
                return local_hash
            if "nonce too low" in text:
                self.nonces.resync()
            raise

    def _emit(self, event: str, ptx: PendingTx, **info: Any) -> None:
        if self.listener is not None:
            self.listener(event, ptx, info)
