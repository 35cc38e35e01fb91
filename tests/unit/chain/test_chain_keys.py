"""backstop.chain.keys: keystore + password file or prompt, environment variable, clear errors
that never contain the key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account import Account

from backstop.chain import keys
from backstop.chain.keys import KeyLoadError, load_account
from backstop.testing.anvil import DEV_KEYS

KEY = DEV_KEYS[3]
ADDRESS = Account.from_key(KEY).address


@pytest.fixture
def keystore(tmp_path: Path) -> Path:
    # pbkdf2 with few iterations keeps the test fast; the format is the standard v3 keystore
    data = Account.encrypt(KEY, "correct horse", kdf="pbkdf2", iterations=2)
    path = tmp_path / "keeper.json"
    path.write_text(json.dumps(data))
    return path


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "password.txt"
    path.write_text("correct horse\n")
    return path


@pytest.fixture(autouse=True)
def no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BACKSTOP_PRIVATE_KEY", raising=False)


def test_keystore_with_password_file(keystore: Path, password_file: Path) -> None:
    assert load_account(keystore, password_file).address == ADDRESS


def test_keystore_wrong_password(keystore: Path, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("battery staple")
    with pytest.raises(KeyLoadError, match="wrong password for keystore"):
        load_account(keystore, wrong)


def test_keystore_password_prompt(keystore: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(keys.sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(keys.getpass, "getpass", lambda text: asked.append(text) or
                        "correct horse")
    assert load_account(keystore).address == ADDRESS
    assert asked == [f"Password for keystore {keystore}: "]


def test_keystore_without_password_and_no_terminal(keystore: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keys.sys.stdin, "isatty", lambda: False, raising=False)
    with pytest.raises(KeyLoadError, match="--password-file"):
        load_account(keystore)
    with pytest.raises(KeyLoadError, match="--password-file"):
        load_account(keystore, prompt=False)


def test_keystore_problems_are_one_line(tmp_path: Path, password_file: Path) -> None:
    with pytest.raises(KeyLoadError, match="does not exist"):
        load_account(tmp_path / "missing.json", password_file)
    not_json = tmp_path / "notes.txt"
    not_json.write_text("hello")
    with pytest.raises(KeyLoadError, match="not JSON"):
        load_account(not_json, password_file)
    not_keystore = tmp_path / "other.json"
    not_keystore.write_text('{"address": "0x00"}')
    with pytest.raises(KeyLoadError, match="no 'crypto' section"):
        load_account(not_keystore, password_file)


def test_missing_password_file(keystore: Path, tmp_path: Path) -> None:
    with pytest.raises(KeyLoadError, match=r"password file .* does not exist"):
        load_account(keystore, tmp_path / "nope.txt")


def test_password_file_without_keystore(password_file: Path) -> None:
    with pytest.raises(KeyLoadError, match="without a keystore"):
        load_account(password_file=password_file)


@pytest.mark.parametrize("value", [KEY, KEY[2:], f"  {KEY}\n"])
def test_env_var_key(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("BACKSTOP_PRIVATE_KEY", value)
    assert load_account().address == ADDRESS


def test_custom_env_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEEPER_KEY", KEY)
    assert load_account(env_var="KEEPER_KEY").address == ADDRESS


def test_no_key_at_all() -> None:
    with pytest.raises(KeyLoadError, match="no signing key") as info:
        load_account()
    assert not isinstance(info.value, KeyError)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("bad", [
    "0x1234",
    KEY[:-1] + "g",
    "0x" + "00" * 32,  # zero is not a valid secp256k1 key
    "0x" + "ff" * 32,  # above the curve order
])
def test_bad_env_key_is_never_echoed(monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    monkeypatch.setenv("BACKSTOP_PRIVATE_KEY", bad)
    with pytest.raises(KeyLoadError, match="BACKSTOP_PRIVATE_KEY") as info:
        load_account()
    message = str(info.value)
    assert bad.strip()[2:] not in message and bad.strip() not in message
    assert info.value.__cause__ is None
