"""The compiled ABIs carry dss's external interface (names, argument and return types), so the
pool, the keeper and the Python handles work unchanged against mainnet."""

from __future__ import annotations

import pytest

from backstop.artifacts import get_artifact

# dss signatures "name(inputs)->(outputs)" for everything the pool, keeper and deploy use.
DSS = {
    "vat": [
        "wards(address)->(uint256)",
        "rely(address)->()",
        "deny(address)->()",
        "live()->(uint256)",
        "can(address,address)->(uint256)",
        "hope(address)->()",
        "nope(address)->()",
        "dai(address)->(uint256)",
        "sin(address)->(uint256)",
        "debt()->(uint256)",
        "vice()->(uint256)",
        "move(address,address,uint256)->()",
        "suck(address,address,uint256)->()",
        "heal(uint256)->()",
        "cage()->()",
    ],
    "dai": [
        "name()->(string)",
        "symbol()->(string)",
        "version()->(string)",
        "decimals()->(uint8)",
        "totalSupply()->(uint256)",
        "balanceOf(address)->(uint256)",
        "allowance(address,address)->(uint256)",
        "nonces(address)->(uint256)",
        "DOMAIN_SEPARATOR()->(bytes32)",
        "PERMIT_TYPEHASH()->(bytes32)",
        "transfer(address,uint256)->(bool)",
        "transferFrom(address,address,uint256)->(bool)",
        "approve(address,uint256)->(bool)",
        "mint(address,uint256)->()",
        "burn(address,uint256)->()",
        "permit(address,address,uint256,uint256,bool,uint8,bytes32,bytes32)->()",
        "wards(address)->(uint256)",
    ],
    "dai_join": [
        "vat()->(address)",
        "dai()->(address)",
        "live()->(uint256)",
        "join(address,uint256)->()",
        "exit(address,uint256)->()",
        "cage()->()",
    ],
    # mainnet MKR is a ds-token: bytes32 name/symbol, uint256 decimals, DSAuth, DSStop
    "mkr": [
        "name()->(bytes32)",
        "symbol()->(bytes32)",
        "decimals()->(uint256)",
        "balanceOf(address)->(uint256)",
        "totalSupply()->(uint256)",
        "allowance(address,address)->(uint256)",
        "mint(address,uint256)->()",
        "burn(address,uint256)->()",
        "transfer(address,uint256)->(bool)",
        "transferFrom(address,address,uint256)->(bool)",
        "approve(address,uint256)->(bool)",
        "push(address,uint256)->()",
        "pull(address,uint256)->()",
        "move(address,address,uint256)->()",
        "owner()->(address)",
        "authority()->(address)",
        "setOwner(address)->()",
        "setAuthority(address)->()",
        "setName(bytes32)->()",
        "stopped()->(bool)",
        "stop()->()",
        "start()->()",
    ],
    "mkr_authority": [
        "root()->(address)",
        "setRoot(address)->()",
        "wards(address)->(uint256)",
        "rely(address)->()",
        "deny(address)->()",
        "canCall(address,address,bytes4)->(bool)",
    ],
    "flapper": [
        "wards(address)->(uint256)",
        "rely(address)->()",
        "deny(address)->()",
        "vat()->(address)",
        "gem()->(address)",
        "live()->(uint256)",
        "cage(uint256)->()",
    ],
    "flopper": [
        "wards(address)->(uint256)",
        "rely(address)->()",
        "deny(address)->()",
        "bids(uint256)->(uint256,uint256,address,uint48,uint48)",
        "vat()->(address)",
        "gem()->(address)",
        "beg()->(uint256)",
        "pad()->(uint256)",
        "ttl()->(uint48)",
        "tau()->(uint48)",
        "kicks()->(uint256)",
        "live()->(uint256)",
        "vow()->(address)",
        "file(bytes32,uint256)->()",
        "kick(address,uint256,uint256)->(uint256)",
        "tick(uint256)->()",
        "dent(uint256,uint256,uint256)->()",
        "deal(uint256)->()",
        "cage()->()",
        "yank(uint256)->()",
    ],
    "vow": [
        "wards(address)->(uint256)",
        "vat()->(address)",
        "flapper()->(address)",
        "flopper()->(address)",
        "sin(uint256)->(uint256)",
        "Sin()->(uint256)",
        "Ash()->(uint256)",
        "wait()->(uint256)",
        "dump()->(uint256)",
        "sump()->(uint256)",
        "bump()->(uint256)",
        "hump()->(uint256)",
        "live()->(uint256)",
        "file(bytes32,uint256)->()",
        "fess(uint256)->()",
        "flog(uint256)->()",
        "heal(uint256)->()",
        "kiss(uint256)->()",
        "flop()->(uint256)",
        "cage()->()",
    ],
}
DSS["flopper_2019"] = DSS["flopper"]


def _signatures(name: str) -> set[str]:
    out = set()
    for item in get_artifact(f"maker/{name}").abi:
        if item["type"] != "function":
            continue
        ins = ",".join(i["type"] for i in item["inputs"])
        outs = ",".join(o["type"] for o in item["outputs"])
        out.add(f"{item['name']}({ins})->({outs})")
    return out


@pytest.mark.parametrize("name", sorted(DSS))
def test_abi_has_the_dss_interface(name):
    missing = set(DSS[name]) - _signatures(name)
    assert not missing, f"maker/{name} lacks {sorted(missing)}"


def test_mkr_has_no_wards_and_no_transfer_on_mint():
    """ds-token authorizes through owner/authority (no wards), and its events are dss's:
    Mint/Burn without the ERC20 Transfer from or to zero (a mint logs Mint only)."""
    names = {i["name"] for i in get_artifact("maker/mkr").abi if i["type"] == "function"}
    assert not {"wards", "rely", "deny"} & names
    events = {i["name"]: [(x["name"], x["type"], x["indexed"]) for x in i["inputs"]]
              for i in get_artifact("maker/mkr").abi if i["type"] == "event"}
    assert events["Mint"] == [("guy", "address", True), ("wad", "uint256", False)]
    assert events["Burn"] == [("guy", "address", True), ("wad", "uint256", False)]


@pytest.mark.parametrize("name", ["flopper", "flopper_2019"])
def test_kick_event_is_dss(name):
    (kick,) = [i for i in get_artifact(f"maker/{name}").abi if i.get("name") == "Kick"]
    assert [(i["name"], i["type"], i["indexed"]) for i in kick["inputs"]] == [
        ("id", "uint256", False),
        ("lot", "uint256", False),
        ("bid", "uint256", False),
        ("gal", "address", True),
    ]
