"""The ``backstop`` command line: one entry point, one module per subcommand.

Each subcommand lives in ``backstop/cli/cmd_<name>.py`` and defines::

    NAME = "enlist"                      # the subcommand's name
    HELP = "one line for `backstop --help`"
    def configure(parser: argparse.ArgumentParser) -> None: ...   # its own arguments
    def run(args: argparse.Namespace) -> int: ...                 # 0 on success

Conventions every command follows:
- usage errors (argparse) exit 2 with ONE line; a failure the user can fix raises ``UserError``
  and exits 1 (or its own code) with ONE line on stderr, never a traceback;
- ``--json`` (global, before or after the subcommand) asks for machine output on stdout; errors
  and progress then are JSON too, one object per line on stderr (the exit code is unchanged);
- a module imports only the standard library and light backstop modules at its top: web3,
  eth-account and titanoboa are imported inside ``run``, so ``backstop --help`` stays fast.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import json
import os
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

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
    "claim",
    "tx",
    "cease_fire",
    "owner",
    "keeper",
    "serve",
    "demo",
    "gas",
    "bench",
)


def version() -> str:
    """The installed version of backstop."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("backstop")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def error_line(message: str, exit_code: int, *, as_json: bool, **extra: Any) -> None:
    """Print one error on stderr: ``error: <message>``, or one JSON object under ``--json``."""
    if as_json:
        print(json.dumps({"error": message, "exit_code": exit_code, **extra}), file=sys.stderr)
    else:
        print(f"error: {message}", file=sys.stderr)


class _VersionAction(argparse.Action):
    """``--version``: the version is read only when asked (importlib.metadata is slow)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> NoReturn:
        print(f"backstop {version()}")
        parser.exit(0)


_CHOICE = re.compile(r"invalid choice: '([^']*)' \(choose from (.*)\)")


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are ONE line (what is wrong, where to read more,
    the nearest valid word for a typo) and exit 2, like every other error of the command line."""

    json_errors = False  # set by main() when --json is on the command line

    def error(self, message: str) -> NoReturn:
        """Print the error and a pointer to ``--help``; exit 2."""
        m = _CHOICE.search(message)
        if m:
            choices = [c.strip().strip("'") for c in m.group(2).split(",")]
            close = difflib.get_close_matches(m.group(1), choices, n=1, cutoff=0.6)
            if close:
                message += f"; did you mean {close[0]!r}?"
        text = f"{message} (see `{self.prog} --help`)"
        error_line(text, 2, as_json=self.json_errors)
        self.exit(2)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with one sub-parser per subcommand."""
    parser = OneLineParser(
        prog="backstop",
        description="A community backstop for MakerDAO debt auctions.",
    )
    parser.add_argument("--version", action=_VersionAction, nargs=0,
                        help="show the version and exit")
    parser.add_argument("--json", action="store_true",
                        help="machine-readable output on stdout (errors: JSON on stderr)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        mod = importlib.import_module(f"backstop.cli.cmd_{name}")
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.HELP)
        p.add_argument(
            "--json", action="store_true", default=argparse.SUPPRESS,
            help="machine-readable output on stdout (errors: JSON on stderr)",
        )
        mod.configure(p)
        p.set_defaults(_run=mod.run)
    return parser


def _is_rpc_unavailable(exc: BaseException) -> bool:
    from backstop.chain.errors import RpcUnavailable

    return isinstance(exc, RpcUnavailable)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, run the subcommand, turn every failure into one line and an exit code."""
    from backstop.cli import sending

    argv = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in argv[: argv.index("--")] if "--" in argv else "--json" in argv
    OneLineParser.json_errors = as_json
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # usage error (2) or --help / --version (0): already printed
        return exc.code if isinstance(exc.code, int) else 2
    sending.reset()

    def fail(message: str, code: int) -> int:
        tracker = sending.current()
        note = tracker.unsettled_note() if tracker else ""
        extra = {"transactions": tracker.to_json()} if tracker and tracker.sent else {}
        error_line(f"{message}; {note}" if note else message, code, as_json=as_json, **extra)
        return code

    try:
        code = args._run(args)
    except UserError as exc:
        return fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    except Exception as exc:  # the last line of defence: one line, never a traceback
        if os.environ.get("BACKSTOP_DEBUG"):
            raise
        if _is_rpc_unavailable(exc):
            tracker = sending.current()
            sent = tracker is not None and bool(tracker.sent)
            return fail(f"lost the node: {exc}" + ("" if sent else " (nothing was sent)"), 1)
        return fail(f"unexpected {type(exc).__name__}: {_first_line(exc)} "
                    "(set BACKSTOP_DEBUG=1 for details)", 1)
    return int(code or 0)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
