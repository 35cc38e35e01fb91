"""Gas benchmark of the backstop pool on our Maker core, in-process (titanoboa), beside the
figures of the 2020 syndicate measured on the real 2019 Maker contracts.

Each figure is what the transaction would cost on chain: 21,000 intrinsic gas (53,000 plus the
EIP-3860 word cost for a deployment), the calldata, the execution, minus the storage refund
capped at a fifth (EIP-3529). Every measured transaction starts with fresh warm/cold access
lists and with the current storage as its "original" values (EIP-2200), as a real
transaction does.
"""

from __future__ import annotations

from typing import Any

import boa
from eth_account import Account
from eth_account.messages import encode_typed_data

from backstop.maker.gas import new_tx
from backstop.maker.permit import dai_permit_typed_data
from backstop.pool.boa_system import PRICE, System, contract, deploy_system
from backstop.units import WAD

# The 2020 syndicate ("v3-100") on the real 2019 Maker contracts (the-2020-syndicate.md).
# Where 2020 gives first/later figures, the key without suffix compares with "later".
GAS_2020: dict[str, int] = {
    "enlist_first": 150_223,
    "enlist": 116_023,
    "enlist_with_permit": 116_023,
    "enter_auction_first": 167_343,
    "enter_auction": 130_119,
    "finalize_won_first": 107_740,
    "finalize_won": 69_642,
    "finalize_outbid": 51_552,
    "defect": 140_554,
    "defect_2_active": 130_579,
    "defect_10_active": 213_380,
    "defect_100_active": 1_144_905,
    "deploy_pool": 2_607_708,
    "create_pool": 2_607_708,
}

# The targets, as the largest share of the 2020 figure that meets each (in percent);
# every other key with a 2020 figure must stay below it.
TARGET_PERCENT: dict[str, int] = {"enlist": 60, "defect_100_active": 25}


def tx_gas(computation: Any, create: bool = False) -> int:
    """The gas a transaction running ``computation`` would use (intrinsic, calldata, execution,
    capped refund)."""
    data = bytes(computation.msg.code if create else computation.msg.data)
    cost = 21_000 + sum(16 if b else 4 for b in data)
    if create:
        cost += 32_000 + 2 * ((len(data) + 31) // 32)
    cost += computation.get_gas_used()
    return cost - min(computation.get_gas_refund(), cost // 5)


def _call(contract_: Any, fn: str, *args: Any, sender: str) -> int:
    """Call ``contract_.fn(*args)`` from ``sender`` as its own transaction; return its gas."""
    new_tx()
    with boa.env.prank(sender):
        getattr(contract_, fn)(*args)
    return tx_gas(contract_._computation)


def dai_permit(system: System, key: str, spender: str, nonce: int, expiry: int = 0
               ) -> tuple[int, bytes, bytes]:
    """Sign DAI's own permit (allowed = true) with ``key``, on the typed data the app signs
    (``backstop.maker.permit``); return (v, r, s)."""
    holder = Account.from_key(key)
    typed = dai_permit_typed_data(boa.env.evm.patch.chain_id, system.dai.address,
                                  holder.address, spender, nonce, expiry)
    sig = holder.sign_message(encode_typed_data(full_message=typed))
    return sig.v, sig.r.to_bytes(32, "big"), sig.s.to_bytes(32, "big")


def measure_gas(flopper: str = "flopper") -> dict[str, int]:
    """Deploy the core and a pool in-process, run every operation once, return gas per key.
    ``flopper`` picks the current dss Flopper ("flopper": the first bid of an auction also
    kisses the Vow's debt) or the 2019 one ("flopper_2019", which the 2020 figures used)."""
    out: dict[str, int] = {}
    # A fresh in-process chain: each measured transaction commits its storage (no anchors).
    with boa.swap_env(boa.Env()):
        system = deploy_system(flopper, price=None)
        deployer = system.deployer

        # deployment of a pool, a factory, and a pool created from the blueprint
        new_tx()
        pool = system.deploy_pool(PRICE)
        out["deploy_pool"] = tx_gas(pool._computation, create=True)
        system.pool = pool
        new_tx()
        with boa.env.prank(deployer):
            blueprint = contract("pool/pool").deploy_as_blueprint()
            new_tx()
            factory = contract("pool/factory").deploy(
                blueprint.address, system.dai.address, system.mkr.address,
                system.dai_join.address, system.vat.address, system.flopper.address,
            )
        out["deploy_factory"] = tx_gas(factory._computation, create=True)
        out["create_pool"] = _call(factory, "create_pool", 150 * WAD, sender=deployer)

        # enlist: first ever, a second new member, a third one with DAI's permit
        members = [boa.env.generate_address(f"member{i}") for i in range(2)]
        for m in members:
            system.mint_dai(m, 6_000_000 * WAD)
            with boa.env.prank(m):
                system.dai.approve(pool.address, 2**256 - 1)
        out["enlist_first"] = _call(pool, "enlist", 3_000_000 * WAD, sender=members[0])
        out["enlist"] = _call(pool, "enlist", 3_000_000 * WAD, sender=members[1])
        key = "0x" + "42" * 32
        permit_member = Account.from_key(key).address
        system.mint_dai(permit_member, 1_000 * WAD)
        v, r, s = dai_permit(system, key, pool.address, 0)
        out["enlist_with_permit"] = _call(
            pool, "enlistWithPermit", 1_000 * WAD, 0, 0, v, r, s, sender=permit_member
        )
        out["enlist_again"] = _call(pool, "enlist", 1_000 * WAD, sender=members[1])
        out["defect"] = _call(pool, "defect", 500 * WAD, sender=members[1])

        # auctions: enter (first, later), finalize won (first, later), finalize outbid
        keeper = boa.env.generate_address("keeper")
        outsider = boa.env.generate_address("outside_bidder")
        ids = system.biddable_many(4)
        out["enter_auction_first"] = _call(pool, "enterAuction", ids[0], sender=keeper)
        out["enter_auction"] = _call(pool, "enterAuction", ids[1], sender=keeper)
        _call(pool, "enterAuction", ids[2], sender=keeper)
        # while positions are open: a deposit is a request, a defect leaves a redeem request
        late = boa.env.generate_address("late_member")
        system.mint_dai(late, 10_000 * WAD)
        with boa.env.prank(late):
            system.dai.approve(pool.address, 2**256 - 1)
        out["enlist_request"] = _call(pool, "enlist", 5_000 * WAD, sender=late)
        out["defect_request"] = _call(pool, "defect", 100 * WAD, sender=members[0])
        request_id = pool.frontier()[1] + 1
        system.outbid(ids[2], outsider)
        system.finish_bid(ids[1])
        out["finalize_won_first"] = _call(pool, "finalizeAuction", ids[0], sender=keeper)
        out["finalize_won"] = _call(pool, "finalizeAuction", ids[1], sender=keeper)
        out["finalize_outbid"] = _call(pool, "finalizeAuction", ids[2], sender=keeper)
        out["claim_deposit"] = _call(pool, "claimDeposit", request_id, late, sender=keeper)
        out["claim_redeem"] = _call(pool, "claimRedeem", request_id, members[0], sender=keeper)
        out["claim"] = _call(pool, "claim", sender=members[1])
        active = 0
        for n in (2, 10, 100):
            for id_ in system.biddable_many(n - active):
                with boa.env.prank(keeper):
                    pool.enterAuction(id_)
            active = n
            out[f"defect_{n}_active"] = _call(pool, "defect", 100 * WAD, sender=members[1])
    return out
