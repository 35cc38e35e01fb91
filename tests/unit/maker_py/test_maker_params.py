"""MakerParams: March 2020 defaults from the reference, overrides, validation."""

from __future__ import annotations

import pytest

from backstop.maker import MakerParams
from backstop.units import RAD, WAD, Rad, Wad


def test_defaults_are_the_march_2020_mainnet_values() -> None:
    p = MakerParams()
    assert p.beg.raw == 103 * WAD // 100
    assert p.pad.raw == 120 * WAD // 100
    assert p.ttl == 6 * 3_600
    assert p.tau == 3 * 86_400
    assert p.dump.raw == 250 * WAD
    assert p.sump.raw == 50_000 * RAD
    assert p.wait == 156 * 3_600
    assert str(p.opening_price) == "200"


def test_each_value_can_be_overridden() -> None:
    p = MakerParams(tau=3_600, dump=Wad.from_number(100))
    assert (p.tau, p.dump, p.ttl) == (3_600, Wad.from_number(100), 6 * 3_600)
    q = p.with_(sump=Rad.from_number(1_000))
    assert q.sump == Rad.from_number(1_000) and p.sump == Rad.from_number(50_000)
    assert str(q.opening_price) == "10"


def test_to_json_is_decimal_strings_and_seconds() -> None:
    assert MakerParams().to_json() == {
        "beg": "1.03", "pad": "1.2", "ttl": 21_600, "tau": 259_200,
        "dump": "250", "sump": "50000", "wait": 561_600,
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"beg": 103}, "beg must be a Wad"),
        ({"sump": Wad.from_number(50_000)}, "sump must be a Rad"),
        ({"ttl": 1.5}, "ttl must be an int of seconds"),
        ({"tau": True}, "tau must be an int of seconds"),
        ({"wait": -1}, "wait must not be negative"),
        ({"pad": Wad.parse("0.9")}, "factors of at least 1.0"),
    ],
)
def test_bad_values_are_refused_with_the_field_named(changes, message) -> None:
    with pytest.raises((TypeError, ValueError), match=message):
        MakerParams(**changes)


def test_frozen() -> None:
    with pytest.raises(AttributeError):
        MakerParams().tau = 1  # type: ignore[misc]
