"""Maker's fixed-point units as distinct types: ``Wad`` (1e18), ``Ray`` (1e27), ``Rad`` (1e45).

Money is integers. A unit value wraps the raw integer the contracts use and only combines
with values of the same unit, except for the products and quotients Maker itself defines:

    Wad * Ray -> Rad        (DaiJoin: wad of ERC20 DAI becomes rad of Vat DAI)
    Rad // Ray -> Wad       (floor)
    Rad.to_wad()            (floor, with the remainder lost made explicit by ``divmod_wad``)

Decimal strings are the only way in and out at the edges: ``Wad.parse("1.5")`` is exact to the
unit and refuses more decimals than the unit holds; ``str(Wad(1))`` is ``"0.000000000000000001"``.
Floats are refused everywhere.
"""

from __future__ import annotations

import re
from functools import total_ordering
from typing import ClassVar, Self

WAD = 10**18
RAY = 10**27
RAD = 10**45

_DECIMAL = re.compile(r"^\s*(?P<sign>-?)(?P<int>\d[\d_]*)?(?:\.(?P<frac>\d*))?\s*$")


class UnitError(ValueError):
    """A value that does not fit its unit: bad text, too many decimals, a float, a mix of units."""


@total_ordering
class _Fixed:
    """An exact fixed-point number with ``DECIMALS`` decimals, stored as the raw integer."""

    DECIMALS: ClassVar[int] = 0
    ONE: ClassVar[int] = 1
    __slots__ = ("raw",)

    raw: int

    def __init__(self, raw: int | _Fixed = 0) -> None:
        if isinstance(raw, _Fixed):
            if type(raw) is not type(self):
                raise UnitError(f"cannot make {type(self).__name__} from {type(raw).__name__}")
            raw = raw.raw
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise UnitError(f"{type(self).__name__} takes an int of raw units, not {raw!r}")
        object.__setattr__(self, "raw", raw)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __reduce__(self) -> tuple:
        # immutable: copy, deepcopy, pickle and dataclasses.asdict rebuild from the raw int
        return (type(self), (self.raw,))

    def __copy__(self) -> Self:
        return self

    def __deepcopy__(self, memo: dict) -> Self:
        return self

    # ---- construction from text -------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> Self:
        """Parse a decimal string ("1.5", "50_000", "0.000000000000000001") exactly.

        Raises ``UnitError`` naming the problem: not a number, or more decimals than the unit has.
        """
        if not isinstance(text, str):
            raise UnitError(f"expected a decimal string, got {type(text).__name__}")
        m = _DECIMAL.match(text)
        if not m or (m.group("int") is None and not m.group("frac")):
            raise UnitError(f"{text.strip()!r} is not a number: write it like 1.5 or 50000")
        frac = m.group("frac") or ""
        if len(frac) > cls.DECIMALS:
            raise UnitError(
                f"{text.strip()!r} has {len(frac)} decimals; at most {cls.DECIMALS} are possible"
            )
        whole = int((m.group("int") or "0").replace("_", ""))
        raw = whole * cls.ONE + int(frac.ljust(cls.DECIMALS, "0") or "0")
        return cls(-raw if m.group("sign") else raw)

    @classmethod
    def from_number(cls, whole: int) -> Self:
        """A whole number of units: ``Wad.from_number(250)`` is 250 * 10**18 raw."""
        if isinstance(whole, bool) or not isinstance(whole, int):
            raise UnitError(f"from_number takes an int, not {whole!r}")
        return cls(whole * cls.ONE)

    # ---- text ---------------------------------------------------------------------------
    def __str__(self) -> str:
        sign = "-" if self.raw < 0 else ""
        whole, frac = divmod(abs(self.raw), self.ONE)
        frac_s = str(frac).rjust(self.DECIMALS, "0").rstrip("0")
        return f"{sign}{whole}.{frac_s}" if frac_s else f"{sign}{whole}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self})"

    def format(self, places: int = 2, thousands: bool = True) -> str:
        """Round half-up to ``places`` decimals for display (never for arithmetic)."""
        q = 10 ** (self.DECIMALS - places) if places < self.DECIMALS else 1
        sign = "-" if self.raw < 0 else ""
        mag = (abs(self.raw) + q // 2) // q if q > 1 else abs(self.raw)
        whole, frac = divmod(mag, 10**places) if places else (mag, 0)
        w = f"{whole:,}" if thousands else str(whole)
        return f"{sign}{w}.{str(frac).rjust(places, '0')}" if places else f"{sign}{w}"

    # ---- arithmetic within one unit ----------------------------------------------------------
    def _same(self, other: object) -> int:
        if type(other) is not type(self):
            raise UnitError(
                f"cannot combine {type(self).__name__} with {type(other).__name__}"
            )
        return other.raw  # type: ignore[attr-defined]

    def __add__(self, other: Self) -> Self:
        return type(self)(self.raw + self._same(other))

    def __sub__(self, other: Self) -> Self:
        return type(self)(self.raw - self._same(other))

    def __neg__(self) -> Self:
        return type(self)(-self.raw)

    def __abs__(self) -> Self:
        return type(self)(abs(self.raw))

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.raw == other.raw  # type: ignore[attr-defined]

    def __lt__(self, other: Self) -> bool:
        return self.raw < self._same(other)

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.raw))

    def __bool__(self) -> bool:
        return self.raw != 0

    def __int__(self) -> int:
        return self.raw

    def __index__(self) -> int:
        return self.raw

    def scale(self, numerator: int, denominator: int = 1) -> Self:
        """Multiply by an integer ratio, rounding toward zero (down for positive values)."""
        for n in (numerator, denominator):
            if isinstance(n, bool) or not isinstance(n, int):
                raise UnitError(f"scale takes ints, not {n!r}")
        return type(self)(self.raw * numerator // denominator)


class Wad(_Fixed):
    """Token amounts (DAI, MKR, shares): 18 decimals."""

    DECIMALS = 18
    ONE = WAD
    __slots__ = ()

    def __mul__(self, other: Ray) -> Rad:
        if not isinstance(other, Ray):
            raise UnitError(f"Wad * {type(other).__name__} is not defined; use scale()")
        return Rad(self.raw * other.raw)

    def to_rad(self) -> Rad:
        """The Vat's internal amount for this many tokens (wad * ray)."""
        return Rad(self.raw * RAY)


class Ray(_Fixed):
    """Rates: 27 decimals."""

    DECIMALS = 27
    ONE = RAY
    __slots__ = ()


class Rad(_Fixed):
    """Internal Vat DAI: 45 decimals (wad * ray)."""

    DECIMALS = 45
    ONE = RAD
    __slots__ = ()

    def __floordiv__(self, other: Ray) -> Wad:
        if not isinstance(other, Ray):
            raise UnitError(f"Rad // {type(other).__name__} is not defined")
        return Wad(self.raw // other.raw)

    def to_wad(self) -> Wad:
        """Whole wads of this amount, rounded down (what DaiJoin.exit can take out)."""
        return Wad(self.raw // RAY)

    def divmod_wad(self) -> tuple[Wad, Rad]:
        """Whole wads and the rad remainder that cannot leave the Vat as ERC20."""
        q, r = divmod(self.raw, RAY)
        return Wad(q), Rad(r)


def price_of(dai: Rad | Wad, mkr: Wad) -> Wad:
    """DAI per MKR as a Wad, rounded down: ``price_of(Rad(50_000 DAI), Wad(250 MKR)) == 200``."""
    if not isinstance(mkr, Wad):
        raise UnitError("price_of takes the MKR amount as a Wad")
    if mkr.raw == 0:
        raise UnitError("price_of: the MKR amount is zero")
    dai_wad = dai.to_wad() if isinstance(dai, Rad) else Wad(dai)
    return Wad(dai_wad.raw * WAD // mkr.raw)
