"""Check and simulate what the page is about to send, and say the outcome in words.

``simulate_action(dashboard, body)`` takes the page's request ``{action, pool, from, to, data,
amount}`` (action: "approve", "enlist" or "defect"; amount a decimal string; ``check_only``
to stop after the first step, before the page asks the wallet for anything), first compares the
amount with what the chain holds (so the message can say "you hold 10 DAI, this needs 25"), then
runs the exact calldata with ``eth_call`` from the sender at the newest block. A revert is turned
into a sentence by ``explain_revert``. Nothing is ever sent from here.
"""

from __future__ import annotations

import re
from typing import Any

from web3.exceptions import ContractLogicError, Web3RPCError

from backstop.pool.reasons import explain_revert
from backstop.units import Wad
from backstop.web import pool_io
from backstop.web.dashboard import (
    Dashboard,
    InputError,
    checked_address,
    checked_amount,
    fmt,
)

HEX = re.compile(r"^0x([0-9a-fA-F]{2})*$")
ACTIONS = ("approve", "enlist", "defect", "claim")


def _reason_of(exc: Exception) -> str:
    text = getattr(exc, "message", None) or str(exc)
    return text.removeprefix("execution reverted: ").removeprefix("execution reverted").strip(": ")


def simulate_action(dash: Dashboard, body: dict[str, Any]) -> dict[str, Any]:
    """See the module docs. Returns ``{"ok": bool, "message": str}``."""
    action = body.get("action")
    if action not in ACTIONS:
        raise InputError(f"action: must be one of {', '.join(ACTIONS)}, not {action!r}")
    sender = checked_address(body.get("from"), "from")
    state = dash.state()
    pool = dash._known_pool(body.get("pool", ""), state)
    # a claim has no amount: it takes everything owed
    amount_of = (lambda: Wad(0)) if action == "claim" else (
        lambda: checked_amount(body.get("amount"), "amount"))
    if body.get("check_only"):  # before asking for a signature: only compare with the chain
        problem = _precheck(dash, state, action, sender, pool, amount_of())
        return {"ok": problem is None, "message": problem or "the amounts check out"}
    target = checked_address(body.get("to"), "to")
    data = body.get("data")
    if not isinstance(data, str) or not HEX.match(data) or len(data) < 10:
        raise InputError("data: the calldata must be 0x followed by whole bytes")
    amount = amount_of()
    expected = dash.addresses["dai"] if action == "approve" else pool
    if target != expected:
        raise InputError(f"to: a {action} goes to {expected}, not {target}")
    problem = _precheck(dash, state, action, sender, pool, amount)
    if problem:
        return {"ok": False, "message": problem}
    try:
        out = dash.w3.eth.call({"from": sender, "to": target, "data": data}, "latest")
    except (ContractLogicError, Web3RPCError) as exc:
        return {"ok": False, "message": explain_revert(_reason_of(exc))}
    return {"ok": True, "message": _success(dash, action, amount, bytes(out))}


def _precheck(dash: Dashboard, state: dict[str, Any], action: str, sender: str, pool: str,
              amount: Wad) -> str | None:
    """The plain-words reason the call cannot work, from every check the pool makes on the
    numbers on chain (``state`` is ``dash.state()``), or None."""
    row = next(p for p in state["pools"] if p["address"] == pool)
    position = dash.position(sender)
    mine = next(p for p in position["pools"] if p["pool"] == pool)
    if action in ("enlist", "approve"):
        return pool_io.enlist_problem(row, amount, Wad.parse(position["dai_balance"]))
    if action == "claim":
        dai, mkr = Wad.parse(mine["owed_dai"]), Wad.parse(mine["owed_mkr"])
        if not dai.raw and not mkr.raw:
            return "the pool owes you nothing now: nothing to claim"
        return None
    if action == "defect":
        return pool_io.defect_problem(amount, Wad.parse(mine["shares"]))
    return None


def _success(dash: Dashboard, action: str, amount: Wad, out: bytes) -> str:
    """What the simulated call would do, from its return values."""
    if action == "approve":
        return f"the pool would be allowed to take up to {fmt(amount)} DAI from your wallet"
    if action == "enlist":
        (shares,) = pool_io.decode_success("enlist", out)
        return f"you would put in {fmt(amount)} DAI and receive {fmt(Wad(shares))} shares"
    if action == "claim":
        dai, mkr = pool_io.decode_success("claim", out)
        return (f"you would receive {fmt(Wad(dai))} DAI and {fmt(Wad(mkr))} MKR, and keep "
                "your shares")
    dai, mkr = pool_io.decode_success("defect", out)
    return (f"you would return {fmt(amount)} shares and receive {fmt(Wad(dai))} DAI "
            f"and {fmt(Wad(mkr))} MKR")
