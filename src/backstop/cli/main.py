"""The ``backstop`` command line: one entry point, one module per subcommand.

Each subcommand lives in ``backstop/cli/cmd_<name>.py`` and defines::

    NAME = "enlist"                      # the subcommand's name
    HELP = "one line for `backstop --help`"
    def configure(parser: argparse.ArgumentParser) -> None: ...   # its own arguments
    def run(args: argparse.Namespace) -> int: ...                 # 0 on success

Conventions every command follows:
- usage errors (argparse) exit 2 with ONE line; a failure the user can fix raises ``UserError``
  and exits 1 (or its own code) with ONE line on stderr, never a traceback;
- ``--json`` (global, before or after the subcommand) asks for machine output on stdout.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from backstop.cli.errors import UserError

# Subcommands in the order `backstop --help` lists them.
COMMANDS = (
    "devnet",
    "deploy",
    "pools",
    "status",
    "auctions",
    "position",
    "enlist",
    "defect",
    "keeper",
    "serve",
    "demo",
    "gas",
    "bench",
)


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are ONE line (what is wrong, where to read more)
    and exit 2, like every other error of the command line."""

    def error(self, message: str) -> NoReturn:
        """Print ``error: <message>`` and a pointer to ``--help``; exit 2."""
        self.exit(2, f"error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with one sub-parser per subcommand."""
    parser = OneLineParser(
        prog="backstop",
        description="A community backstop for MakerDAO debt auctions.",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        mod = importlib.import_module(f"backstop.cli.cmd_{name}")
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.HELP)
        p.add_argument(
            "--json", action="store_true", default=argparse.SUPPRESS,
            help="machine-readable output on stdout",
        )
        mod.configure(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, run the subcommand, turn every failure into one line and an exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # usage error (2) or --help (0): already printed
        return exc.code if isinstance(exc.code, int) else 2
    try:
        code = args._run(args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the last line of defence: one line, never a traceback
        if os.environ.get("BACKSTOP_DEBUG"):
            raise
        print(
            f"error: unexpected {type(exc).__name__}: {exc} (set BACKSTOP_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return 1
    return int(code or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
