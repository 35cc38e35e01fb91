"""A Maker core plus backstop pools on titanoboa's in-process EVM, for contract tests and the
gas benchmark (the rest of the project talks to chains through web3; see docs/ARCHITECTURE.md).

``deploy_maker()`` deploys and wires the core alone (the Maker contract tests use it);
``deploy_system()`` deploys and wires Vat, Dai, DaiJoin, MKR, Flopper (current or 2019) and Vow
like dss with the March 2020 parameters, then a pool at 100 DAI/MKR. ``System`` carries the
scenario steps tests share: fund members with DAI, kick auctions, outbid, move time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import boa

import backstop
from backstop.maker.handles import bytes32 as b32  # noqa: F401 (re-exported for tests)
from backstop.maker.params import MakerParams
from backstop.pool.rules import EnterCheck, enter_check, pool_name, pool_symbol
from backstop.units import RAY, WAD

CONTRACTS = Path(backstop.__file__).parent / "contracts"

# The March 2020 parameters (``MakerParams()``'s defaults) as the raw integers boa takes.
_MARCH_2020 = MakerParams()
BEG = _MARCH_2020.beg.raw
PAD = _MARCH_2020.pad.raw
TTL = _MARCH_2020.ttl
TAU = _MARCH_2020.tau
DUMP = _MARCH_2020.dump.raw
SUMP = _MARCH_2020.sump.raw
WAIT = _MARCH_2020.wait
PRICE = 100 * WAD


PIPELINE_ENV = "BACKSTOP_POOL_PIPELINE"
"""Set to ``legacy`` to build the pool contracts with Vyper's legacy code generator instead of
the venom pipeline their pragma selects (docs/POOL.md: CI runs the contract suite on both)."""


def contract(name: str) -> Any:
    """The compiled contract ``<dir>/<name>`` under src/backstop/contracts (compiled once).
    With ``BACKSTOP_POOL_PIPELINE=legacy`` the pool contracts drop their venom pragma, and for
    them the current test EVM's code-size limit is lifted (the legacy pool exceeds EIP-170):
    on every call, since tests may swap in a fresh EVM."""
    if name.startswith("pool/") and (os.environ.get(PIPELINE_ENV) == "legacy"
                                     or "experimental-codegen" not in _source(name)):
        boa.env.evm.patch.code_size_limit = 2**32
    return _compiled(name)


@cache
def _source(name: str) -> str:
    return (CONTRACTS / f"{name}.vy").read_text()


@cache
def _compiled(name: str) -> Any:
    path = CONTRACTS / f"{name}.vy"
    if name.startswith("pool/") and os.environ.get(PIPELINE_ENV) == "legacy":
        source = path.read_text().replace("# pragma experimental-codegen\n", "")
        return boa.loads_partial(source, name=path.stem)
    return boa.load_partial(str(path))


@dataclass
class System:
    """Handles of a deployed core and pool, and the scenario steps tests share."""

    deployer: str
    vat: Any
    dai: Any
    dai_join: Any
    mkr: Any
    flopper: Any
    vow: Any
    mkr_authority: Any = None
    flapper: Any = None
    pool: Any = None
    ready: set[str] = field(default_factory=set)

    # ---- DAI ----------------------------------------------------------------------------
    def mint_dai(self, to: str, wad: int) -> None:
        """Give ``to`` ``wad`` new ERC20 DAI, backed by Vat DAI of the DaiJoin as an exit
        would leave it (sin on the deployer); works also after the DaiJoin is caged."""
        with boa.env.prank(self.deployer):
            self.vat.suck(self.deployer, self.dai_join.address, wad * RAY)
        with boa.env.prank(self.dai_join.address):
            self.dai.mint(to, wad)

    def give_vat_dai(self, to: str, rad: int) -> None:
        """Credit ``to`` with ``rad`` Vat DAI (sin on the deployer)."""
        with boa.env.prank(self.deployer):
            self.vat.suck(self.deployer, to, rad)

    def enlist(self, member: str, wad: int, pool: Any = None) -> int:
        """Fund ``member`` with ``wad`` DAI, approve the pool and enlist; return shares."""
        pool = pool or self.pool
        self.mint_dai(member, wad)
        with boa.env.prank(member):
            self.dai.approve(pool.address, 2**256 - 1)
            return pool.enlist(wad)

    # ---- auctions -----------------------------------------------------------------------
    def kick(self) -> int:
        """Create ``sump`` bad debt on the Vow and start a debt auction; return its id.
        With the 2019 Flopper (no kiss) the Vow's surplus from earlier bids is kissed first,
        as a keeper would."""
        surplus = self.vat.dai(self.vow.address)
        if surplus:
            self.vow.kiss(min(surplus, self.vow.Ash()))
        with boa.env.prank(self.deployer):
            self.vat.suck(self.vow.address, self.deployer, self.vow.sump())
        return self.vow.flop()

    def tick_until_biddable(self, id_: int, price: int = PRICE) -> None:
        """Let auction ``id_`` expire unbid and restart it until a pool at ``price`` may bid."""
        while not self._may_bid(id_, price):
            self.expire(id_)
            self.flopper.tick(id_)

    def expire(self, id_: int) -> None:
        """Move time past auction ``id_``'s end."""
        end = self.flopper.bids(id_)[4]
        now = boa.env.evm.patch.timestamp
        if end >= now:
            boa.env.time_travel(seconds=end - now + 1)

    def biddable(self, price: int = PRICE) -> int:
        """A new auction whose lot a pool at ``price`` may bid on; return its id."""
        id_ = self.kick()
        self.tick_until_biddable(id_, price)
        return id_

    def biddable_many(self, n: int, price: int = PRICE) -> list[int]:
        """Kick ``n`` auctions and restart them together until a pool at ``price`` may bid on
        every one (they then end together); return their ids."""
        ids = [self.kick() for _ in range(n)]
        while not all(self._may_bid(i, price) for i in ids):
            self.expire(ids[-1])
            for i in ids:
                self.flopper.tick(i)
        return ids

    def _may_bid(self, id_: int, price: int) -> bool:
        """Whether ``beg`` lets a pool at ``price`` bid on auction ``id_``'s current lot."""
        bid, lot, _guy, _tic, _end = self.flopper.bids(id_)
        ask = (bid // RAY * WAD + price - 1) // price
        return ask < lot and BEG * ask <= lot * WAD

    def outbid(self, id_: int, bidder: str) -> int:
        """``bidder`` bids ``beg`` below the current lot; return the lot it asked."""
        bid, lot, _guy, _tic, _end = self.flopper.bids(id_)
        new_lot = lot * WAD // BEG
        if BEG * new_lot > lot * WAD:
            new_lot -= 1
        if bidder not in self.ready:
            with boa.env.prank(bidder):
                self.vat.hope(self.flopper.address)
            self.ready.add(bidder)
        self.give_vat_dai(bidder, bid)
        with boa.env.prank(bidder):
            self.flopper.dent(id_, new_lot, bid)
        return new_lot

    def finish_bid(self, id_: int) -> None:
        """Move time past the high bid's expiry (``tic``) of auction ``id_``."""
        tic = self.flopper.bids(id_)[3]
        now = boa.env.evm.patch.timestamp
        if tic >= now:
            boa.env.time_travel(seconds=tic - now + 1)

    def enter_check(self, id_: int, pool: Any = None) -> EnterCheck:
        """``backstop.pool.rules.enter_check`` on what ``pool`` (default: the system's) and the
        Flopper hold now: what the off-chain preview says of ``enterAuction(id_)``."""
        pool = pool or self.pool
        bid, lot, guy, tic, end = self.flopper.bids(id_)
        return enter_check(
            ceased=pool.ceased(), entered=pool.getPosition(id_) != (0, 0),
            live=self.flopper.live() == 1, pool_is_guy=str(guy) == pool.address,
            exists=int(str(guy), 16) != 0, bid_rad=bid, lot=lot, tic=tic, end=end,
            now=boa.env.evm.patch.timestamp, beg=self.flopper.beg(), price=pool.price(),
            free=pool.getAvailableDaiBalance(), auction_id=id_, mkr_held=pool.getMKRBalance())

    def cage(self) -> None:
        """Global settlement of the auction side: the Vow (as a ward) cages the Flopper."""
        with boa.env.prank(self.deployer):
            self.vow.cage()

    def deploy_pool(self, price: int = PRICE) -> Any:
        """Deploy a pool at ``price`` (deployer is its owner)."""
        with boa.env.prank(self.deployer):
            return contract("pool/pool").deploy(
                self.dai.address, self.mkr.address, self.dai_join.address,
                self.vat.address, self.flopper.address, price, pool_name(price),
                pool_symbol(price),
            )


def deploy_maker(deployer: str, flopper_name: str = "flopper") -> dict[str, Any]:
    """Deploy Vat, Dai, DaiJoin, MKR (ds-token, with MkrAuthority), Flopper
    (``maker/<flopper_name>``), a Flapper and the Vow from ``deployer``, wire them like dss
    (``backstop.maker.boa_core``) and file the March 2020 parameters; nothing else.
    The boa contracts by role: ``vat``, ``dai``, ``dai_join``, ``mkr``, ``flopper``, ``vow``,
    ``mkr_authority``, ``flapper``."""
    from backstop.maker.boa_core import deploy_maker_boa

    core = deploy_maker_boa(deployer, flopper_name, contract)
    return {k: core[k] for k in ("vat", "dai", "dai_join", "mkr", "flopper", "vow",
                                 "mkr_authority", "flapper")}


def deploy_system(flopper_name: str = "flopper", price: int | None = PRICE) -> System:
    """Deploy and wire the Maker core (March 2020 parameters) and, unless ``price`` is None,
    a pool at ``price``."""
    deployer = boa.env.generate_address("deployer")
    core = deploy_maker(deployer, flopper_name)
    with boa.env.prank(deployer):
        core["vat"].hope(core["dai_join"].address)
    system = System(deployer, **core)
    if price is not None:
        system.pool = system.deploy_pool(price)
    return system
