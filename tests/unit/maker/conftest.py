"""Fixtures over the titanoboa deployment of the local Maker core (see core.py).

Every test runs inside ``boa.env.anchor()``: state and time changes are rolled back after it, so
the module-scoped deployments are shared without leaking between tests.
"""

from __future__ import annotations

from collections.abc import Iterator

import boa
import pytest

from .core import Core, deploy_core


@pytest.fixture(scope="module")
def core() -> Core:
    """The core with the current dss Flopper."""
    return deploy_core("flopper")


@pytest.fixture(scope="module")
def core_2019() -> Core:
    """The core with the 2019 Flopper (in force in March 2020)."""
    return deploy_core("flopper_2019")


@pytest.fixture(scope="module", params=["flopper", "flopper_2019"])
def any_core(request: pytest.FixtureRequest) -> Core:
    """The core with each Flopper version in turn (tests using it run twice)."""
    return deploy_core(request.param)


@pytest.fixture(autouse=True)
def _isolated() -> Iterator[None]:
    """Roll back every state and time change a test makes."""
    with boa.env.anchor():
        yield


@pytest.fixture
def bidders() -> list[str]:
    """Three distinct outside bidders."""
    return [boa.env.generate_address(f"bidder{i}") for i in range(1, 4)]


@pytest.fixture
def outsider() -> str:
    """An address with no rights anywhere."""
    return boa.env.generate_address("outsider")
