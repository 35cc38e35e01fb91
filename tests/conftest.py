"""Shared pytest configuration: hypothesis profiles (ci: short, dev: long) and the ``chain``
fixture that runs a module on the in-process chain and on a real anvil."""

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings
from web3 import Web3

from backstop.chain import connect
from backstop.testing.anvil import start_anvil

settings.register_profile(
    "ci", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "dev", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="module",
                params=["inprocess", pytest.param("anvil", marks=pytest.mark.anvil)])
def chain(request: pytest.FixtureRequest) -> Iterator[Web3]:
    """The in-process chain, or a real anvil started for this module (marked ``anvil``).

    A module that asks for ``chain`` runs every test twice, once per kind, so the two cannot
    drift apart. Directories whose ``chain`` means something else define their own.
    """
    if request.param == "inprocess":
        yield connect("inprocess")
        return
    node = start_anvil()
    try:
        yield connect(node.url)
    finally:
        node.stop()
