"""Where the six Maker contracts the backstop uses live: ``MakerAddresses`` and ``MAINNET``."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from eth_utils import is_address, to_checksum_address


class AddressError(ValueError):
    """An address that is not 20 bytes of hex (the message names the field)."""


@dataclass(frozen=True)
class MakerAddresses:
    """Addresses of DAI, MKR, DaiJoin, Vat, Vow and Flopper; stored checksummed."""

    dai: str
    mkr: str
    dai_join: str
    vat: str
    vow: str
    flopper: str

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, str) or not is_address(value):
                raise AddressError(f"MakerAddresses.{f.name}: {value!r} is not an address")
            object.__setattr__(self, f.name, to_checksum_address(value))

    def to_json(self) -> dict[str, str]:
        """``{"dai": "0x...", ...}``."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MakerAddresses:
        """Inverse of ``to_json``; unknown keys are ignored, missing ones are an error."""
        missing = [f.name for f in fields(cls) if f.name not in data]
        if missing:
            raise AddressError(f"MakerAddresses: missing {', '.join(missing)}")
        return cls(**{f.name: data[f.name] for f in fields(cls)})


# Ethereum mainnet (chain id 1). The Flopper is the one the executive spell of 27 July 2020 put
# in place (vow.file("flopper", ...)); that spell denied the one of March 2020,
# 0x4D95A049d5B0b7d32058cd3F2163015747522e99. `backstop deploy` checks vow.flopper() first.
MAINNET = MakerAddresses(
    dai="0x6B175474E89094C44Da98b954EedeAC495271d0F",
    mkr="0x9f8F72aA9304c8B593d555F12eF6589cC3A579A2",
    dai_join="0x9759A6Ac90977b93B58547b4A71c78317f391A28",
    vat="0x35D1b3F3D7966A1DFe207aa4514C12a259A0492B",
    vow="0xA950524441892A31ebddF91d3cEEFa04Bf454466",
    flopper="0xA41B6EF151E06da0e34B009B86E828308986736D",
)

MAINNET_CHAIN_ID = 1
KNOWN: dict[int, MakerAddresses] = {MAINNET_CHAIN_ID: MAINNET}


def known_addresses(chain_id: int) -> MakerAddresses | None:
    """The built-in Maker addresses for a chain id (mainnet only), or None."""
    return KNOWN.get(chain_id)
