"""Every call into the core costs what it costs on dss (within ``TOLERANCE``), measured in the
context a pool makes it in (``backstop.maker.gas``). The dss figures were measured with the same
scenario on a Solidity 0.5.12 (optimizer 200) build of the 2019 production dss code paths, which
reproduces the issue's real-contract figures within 4 gas (``DSS_METHOD``); a change to the core
that makes a call cheaper or dearer than dss by more than 2% fails here."""

from __future__ import annotations

import pytest

from backstop.maker.gas import CORE_CALLS, DSS, TOLERANCE, compare, measure_core_calls


@pytest.fixture(scope="module", params=["flopper_2019", "flopper"])
def measured(request: pytest.FixtureRequest) -> tuple[str, dict[str, int]]:
    return request.param, measure_core_calls(request.param)


def test_every_core_call_is_measured(measured):
    flopper, ours = measured
    assert set(ours) == {key for key, _ in CORE_CALLS} == set(DSS[flopper])


@pytest.mark.parametrize("key", [key for key, _ in CORE_CALLS])
def test_core_call_gas_matches_dss(measured, key):
    flopper, ours = measured
    ((_, got, dss, rel),) = [row for row in compare(ours, DSS[flopper]) if row[0] == key]
    assert abs(rel) <= TOLERANCE, (
        f"{key} on {flopper}: ours {got:,} gas, dss {dss:,} ({rel:+.2%}, limit {TOLERANCE:.0%})"
    )
