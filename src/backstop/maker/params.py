"""The Maker debt-auction parameters, with the values in force on mainnet in March 2020."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from backstop.units import Rad, Wad, price_of

HOUR = 3_600
DAY = 24 * HOUR

# The values in force on mainnet during the March 2020 debt auctions (immutable, so shared).
BEG_2020 = Wad.parse("1.03")
PAD_2020 = Wad.parse("1.20")
DUMP_2020 = Wad.from_number(250)
SUMP_2020 = Rad.from_number(50_000)

_KINDS: dict[str, tuple[type, str]] = {
    "Wad": (Wad, "a Wad"), "Rad": (Rad, "a Rad"), "int": (int, "an int of seconds"),
}


@dataclass(frozen=True)
class MakerParams:
    """Flopper and Vow parameters (dss names and units). Defaults: March 2020 mainnet.

    - ``beg``  minimum relative decrease of the lot per bid (wad, 1.03 = 3%)
    - ``pad``  lot increase when an unbid auction is restarted by ``tick`` (wad, 1.20 = 20%)
    - ``ttl``  lifetime of a bid, seconds
    - ``tau``  length of an auction, seconds
    - ``dump`` opening MKR lot of a debt auction (wad)
    - ``sump`` fixed DAI bid of a debt auction (rad)
    - ``wait`` delay before queued debt can be auctioned, seconds
    """

    beg: Wad = BEG_2020
    pad: Wad = PAD_2020
    ttl: int = 6 * HOUR
    tau: int = 3 * DAY
    dump: Wad = DUMP_2020
    sump: Rad = SUMP_2020
    wait: int = 156 * HOUR

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            expected, kind = _KINDS[str(f.type)]
            if isinstance(value, bool) or not isinstance(value, expected):
                raise TypeError(f"MakerParams.{f.name} must be {kind}, got {value!r}")
            if int(value) < 0:
                raise ValueError(f"MakerParams.{f.name} must not be negative, got {value}")
        if self.beg.raw < Wad.from_number(1).raw or self.pad.raw < Wad.from_number(1).raw:
            raise ValueError("MakerParams.beg and .pad are factors of at least 1.0 (wad)")

    def with_(self, **changes: Any) -> MakerParams:
        """A copy with some parameters changed: ``MakerParams().with_(tau=3_600)``."""
        return replace(self, **changes)

    def to_json(self) -> dict[str, str | int]:
        """Decimal strings for the units, ints for the seconds."""
        out: dict[str, str | int] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = value if isinstance(value, int) else str(value)
        return out

    @property
    def opening_price(self) -> Wad:
        """DAI per MKR of the opening lot: sump / dump (200 with the March 2020 values)."""
        return price_of(self.sump, self.dump)
