"""backstop.maker: the Maker core as the backstop sees it.

``MakerParams`` (March 2020 defaults), ``MakerAddresses`` / ``MAINNET``, typed handles
(``Vat``, ``Dai``, ``DaiJoin``, ``Mkr`` (a ds-token) and its ``MkrAuthority``, ``Flopper``,
``Flapper``, ``Vow``, ``Bid``) grouped in ``MakerCore``,
``deploy_core`` (deploy and wire on any chain) and ``core_at`` (handles for an existing one).
``dai_permit_typed_data`` is the EIP-712 message of DAI's permit.
``Sender`` is what every write takes first: an unlocked dev address or a ``LocalAccount``.
Scenario helpers for dev chains live in ``backstop.maker.scenario``.
"""

from backstop.maker._tx import Sender, address_of
from backstop.maker.addresses import MAINNET, MakerAddresses, known_addresses
from backstop.maker.deploy import deploy_core, file_params
from backstop.maker.handles import (
    Bid,
    Dai,
    DaiJoin,
    EncodedCall,
    Flapper,
    Flopper,
    KickEvent,
    MakerCore,
    Mkr,
    MkrAuthority,
    PermitSignature,
    Vat,
    Vow,
    core_at,
)
from backstop.maker.params import MakerParams
from backstop.maker.permit import dai_permit_typed_data

__all__ = [
    "MAINNET",
    "Bid",
    "Dai",
    "DaiJoin",
    "EncodedCall",
    "Flapper",
    "Flopper",
    "KickEvent",
    "MakerAddresses",
    "MakerCore",
    "MakerParams",
    "Mkr",
    "MkrAuthority",
    "PermitSignature",
    "Sender",
    "Vat",
    "Vow",
    "address_of",
    "core_at",
    "dai_permit_typed_data",
    "deploy_core",
    "file_params",
    "known_addresses",
]
