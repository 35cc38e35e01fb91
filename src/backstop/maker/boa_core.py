"""The local Maker core on titanoboa's in-process EVM: deployed and wired like dss (the boa twin
of ``backstop.maker.deploy.deploy_core``), for contract tests and the gas benchmarks.

Wiring, as dss's deployment and mainnet have it for the debt-auction path:

    vat = Vat()   dai = Dai(chain_id)   dai_join = DaiJoin(vat, dai)
    mkr = MKR("MKR"); mkr.setName("Maker")   authority = MkrAuthority(); mkr.setAuthority(authority)
    flopper = Flopper(vat, mkr)   flapper = Flapper(vat, mkr)   vow = Vow(vat, flapper, flopper)
    dai.rely(dai_join)   authority.rely(flopper)   vat.rely(flopper)
    flopper.rely(vow)    flapper.rely(vow)
    flopper.file(beg, pad, ttl, tau); vow.file(wait, dump, sump)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boa

from backstop.maker.handles import bytes32 as b32
from backstop.maker.params import MakerParams


def deploy_maker_boa(
    deployer: str,
    flopper_name: str,
    contract: Callable[[str], Any],
    params: MakerParams | None = None,
) -> dict[str, Any]:
    """Deploy and wire the core from ``deployer`` with ``contract(name)`` (a compiled boa
    contract factory, e.g. ``backstop.pool.boa_system.contract``); file ``params`` (default:
    March 2020). Returns the boa contracts by role: ``vat``, ``dai``, ``dai_join``, ``mkr``,
    ``mkr_authority``, ``flopper``, ``flapper``, ``vow``."""
    p = params or MakerParams()
    with boa.env.prank(deployer):
        vat = contract("maker/vat").deploy()
        dai = contract("maker/dai").deploy(boa.env.evm.patch.chain_id)
        dai_join = contract("maker/dai_join").deploy(vat.address, dai.address)
        mkr = contract("maker/mkr").deploy(b32("MKR"))
        mkr.setName(b32("Maker"))
        authority = contract("maker/mkr_authority").deploy()
        mkr.setAuthority(authority.address)
        flopper = contract(f"maker/{flopper_name}").deploy(vat.address, mkr.address)
        flapper = contract("maker/flapper").deploy(vat.address, mkr.address)
        vow = contract("maker/vow").deploy(vat.address, flapper.address, flopper.address)
        dai.rely(dai_join.address)
        authority.rely(flopper.address)
        vat.rely(flopper.address)
        flopper.rely(vow.address)
        flapper.rely(vow.address)
        for what, value in (("beg", p.beg.raw), ("pad", p.pad.raw), ("ttl", p.ttl), ("tau", p.tau)):
            flopper.file(b32(what), value)
        for what, value in (("dump", p.dump.raw), ("sump", p.sump.raw), ("wait", p.wait)):
            vow.file(b32(what), value)
    return {
        "vat": vat,
        "dai": dai,
        "dai_join": dai_join,
        "mkr": mkr,
        "mkr_authority": authority,
        "flopper": flopper,
        "flapper": flapper,
        "vow": vow,
    }
