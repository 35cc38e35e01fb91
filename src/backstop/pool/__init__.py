"""backstop.pool: typed handles over the backstop pool and its factory, and their deployment.

``Pool`` / ``Factory`` (typed reads in ``Wad``, writes that simulate first, batch-ready
``EncodedCall`` views, ``read_pool_states`` for many pools in one round trip), ``pool_at``,
``factory_at``, ``deploy_factory``, ``deploy_pool``. The gas benchmark is ``backstop.pool.gas``.
"""

from backstop.pool.deploy import deploy_factory, deploy_pool, deploy_pool_blueprint
from backstop.pool.handles import (
    DefectAmount,
    Defection,
    DefectPreview,
    Enlistment,
    EnlistPreview,
    Factory,
    Pool,
    PoolState,
    PoolStatus,
    Position,
    Preview,
    Request,
    factory_at,
    pool_at,
    read_pool_states,
)

__all__ = [
    "DefectAmount",
    "DefectPreview",
    "Defection",
    "EnlistPreview",
    "Enlistment",
    "Factory",
    "Pool",
    "PoolState",
    "PoolStatus",
    "Position",
    "Preview",
    "Request",
    "deploy_factory",
    "deploy_pool",
    "deploy_pool_blueprint",
    "factory_at",
    "pool_at",
    "read_pool_states",
]
