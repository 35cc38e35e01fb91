"""Scenario helpers for dev chains: fund accounts with DAI, create bad debt, kick debt auctions,
move time. They need a ward of the Vat and the Vow: ``core.deployer`` (set by ``deploy_core``) or
an explicit ``sender``.

Where DAI comes from. On mainnet DAI is drawn from collateral vaults; this core has none, so
``fund_dai`` does the one dss-faithful thing left: ``vat.suck(ward, ward, rad)`` creates Vat DAI
against sin charged to the ward (standing for the vaults; NOT to the Vow, so it never becomes
auctionable bad debt and the Vow's books stay exactly as the scenario sets them), then the ward
takes it out through ``DaiJoin.exit(to, wad)`` as ERC20 DAI, exactly like a vault owner would.
``fund_vat_dai`` stops before the exit and moves the internal DAI to ``to`` with ``vat.move``.

Where bad debt comes from. ``create_bad_debt`` does what a liquidation that raised nothing does:
``vat.suck(vow, ward, rad)`` books the sin on the Vow (the ward walks off with the DAI, like the
zero-bid winners of March 2020), ``vow.fess(rad)`` queues it, and after ``wait`` seconds
``vow.flog(era)`` releases it for debt auctions. ``queue=False`` skips the queue (and the time
travel of ``wait``): the sin is auctionable at once.
"""

from __future__ import annotations

from web3 import Web3

from backstop.chain import dev
from backstop.maker._tx import Sender, address_of
from backstop.maker.handles import MakerCore
from backstop.units import Rad, Wad


class ScenarioError(RuntimeError):
    """A scenario helper cannot do what was asked (the message says why)."""


# ---- time --------------------------------------------------------------------------------------


def now(w3: Web3) -> int:
    """The timestamp of the latest block."""
    return int(w3.eth.get_block("latest")["timestamp"])


def advance(w3: Web3, seconds: int) -> int:
    """Move chain time forward by ``seconds`` and mine a block; return the new block time."""
    if seconds < 0:
        raise ScenarioError(f"cannot move time backwards ({seconds} s)")
    return dev.time_travel(w3, seconds)


def advance_past(w3: Web3, timestamp: int) -> int:
    """Move time so the latest block is strictly after ``timestamp`` (no-op if it already is)."""
    current = now(w3)
    return advance(w3, timestamp + 1 - current) if current <= timestamp else current


# ---- money -------------------------------------------------------------------------------------


def _ward(core: MakerCore, sender: Sender | None) -> Sender:
    ward = sender if sender is not None else core.deployer
    if ward is None:
        raise ScenarioError("scenario helpers need a ward of the Vat and the Vow: pass sender=")
    return ward


def fund_vat_dai(core: MakerCore, to: str, amount: Rad, *, sender: Sender | None = None) -> None:
    """Give ``to`` ``amount`` of internal (Vat) DAI, ready for ``flopper.dent`` after a hope."""
    ward = _ward(core, sender)
    me = address_of(ward)
    core.vat.suck(ward, me, me, Rad(amount))
    if Web3.to_checksum_address(to) != me:
        core.vat.move(ward, me, to, Rad(amount))


def fund_dai(core: MakerCore, to: str, amount: Wad, *, sender: Sender | None = None) -> None:
    """Give ``to`` ``amount`` of ERC20 DAI (vat.suck to the ward, then DaiJoin.exit to ``to``)."""
    ward = _ward(core, sender)
    me = address_of(ward)
    if not core.vat.can(me, core.dai_join.address):
        core.vat.hope(ward, core.dai_join.address)
    core.vat.suck(ward, me, me, Wad(amount).to_rad())
    core.dai_join.exit(ward, to, Wad(amount))


def create_bad_debt(core: MakerCore, amount: Rad, *, sender: Sender | None = None,
                    queue: bool = True) -> None:
    """Book ``amount`` of unbacked debt on the Vow and make it auctionable (see module doc)."""
    ward = _ward(core, sender)
    me = address_of(ward)
    core.vat.suck(ward, core.vow.address, me, Rad(amount))
    if not queue:
        return
    receipt = core.vow.fess(ward, Rad(amount))
    era = int(core.w3.eth.get_block(receipt["blockNumber"])["timestamp"])
    advance_past(core.w3, era + core.vow.wait() - 1)
    core.vow.flog(ward, era)


def free_debt(core: MakerCore) -> Rad:
    """Debt the Vow can auction now: ``vat.sin(vow) - Sin - Ash``."""
    return core.vat.sin(core.vow.address) - core.vow.Sin() - core.vow.Ash()


def kick_auctions(core: MakerCore, n: int, *, sender: Sender | None = None,
                  queue: bool = False) -> list[int]:
    """Start ``n`` debt auctions with ``vow.flop()``, creating just enough bad debt first (and
    healing any surplus the Vow holds, which flop refuses); returns their ids in order."""
    if n < 0:
        raise ScenarioError(f"cannot kick {n} auctions")
    ward = _ward(core, sender)
    vow = core.vow.address
    surplus = core.vat.dai(vow)
    if surplus.raw:
        room = min(surplus, free_debt(core))
        if room.raw:
            core.vow.heal(ward, room)
        if core.vat.dai(vow).raw:
            raise ScenarioError(f"the Vow holds {core.vat.dai(vow)} DAI of surplus: flop refuses")
    need = core.vow.sump().scale(n) - free_debt(core)
    if need.raw > 0:
        create_bad_debt(core, need, sender=ward, queue=queue)
    return [core.flop(ward) for _ in range(n)]
