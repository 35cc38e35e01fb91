"""What the command line says about the transactions it sends, and the member's send options.

Every state-changing command sends through the pool and Maker handles, which send through
``backstop.chain.tx.TxSender``. The command line watches that traffic at the one place it owns,
the JSON-RPC provider of its ``Web3`` (``watch``), so it can say, like ``cast``:

- ``sent 0x... (nonce n), waiting for a block`` as soon as the node takes a transaction, then
  ``mined in block b, gas used g`` (on stderr; ``--json`` puts the same in ``transactions``);
- on Ctrl-C, a lost node or a timeout, which transactions were sent and are not known to be mined,
  and how to check them (``backstop tx HASH``): a user never retries blindly and pays twice;
- with ``--dry-run``, the transaction is simulated (``eth_estimateGas``) and stopped before the
  send: nothing leaves the machine.

``--nonce N``, ``--max-fee-gwei`` and ``--tip-gwei`` travel with the signing account
(``TunedAccount``) to the one place that makes the handles' ``TxSender``
(``backstop.maker._tx``), which takes them as its first nonce, fee cap and tip: replacements
and the poll follow them like any other send.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from backstop.cli.errors import UserError

SEND_METHODS = ("eth_sendRawTransaction", "eth_sendTransaction")
WAIT_NOTE_SECONDS = 15.0  # say "still waiting" this often while a transaction is unmined


@dataclass
class SentTx:
    """One transaction the node took (or may have taken)."""

    hash: str
    nonce: int | None
    block: int | None = None
    gas_used: int | None = None
    status: str = "pending"  # pending, mined, failed, unknown (the send did not answer)

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` form."""
        return {
            "hash": self.hash,
            "nonce": self.nonce,
            "status": self.status,
            "block": self.block,
            "gas_used": self.gas_used,
        }


@dataclass
class DryRunStop(Exception):
    """Raised instead of sending: the transaction simulated fine and ``--dry-run`` was given."""

    to: str | None
    data: str
    nonce: int | None
    gas_estimate: int | None

    def __str__(self) -> str:
        return "dry run: not sent"


@dataclass
class Tracker:
    """The transactions of this run, and what to print about them."""

    say: Callable[[str, dict[str, Any]], None]
    dry_run: bool = False
    rpc_url: str = ""
    sent: list[SentTx] = field(default_factory=list)
    last_estimate: int | None = None
    forced_nonce: int | None = None
    _last_note: float = 0.0

    # ---- what the provider sees ----
    def before_send(self, method: str, params: list[Any]) -> tuple[str | None, int | None]:
        """The hash and nonce of a send about to go out; ``DryRunStop`` under ``--dry-run``."""
        tx_hash, nonce, to, data = _describe_send(method, params)
        if self.dry_run:
            raise DryRunStop(to, data, nonce, self.last_estimate)
        return tx_hash, nonce

    def after_send(self, tx_hash: str | None, nonce: int | None, response: Any) -> None:
        """The node answered a send: record it and say so."""
        if not isinstance(response, dict) or response.get("error"):
            return
        tx_hash = str(response.get("result") or tx_hash or "")
        if not tx_hash or any(t.hash == tx_hash for t in self.sent):
            return
        self.sent.append(SentTx(tx_hash, nonce))
        self._last_note = time.monotonic()
        self.say(
            f"sent {tx_hash}"
            + (f" (nonce {nonce})" if nonce is not None else "")
            + ", waiting for a block",
            {"event": "sent", "hash": tx_hash, "nonce": nonce},
        )

    def send_failed(self, tx_hash: str | None, nonce: int | None) -> None:
        """The send itself did not answer: the node may have it."""
        if tx_hash and not any(t.hash == tx_hash for t in self.sent):
            self.sent.append(SentTx(tx_hash, nonce, status="unknown"))

    def saw(self, requests: list[tuple[str, list[Any]]], responses: Any) -> None:
        """A batch went by: note estimates and receipts of our transactions."""
        if not isinstance(responses, list):
            return
        waiting = False
        for (method, params), resp in zip(requests, responses, strict=False):
            result = resp.get("result") if isinstance(resp, dict) else None
            if method == "eth_estimateGas" and isinstance(result, str):
                self.last_estimate = int(result, 16)
            if method == "eth_getBlockReceipts" and isinstance(result, list):
                # the sender polls new blocks' receipts: ours among them are mined
                for receipt in result:
                    if isinstance(receipt, dict):
                        self._mined(receipt)
                continue
            if method != "eth_getTransactionReceipt" or not params:
                continue
            tx = self.find(str(params[0]))
            if tx is None or tx.status in ("mined", "failed"):
                continue
            if not result:
                waiting = True
                continue
            self._mined(result)
        if waiting and time.monotonic() - self._last_note >= WAIT_NOTE_SECONDS:
            self._last_note = time.monotonic()
            for tx in self.unsettled():
                self.say(
                    f"still waiting for {tx.hash} to be mined",
                    {"event": "waiting", "hash": tx.hash},
                )

    def _mined(self, receipt: dict[str, Any]) -> None:
        """A receipt: if it is one of our transactions still unsettled, say it was mined."""
        tx = self.find(str(receipt.get("transactionHash", "")))
        if tx is None or tx.status in ("mined", "failed"):
            return
        tx.block = quantity(receipt.get("blockNumber"))
        tx.gas_used = quantity(receipt.get("gasUsed"))
        tx.status = "mined" if quantity(receipt.get("status", "0x1")) == 1 else "failed"
        for other in self.sent:  # a replacement of ours (same nonce) is settled too
            if other is not tx and other.nonce == tx.nonce and other.status == "pending":
                other.status = "replaced"
        word = "mined" if tx.status == "mined" else "mined but FAILED (reverted)"
        self.say(
            f"{word} in block {tx.block}, gas used {tx.gas_used:,}",
            {"event": tx.status, **tx.to_json()},
        )

    def stop_after_simulation(self, requests: list[tuple[str, list[Any]]], responses: Any) -> None:
        """``--dry-run``: a transaction was simulated (``eth_estimateGas``) and passed: stop
        here, before a nonce is taken or anything is signed. A failed simulation goes on, so
        the revert is explained as for a real send."""
        if not isinstance(responses, list):
            return
        pending = None
        for (method, params), resp in zip(requests, responses, strict=False):
            result = resp.get("result") if isinstance(resp, dict) else None
            if method == "eth_getTransactionCount" and isinstance(result, str):
                pending = int(result, 16)
            if method == "eth_estimateGas" and isinstance(result, str) and params:
                call = params[0]
                nonce = self.forced_nonce if self.forced_nonce is not None else pending
                raise DryRunStop(
                    call.get("to"), str(call.get("data", "0x")), nonce, int(result, 16)
                )

    # ---- reading ----
    def find(self, tx_hash: str) -> SentTx | None:
        """Our transaction with this hash."""
        return next((t for t in self.sent if t.hash.lower() == tx_hash.lower()), None)

    def unsettled(self) -> list[SentTx]:
        """Sent (or maybe sent) and not known to be mined."""
        return [t for t in self.sent if t.status in ("pending", "unknown")]

    def to_json(self) -> list[dict[str, Any]]:
        """Every transaction of this run, for ``--json``."""
        return [t.to_json() for t in self.sent]

    def unsettled_note(self) -> str:
        """What was sent and how to check it (empty if nothing is in doubt)."""
        doubt = self.unsettled()
        if not doubt:
            return ""
        url = f" --rpc-url {self.rpc_url}" if self.rpc_url else ""
        parts = [
            f"{t.hash}" + (f" (nonce {t.nonce})" if t.nonce is not None else "") for t in doubt
        ]
        return (
            f"transaction {', '.join(parts)} was sent and may still be mined: check it "
            f"with `backstop tx {doubt[-1].hash}{url}` before sending again"
        )


def quantity(value: Any) -> int | None:
    """A JSON-RPC quantity (hex string, or already an int) as an int; None stays None."""
    if value is None:
        return None
    return value if isinstance(value, int) else int(str(value), 16)


def _describe_send(
    method: str, params: list[Any]
) -> tuple[str | None, int | None, str | None, str]:
    """(hash, nonce, to, data) of a send request, as far as the request shows them."""
    if method == "eth_sendRawTransaction":
        from eth_utils import keccak

        raw = bytes.fromhex(str(params[0])[2:])
        tx_hash = "0x" + keccak(raw).hex()
        try:
            import rlp

            body = rlp.decode(raw[1:]) if raw and raw[0] < 0x7F else rlp.decode(raw)
            if raw and raw[0] < 0x7F:  # typed: [chainId, nonce, tip, maxFee, gas, to, value, data]
                nonce, to, data = body[1], body[5], body[7]
            else:  # legacy: [nonce, gasPrice, gas, to, value, data, ...]
                nonce, to, data = body[0], body[3], body[5]
            return (
                tx_hash,
                int.from_bytes(nonce, "big"),
                "0x" + to.hex() if to else None,
                "0x" + data.hex(),
            )
        except Exception:
            return tx_hash, None, None, "0x"
    call = params[0] if params and isinstance(params[0], dict) else {}
    return None, quantity(call.get("nonce")), call.get("to"), str(call.get("data", "0x"))


def watch(w3: Any, tracker: Tracker) -> None:
    """Route the provider of ``w3`` through ``tracker`` (single requests and batches)."""
    provider = w3.provider
    single, batch = provider.make_request, getattr(provider, "make_batch_request", None)

    def make_request(method: Any, params: Any) -> Any:
        if method not in SEND_METHODS:
            return single(method, params)
        tx_hash, nonce = tracker.before_send(method, list(params))
        try:
            response = single(method, params)
        except BaseException:
            tracker.send_failed(tx_hash, nonce)
            raise
        tracker.after_send(tx_hash, nonce, response)
        return response

    def make_batch_request(requests: Any) -> Any:
        requests = list(requests)
        sends = [(m, list(p)) for m, p in requests if m in SEND_METHODS]
        described = [tracker.before_send(m, p) for m, p in sends]
        try:
            responses = batch(requests)
        except BaseException:
            for tx_hash, nonce in described:
                tracker.send_failed(tx_hash, nonce)
            raise
        if isinstance(responses, list):
            k = 0
            for (method, _), resp in zip(requests, responses, strict=False):
                if method in SEND_METHODS:
                    tx_hash, nonce = described[k]
                    k += 1
                    tracker.after_send(tx_hash, nonce, resp)
        tracker.saw(requests, responses)
        if tracker.dry_run:
            tracker.stop_after_simulation(requests, responses)
        return responses

    provider.make_request = make_request
    if batch is not None:
        provider.make_batch_request = make_batch_request


# ---- the current run --------------------------------------------------------------------------

_CURRENT: list[Tracker] = []


def current() -> Tracker | None:
    """The tracker of the command running now (None before anything was connected)."""
    return _CURRENT[-1] if _CURRENT else None


def start(args: argparse.Namespace, rpc_url: str) -> Tracker:
    """A fresh tracker for this run: progress on stderr (also under ``--json``)."""
    as_json = bool(getattr(args, "json", False))

    def say(message: str, event: dict[str, Any]) -> None:
        print(json.dumps(event) if as_json else message, file=sys.stderr, flush=True)

    tracker = Tracker(
        say=say,
        dry_run=bool(getattr(args, "dry_run", False)),
        rpc_url=rpc_url,
        forced_nonce=getattr(args, "nonce", None),
    )
    _CURRENT.clear()
    _CURRENT.append(tracker)
    return tracker


def reset() -> None:
    """Forget the run (main() calls it before each command)."""
    _CURRENT.clear()


# ---- the member's send options --------------------------------------------------------------


def add_send_options(parser: argparse.ArgumentParser) -> None:
    """``--dry-run``, ``--nonce``, ``--max-fee-gwei``, ``--tip-gwei``."""
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="check and simulate, say what would be sent, send nothing",
    )
    parser.add_argument(
        "--nonce",
        type=int,
        default=None,
        metavar="N",
        help="send with this nonce (e.g. to replace a stuck transaction of "
        "yours; default: the next free one)",
    )
    parser.add_argument(
        "--max-fee-gwei",
        default=None,
        metavar="GWEI",
        help="the most to pay per gas, base fee and tip (default: twice the base fee plus the tip)",
    )
    parser.add_argument(
        "--tip-gwei",
        default=None,
        metavar="GWEI",
        help="the priority fee per gas for the block producer (default 1)",
    )


def tuned(args: argparse.Namespace, account: Any) -> Any:
    """The signing account with ``--nonce``/``--max-fee-gwei``/``--tip-gwei`` applied."""
    from backstop.chain.tx import parse_gwei

    nonce = getattr(args, "nonce", None)
    if nonce is not None and nonce < 0:
        raise UserError(f"--nonce {nonce}: give 0 or more", exit_code=2)
    fees: dict[str, int | None] = {}
    for option, key in (("max_fee_gwei", "max_fee"), ("tip_gwei", "tip")):
        text = getattr(args, option, None)
        try:
            fees[key] = parse_gwei(text) if text is not None else None
        except ValueError as exc:
            raise UserError(f"--{option.replace('_', '-')}: {exc}", exit_code=2) from exc
    if (
        fees.get("max_fee") is not None
        and fees.get("tip") is not None
        and fees["tip"] > fees["max_fee"]
    ):  # type: ignore[operator]
        raise UserError(
            "--tip-gwei is above --max-fee-gwei: the tip is part of the fee; "
            "lower the tip or raise the cap",
            exit_code=2,
        )
    if nonce is None and fees.get("max_fee") is None and fees.get("tip") is None:
        return account
    options: dict[str, Any] = {"first_nonce": nonce}
    if fees.get("max_fee") is not None:  # the fee asked for, from the first send
        options.update(max_fee_gwei=args.max_fee_gwei, start_at_cap=True)
    if fees.get("tip") is not None:
        options["priority_fee_gwei"] = args.tip_gwei
    return TunedAccount.of(account, options)


class TunedAccount:
    """Builds a ``LocalAccount`` that carries ``send_options`` (``TxSender``'s keyword
    arguments) to ``backstop.maker._tx``; it signs like any other. The class is made on first
    use: eth-account is slow to import and ``--help`` must stay fast."""

    @staticmethod
    def of(account: Any, options: dict[str, Any]) -> Any:
        """``account`` (a LocalAccount) sending with these options."""
        from eth_account.signers.local import LocalAccount

        class _Tuned(LocalAccount):
            send_options: dict[str, Any] | None = None

        out = _Tuned(account._key_obj, account._publicapi)
        out.send_options = dict(options)
        return out


def explain_dry_run(stop: DryRunStop, what: str) -> dict[str, Any]:
    """The ``--dry-run`` answer: what would have been sent."""
    return {
        "dry_run": True,
        "sent": False,
        "would_send": what,
        "to": stop.to,
        "nonce": stop.nonce,
        "gas_estimate": stop.gas_estimate,
        "data": stop.data,
    }


def dry_run_words(info: dict[str, Any]) -> str:
    """One line for people."""
    from eth_utils import to_checksum_address

    to = (f"a transaction to {to_checksum_address(info['to'])}" if info["to"]
          else "a contract creation")
    gas = f", about {info['gas_estimate']:,} gas" if info["gas_estimate"] else ""
    nonce = f", nonce {info['nonce']}" if info["nonce"] is not None else ""
    return (f"dry run: {info['would_send']}: {to} simulates fine{gas}{nonce}; "
            "nothing was sent")
