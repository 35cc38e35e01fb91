"""Fixtures for the factory contract tests, the same as the pool's and defined once in
``backstop.testing.pool_fixtures``: the Maker core (March 2020 parameters) and a pool at 100
DAI/MKR deployed once per module, the roles, every test inside ``boa.env.anchor()``."""

from backstop.testing.pool_fixtures import *  # noqa: F403  (pytest finds fixtures by name)
