"""Gas of each call into the local Maker core, measured in-process (titanoboa) in the context a
backstop pool makes it in, beside the same figure on the real dss contracts.

``measure_core_calls(flopper)`` deploys the core (``backstop.maker.boa_core``) and a
``bench_bidder`` contract that calls it the way a pool does, runs one fixed scenario and returns
the gas of every call by key. A call's gas is its frame's (what a call trace reports as the call's
``gasUsed``: execution inside the callee, without the caller's CALL cost); each step starts a new
transaction (fresh warm/cold sets, current storage as "original" values, EIP-2929/2200), like
``backstop.pool.gas``.

``DSS`` holds the same scenario measured on the real dss code paths (see ``DSS_METHOD``); the
core's figures must stay within ``TOLERANCE`` of them (tests/unit/maker/test_maker_gas.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boa
from eth_abi import encode as abi_encode
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import function_signature_to_4byte_selector

from backstop.maker.params import MakerParams
from backstop.maker.permit import dai_permit_typed_data
from backstop.units import RAD, RAY, WAD

# Allowed relative difference between our core and dss, per call.
TOLERANCE = 0.02

# What ``backstop gas`` measures on, in one line.
MAKER_MEASURED = (
    "the local Maker core (src/backstop/contracts/maker), modelled on the production dss of "
    "2019 (LibNote logs, ds-token MKR minted through MkrAuthority, Vow with a Flapper): each "
    "core call within 2% of dss's gas (`backstop gas --core`)"
)

# (key, what the step is). "first"/"later": the first such call of the scenario (slots going
# from zero to non-zero: the bidder's and the Vow's balances, MKR's supply) and a later one.
CORE_CALLS: tuple[tuple[str, str], ...] = (
    ("vow_flop", "Vow.flop: a debt auction's kick (Vat reads, Ash, Flopper.kick), not the first"),
    ("flopper_tick", "Flopper.tick: restart an expired auction with no bid"),
    ("dai_join_join", "DaiJoin.join inside the bidder's enter (Vat.move + Dai.burn)"),
    ("vat_move_join", "Vat.move inside DaiJoin.join (adapter -> bidder, bidder's slot 0 -> x)"),
    ("dai_burn", "Dai.burn inside DaiJoin.join (max allowance)"),
    ("flopper_dent_first", "Flopper.dent, first bid of the scenario (Vat.move to the Vow...)"),
    ("flopper_dent_later", "Flopper.dent, a later auction's first bid"),
    ("vat_move_dent", "Vat.move inside the first dent (bidder -> Vow)"),
    ("vow_kiss", "Vow.kiss: current Flopper, inside the first dent; 2019, sent on its own"),
    ("flopper_deal_first", "Flopper.deal, first in the scenario (includes the MKR mint)"),
    ("flopper_deal_later", "Flopper.deal, later (includes the MKR mint)"),
    ("mkr_mint_first", "MKR.mint through MkrAuthority inside deal, first (supply 0 -> x)"),
    ("mkr_mint_later", "MKR.mint through MkrAuthority inside deal, later"),
    ("mkr_can_call", "MkrAuthority.canCall inside the mint"),
    ("mkr_transfer", "MKR.transfer from a holder to a new address"),
    ("vat_hope", "Vat.hope, sent on its own (0 -> 1)"),
    ("dai_join_exit", "DaiJoin.exit, sent on its own to a new holder (Vat.move + Dai.mint)"),
    ("vat_move", "Vat.move, sent on its own by src to a new address"),
    ("dai_transfer", "Dai.transfer to a new address"),
    ("dai_permit", "Dai.permit, a holder's first (nonce 0 -> 1, allowance 0 -> max)"),
)

DSS_METHOD = (
    "dss: the same scenario run on a Solidity 0.5.12 (optimizer 200 runs) build of the 2019 "
    "production dss code paths (Vat, Dai, DaiJoin, both Floppers, Vow with LibNote; a minimal "
    "Flapper; ds-token MKR with MkrAuthority), which reproduces the real-contract figures the "
    "issue measured on anvil within 8 gas (DaiJoin.join 64,507 vs 64,511, Flopper.dent 47,843 "
    "vs 47,847, MKR mint 58,851 / 24,651 exactly; the pool's enterAuction, finalizeAuction "
    "first and later within 8 gas of 190,254 / 156,050 / 112,374 / 78,174)."
)

# Measured once with ``measure_core_calls(flopper, deploy=<that build>)``; see DSS_METHOD.
_DSS_2019: dict[str, int] = {
    "vow_flop": 113_348,
    "flopper_tick": 19_888,
    "dai_join_join": 64_507,
    "vat_move_join": 34_644,
    "dai_burn": 15_067,
    "flopper_dent_first": 47_843,
    "flopper_dent_later": 30_743,
    "vat_move_dent": 29_844,
    "vow_kiss": 41_132,
    "flopper_deal_first": 78_220,
    "flopper_deal_later": 44_020,
    "mkr_mint_first": 58_851,
    "mkr_mint_later": 24_651,
    "mkr_can_call": 4_914,
    "mkr_transfer": 32_124,
    "vat_hope": 26_884,
    "dai_join_exit": 66_257,
    "vat_move": 34_644,
    "dai_transfer": 30_079,
    "dai_permit": 52_863,
}
DSS: dict[str, dict[str, int]] = {
    "flopper_2019": _DSS_2019,
    # the July 2020 Flopper: a dent also kisses the Vow's debt (the rest is the same dss)
    "flopper": {**_DSS_2019, "flopper_dent_first": 86_200, "flopper_dent_later": 86_200,
                "vow_kiss": 31_832},
}

def new_tx() -> None:
    """Start a new 'transaction' on boa's EVM: current storage becomes original, access lists
    cold (the gas measurements of the core and the pool)."""
    boa.env.evm.vm.state._account_db.lock_changes()


Deploy = Callable[[str, str], dict[str, Any]]


def _ours(deployer: str, flopper: str) -> dict[str, Any]:
    from backstop.maker.boa_core import deploy_maker_boa
    from backstop.pool.boa_system import contract

    return deploy_maker_boa(deployer, flopper, contract)


def _send(to: str, sender: str, signature: str, *args: Any) -> Any:
    """Send ``signature(args)`` to ``to`` from ``sender`` as its own transaction; return boa's
    computation (raises if it reverted)."""
    name, _, rest = signature.partition("(")
    types = [t for t in rest.rstrip(")").split(",") if t]
    data = function_signature_to_4byte_selector(signature) + abi_encode(types, list(args))
    new_tx()
    computation = boa.env.execute_code(to_address=to, sender=sender, data=data)
    if computation.is_error:
        raise RuntimeError(f"{name} reverted in the gas scenario: {computation.error!r}")
    return computation


def _frames(computation: Any) -> list[Any]:
    out = []
    for child in computation.children:
        out.append(child)
        out.extend(_frames(child))
    return out


def _frame(computation: Any, address: str, signature: str, nth: int = 0) -> int:
    """Gas of the ``nth`` call to ``signature`` on ``address`` inside ``computation``."""
    selector = function_signature_to_4byte_selector(signature)
    target = bytes.fromhex(address[2:].lower())
    found = [
        f
        for f in _frames(computation)
        if bytes(f.msg.code_address) == target and bytes(f.msg.data[:4]) == selector
    ]
    if len(found) <= nth:
        raise RuntimeError(f"no call {signature} on {address} in the measured transaction")
    return int(found[nth].get_gas_used())


def measure_core_calls(
    flopper: str = "flopper_2019", deploy: Deploy | None = None
) -> dict[str, int]:
    """Run the scenario on a fresh in-process chain with the core ``deploy(deployer, flopper)``
    returns (default: ours; ``flopper`` is "flopper" for current dss or "flopper_2019") and
    return the gas of each call in ``CORE_CALLS`` by key."""
    from backstop.pool.boa_system import contract

    params = MakerParams()
    sump = params.sump.raw
    wad = sump // RAY
    out: dict[str, int] = {}
    with boa.swap_env(boa.Env()):
        deployer = boa.env.generate_address("deployer")
        core = (deploy or _ours)(deployer, flopper)
        vat, dai, dai_join, mkr = core["vat"], core["dai"], core["dai_join"], core["mkr"]
        flop, vow = core["flopper"], core["vow"]
        with boa.env.prank(deployer):
            bidder = contract("maker/bench_bidder").deploy(
                vat.address, dai.address, dai_join.address, flop.address
            )
            # ERC20 DAI for three bids, backed by the adapter's Vat DAI (as exits leave it)
            vat.suck(deployer, dai_join.address, 3 * sump)
        with boa.env.prank(dai_join.address):
            dai.mint(bidder.address, 3 * wad)

        def kick() -> int:
            with boa.env.prank(deployer):
                vat.suck(vow.address, deployer, sump)
            computation = _send(vow.address, deployer, "flop()")
            return int.from_bytes(bytes(computation.output), "big")

        ids = [kick(), kick()]
        before = flop.kicks()
        with boa.env.prank(deployer):
            vat.suck(vow.address, deployer, sump)
        computation = _send(vow.address, deployer, "flop()")
        out["vow_flop"] = int(computation.get_gas_used())
        ids.append(before + 1)

        def ask(id_: int) -> int:
            lot = flop.bids(id_)[1]
            return lot * WAD // params.beg.raw  # the largest lot dent accepts (beg * new <= lot)

        # enter the first two auctions as a pool would
        computation = _send(
            bidder.address, deployer, "enter(uint256,uint256,uint256)", ids[0], ask(ids[0]), wad
        )
        out["dai_join_join"] = _frame(computation, dai_join.address, "join(address,uint256)")
        out["vat_move_join"] = _frame(computation, vat.address, "move(address,address,uint256)")
        out["dai_burn"] = _frame(computation, dai.address, "burn(address,uint256)")
        out["flopper_dent_first"] = _frame(
            computation, flop.address, "dent(uint256,uint256,uint256)"
        )
        out["vat_move_dent"] = _frame(computation, vat.address, "move(address,address,uint256)", 1)
        if flopper == "flopper":
            out["vow_kiss"] = _frame(computation, vow.address, "kiss(uint256)")
        computation = _send(
            bidder.address, deployer, "enter(uint256,uint256,uint256)", ids[1], ask(ids[1]), wad
        )
        out["flopper_dent_later"] = _frame(
            computation, flop.address, "dent(uint256,uint256,uint256)"
        )
        if flopper != "flopper":  # the 2019 Flopper leaves the surplus for a keeper to kiss
            computation = _send(vow.address, deployer, "kiss(uint256)", sump)
            out["vow_kiss"] = int(computation.get_gas_used())

        # both bids expire; the third auction expires unbid and restarts
        end = flop.bids(ids[2])[4]
        boa.env.time_travel(seconds=max(0, end - boa.env.evm.patch.timestamp) + 1)
        computation = _send(flop.address, deployer, "tick(uint256)", ids[2])
        out["flopper_tick"] = int(computation.get_gas_used())
        for key, id_ in (("first", ids[0]), ("later", ids[1])):
            computation = _send(bidder.address, deployer, "finalize(uint256)", id_)
            out[f"flopper_deal_{key}"] = _frame(computation, flop.address, "deal(uint256)")
            out[f"mkr_mint_{key}"] = _frame(computation, mkr.address, "mint(address,uint256)")
            if key == "first":
                out["mkr_can_call"] = _frame(
                    computation, mkr.authority(), "canCall(address,address,bytes4)"
                )

        # calls sent on their own by an address holding Vat DAI, DAI and MKR
        user = boa.env.generate_address("user")
        others = [boa.env.generate_address(f"other{i}") for i in range(4)]
        with boa.env.prank(deployer):
            vat.suck(deployer, user, 10 * RAD)
            mkr.mint(user, 10 * WAD)
        computation = _send(vat.address, user, "hope(address)", dai_join.address)
        out["vat_hope"] = int(computation.get_gas_used())
        computation = _send(dai_join.address, user, "exit(address,uint256)", user, 5 * WAD)
        out["dai_join_exit"] = int(computation.get_gas_used())
        computation = _send(
            vat.address, user, "move(address,address,uint256)", user, others[0], RAD
        )
        out["vat_move"] = int(computation.get_gas_used())
        computation = _send(dai.address, user, "transfer(address,uint256)", others[1], WAD)
        out["dai_transfer"] = int(computation.get_gas_used())
        computation = _send(mkr.address, user, "transfer(address,uint256)", others[2], WAD)
        out["mkr_transfer"] = int(computation.get_gas_used())

        holder = Account.from_key("0x" + "42" * 32)
        typed = dai_permit_typed_data(
            boa.env.evm.patch.chain_id, dai.address, holder.address, others[3], 0, 0
        )
        sig = holder.sign_message(encode_typed_data(full_message=typed))
        computation = _send(
            dai.address,
            user,
            "permit(address,address,uint256,uint256,bool,uint8,bytes32,bytes32)",
            holder.address,
            others[3],
            0,
            0,
            True,
            sig.v,
            sig.r.to_bytes(32, "big"),
            sig.s.to_bytes(32, "big"),
        )
        out["dai_permit"] = int(computation.get_gas_used())
    return {key: out[key] for key, _ in CORE_CALLS if key in out}


def compare(ours: dict[str, int], dss: dict[str, int]) -> list[tuple[str, int, int, float]]:
    """``(key, ours, dss, ours / dss - 1)`` for every key both have, in ``CORE_CALLS`` order."""
    return [
        (key, ours[key], dss[key], ours[key] / dss[key] - 1)
        for key, _ in CORE_CALLS
        if key in ours and key in dss
    ]
