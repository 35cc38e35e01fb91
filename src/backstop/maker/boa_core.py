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
from eth_utils import function_signature_to_4byte_selector

from backstop.maker.handles import bytes32 as b32
from backstop.maker.params import MakerParams

# dss's LibNote, as an event ABI titanoboa can decode: the log is anonymous (topic 0 is the
# called selector, left-aligned), so it is registered under each selector of the contract.
LOG_NOTE_ABI: dict[str, Any] = {
    "type": "event",
    "name": "LogNote",
    "anonymous": False,
    "inputs": [
        {"name": "usr", "type": "address", "indexed": True},
        {"name": "arg1", "type": "bytes32", "indexed": True},
        {"name": "arg2", "type": "bytes32", "indexed": True},
        {"name": "data", "type": "bytes", "indexed": False},
    ],
}
# noted calls that are not in a compiled ABI (served by a fallback)
_EXTRA_NOTED = {"vow": ["file(bytes32,address)"]}


def note_topic(signature: str) -> int:
    """Topic 0 of the LogNote of a call to ``signature``: its selector, left-aligned."""
    return int.from_bytes(function_signature_to_4byte_selector(signature), "big") << 224


def decode_lognotes(contract: Any, extra: list[str] | tuple[str, ...] = ()) -> Any:
    """Let titanoboa decode the anonymous LogNote of ``contract`` (boa looks events up by topic
    0; without this, ``get_logs()`` of any call that reaches a noted call raises). Returns it."""
    table = dict(contract.event_abi_for)
    signatures = [
        f"{f['name']}({','.join(i['type'] for i in f['inputs'])})"
        for f in contract.abi
        if f.get("type") == "function" and f.get("stateMutability") not in ("view", "pure")
    ]
    for signature in [*signatures, *extra]:
        table.setdefault(note_topic(signature), LOG_NOTE_ABI)
    contract.__dict__["event_abi_for"] = table
    return contract


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
    core = {
        "vat": vat,
        "dai": dai,
        "dai_join": dai_join,
        "mkr": mkr,
        "mkr_authority": authority,
        "flopper": flopper,
        "flapper": flapper,
        "vow": vow,
    }
    for name in ("vat", "dai", "dai_join", "flopper", "flapper", "vow"):
        decode_lognotes(core[name], _EXTRA_NOTED.get(name, ()))
    return core
