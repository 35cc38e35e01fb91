"""`backstop status`: one pool's state and the Flopper it bids in."""

from __future__ import annotations

import argparse

from backstop.cli.common import (
    add_chain_options,
    console,
    deposits_words,
    emit,
    fmt,
    fmt_price,
    open_pool,
)

NAME = "status"
HELP = "a pool's state: price, status, DAI (free and in bids), MKR, active auctions"


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of `backstop status`."""
    add_chain_options(parser, factory=True)


def run(args: argparse.Namespace) -> int:
    """Read the pool and its Flopper in two batches and print them."""
    from backstop.chain import batch_call
    from backstop.pool import read_pool_states

    w3, pool = open_pool(args)
    st = read_pool_states(w3, [pool])[0]
    flop = pool.flopper
    calls = [flop.call_kicks(), flop.call_live()]
    kicks, live = (c.decode(a) for c, a in
                   zip(calls, batch_call(w3, [c.as_tuple() for c in calls]), strict=True))
    data = {
        "pool": pool.address, "chain_id": w3.eth.chain_id, "block": w3.eth.block_number,
        "price": str(st.price), "status": st.status.name.lower(), "ceased": st.ceased,
        "total_shares": str(st.total_shares), "dai_balance": str(st.dai_balance),
        "dai_in_auctions": str(st.dai_in_auctions), "dai_available": str(st.dai_available),
        "mkr_balance": str(st.mkr_balance), "active_auctions": list(st.active_auctions),
        "flopper": {"address": flop.address, "kicks": kicks, "live": live},
    }

    def human() -> None:
        c = console()
        c.print(f"pool {pool.address} at {fmt_price(st.price)} DAI/MKR "
                f"(chain {data['chain_id']}, block {data['block']})")
        c.print(f"  status        {deposits_words(st.status)}")
        c.print(f"  shares        {fmt(st.total_shares)}")
        c.print(f"  DAI           {fmt(st.dai_balance)} ({fmt(st.dai_available)} free, "
                f"{fmt(st.dai_in_auctions)} in bids)")
        c.print(f"  MKR           {fmt(st.mkr_balance, 6)}")
        active = ", ".join(map(str, st.active_auctions)) or "none"
        c.print(f"  in auctions   {active}")
        c.print(f"  flopper       {flop.address}: {kicks} auctions kicked, "
                f"{'live' if live else 'caged'}")

    emit(args, data, human)
    return 0
