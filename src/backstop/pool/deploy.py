"""Deploy the pool blueprint and the factory, or a single pool, on any chain."""

from __future__ import annotations

from web3 import Web3

from backstop.artifacts import get_artifact
from backstop.maker._tx import Sender, deploy
from backstop.maker.deploy import deploy_artifact
from backstop.maker.handles import MakerCore
from backstop.pool.handles import Factory, Pool
from backstop.pool.rules import pool_name, pool_symbol
from backstop.units import Wad


def deploy_pool_blueprint(w3: Web3, deployer: Sender) -> str:
    """Deploy ``pool.vy`` as an ERC-5202 blueprint (code ``0xFE7100`` + initcode; it cannot be
    called, only copied by ``create_from_blueprint``); its address."""
    return deploy(w3, deployer, get_artifact("pool/pool").blueprint)


def deploy_factory(w3: Web3, deployer: Sender, core: MakerCore) -> Factory:
    """Deploy the pool blueprint and a factory bound to ``core``; the deployer operates it."""
    blueprint = deploy_pool_blueprint(w3, deployer)
    address = deploy_artifact(w3, deployer, "pool/factory", blueprint, core.dai.address,
                              core.mkr.address, core.dai_join.address, core.vat.address,
                              core.flopper.address)
    return Factory(w3, address, core)


def deploy_pool(w3: Web3, deployer: Sender, core: MakerCore, price: Wad) -> Pool:
    """Deploy one pool directly (no factory) for ``price`` DAI per MKR; the deployer owns it.
    Its name and symbol follow the factory's rule (``pool_name``, ``pool_symbol``)."""
    raw = Wad(price).raw
    address = deploy_artifact(w3, deployer, "pool/pool", core.dai.address, core.mkr.address,
                              core.dai_join.address, core.vat.address, core.flopper.address,
                              raw, pool_name(raw), pool_symbol(raw))
    return Pool(w3, address, core)
