"""backstop.artifacts: compiling by name, the disk cache keyed by every source involved."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from backstop import artifacts
from backstop.artifacts import ERC5202_PREFIX, ArtifactError, get_artifact

IFACE = """
@external
def hope(usr: address): ...
"""

MODULE = """
# pragma version ~=0.4.3
from snekmate.auth import ownable
from ..maker import ivat

initializes: ownable
exports: ownable.owner

target: public(address)

@deploy
def __init__(v: address):
    ownable.__init__()
    self.target = v

@external
def poke():
    extcall ivat(self.target).hope(self)
"""


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A contracts root with a module importing a sibling package's interface and snekmate,
    and an empty cache directory."""
    root = tmp_path / "contracts"
    (root / "maker").mkdir(parents=True)
    (root / "pool").mkdir()
    (root / "maker" / "ivat.vyi").write_text(IFACE)
    (root / "pool" / "thing.vy").write_text(MODULE)
    monkeypatch.setenv("BACKSTOP_CACHE", str(tmp_path / "cache"))
    artifacts.clear_memory_cache()
    return root


def _compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count real compilations by wrapping the compiler entry point."""
    calls: list[str] = []
    real = artifacts._compile

    def counting(name, path, root):
        calls.append(name)
        return real(name, path, root)

    monkeypatch.setattr(artifacts, "_compile", counting)
    return calls


def test_compiles_abi_bytecode_runtime_blueprint(tree: Path) -> None:
    art = get_artifact("pool/thing", root=tree)
    names = {e.get("name") for e in art.abi}
    assert {"owner", "target", "poke", "OwnershipTransferred"} <= names
    assert art.runtime and art.bytecode.find(art.runtime) > 0  # initcode carries the runtime
    # ERC-5202: a preamble that deploys 0xFE7100 + initcode as the blueprint's code
    assert art.blueprint.endswith(ERC5202_PREFIX + art.bytecode)
    assert art.blueprint[0] == 0x61  # PUSH2 <length>
    length = int.from_bytes(art.blueprint[1:3], "big")
    assert length == len(ERC5202_PREFIX + art.bytecode)


def test_disk_cache_hit_then_recompile_on_dependency_edit(tree, monkeypatch) -> None:
    calls = _compiles(monkeypatch)
    first = get_artifact("pool/thing", root=tree)
    artifacts.clear_memory_cache()
    again = get_artifact("pool/thing", root=tree)
    assert calls == ["pool/thing"]  # the second came from disk
    assert again == first

    # editing an imported interface (not the contract itself) must invalidate the artifact
    (tree / "maker" / "ivat.vyi").write_text(IFACE + "\n@external\ndef nope(usr: address): ...\n")
    artifacts.clear_memory_cache()
    changed = get_artifact("pool/thing", root=tree)
    assert calls == ["pool/thing", "pool/thing"]
    assert changed.source_hash != first.source_hash


def test_index_lists_every_source_read(tree) -> None:
    get_artifact("pool/thing", root=tree)
    (index,) = artifacts.cache_dir().glob("*.deps.json")
    deps = json.loads(index.read_text())["deps"]
    assert str((tree / "pool" / "thing.vy").resolve()) in deps
    assert str((tree / "maker" / "ivat.vyi").resolve()) in deps
    assert any(d.endswith("snekmate/auth/ownable.vy") for d in deps)


def test_concurrent_first_use_is_safe(tree) -> None:
    results: list[artifacts.Artifact] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            results.append(get_artifact("pool/thing", root=tree))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len({r.bytecode for r in results}) == 1
    assert not list(artifacts.cache_dir().glob("*.tmp"))  # no half-written files left


def test_unknown_and_bad_names(tree) -> None:
    with pytest.raises(ArtifactError, match="no contract 'maker/nothing'"):
        get_artifact("maker/nothing", root=tree)
    with pytest.raises(ArtifactError, match="bad contract name"):
        get_artifact("../etc/passwd", root=tree)


def test_compile_error_names_the_contract(tree) -> None:
    (tree / "pool" / "broken.vy").write_text("@external\ndef f() -> uint256:\n    return -1\n")
    with pytest.raises(ArtifactError, match=r"pool/broken: vyper 0\.4\.3 failed"):
        get_artifact("pool/broken", root=tree)


def test_memory_cache_notices_edits(tree, monkeypatch) -> None:
    calls = _compiles(monkeypatch)
    get_artifact("pool/thing", root=tree)
    get_artifact("pool/thing", root=tree)
    assert calls == ["pool/thing"]  # the second came from memory
    (tree / "pool" / "thing.vy").write_text(MODULE + "\n@external\ndef extra():\n    pass\n")
    edited = get_artifact("pool/thing", root=tree)
    assert "extra" in {e.get("name") for e in edited.abi}
    assert calls == ["pool/thing", "pool/thing"]


def test_unwritable_cache_still_compiles_and_memoizes(tree, monkeypatch, tmp_path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("BACKSTOP_CACHE", str(blocker))  # mkdir under a file fails
    calls = _compiles(monkeypatch)
    first = get_artifact("pool/thing", root=tree)
    again = get_artifact("pool/thing", root=tree)
    assert again == first and calls == ["pool/thing"]
