"""The keeper service: follows every debt auction and drives the backstop pools.

``Keeper(w3, account, pools, settings)`` with ``step()`` (one pass over the newest block) and
``run()`` (until stopped). Decisions are pure functions in :mod:`backstop.keeper.decide`.
"""

from backstop.keeper.decide import Action, Decision
from backstop.keeper.logs import EventLog
from backstop.keeper.metrics import KeeperMetrics
from backstop.keeper.service import Keeper, StepResult
from backstop.keeper.settings import ConfigError, KeeperSettings

__all__ = ["Action", "ConfigError", "Decision", "EventLog", "Keeper", "KeeperMetrics",
           "KeeperSettings", "StepResult"]
