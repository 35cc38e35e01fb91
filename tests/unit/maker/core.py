"""The local Maker core deployed with titanoboa, wired like dss, March 2020 parameters
(``backstop.pool.boa_system.deploy_maker``), and the scenario steps the Maker tests share."""

from __future__ import annotations

from typing import Any

import boa

from backstop.pool.boa_system import (
    BEG,
    DUMP,
    PAD,
    SUMP,
    TAU,
    TTL,
    WAIT,
    b32,
    contract,
    deploy_maker,
)

__all__ = ["BEG", "DUMP", "PAD", "SUMP", "TAU", "TTL", "WAIT", "Core", "b32", "deploy_core",
           "factory"]


def factory(name: str) -> Any:
    """The compiled contract ``maker/<name>`` (compiled once per session)."""
    return contract(f"maker/{name}")


class Core:
    """Handles of one deployed core, and the scenario steps the tests share.

    A plain class, not a dataclass: hypothesis pretty-prints dataclass fields, and boa's repr of
    the Vow breaks on its `dump` storage variable (it shadows boa's own `dump()`).
    """

    def __init__(self, deployer: str, flopper_name: str, **handles: Any) -> None:
        self.deployer = deployer
        self.flopper_name = flopper_name
        self.vat = handles["vat"]
        self.dai = handles["dai"]
        self.dai_join = handles["dai_join"]
        self.mkr = handles["mkr"]
        self.flopper = handles["flopper"]
        self.vow = handles["vow"]
        self.mkr_authority = handles["mkr_authority"]
        self.flapper = handles["flapper"]  # as boa_core wired it (its LogNote decoded)

    def __repr__(self) -> str:
        """Addresses only (see the class docstring)."""
        return f"Core({self.flopper_name}, vat={self.vat.address})"

    def give_dai(self, to: str, rad: int) -> None:
        """Credit ``to`` with ``rad`` internal DAI; the matching sin goes to the deployer
        (not to the Vow, so the Vow's books stay what the test makes them)."""
        with boa.env.prank(self.deployer):
            self.vat.suck(self.deployer, to, rad)

    def ready_bidder(self, bidder: str, rad: int = SUMP) -> None:
        """Give ``bidder`` internal DAI and let the Flopper move it."""
        self.give_dai(bidder, rad)
        with boa.env.prank(bidder):
            self.vat.hope(self.flopper.address)

    def bad_debt(self, rad: int) -> None:
        """Put ``rad`` of unqueued bad debt on the Vow (sin, with the DAI going elsewhere)."""
        with boa.env.prank(self.deployer):
            self.vat.suck(self.vow.address, self.deployer, rad)

    def kick(self) -> int:
        """Create ``sump`` of bad debt and start a debt auction; return its id."""
        self.bad_debt(self.vow.sump())
        return self.vow.flop()

    def bid(self, id_: int) -> tuple[int, int, str, int, int]:
        """``flopper.bids(id)`` as a plain tuple (bid, lot, guy, tic, end)."""
        bid, lot, guy, tic, end = self.flopper.bids(id_)
        return bid, lot, str(guy), tic, end


def deploy_core(flopper_name: str = "flopper") -> Core:
    """Deploy and wire the core's contracts as README.md prescribes, with March 2020
    parameters."""
    deployer = boa.env.generate_address("deployer")
    return Core(deployer, flopper_name, **deploy_maker(deployer, flopper_name))
