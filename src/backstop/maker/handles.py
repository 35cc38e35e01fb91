"""Typed handles over the Maker contracts the backstop uses, on any chain.

Each handle has ``.address``, ``.contract`` (a web3 Contract over our compiled ABI, which has the
dss names and types, so the same handle works on mainnet) and typed reads returning ``Wad`` /
``Rad`` / ``int`` / ``bool``. Writes take the sender first (an unlocked dev address or a
``LocalAccount``), simulate, send, wait, and raise ``Revert`` with the reason if it would fail.

Reads the keeper and the dashboard make every block are also offered as ``EncodedCall`` objects
(``flopper.call_bids(7)``): ``(to, data)`` for ``backstop.chain.batch_call`` plus the decoder of
the answer, so any number of them cost one JSON-RPC round trip.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, ClassVar, Generic, TypeVar

from eth_abi import decode as abi_decode
from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD

from backstop.artifacts import get_artifact
from backstop.chain.errors import NO_REASON, Revert, revert_from_exception
from backstop.chain.tx import sign_digest
from backstop.maker._tx import Sender, send
from backstop.maker.addresses import MakerAddresses
from backstop.maker.params import MakerParams
from backstop.maker.permit import DAI_PERMIT_NAME, DAI_PERMIT_VERSION, dai_permit_digest
from backstop.maker.rules import deal_ready, dent_open, tick_ready
from backstop.units import Rad, Wad, price_of

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
T = TypeVar("T")


def bytes32(text: str) -> bytes:
    """A short ASCII name as dss ``file`` takes it: left-aligned, zero-padded to 32 bytes."""
    raw = text.encode("ascii")
    if len(raw) > 32:
        raise ValueError(f"{text!r} is longer than 32 bytes")
    return raw.ljust(32, b"\0")


@dataclass(frozen=True)
class EncodedCall(Generic[T]):
    """One read, ready for ``batch_call``: target, calldata and the decoder of its answer."""

    to: str
    data: bytes
    decode: Callable[[bytes], T]

    def as_tuple(self) -> tuple[str, bytes]:
        """``(to, data)``, the shape ``backstop.chain.batch_call`` takes."""
        return (self.to, self.data)


@dataclass(frozen=True)
class Bid:
    """One debt auction as ``flopper.bids(id)`` returns it (all zeros once dealt or yanked)."""

    bid: Rad
    lot: Wad
    guy: str
    tic: int
    end: int

    @property
    def exists(self) -> bool:
        """True while the auction is running (not yet dealt or yanked, or never kicked)."""
        return self.guy != ZERO_ADDRESS

    @property
    def price(self) -> Wad | None:
        """Implied DAI per MKR of the current lot (bid / lot), None for an empty auction."""
        return price_of(self.bid, self.lot) if self.lot.raw else None

    def is_biddable(self, now: int) -> bool:
        """Open for ``dent`` at time ``now``: exists, not expired, current bid not expired."""
        return self.exists and dent_open(self.tic, self.end, now)

    def is_dealable(self, now: int) -> bool:
        """``deal`` would succeed at ``now`` (some bid, and the bid or the auction expired)."""
        return self.exists and deal_ready(self.tic, self.end, now)

    def is_tickable(self, now: int) -> bool:
        """``tick`` would succeed at ``now`` (expired with no bid)."""
        return self.exists and tick_ready(self.tic, self.end, now)


@dataclass(frozen=True)
class KickEvent:
    """A ``Kick(id, lot, bid, gal)`` log of the Flopper."""

    id: int
    lot: Wad
    bid: Rad
    gal: str
    block_number: int
    tx_hash: str


@cache
def _abi(artifact: str) -> tuple[Any, ...]:
    """The ABI of one of our contracts (compiled once per process, then from the disk cache)."""
    return tuple(get_artifact(artifact).abi)


def _output_types(abi: Sequence[dict[str, Any]], name: str) -> list[str]:
    """The ABI output types of function ``name`` (tuples spelled out as ``(t1,t2)``)."""
    for entry in abi:
        if entry.get("type") == "function" and entry.get("name") == name:
            return [_abi_type(o) for o in entry.get("outputs", [])]
    raise KeyError(f"no function {name!r} in the ABI")


def _abi_type(param: dict[str, Any]) -> str:
    typ = str(param["type"])
    if typ.startswith("tuple"):
        inner = ",".join(_abi_type(c) for c in param.get("components", []))
        return f"({inner}){typ[5:]}"
    return typ


class Handle:
    """A typed view of one deployed contract; subclasses name their artifact."""

    ARTIFACT: ClassVar[str]

    def __init__(self, w3: Web3, address: str) -> None:
        self.w3 = w3
        self.address = to_checksum_address(address)
        abi = list(_abi(self.ARTIFACT))
        self.contract: Contract = w3.eth.contract(address=self.address, abi=abi)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.address})"

    def __eq__(self, other: object) -> bool:
        """Handles are equal when they are the same kind of contract at the same address."""
        if not isinstance(other, Handle):
            return NotImplemented
        return type(self) is type(other) and self.address == other.address

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.address))

    def _read(self, fn: str, *args: Any, block: int | str = "latest") -> Any:
        """Call view ``fn``; a revert becomes ``Revert`` with the reason in words."""
        try:
            return self.contract.functions[fn](*args).call(block_identifier=block)
        except Exception as exc:
            revert = revert_from_exception(exc)
            if revert is None:
                raise
            raise revert from exc

    def _send(self, sender: Sender, fn: str, *args: Any) -> dict[str, Any]:
        return send(self.w3, sender, self.contract.functions[fn](*args))

    def _logs(self, receipt: dict[str, Any], name: str) -> list[Any]:
        """This contract's decoded ``name`` logs in a transaction receipt."""
        mine = [log for log in receipt["logs"]
                if to_checksum_address(log["address"]) == self.address]
        event = getattr(self.contract.events, name)()
        return list(event.process_receipt({**receipt, "logs": mine}, errors=DISCARD))

    def _one(self, receipt: dict[str, Any], name: str, build: Callable[[Any], T]) -> T:
        """``build`` applied to the args of the one ``name`` log of this contract in a receipt."""
        found = self._logs(receipt, name)
        if len(found) != 1:
            raise RuntimeError(f"expected one {name} log, found {len(found)}")
        return build(found[0]["args"])

    def encode(self, fn: str, *args: Any) -> bytes:
        """Calldata of ``fn(*args)``."""
        data = self.contract.encode_abi(fn, args=list(args))
        return bytes.fromhex(data[2:])

    def encoded_call(self, fn: str, *args: Any,
                     convert: Callable[..., T] = lambda *xs: xs[0] if len(xs) == 1 else xs,
                     ) -> EncodedCall[T]:
        """A read as an ``EncodedCall``; ``convert`` maps the decoded outputs to the result."""
        types = _output_types(self.contract.abi, fn)

        def decode(raw: bytes) -> T:
            return convert(*abi_decode(types, bytes(raw)))

        return EncodedCall(self.address, self.encode(fn, *args), decode)

    # dss authorization, on every contract that has it
    def wards(self, usr: str) -> bool:
        """Whether ``usr`` is authorized on this contract."""
        return bool(self._read("wards", to_checksum_address(usr)))

    def rely(self, sender: Sender, usr: str) -> dict[str, Any]:
        """Authorize ``usr`` (sender must be a ward)."""
        return self._send(sender, "rely", to_checksum_address(usr))

    def deny(self, sender: Sender, usr: str) -> dict[str, Any]:
        """Remove ``usr``'s authorization (sender must be a ward)."""
        return self._send(sender, "deny", to_checksum_address(usr))


class Vat(Handle):
    """The core ledger: internal DAI and sin in rad."""

    ARTIFACT = "maker/vat"

    def live(self) -> bool:
        return bool(self._read("live"))

    def dai(self, usr: str) -> Rad:
        return Rad(self._read("dai", to_checksum_address(usr)))

    def sin(self, usr: str) -> Rad:
        return Rad(self._read("sin", to_checksum_address(usr)))

    def debt(self) -> Rad:
        return Rad(self._read("debt"))

    def vice(self) -> Rad:
        return Rad(self._read("vice"))

    def can(self, bit: str, usr: str) -> bool:
        """Whether ``bit`` has hoped ``usr`` (``usr`` may move ``bit``'s internal DAI)."""
        return bool(self._read("can", to_checksum_address(bit), to_checksum_address(usr)))

    def call_dai(self, usr: str) -> EncodedCall[Rad]:
        return self.encoded_call("dai", to_checksum_address(usr), convert=Rad)

    def hope(self, sender: Sender, usr: str) -> dict[str, Any]:
        return self._send(sender, "hope", to_checksum_address(usr))

    def nope(self, sender: Sender, usr: str) -> dict[str, Any]:
        return self._send(sender, "nope", to_checksum_address(usr))

    def move(self, sender: Sender, src: str, dst: str, rad: Rad) -> dict[str, Any]:
        return self._send(sender, "move", to_checksum_address(src), to_checksum_address(dst),
                          Rad(rad).raw)

    def suck(self, sender: Sender, u: str, v: str, rad: Rad) -> dict[str, Any]:
        """Create ``rad`` of sin for ``u`` and of dai for ``v`` (sender must be a ward)."""
        return self._send(sender, "suck", to_checksum_address(u), to_checksum_address(v),
                          Rad(rad).raw)

    def heal(self, sender: Sender, rad: Rad) -> dict[str, Any]:
        return self._send(sender, "heal", Rad(rad).raw)

    def cage(self, sender: Sender) -> dict[str, Any]:
        return self._send(sender, "cage")


class _Erc20(Handle):
    """ERC20 reads and writes shared by DAI and MKR (amounts in wad)."""

    def balance_of(self, usr: str) -> Wad:
        return Wad(self._read("balanceOf", to_checksum_address(usr)))

    def total_supply(self) -> Wad:
        return Wad(self._read("totalSupply"))

    def allowance(self, owner: str, spender: str) -> Wad:
        return Wad(self._read("allowance", to_checksum_address(owner),
                              to_checksum_address(spender)))

    def decimals(self) -> int:
        return int(self._read("decimals"))

    def symbol(self) -> str:
        return str(self._read("symbol"))

    def name(self) -> str:
        return str(self._read("name"))

    def call_balance_of(self, usr: str) -> EncodedCall[Wad]:
        return self.encoded_call("balanceOf", to_checksum_address(usr), convert=Wad)

    def approve(self, sender: Sender, spender: str, amount: Wad) -> dict[str, Any]:
        return self._send(sender, "approve", to_checksum_address(spender), Wad(amount).raw)

    def transfer(self, sender: Sender, to: str, amount: Wad) -> dict[str, Any]:
        return self._send(sender, "transfer", to_checksum_address(to), Wad(amount).raw)

    def transfer_from(self, sender: Sender, src: str, dst: str, amount: Wad) -> dict[str, Any]:
        return self._send(sender, "transferFrom", to_checksum_address(src),
                          to_checksum_address(dst), Wad(amount).raw)

    def mint(self, sender: Sender, usr: str, amount: Wad) -> dict[str, Any]:
        """Mint (sender must be authorized)."""
        return self._send(sender, "mint", to_checksum_address(usr), Wad(amount).raw)

    def burn(self, sender: Sender, usr: str, amount: Wad) -> dict[str, Any]:
        return self._send(sender, "burn", to_checksum_address(usr), Wad(amount).raw)


@dataclass(frozen=True)
class PermitSignature:
    """A signed DAI permit: the fields ``Dai.permit`` takes besides holder and spender."""

    nonce: int
    expiry: int
    allowed: bool
    v: int
    r: bytes
    s: bytes


class Dai(_Erc20):
    """ERC20 DAI with DAI's own permit (EIP-712 domain "Dai Stablecoin", version "1")."""

    ARTIFACT = "maker/dai"
    PERMIT_NAME = DAI_PERMIT_NAME
    PERMIT_VERSION = DAI_PERMIT_VERSION

    def nonces(self, holder: str) -> int:
        return int(self._read("nonces", to_checksum_address(holder)))

    def sign_permit(self, holder: LocalAccount, spender: str, *, expiry: int = 0,
                    allowed: bool = True, nonce: int | None = None) -> PermitSignature:
        """Sign ``Permit(holder, spender, nonce, expiry, allowed)`` with the holder's key.

        ``expiry`` 0 means never; ``nonce`` defaults to the holder's current nonce on chain.
        """
        if nonce is None:
            nonce = self.nonces(holder.address)
        digest = dai_permit_digest(int(self.w3.eth.chain_id), self.address,
                                   to_checksum_address(holder.address),
                                   to_checksum_address(spender), nonce, expiry, allowed)
        v, r, s = sign_digest(holder.key, digest)
        return PermitSignature(nonce, expiry, allowed, v, r, s)

    def permit(self, sender: Sender, holder: str, spender: str,
               sig: PermitSignature) -> dict[str, Any]:
        """Submit a signed permit (anyone may send it)."""
        return self._send(sender, "permit", to_checksum_address(holder),
                          to_checksum_address(spender), sig.nonce, sig.expiry, sig.allowed,
                          sig.v, sig.r, sig.s)


def token_text(raw: bytes) -> str:
    """A token's ``name()``/``symbol()`` answer as text: ds-token (mainnet MKR, ours) answers a
    zero-padded ``bytes32``, most ERC20s an ABI ``string``; decided by the answer's length."""
    raw = bytes(raw)
    if len(raw) == 32:  # bytes32, zero-padded
        return raw.rstrip(b"\0").decode("utf-8", "replace")
    return str(abi_decode(["string"], raw)[0])


MINT_SIG = bytes.fromhex("40c10f19")  # mint(address,uint256), as MKR asks its authority


class Mkr(_Erc20):
    """The MKR token (the Flopper mints it to auction winners): a ds-token, like mainnet MKR.

    ``name``/``symbol`` are ``bytes32`` (decoded here; a ``string`` answer is read too), and
    ``decimals`` a uint256. Authorization is DSAuth: the ``owner`` may do anything, anyone else
    what the ``authority`` (MkrAuthority) allows: its wards (the Flopper) may mint. Refusals
    (unauthorized, stopped, too little balance or allowance) revert WITHOUT a reason."""

    ARTIFACT = "maker/mkr"

    def name(self) -> str:
        return self._text("name")

    def symbol(self) -> str:
        return self._text("symbol")

    def _text(self, fn: str) -> str:
        return token_text(self.w3.eth.call({"to": self.address, "data": self.encode(fn)}))

    # ds-token gives no revert reason: say what it can mean instead of "without a reason"
    REFUSED = ("MKR refused without a reason, as ds-token does: too little MKR or allowance, a "
               "caller it does not authorize, or a stopped token")

    def _send(self, sender: Sender, fn: str, *args: Any) -> dict[str, Any]:
        try:
            return super()._send(sender, fn, *args)
        except Revert as exc:
            if exc.reason != NO_REASON:
                raise
            raise Revert(self.REFUSED, exc.data) from exc

    def owner(self) -> str:
        return to_checksum_address(self._read("owner"))

    def authority(self) -> str:
        return to_checksum_address(self._read("authority"))

    def can_mint(self, usr: str) -> bool:
        """Whether ``usr`` may mint: the owner, or allowed by the authority (as DSAuth asks)."""
        usr = to_checksum_address(usr)
        if usr in (self.address, self.owner()):
            return True
        authority = self.authority()
        if authority == ZERO_ADDRESS:
            return False
        return MkrAuthority(self.w3, authority).can_call(usr, self.address, MINT_SIG)

    def set_authority(self, sender: Sender, authority: str) -> dict[str, Any]:
        return self._send(sender, "setAuthority", to_checksum_address(authority))

    def set_name(self, sender: Sender, name: str) -> dict[str, Any]:
        return self._send(sender, "setName", bytes32(name))

    def wards(self, usr: str) -> bool:
        """ds-token has no wards: whether ``usr`` may mint (``can_mint``)."""
        return self.can_mint(usr)

    def rely(self, sender: Sender, usr: str) -> dict[str, Any]:
        raise TypeError("MKR is a ds-token: let a minter in with its MkrAuthority's rely")

    def deny(self, sender: Sender, usr: str) -> dict[str, Any]:
        raise TypeError("MKR is a ds-token: remove a minter with its MkrAuthority's deny")


class MkrAuthority(Handle):
    """MKR's authority (mainnet's MkrAuthority): the ``root`` may call anything on MKR and alone
    administers it; its wards may mint; anyone may burn. Refusals revert without a reason."""

    ARTIFACT = "maker/mkr_authority"

    def root(self) -> str:
        return to_checksum_address(self._read("root"))

    def can_call(self, src: str, dst: str, sig: bytes) -> bool:
        return bool(self._read("canCall", to_checksum_address(src), to_checksum_address(dst),
                               bytes(sig)))


class Flapper(Handle):
    """The surplus auction, as far as the Vow's ``cage`` needs it (``live``, ``cage``)."""

    ARTIFACT = "maker/flapper"

    def live(self) -> bool:
        return bool(self._read("live"))


class DaiJoin(Handle):
    """The adapter between ERC20 DAI (wad) and the Vat's internal DAI (rad)."""

    ARTIFACT = "maker/dai_join"

    def live(self) -> bool:
        return bool(self._read("live"))

    def join(self, sender: Sender, usr: str, wad: Wad) -> dict[str, Any]:
        """Burn ``wad`` of the sender's ERC20 DAI, credit ``usr`` with ``wad * ray`` in the Vat
        (the sender must have approved the DaiJoin)."""
        return self._send(sender, "join", to_checksum_address(usr), Wad(wad).raw)

    def exit(self, sender: Sender, usr: str, wad: Wad) -> dict[str, Any]:
        """Debit the sender ``wad * ray`` in the Vat and mint ``wad`` ERC20 DAI to ``usr`` (the
        sender must have hoped the DaiJoin)."""
        return self._send(sender, "exit", to_checksum_address(usr), Wad(wad).raw)


def _bid(bid: int, lot: int, guy: str, tic: int, end: int) -> Bid:
    return Bid(Rad(bid), Wad(lot), to_checksum_address(guy), int(tic), int(end))


class Flopper(Handle):
    """The debt auction: sells newly minted MKR for a fixed amount of DAI."""

    ARTIFACT = "maker/flopper"

    def bids(self, id: int, block: int | str = "latest") -> Bid:
        return _bid(*self._read("bids", id, block=block))

    def kicks(self, block: int | str = "latest") -> int:
        return int(self._read("kicks", block=block))

    def beg(self) -> Wad:
        return Wad(self._read("beg"))

    def pad(self) -> Wad:
        return Wad(self._read("pad"))

    def ttl(self) -> int:
        return int(self._read("ttl"))

    def tau(self) -> int:
        return int(self._read("tau"))

    def live(self) -> bool:
        return bool(self._read("live"))

    def vow(self) -> str:
        return to_checksum_address(self._read("vow"))

    def call_bids(self, id: int) -> EncodedCall[Bid]:
        return self.encoded_call("bids", id, convert=_bid)

    def call_kicks(self) -> EncodedCall[int]:
        return self.encoded_call("kicks", convert=int)

    def call_live(self) -> EncodedCall[bool]:
        return self.encoded_call("live", convert=bool)

    def call_beg(self) -> EncodedCall[Wad]:
        return self.encoded_call("beg", convert=lambda b: Wad(int(b)))

    def dent(self, sender: Sender, id: int, lot: Wad, bid: Rad) -> dict[str, Any]:
        """Bid: accept ``bid`` DAI (must equal the auction's) for a smaller ``lot`` of MKR."""
        return self._send(sender, "dent", id, Wad(lot).raw, Rad(bid).raw)

    def tick(self, sender: Sender, id: int) -> dict[str, Any]:
        """Restart an auction that expired with no bid (the lot grows by ``pad``)."""
        return self._send(sender, "tick", id)

    def deal(self, sender: Sender, id: int) -> dict[str, Any]:
        """Settle a finished auction: mint the lot of MKR to the winner."""
        return self._send(sender, "deal", id)

    def yank(self, sender: Sender, id: int) -> dict[str, Any]:
        """After ``cage``: refund the high bidder and delete the auction."""
        return self._send(sender, "yank", id)

    def kick(self, sender: Sender, gal: str, lot: Wad, bid: Rad) -> dict[str, Any]:
        """Start an auction (authorized callers only: the Vow)."""
        return self._send(sender, "kick", to_checksum_address(gal), Wad(lot).raw, Rad(bid).raw)

    def file(self, sender: Sender, what: str, data: int) -> dict[str, Any]:
        return self._send(sender, "file", bytes32(what), int(data))

    def cage(self, sender: Sender) -> dict[str, Any]:
        return self._send(sender, "cage")

    def kick_events(self, from_block: int, to_block: int | str = "latest") -> list[KickEvent]:
        """Every ``Kick`` log in the block range (inclusive), oldest first."""
        logs = self.contract.events.Kick().get_logs(from_block=from_block, to_block=to_block)
        return [self._kick_event(log) for log in logs]

    def kicks_in(self, receipt: dict[str, Any]) -> list[KickEvent]:
        """The ``Kick`` logs of this Flopper in a transaction receipt."""
        return [self._kick_event(e) for e in self._logs(receipt, "Kick")]

    @staticmethod
    def _kick_event(log: Any) -> KickEvent:
        args = log["args"]
        return KickEvent(int(args["id"]), Wad(args["lot"]), Rad(args["bid"]),
                         to_checksum_address(args["gal"]), int(log["blockNumber"]),
                         "0x" + bytes(log["transactionHash"]).hex())


class Vow(Handle):
    """The system's balance sheet; ``flop`` starts a debt auction."""

    ARTIFACT = "maker/vow"

    def sin(self, era: int) -> Rad:
        return Rad(self._read("sin", era))

    def Sin(self) -> Rad:
        return Rad(self._read("Sin"))

    def Ash(self) -> Rad:
        return Rad(self._read("Ash"))

    def wait(self) -> int:
        return int(self._read("wait"))

    def dump(self) -> Wad:
        return Wad(self._read("dump"))

    def sump(self) -> Rad:
        return Rad(self._read("sump"))

    def live(self) -> bool:
        return bool(self._read("live"))

    def flopper(self) -> str:
        """The Flopper the Vow starts its debt auctions in now (governance can replace it)."""
        return to_checksum_address(self._read("flopper"))

    def flapper(self) -> str:
        """The Flapper (surplus auctions) the Vow cages on global settlement."""
        return to_checksum_address(self._read("flapper"))

    def fess(self, sender: Sender, tab: Rad) -> dict[str, Any]:
        """Queue ``tab`` of debt (authorized callers only)."""
        return self._send(sender, "fess", Rad(tab).raw)

    def flog(self, sender: Sender, era: int) -> dict[str, Any]:
        """Release the debt queued at ``era`` once ``wait`` has passed."""
        return self._send(sender, "flog", era)

    def heal(self, sender: Sender, rad: Rad) -> dict[str, Any]:
        return self._send(sender, "heal", Rad(rad).raw)

    def kiss(self, sender: Sender, rad: Rad) -> dict[str, Any]:
        return self._send(sender, "kiss", Rad(rad).raw)

    def file(self, sender: Sender, what: str, data: int) -> dict[str, Any]:
        return self._send(sender, "file", bytes32(what), int(data))

    def flop(self, sender: Sender, flopper: Flopper) -> int:
        """Start a debt auction; returns its id (read from the Flopper's Kick log)."""
        receipt = self._send(sender, "flop")
        kicks = flopper.kicks_in(receipt)
        if len(kicks) != 1:
            raise RuntimeError(f"flop emitted {len(kicks)} Kick events, expected 1")
        return kicks[0].id

    def cage(self, sender: Sender) -> dict[str, Any]:
        return self._send(sender, "cage")


@dataclass(frozen=True)
class MakerCore:
    """Handles for the contracts of one Maker deployment: the six the backstop uses, and (when
    known, as after ``deploy_core``) the Flapper and MKR's authority."""

    vat: Vat
    dai: Dai
    dai_join: DaiJoin
    mkr: Mkr
    flopper: Flopper
    vow: Vow
    deployer: Sender | None = field(default=None, compare=False, repr=False)
    """A ward of the Vat and the Vow (set by ``deploy_core``), used by the scenario helpers."""
    flapper: Flapper | None = None
    mkr_authority: MkrAuthority | None = None

    @property
    def w3(self) -> Web3:
        return self.vat.w3

    @property
    def addresses(self) -> MakerAddresses:
        return MakerAddresses(
            dai=self.dai.address, mkr=self.mkr.address, dai_join=self.dai_join.address,
            vat=self.vat.address, vow=self.vow.address, flopper=self.flopper.address,
        )

    def params(self) -> MakerParams:
        """The debt-auction parameters as the chain has them now."""
        return MakerParams(beg=self.flopper.beg(), pad=self.flopper.pad(),
                           ttl=self.flopper.ttl(), tau=self.flopper.tau(),
                           dump=self.vow.dump(), sump=self.vow.sump(), wait=self.vow.wait())

    def flop(self, sender: Sender) -> int:
        """``vow.flop()``: start a debt auction, return its id."""
        return self.vow.flop(sender, self.flopper)


def core_at(w3: Web3, addresses: MakerAddresses, deployer: Sender | None = None) -> MakerCore:
    """Handles for an existing deployment (mainnet's ``MAINNET`` or one we deployed);
    nothing is sent and nothing is checked on chain. ``deployer``: a ward, if you have one
    (only the scenario helpers need it)."""
    return MakerCore(
        vat=Vat(w3, addresses.vat),
        dai=Dai(w3, addresses.dai),
        dai_join=DaiJoin(w3, addresses.dai_join),
        mkr=Mkr(w3, addresses.mkr),
        flopper=Flopper(w3, addresses.flopper),
        vow=Vow(w3, addresses.vow),
        deployer=deployer,
    )
