"""Typed handles over a backstop pool (``contracts/pool/pool.vy``) and its factory.

Amounts are ``Wad`` (the pool keeps DAI, MKR and shares in wad; ``price`` is DAI per MKR in wad).
Writes take the sender first (an unlocked dev address or a ``LocalAccount``), simulate, send and
wait; a call that would revert raises ``backstop.chain.errors.Revert`` with the pool's reason.

Batch-friendly: every view the keeper and the dashboard read each block is also an
``EncodedCall`` (``pool.call_position(7)``), and ``Pool.state_calls()`` / ``PoolState.decode``
read a pool's whole state; ``read_pool_states(w3, pools)`` reads any number of pools in ONE
JSON-RPC round trip through ``backstop.chain.batch_call``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from functools import cached_property
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address
from web3 import Web3

from backstop.chain import batch_call
from backstop.chain.errors import Revert
from backstop.maker._tx import Sender, address_of
from backstop.maker.handles import (
    ZERO_ADDRESS,
    Bid,
    Dai,
    DaiJoin,
    EncodedCall,
    Flopper,
    Handle,
    MakerCore,
    Mkr,
    Vat,
)
from backstop.units import Wad

_ZERO = Wad(0)


class PoolStatus(IntEnum):
    """``getStatus()``: 0 no open position, 1 positions open, 2 ceased. Deposits are open in
    0 and 1 (docs/POOL.md); while positions of the current era are open a deposit is a request
    that becomes shares once they are accounted."""

    IDLE = 0
    POSITIONS_OPEN = 1
    CEASED = 2

    @property
    def takes_deposits(self) -> bool:
        return self is not PoolStatus.CEASED


@dataclass(frozen=True)
class DefectAmount:
    """``getDefectAmount(shares)`` (2020 shape): the liquid DAI of ``shares`` now (MKR is owed
    per member, so 0) and whether ``shares`` is within the supply."""

    dai: Wad
    mkr: Wad
    redeemable: bool


@dataclass(frozen=True)
class EnlistPreview:
    """``previewEnlist(amount)``: the weight it gives (shares, or a request's weight), whether
    it would open a deposit request, and the revert code if it would fail."""

    weight: Wad
    request: bool
    reason: str

    @property
    def ok(self) -> bool:
        return not self.reason


@dataclass(frozen=True)
class DefectPreview:
    """``previewDefect(member, shares)``: DAI and MKR paid now (the liquid part and what is
    owed), the weight of the redeem request it would open (0 if none), the revert code."""

    dai: Wad
    mkr: Wad
    request_weight: Wad
    reason: str

    @property
    def ok(self) -> bool:
        return not self.reason


@dataclass(frozen=True)
class Request:
    """A member's deposit or redeem request (ERC-7540 shape): its id (a position index), the
    amount pending and the amount claimable (DAI for a deposit, weight for a redeem)."""

    kind: str  # "deposit" or "redeem"
    request_id: int
    pending: Wad
    claimable: Wad


@dataclass(frozen=True)
class Position:
    """``getPosition(id)``: the pool's unfinalized bid in one auction ((0, 0) if none)."""

    dai_bid: Wad
    mkr_ask: Wad

    @property
    def exists(self) -> bool:
        return bool(self.dai_bid.raw or self.mkr_ask.raw)


@dataclass(frozen=True)
class Preview:
    """Would ``enterAuction`` / ``finalizeAuction`` succeed now, and if not, why (the pool's
    revert code)."""

    ok: bool
    reason: str
    mkr_ask: Wad = _ZERO
    dai_bid: Wad = _ZERO


@dataclass(frozen=True)
class Enlistment:
    """What one ``enlist`` did: shares minted (``Transfer`` from the zero address), or a
    deposit request opened (``DepositRequest``, shares 0 and its id)."""

    member: str
    dai: Wad
    shares: Wad
    request_id: int = 0


@dataclass(frozen=True)
class Defection:
    """What one ``defect`` paid (from the ``Defected`` log), and the redeem request it opened
    for the positions open at the time (0 if none)."""

    member: str
    shares: Wad
    dai: Wad
    mkr: Wad
    request_id: int = 0


@dataclass(frozen=True)
class PoolState:
    """A pool's state in one block, read in one batch (``Pool.state_calls``)."""

    address: str
    price: Wad
    status: PoolStatus
    ceased: bool
    total_shares: Wad
    dai_balance: Wad
    dai_in_auctions: Wad
    dai_available: Wad
    mkr_balance: Wad
    active_auctions: tuple[int, ...]

    @classmethod
    def decode(cls, address: str, calls: Sequence[EncodedCall[Any]],
               results: Sequence[bytes | Revert]) -> PoolState:
        """Build the state from ``Pool.state_calls()`` and their ``batch_call`` answers."""
        return cls(address, *decode_results(calls, results))


def decode_results(calls: Sequence[EncodedCall[Any]],
                   results: Sequence[bytes | Revert]) -> list[Any]:
    """Each call's decoded answer from ``batch_call``'s results; a revert raises it."""
    out = []
    for call, result in zip(calls, results, strict=True):
        if isinstance(result, Revert):
            raise result
        out.append(call.decode(result))
    return out


def _u(x: int) -> Wad:
    return Wad(int(x))


class Pool(Handle):
    """One backstop pool. ``core`` (optional) supplies the token and Maker handles; without it
    they are built from the pool's own getters on first use."""

    ARTIFACT = "pool/pool"

    def __init__(self, w3: Web3, address: str, core: MakerCore | None = None) -> None:
        super().__init__(w3, address)
        self.core = core

    # ---- the Maker contracts this pool works with ---------------------------------------------
    @cached_property
    def dai(self) -> Dai:
        return self.core.dai if self.core else Dai(self.w3, self._read("dai"))

    @cached_property
    def mkr(self) -> Mkr:
        return self.core.mkr if self.core else Mkr(self.w3, self._read("mkr"))

    @cached_property
    def vat(self) -> Vat:
        return self.core.vat if self.core else Vat(self.w3, self._read("vat"))

    @cached_property
    def dai_join(self) -> DaiJoin:
        return self.core.dai_join if self.core else DaiJoin(self.w3, self._read("daiJoin"))

    @cached_property
    def flopper(self) -> Flopper:
        return self.core.flopper if self.core else Flopper(self.w3, self._read("flopper"))

    # ---- views ----------------------------------------------------------------------------------
    def price(self) -> Wad:
        return Wad(self._read("price"))

    def name(self) -> str:
        return str(self._read("name"))

    def symbol(self) -> str:
        return str(self._read("symbol"))

    def status(self) -> PoolStatus:
        return PoolStatus(self._read("getStatus"))

    def ceased(self) -> bool:
        return bool(self._read("ceased"))

    def owner(self) -> str:
        return to_checksum_address(self._read("owner"))

    def pending_owner(self) -> str:
        return to_checksum_address(self._read("pending_owner"))

    def active_auctions(self) -> list[int]:
        return [int(i) for i in self._read("getActiveAuctions")]

    def dai_balance(self) -> Wad:
        """All DAI the members own: free plus in unfinalized bids."""
        return Wad(self._read("getDaiBalance"))

    def dai_in_auctions(self) -> Wad:
        return Wad(self._read("getDaiBalanceForAuctions"))

    def dai_available(self) -> Wad:
        """Free DAI: what defect can pay and enterAuction can bid now."""
        return Wad(self._read("getAvailableDaiBalance"))

    def mkr_balance(self) -> Wad:
        return Wad(self._read("getMKRBalance"))

    def defect_amount(self, shares: Wad) -> DefectAmount:
        dai, mkr, ok = self._read("getDefectAmount", Wad(shares).raw)
        return DefectAmount(Wad(dai), Wad(mkr), bool(ok))

    def position(self, auction_id: int) -> Position:
        dai, mkr = self._read("getPosition", auction_id)
        return Position(Wad(dai), Wad(mkr))

    def _read_batch(self, calls: Sequence[EncodedCall[Any]],
                    block: int | str = "latest") -> list[Any]:
        """Run ``calls`` in one batch at ``block``; their decoded answers (a revert raises)."""
        return decode_results(calls, batch_call(self.w3, [c.as_tuple() for c in calls], block))

    def read_auctions(self, ids: Sequence[int]) -> tuple[int, dict[int, tuple[Bid, Preview]]]:
        """Each auction as the Flopper holds it and whether ``enterAuction(id)`` would succeed
        now (the pool's own ``previewEnterAuction``), all from ONE batch of reads at the latest
        block; returns that block's time too."""
        block = self.w3.eth.get_block("latest")
        now = int(block["timestamp"])
        per_id = [c for i in ids for c in (self.call_preview_enter(i), self.flopper.call_bids(i))]
        answers = self._read_batch(per_id, int(block["number"]))
        out: dict[int, tuple[Bid, Preview]] = {}
        for k, auction_id in enumerate(ids):
            preview, bid = answers[2 * k:2 * k + 2]
            out[auction_id] = (bid, preview)
        return now, out

    def preview_enters(self, auction_ids: Sequence[int]) -> dict[int, Preview]:
        """Would ``enterAuction(id)`` succeed now, for each id, and with which ask and bid
        (``previewEnterAuction``, one batch)."""
        calls = [self.call_preview_enter(i) for i in auction_ids]
        return dict(zip(auction_ids, self._read_batch(calls), strict=True))

    def preview_enter(self, auction_id: int) -> Preview:
        """Would ``enterAuction(auction_id)`` succeed now (``previewEnterAuction``)."""
        return self.preview_enters([auction_id])[auction_id]

    def preview_finalize(self, auction_id: int) -> Preview:
        """Would ``finalizeAuction(auction_id)`` succeed now (``previewFinalizeAuction``)."""
        ok, reason = self._read("previewFinalizeAuction", auction_id)
        return Preview(bool(ok), str(reason))

    def preview_enlist(self, amount: Wad) -> EnlistPreview:
        """What ``enlist(amount)`` would give now (``previewEnlist``): shares, or a request."""
        weight, request, reason = self._read("previewEnlist", Wad(amount).raw)
        return EnlistPreview(Wad(weight), bool(request), str(reason))

    def preview_defect(self, member: str, shares: Wad) -> DefectPreview:
        """What ``defect(shares)`` would pay ``member`` now (``previewDefect``)."""
        dai, mkr, weight, reason = self._read("previewDefect", to_checksum_address(member),
                                              Wad(shares).raw)
        return DefectPreview(Wad(dai), Wad(mkr), Wad(weight), str(reason))

    def preview_claim(self, member: str) -> tuple[Wad, Wad]:
        """DAI and MKR owed to ``member`` now: what ``claim()`` pays (``previewClaim``)."""
        dai, mkr = self._read("previewClaim", to_checksum_address(member))
        return Wad(dai), Wad(mkr)

    def frontier(self) -> tuple[int, int, int, int]:
        """(frontier, positions committed, open positions, open positions of this era)."""
        f, n, open_all, open_era = self._read("frontier")
        return int(f), int(n), int(open_all), int(open_era)

    def era(self) -> int:
        return int(self._read("era"))

    def requests(self, member: str, from_block: int = 0) -> list[Request]:
        """``member``'s open deposit and redeem requests, found from the pool's
        ``DepositRequest`` / ``RedeemRequest`` logs and read with the ERC-7540 views."""
        member = to_checksum_address(member)
        ids = {kind: self.request_ids(kind, from_block).get(member, set())
               for kind in ("deposit", "redeem")}
        calls: list[EncodedCall[Any]] = []
        keys: list[tuple[str, int]] = []
        for kind, found in ids.items():
            stem = "DepositRequest" if kind == "deposit" else "RedeemRequest"
            for rid in sorted(found):
                calls += [self.encoded_call(f"pending{stem}", rid, member, convert=_u),
                          self.encoded_call(f"claimable{stem}", rid, member, convert=_u)]
                keys.append((kind, rid))
        answers = self._read_batch(calls) if calls else []
        out = []
        for k, (kind, rid) in enumerate(keys):
            pending, claimable = answers[2 * k], answers[2 * k + 1]
            if pending.raw or claimable.raw:
                out.append(Request(kind, rid, pending, claimable))
        return out

    def request_ids(self, kind: str, from_block: int = 0) -> dict[str, set[int]]:
        """The ids of every ``kind`` ("deposit" or "redeem") request made since
        ``from_block``, by controller (checksummed), from the pool's logs (open or not)."""
        event = {"deposit": "DepositRequest", "redeem": "RedeemRequest"}[kind]
        out: dict[str, set[int]] = {}
        for log in self.events(event, from_block):
            controller = to_checksum_address(log["args"]["controller"])
            out.setdefault(controller, set()).add(int(log["args"]["requestId"]))
        return out

    def shares_of(self, member: str) -> Wad:
        return Wad(self._read("balanceOf", to_checksum_address(member)))

    def total_shares(self) -> Wad:
        return Wad(self._read("totalSupply"))

    def share_nonces(self, owner: str) -> int:
        return int(self._read("nonces", to_checksum_address(owner)))

    # ---- the same views as EncodedCall, for batch_call -------------------------------------
    def call_status(self) -> EncodedCall[PoolStatus]:
        return self.encoded_call("getStatus", convert=PoolStatus)

    def call_price(self) -> EncodedCall[Wad]:
        return self.encoded_call("price", convert=_u)

    def call_ceased(self) -> EncodedCall[bool]:
        return self.encoded_call("ceased", convert=bool)

    def call_total_shares(self) -> EncodedCall[Wad]:
        return self.encoded_call("totalSupply", convert=_u)

    def call_shares_of(self, member: str) -> EncodedCall[Wad]:
        return self.encoded_call("balanceOf", to_checksum_address(member), convert=_u)

    def call_active_auctions(self) -> EncodedCall[tuple[int, ...]]:
        return self.encoded_call("getActiveAuctions",
                                 convert=lambda ids: tuple(int(i) for i in ids))

    def call_dai_balance(self) -> EncodedCall[Wad]:
        return self.encoded_call("getDaiBalance", convert=_u)

    def call_dai_in_auctions(self) -> EncodedCall[Wad]:
        return self.encoded_call("getDaiBalanceForAuctions", convert=_u)

    def call_dai_available(self) -> EncodedCall[Wad]:
        return self.encoded_call("getAvailableDaiBalance", convert=_u)

    def call_mkr_balance(self) -> EncodedCall[Wad]:
        return self.encoded_call("getMKRBalance", convert=_u)

    def call_defect_amount(self, shares: Wad) -> EncodedCall[DefectAmount]:
        return self.encoded_call("getDefectAmount", Wad(shares).raw,
                                 convert=lambda d, m, ok: DefectAmount(Wad(d), Wad(m), bool(ok)))

    def call_preview_enter(self, auction_id: int) -> EncodedCall[Preview]:
        return self.encoded_call(
            "previewEnterAuction", auction_id,
            convert=lambda ok, ask, bid, reason: Preview(bool(ok), str(reason), Wad(ask),
                                                         Wad(bid)))

    def call_position(self, auction_id: int) -> EncodedCall[Position]:
        return self.encoded_call("getPosition", auction_id,
                                 convert=lambda d, m: Position(Wad(d), Wad(m)))

    def state_calls(self) -> list[EncodedCall[Any]]:
        """The calls ``PoolState.decode`` expects, in its field order."""
        return [self.call_price(), self.call_status(), self.call_ceased(),
                self.call_total_shares(), self.call_dai_balance(), self.call_dai_in_auctions(),
                self.call_dai_available(), self.call_mkr_balance(), self.call_active_auctions()]

    def state(self, block: int | str = "latest") -> PoolState:
        """The whole state in one round trip."""
        return read_pool_states(self.w3, [self], block)[0]

    # ---- writes ---------------------------------------------------------------------------------
    def enlist(self, sender: Sender, amount: Wad) -> Enlistment:
        """Deposit ``amount`` DAI (needs a DAI allowance for the pool); returns the shares."""
        receipt = self._send(sender, "enlist", Wad(amount).raw)
        return self._enlisted(receipt, amount)

    def approve_and_enlist(self, sender: Sender, amount: Wad) -> Enlistment:
        """Approve exactly ``amount`` DAI for the pool (if needed), then enlist."""
        if self.dai.allowance(address_of(sender), self.address) < Wad(amount):
            self.dai.approve(sender, self.address, Wad(amount))
        return self.enlist(sender, amount)

    def enlist_with_permit(self, member: LocalAccount, amount: Wad, *, expiry: int = 0,
                           nonce: int | None = None) -> Enlistment:
        """One transaction: sign DAI's permit (holder = member, spender = pool, allowed) with
        the member's key and enlist ``amount``. The member sends it (holder = msg.sender)."""
        if not isinstance(member, LocalAccount):
            raise TypeError("enlist_with_permit signs with the member's key: pass a LocalAccount")
        sig = self.dai.sign_permit(member, self.address, expiry=expiry, allowed=True,
                                   nonce=nonce)
        receipt = self._send(member, "enlistWithPermit", Wad(amount).raw, sig.nonce,
                             sig.expiry, sig.v, sig.r, sig.s)
        return self._enlisted(receipt, amount)

    def defect(self, sender: Sender, shares: Wad) -> Defection:
        """Burn ``shares``; returns the DAI and MKR paid now and the redeem request opened."""
        receipt = self._send(sender, "defect", Wad(shares).raw)
        done = self._one(receipt, "Defected", self._defection)
        requests = self._logs(receipt, "RedeemRequest")
        if requests:
            done = Defection(done.member, done.shares, done.dai, done.mkr,
                             int(requests[-1]["args"]["requestId"]))
        return done

    def claim(self, sender: Sender) -> tuple[Wad, Wad]:
        """Receive everything owed (DAI and MKR), keeping the shares."""
        receipt = self._send(sender, "claim")
        return self._paid(receipt)

    def claim_dai(self, sender: Sender) -> tuple[Wad, Wad]:
        """Receive only the DAI owed."""
        return self._paid(self._send(sender, "claimDai"))

    def claim_mkr(self, sender: Sender) -> tuple[Wad, Wad]:
        """Receive only the MKR owed."""
        return self._paid(self._send(sender, "claimMkr"))

    def claim_deposit(self, sender: Sender, request_id: int, controller: str) -> Wad:
        """Turn ``controller``'s claimable deposit request into shares (anyone may call)."""
        receipt = self._send(sender, "claimDeposit", request_id,
                             to_checksum_address(controller))
        return self._one(receipt, "DepositClaimed", lambda a: Wad(a["shares"]))

    def claim_redeem(self, sender: Sender, request_id: int, controller: str) -> tuple[Wad, Wad]:
        """Pay ``controller``'s claimable redeem request (anyone may call); the DAI and MKR
        paid to the controller (with anything else owed to it)."""
        receipt = self._send(sender, "claimRedeem", request_id,
                             to_checksum_address(controller))
        return self._paid(receipt)

    def advance_frontier(self, sender: Sender, steps: int) -> dict[str, Any]:
        """Account up to ``steps`` settled positions in commit order (anyone may call)."""
        return self._send(sender, "advanceFrontier", steps)

    def _paid(self, receipt: dict[str, Any]) -> tuple[Wad, Wad]:
        """DAI and MKR paid by the receipt's ``Claimed`` logs."""
        dai = mkr = 0
        for log in self._logs(receipt, "Claimed"):
            dai += int(log["args"]["dai"])
            mkr += int(log["args"]["mkr"])
        return Wad(dai), Wad(mkr)

    def enter_auction(self, sender: Sender, auction_id: int) -> dict[str, Any]:
        """Bid in ``auction_id`` at the pool's price (anyone may call)."""
        return self._send(sender, "enterAuction", auction_id)

    def finalize_auction(self, sender: Sender, auction_id: int) -> dict[str, Any]:
        """Close the pool's position in ``auction_id`` (anyone may call)."""
        return self._send(sender, "finalizeAuction", auction_id)

    def cease_fire(self, sender: Sender) -> dict[str, Any]:
        """Owner only: no more deposits or bids (withdrawals and finalization stay)."""
        return self._send(sender, "ceaseFire")

    def transfer_shares(self, sender: Sender, to: str, shares: Wad) -> dict[str, Any]:
        return self._send(sender, "transfer", to_checksum_address(to), Wad(shares).raw)

    def approve_shares(self, sender: Sender, spender: str, shares: Wad) -> dict[str, Any]:
        return self._send(sender, "approve", to_checksum_address(spender), Wad(shares).raw)

    def transfer_ownership(self, sender: Sender, new_owner: str) -> dict[str, Any]:
        return self._send(sender, "transfer_ownership", to_checksum_address(new_owner))

    def accept_ownership(self, sender: Sender) -> dict[str, Any]:
        return self._send(sender, "accept_ownership")

    # ---- logs -----------------------------------------------------------------------------------
    def events(self, name: str, from_block: int, to_block: int | str = "latest") -> list[Any]:
        """Decoded logs of one of the pool's events (``"AuctionEntered"``, ``"Defected"``, ...)."""
        event = getattr(self.contract.events, name)()
        return list(event.get_logs(from_block=from_block, to_block=to_block))

    def _enlisted(self, receipt: dict[str, Any], amount: Wad) -> Enlistment:
        """The share mint (``Transfer`` from 0) of the receipt, or its ``DepositRequest``."""
        requests = self._logs(receipt, "DepositRequest")
        if requests:
            args = requests[0]["args"]
            return Enlistment(to_checksum_address(args["controller"]), Wad(amount), Wad(0),
                              int(args["requestId"]))
        mints = [e["args"] for e in self._logs(receipt, "Transfer")
                 if to_checksum_address(e["args"]["sender"]) == ZERO_ADDRESS]
        if len(mints) != 1:
            raise RuntimeError(f"expected one share mint, found {len(mints)}")
        return Enlistment(to_checksum_address(mints[0]["receiver"]), Wad(amount),
                          Wad(mints[0]["value"]))

    @staticmethod
    def _defection(args: Any) -> Defection:
        return Defection(to_checksum_address(args["member"]), Wad(args["shares"]),
                         Wad(args["dai"]), Wad(args["mkr"]))


def read_pool_states(w3: Web3, pools: Sequence[Pool],
                     block: int | str = "latest") -> list[PoolState]:
    """The state of every pool in ONE JSON-RPC batch."""
    per_pool = [p.state_calls() for p in pools]
    flat = [c.as_tuple() for calls in per_pool for c in calls]
    results = batch_call(w3, flat, block)
    out, i = [], 0
    for pool, calls in zip(pools, per_pool, strict=True):
        out.append(PoolState.decode(pool.address, calls, results[i:i + len(calls)]))
        i += len(calls)
    return out


class Factory(Handle):
    """The pool factory: one pool per price, created from a blueprint."""

    ARTIFACT = "pool/factory"

    def __init__(self, w3: Web3, address: str, core: MakerCore | None = None) -> None:
        super().__init__(w3, address)
        self.core = core

    def owner(self) -> str:
        return to_checksum_address(self._read("owner"))

    def pending_owner(self) -> str:
        """The operator-to-be (zero address if nobody is offered the factory)."""
        return to_checksum_address(self._read("pending_owner"))

    def transfer_ownership(self, sender: Sender, new_owner: str) -> dict[str, Any]:
        """Offer the factory (the operator role) to ``new_owner``, who must accept."""
        return self._send(sender, "transfer_ownership", to_checksum_address(new_owner))

    def accept_ownership(self, sender: Sender) -> dict[str, Any]:
        """Take the operator role offered to ``sender``."""
        return self._send(sender, "accept_ownership")

    def blueprint(self) -> str:
        return to_checksum_address(self._read("blueprint"))

    def pool_count(self) -> int:
        return int(self._read("pool_count"))

    PAGE = 1_000

    def pools(self) -> list[Pool]:
        """Every pool, in creation order, read in pages of 1,000 (``get_pools(start, n)``,
        which never reverts however many pools there are)."""
        count = self.pool_count()
        addresses: list[str] = []
        for start in range(0, count, self.PAGE):
            addresses += list(self._read("get_pools", start, self.PAGE))
        return [Pool(self.w3, a, self.core) for a in addresses]

    def pool_for_price(self, price: Wad) -> Pool | None:
        """The pool for ``price`` (DAI per MKR), or None."""
        address = to_checksum_address(self._read("pool_for_price", Wad(price).raw))
        return None if address == ZERO_ADDRESS else Pool(self.w3, address, self.core)

    def call_pool_count(self) -> EncodedCall[int]:
        return self.encoded_call("pool_count", convert=int)

    def create_pool(self, sender: Sender, price: Wad) -> Pool:
        """Deploy the pool for ``price`` (anyone may); reverts "Factory/pool-exists" if any."""
        receipt = self._send(sender, "create_pool", Wad(price).raw)
        return self._one(receipt, "PoolCreated",
                         lambda args: Pool(self.w3, args["pool"], self.core))

    def cease_fire(self, sender: Sender, price: Wad) -> dict[str, Any]:
        """Operator only: ``ceaseFire`` the pool for ``price``."""
        return self._send(sender, "cease_fire", Wad(price).raw)

    def transfer_pool_ownership(self, sender: Sender, price: Wad,
                                new_owner: str) -> dict[str, Any]:
        """Operator only: start handing the pool for ``price`` to ``new_owner``."""
        return self._send(sender, "transfer_pool_ownership", Wad(price).raw,
                          to_checksum_address(new_owner))

    def pool_created_events(self, from_block: int,
                            to_block: int | str = "latest") -> list[tuple[Wad, str, int]]:
        """``(price, pool, block)`` for every PoolCreated log in the range."""
        logs = self.contract.events.PoolCreated().get_logs(from_block=from_block,
                                                           to_block=to_block)
        return [(Wad(log["args"]["price"]), to_checksum_address(log["args"]["pool"]),
                 int(log["blockNumber"])) for log in logs]


def pool_at(w3: Web3, address: str, core: MakerCore | None = None) -> Pool:
    """A handle for the pool at ``address`` (nothing is read until used)."""
    return Pool(w3, address, core)


def factory_at(w3: Web3, address: str, core: MakerCore | None = None) -> Factory:
    """A handle for the factory at ``address``."""
    return Factory(w3, address, core)
