"""Fixtures for the pool contract tests: the Maker core (March 2020 parameters) and a pool at
100 DAI/MKR deployed once per module; every test runs inside ``boa.env.anchor()``."""

from __future__ import annotations

from collections.abc import Iterator

import boa
import pytest

from backstop.pool.boa_system import System, deploy_system


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
