"""MakerAddresses / MAINNET: the reference's addresses, checksummed, validated."""

from __future__ import annotations

import pytest

from backstop.maker import MAINNET, MakerAddresses, known_addresses
from backstop.maker.addresses import AddressError

# From shared/reference/maker-debt-auctions.md, "Mainnet addresses", except the Flopper: the
# reference gives 0x4D95A049d5B0b7d32058cd3F2163015747522e99, which the executive spell of 27 July
# 2020 replaced with the one below (its MCD_FLOP, and the old one as MCD_FLOP_OLD).
REFERENCE = {
    "dai": "0x6B175474E89094C44Da98b954EedeAC495271d0F",
    "mkr": "0x9f8F72aA9304c8B593d555F12eF6589cC3A579A2",
    "dai_join": "0x9759A6Ac90977b93B58547b4A71c78317f391A28",
    "vat": "0x35D1b3F3D7966A1DFe207aa4514C12a259A0492B",
    "vow": "0xA950524441892A31ebddF91d3cEEFa04Bf454466",
    "flopper": "0xA41B6EF151E06da0e34B009B86E828308986736D",
}


def test_mainnet_matches_the_reference_and_chain_id_1() -> None:
    assert MAINNET.to_json() == REFERENCE
    assert known_addresses(1) is MAINNET
    assert known_addresses(31337) is None


def test_lowercase_input_is_checksummed() -> None:
    lower = MakerAddresses(**{k: v.lower() for k, v in REFERENCE.items()})
    assert lower == MAINNET


def test_bad_address_names_the_field() -> None:
    with pytest.raises(AddressError, match=r"MakerAddresses\.vow: '0x1234' is not an address"):
        MakerAddresses(**{**REFERENCE, "vow": "0x1234"})


def test_json_round_trip_and_missing_keys() -> None:
    assert MakerAddresses.from_json({**MAINNET.to_json(), "extra": 1}) == MAINNET
    partial = {k: v for k, v in REFERENCE.items() if k not in ("vat", "flopper")}
    with pytest.raises(AddressError, match="missing vat, flopper"):
        MakerAddresses.from_json(partial)
