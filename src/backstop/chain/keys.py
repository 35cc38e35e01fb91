"""Load the signing key: from an encrypted keystore JSON file (password from a file or asked at an
interactive prompt) or from an environment variable. Never from the command line, never printed:
error messages name the source of the key, not the key.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import sys
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

DEFAULT_ENV_VAR = "BACKSTOP_PRIVATE_KEY"
_HEX_KEY = re.compile(r"^(0x)?[0-9a-fA-F]{64}$")


class KeyLoadError(Exception):
    """The key could not be loaded; the message says what to do (and never contains the key)."""


def load_account(
    keystore: str | os.PathLike[str] | None = None,
    password_file: str | os.PathLike[str] | None = None,
    env_var: str = DEFAULT_ENV_VAR,
    prompt: bool = True,
) -> LocalAccount:
    """The account to sign with.

    With ``keystore``: decrypt it with the password in ``password_file`` (its first line), or
    ask for it with a hidden prompt when ``prompt`` is true and stdin is a terminal. Without:
    the hex private key in the environment variable ``env_var``.
    """
    if keystore is not None:
        return _from_keystore(Path(keystore), password_file, prompt)
    if password_file is not None:
        raise KeyLoadError("a password file was given without a keystore: add --keystore FILE")
    return _from_env(env_var)


def _from_env(env_var: str) -> LocalAccount:
    value = os.environ.get(env_var, "").strip()
    if not value:
        raise KeyLoadError(
            f"no signing key: give --keystore FILE (with --password-file FILE or at the "
            f"prompt), or set {env_var} to a hex private key"
        )
    if not _HEX_KEY.match(value):
        raise KeyLoadError(
            f"{env_var} does not hold a private key: expected 64 hex digits, 0x optional"
        )
    try:
        return Account.from_key(value)
    except (ValueError, TypeError):
        # eth-keys' message may quote the key: say only what is wrong, drop the cause
        raise KeyLoadError(
            f"{env_var} does not hold a valid secp256k1 private key (out of range)"
        ) from None


def _from_keystore(path: Path, password_file: str | os.PathLike[str] | None,
                   prompt: bool) -> LocalAccount:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KeyLoadError(f"keystore {path} does not exist: check the path") from None
    except OSError as exc:
        raise KeyLoadError(f"cannot read keystore {path}: {exc.strerror}") from None
    try:
        keyfile = json.loads(text)
    except json.JSONDecodeError:
        raise KeyLoadError(f"{path} is not a keystore: it is not JSON") from None
    if not isinstance(keyfile, dict) or not ("crypto" in keyfile or "Crypto" in keyfile):
        raise KeyLoadError(f"{path} is not a keystore: it has no 'crypto' section")
    password = _password(path, password_file, prompt)
    try:
        key = Account.decrypt(keyfile, password)
    except ValueError as exc:
        if "MAC" in str(exc):
            raise KeyLoadError(
                f"wrong password for keystore {path}: check the password (file)"
            ) from None
        raise KeyLoadError(f"cannot decrypt keystore {path}: {exc}") from None
    except (KeyError, TypeError, NotImplementedError):
        raise KeyLoadError(f"{path} is not a keystore this program can read") from None
    return Account.from_key(key)


def _password(path: Path, password_file: str | os.PathLike[str] | None, prompt: bool) -> str:
    if password_file is not None:
        pw_path = Path(password_file)
        try:
            lines = pw_path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            raise KeyLoadError(f"password file {pw_path} does not exist: check the path") from None
        except OSError as exc:
            raise KeyLoadError(f"cannot read password file {pw_path}: {exc.strerror}") from None
        return lines[0] if lines else ""
    if prompt and sys.stdin is not None and sys.stdin.isatty():
        try:
            return getpass.getpass(f"Password for keystore {path}: ")
        except (EOFError, KeyboardInterrupt):
            raise KeyLoadError("no password entered") from None
    raise KeyLoadError(
        f"keystore {path} needs its password: give --password-file FILE "
        "(or run in a terminal to be asked)"
    )

