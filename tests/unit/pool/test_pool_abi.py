"""The pool's ABI is a superset of the 2020 syndicate's (same names, argument and return types,
same events), so its clients keep working; plus the ERC20 share with EIP-2612 and two-step
ownership. Checked on the compiled ABI, not on our interface file."""

from __future__ import annotations

import pytest

from backstop.artifacts import get_artifact

# The 2020 contract's public interface (the list): name -> (inputs, outputs).
FUNCTIONS_2020 = {
    "enlist": (["uint256"], ["uint256"]),
    "defect": (["uint256"], ["uint256", "uint256"]),
    "enterAuction": (["uint256"], []),
    "finalizeAuction": (["uint256"], []),
    "ceaseFire": ([], []),
    "getStatus": ([], ["uint8"]),
    "getActiveAuctions": ([], ["uint256[]"]),
    "getDaiBalance": ([], ["uint256"]),
    "getDaiBalanceForAuctions": ([], ["uint256"]),
    "getAvailableDaiBalance": ([], ["uint256"]),
    "getMKRBalance": ([], ["uint256"]),
    "getDefectAmount": (["uint256"], ["uint256", "uint256", "bool"]),
}
EVENTS_2020 = {
    "AuctionEntered": [("auctionId", "uint256"), ("mkrAsk", "uint256"), ("daiBid", "uint256")],
    "AuctionFinalized": [("auctionId", "uint256")],
}
# The share token (ERC20 + EIP-2612) and two-step ownership.
FUNCTIONS_TOKEN = {
    "name": ([], ["string"]), "symbol": ([], ["string"]), "decimals": ([], ["uint8"]),
    "totalSupply": ([], ["uint256"]), "balanceOf": (["address"], ["uint256"]),
    "allowance": (["address", "address"], ["uint256"]),
    "transfer": (["address", "uint256"], ["bool"]),
    "transferFrom": (["address", "address", "uint256"], ["bool"]),
    "approve": (["address", "uint256"], ["bool"]),
    "permit": (["address", "address", "uint256", "uint256", "uint8", "bytes32", "bytes32"], []),
    "nonces": (["address"], ["uint256"]), "DOMAIN_SEPARATOR": ([], ["bytes32"]),
    "owner": ([], ["address"]), "pending_owner": ([], ["address"]),
    "transfer_ownership": (["address"], []), "accept_ownership": ([], []),
}


@pytest.fixture(scope="module")
def abi() -> list[dict]:
    return get_artifact("pool/pool").abi


def _functions(abi: list[dict]) -> dict[str, tuple[list[str], list[str]]]:
    return {f["name"]: ([i["type"] for i in f["inputs"]], [o["type"] for o in f["outputs"]])
            for f in abi if f["type"] == "function"}


@pytest.mark.parametrize("name", sorted(FUNCTIONS_2020) + sorted(FUNCTIONS_TOKEN))
def test_function_has_the_expected_signature(abi: list[dict], name: str) -> None:
    expected = FUNCTIONS_2020.get(name) or FUNCTIONS_TOKEN[name]
    assert _functions(abi).get(name) == expected


@pytest.mark.parametrize("name", sorted(EVENTS_2020))
def test_2020_event_has_the_same_fields(abi: list[dict], name: str) -> None:
    (event,) = [e for e in abi if e["type"] == "event" and e["name"] == name]
    assert [(i["name"], i["type"]) for i in event["inputs"]] == EVENTS_2020[name]
    assert not any(i["indexed"] for i in event["inputs"])  # same topics as in 2020


def test_no_function_is_overloaded_and_no_mint_is_exported(abi: list[dict]) -> None:
    names = [f["name"] for f in abi if f["type"] == "function"]
    assert len(names) == len(set(names))
    assert not {"mint", "burn", "burn_from", "set_minter", "renounce_ownership"} & set(names)
