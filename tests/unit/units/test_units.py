"""The typed fixed-point units: exact parsing, printing and unit-safe arithmetic."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backstop.units import RAY, WAD, Rad, Ray, UnitError, Wad, price_of


def test_parse_exact_to_the_wei():
    assert Wad.parse("1.5").raw == 15 * 10**17
    assert Wad.parse("0.000000000000000001").raw == 1
    assert Wad.parse("50_000").raw == 50_000 * WAD
    assert Wad.parse(".5").raw == WAD // 2
    assert Wad.parse("-2").raw == -2 * WAD


@pytest.mark.parametrize("text", ["", "abc", "1.2.3", "1e18", "0x10", " . ", "--1"])
def test_parse_rejects_non_numbers(text):
    with pytest.raises(UnitError, match="not a number"):
        Wad.parse(text)


def test_parse_rejects_too_many_decimals():
    with pytest.raises(UnitError, match="19 decimals; at most 18"):
        Wad.parse("0.0000000000000000001")


def test_floats_and_mixed_units_are_refused():
    with pytest.raises(UnitError):
        Wad(1.5)  # type: ignore[arg-type]
    with pytest.raises(UnitError):
        Wad(1) + Rad(1)  # type: ignore[operator]
    with pytest.raises(UnitError):
        _ = Wad(1) < Ray(1)  # type: ignore[operator]
    assert Wad(1) != Rad(1)


def test_products_and_quotients():
    dai = Wad.from_number(50_000)
    assert (dai * Ray(RAY)).raw == 50_000 * WAD * RAY
    assert dai.to_rad() // Ray(RAY) == dai
    assert Rad(RAY * 3 + 7).divmod_wad() == (Wad(3), Rad(7))
    assert price_of(Wad.from_number(50_000).to_rad(), Wad.from_number(250)) == Wad.from_number(200)


def test_format_rounds_half_up_for_display():
    assert Wad.parse("1234.565").format(2) == "1,234.57"
    assert Wad.parse("0.004").format(2) == "0.00"
    assert Wad.parse("-1.005").format(2) == "-1.01"


@given(st.integers(min_value=-(10**60), max_value=10**60))
def test_str_parse_round_trip(raw):
    for cls in (Wad, Ray, Rad):
        v = cls(raw)
        assert cls.parse(str(v)) == v


def test_copy_pickle_and_asdict_keep_the_value():
    import copy
    import dataclasses
    import pickle

    @dataclasses.dataclass
    class Holder:
        amount: Wad

    h = Holder(Wad.parse("2.5"))
    assert copy.deepcopy(h).amount == Wad.parse("2.5")
    assert pickle.loads(pickle.dumps(Rad(7))) == Rad(7)
    assert dataclasses.asdict(h) == {"amount": Wad.parse("2.5")}
