"""Deploy and wire the whole Maker core on any chain and return its typed handles.

Wiring, as dss's own deployment and mainnet have it for the debt-auction path:

    vat = Vat()        dai = Dai(chain_id)        dai_join = DaiJoin(vat, dai)
    mkr = MKR("MKR"); mkr.setName("Maker")       # a ds-token, owned by the deployer
    authority = MkrAuthority(); mkr.setAuthority(authority)
    flopper = Flopper(vat, mkr)   flapper = Flapper(vat, mkr)   vow = Vow(vat, flapper, flopper)
    dai.rely(dai_join)          # DaiJoin mints and burns ERC20 DAI
    authority.rely(flopper)     # deal mints the winner's MKR (MkrAuthority lets wards mint)
    vat.rely(flopper)           # yank (after cage) refunds the high bidder with vat.suck
    flopper.rely(vow)           # vow.flop kicks, vow.cage cages
    flapper.rely(vow)           # vow.cage cages the Flapper too
    flopper.file(beg, pad, ttl, tau); vow.file(wait, dump, sump)

The deployer stays a ward of everything, the owner of MKR and the root of its authority (the
scenario helpers need vat.suck and vow.fess).
"""

from __future__ import annotations

from typing import Any, Literal

from eth_abi import encode as abi_encode
from web3 import Web3

from backstop.artifacts import get_artifact
from backstop.maker._tx import Sender, deploy
from backstop.maker.handles import (
    Dai,
    DaiJoin,
    Flapper,
    Flopper,
    MakerCore,
    Mkr,
    MkrAuthority,
    Vat,
    Vow,
    bytes32,
)
from backstop.maker.params import MakerParams

FlopperKind = Literal["current", "2019"]
FLOPPER_ARTIFACTS: dict[str, str] = {"current": "maker/flopper", "2019": "maker/flopper_2019"}


def constructor_types(abi: list[dict[str, Any]]) -> list[str]:
    """The ABI types of a contract's constructor arguments ([] without a constructor)."""
    for entry in abi:
        if entry.get("type") == "constructor":
            return [str(i["type"]) for i in entry.get("inputs", [])]
    return []


def deploy_artifact(w3: Web3, sender: Sender, name: str, *args: Any) -> str:
    """Deploy our contract ``name`` ("maker/vat") with constructor ``args``; return its address."""
    art = get_artifact(name)
    types = constructor_types(art.abi)
    if len(types) != len(args):
        raise TypeError(f"{name} takes {len(types)} constructor arguments, got {len(args)}")
    return deploy(w3, sender, art.bytecode + (abi_encode(types, list(args)) if types else b""))


def deploy_core(w3: Web3, deployer: Sender, params: MakerParams | None = None,
                flopper: FlopperKind = "current") -> MakerCore:
    """Deploy Vat, Dai, DaiJoin, MKR (a ds-token) with its MkrAuthority, Flopper ("current"
    dss or the "2019" one), a Flapper and the Vow, wire them, file ``params`` (default: March
    2020 mainnet) and return the handles."""
    params = params or MakerParams()
    if flopper not in FLOPPER_ARTIFACTS:
        raise ValueError(f"flopper must be 'current' or '2019', not {flopper!r}")
    vat = Vat(w3, deploy_artifact(w3, deployer, "maker/vat"))
    dai = Dai(w3, deploy_artifact(w3, deployer, "maker/dai", int(w3.eth.chain_id)))
    mkr = Mkr(w3, deploy_artifact(w3, deployer, "maker/mkr", bytes32("MKR")))
    authority = MkrAuthority(w3, deploy_artifact(w3, deployer, "maker/mkr_authority"))
    dai_join = DaiJoin(w3, deploy_artifact(w3, deployer, "maker/dai_join", vat.address,
                                           dai.address))
    flop = Flopper(w3, deploy_artifact(w3, deployer, FLOPPER_ARTIFACTS[flopper], vat.address,
                                       mkr.address))
    flap = Flapper(w3, deploy_artifact(w3, deployer, "maker/flapper", vat.address,
                                       mkr.address))
    vow = Vow(w3, deploy_artifact(w3, deployer, "maker/vow", vat.address, flap.address,
                                  flop.address))
    core = MakerCore(vat=vat, dai=dai, dai_join=dai_join, mkr=mkr, flopper=flop, vow=vow,
                     deployer=deployer, flapper=flap, mkr_authority=authority)
    _wire(core, deployer)
    file_params(core, deployer, params)
    return core


def _wire(core: MakerCore, deployer: Sender) -> None:
    assert core.mkr_authority is not None and core.flapper is not None
    core.mkr.set_name(deployer, "Maker")
    core.mkr.set_authority(deployer, core.mkr_authority.address)
    core.dai.rely(deployer, core.dai_join.address)
    core.mkr_authority.rely(deployer, core.flopper.address)
    core.vat.rely(deployer, core.flopper.address)
    core.flopper.rely(deployer, core.vow.address)
    core.flapper.rely(deployer, core.vow.address)


def file_params(core: MakerCore, sender: Sender, params: MakerParams) -> None:
    """Set every debt-auction parameter on the Flopper and the Vow (sender must be a ward)."""
    core.flopper.file(sender, "beg", params.beg.raw)
    core.flopper.file(sender, "pad", params.pad.raw)
    core.flopper.file(sender, "ttl", params.ttl)
    core.flopper.file(sender, "tau", params.tau)
    core.vow.file(sender, "wait", params.wait)
    core.vow.file(sender, "dump", params.dump.raw)
    core.vow.file(sender, "sump", params.sump.raw)
