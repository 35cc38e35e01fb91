"""`backstop pools`: every pool of a factory, one row each."""

from __future__ import annotations

import argparse

from backstop.cli.common import (
    add_address_column,
    add_chain_options,
    connect_chain,
    console,
    deposits_words,
    emit,
    fmt,
    fmt_price,
    open_factory,
)

NAME = "pools"
HELP = "list a factory's pools: price, status, shares, DAI and MKR"


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of `backstop pools`."""
    add_chain_options(parser, pool=False)


def run(args: argparse.Namespace) -> int:
    """Read every pool's state in one batch and print a table."""
    from rich.table import Table

    from backstop.pool import read_pool_states

    w3 = connect_chain(args)
    factory = open_factory(args, w3)
    states = read_pool_states(w3, factory.pools())
    data = {"factory": factory.address, "pools": [
        {"address": s.address, "price": str(s.price), "status": s.status.name.lower(),
         "total_shares": str(s.total_shares), "dai_balance": str(s.dai_balance),
         "dai_available": str(s.dai_available), "mkr_balance": str(s.mkr_balance),
         "active_auctions": len(s.active_auctions)} for s in states]}

    def human() -> None:
        if not states:
            console().print(f"factory {factory.address} has no pools yet "
                            "(`backstop deploy pool --price 100` creates one)")
            return
        c = console()
        c.print(f"pools of factory {factory.address}", soft_wrap=True)
        table = Table()
        add_address_column(table, "pool")
        for col in ("DAI/MKR", "status", "shares", "DAI", "free DAI", "MKR", "bids"):
            table.add_column(col, justify="left" if col == "status" else "right")
        for s in states:
            table.add_row(s.address, fmt_price(s.price), deposits_words(s.status).split(" (")[0],
                          fmt(s.total_shares, 2), fmt(s.dai_balance, 2),
                          fmt(s.dai_available, 2), fmt(s.mkr_balance, 4),
                          str(len(s.active_auctions)))
        c.print(table)

    emit(args, data, human)
    return 0
