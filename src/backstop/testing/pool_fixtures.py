"""Pytest fixtures of the titanoboa contract tests of the pool and the factory (tests/unit/pool,
tests/unit/factory): the Maker core (March 2020 parameters) and a pool at 100 DAI/MKR deployed
once per module, the roles as named addresses, and every test inside ``boa.env.anchor()``.

Both directories' conftest star-imports ``__all__`` (pytest finds fixtures by name in the
conftest); only tests import this module, since it needs pytest.
"""

from __future__ import annotations

from collections.abc import Iterator

import boa
import pytest

from backstop.pool.boa_system import System, deploy_system

__all__ = [
    "_isolated",
    "bidder",
    "depositor",
    "keeper",
    "outsider",
    "second_depositor",
    "system",
    "system_2019",
]


@pytest.fixture(scope="module")
def system() -> System:
    """Core + pool with the current dss Flopper."""
    return deploy_system("flopper")


@pytest.fixture(scope="module")
def system_2019() -> System:
    """Core + pool with the 2019 Flopper (no kiss)."""
    return deploy_system("flopper_2019")


@pytest.fixture(autouse=True)
def _isolated() -> Iterator[None]:
    """Roll back every state and time change a test makes."""
    with boa.env.anchor():
        yield


@pytest.fixture
def depositor() -> str:
    return boa.env.generate_address("depositor")


@pytest.fixture
def second_depositor() -> str:
    return boa.env.generate_address("second_depositor")


@pytest.fixture
def keeper() -> str:
    return boa.env.generate_address("keeper")


@pytest.fixture
def bidder() -> str:
    return boa.env.generate_address("outside_bidder")


@pytest.fixture
def outsider() -> str:
    return boa.env.generate_address("outsider")
