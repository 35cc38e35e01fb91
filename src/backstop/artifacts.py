"""Compiled contracts by name: ``get_artifact("maker/vat")`` -> ABI, initcode, runtime, blueprint.

A name is a path under ``src/backstop/contracts`` without the ``.vy`` suffix ("maker/vat",
"pool/pool", "pool/factory"). Sources are compiled with the installed vyper (0.4.3) through its
Python API; imports resolve against the contracts directory (``import maker.vat``), the source's
own directory (relative imports) and ``sys.path`` (``from snekmate.tokens import erc20``).

Compiling takes seconds, so results are cached on disk in ``$BACKSTOP_CACHE`` (default
``~/.cache/backstop``) under ``artifacts/``. Each name keeps a small index of the files its last
compilation read; an artifact is valid when the sha256 of the vyper version, the settings and the
contents of every one of those files match. Any edit to any source involved (the contract, a module
or interface it imports, a snekmate file) therefore recompiles. Writes go to a temporary file that
is atomically renamed, so concurrent threads and processes never read half a file.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
from dataclasses import dataclass
from importlib.metadata import version as _dist_version
from pathlib import Path
from typing import Any

from backstop.files import atomic_write

CONTRACTS_DIR = Path(__file__).resolve().parent / "contracts"
ERC5202_PREFIX = b"\xfe\x71\x00"
_FORMAT = 1  # bump when the cached JSON layout changes
VYPER_VERSION = _dist_version("vyper")  # without importing vyper: cache hits stay fast

_memo: dict[str, tuple[list[str], Artifact]] = {}  # source path -> (its deps, artifact)
_lock = threading.Lock()
_compile_lock = threading.Lock()  # vyper keeps global state while compiling: one at a time


class ArtifactError(Exception):
    """A contract that does not exist or does not compile (the message names which and why)."""


@dataclass(frozen=True)
class Artifact:
    """One compiled contract.

    ``bytecode`` is the initcode (append ABI-encoded constructor arguments to deploy),
    ``runtime`` the deployed code, ``blueprint`` the ERC-5202 blueprint deployment code (a
    preamble that stores ``0xFE7100 + bytecode`` as the code of a blueprint contract).
    """

    name: str
    abi: list[dict[str, Any]]
    bytecode: bytes
    runtime: bytes
    blueprint: bytes
    source_hash: str

    def to_json(self) -> dict[str, Any]:
        """The JSON form stored in the cache (hex strings for the byte fields)."""
        return {
            "format": _FORMAT,
            "name": self.name,
            "abi": self.abi,
            "bytecode": "0x" + self.bytecode.hex(),
            "runtime": "0x" + self.runtime.hex(),
            "blueprint": "0x" + self.blueprint.hex(),
            "source_hash": self.source_hash,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Artifact:
        """Inverse of ``to_json``."""
        return cls(
            name=data["name"],
            abi=data["abi"],
            bytecode=bytes.fromhex(data["bytecode"][2:]),
            runtime=bytes.fromhex(data["runtime"][2:]),
            blueprint=bytes.fromhex(data["blueprint"][2:]),
            source_hash=data["source_hash"],
        )


def cache_dir() -> Path:
    """Where compiled artifacts are kept: ``$BACKSTOP_CACHE/artifacts`` or
    ``~/.cache/backstop/artifacts``."""
    base = os.environ.get("BACKSTOP_CACHE")
    root = Path(base) if base else Path.home() / ".cache" / "backstop"
    return root / "artifacts"


def source_path(name: str, root: Path | None = None) -> Path:
    """The ``.vy`` file for a contract name; ``ArtifactError`` when there is none."""
    root = (root or CONTRACTS_DIR).resolve()
    if not name or name.startswith("/") or ".." in Path(name).parts:
        raise ArtifactError(f"bad contract name {name!r}: use a path like 'maker/vat'")
    path = root / f"{name}.vy"
    if not path.is_file():
        raise ArtifactError(f"no contract {name!r}: {path} does not exist")
    return path


def get_artifact(name: str, root: Path | None = None) -> Artifact:
    """The compiled contract ``name`` (e.g. "maker/vat"), from memory, the disk cache, or vyper.

    ``root`` is the contracts directory (default: the package's ``contracts/``); tests use it to
    compile sources of their own.
    """
    path = source_path(name, root)
    with _lock:
        hit = _memo.get(str(path))
    if hit is not None and _hash_sources(hit[0]) == hit[1].source_hash:
        return hit[1]
    found = _load_cached(name, path)
    if found is None:
        with _compile_lock:
            found = _load_cached(name, path)  # another thread may have just compiled it
            if found is None:
                art, deps = _compile(name, path, root or CONTRACTS_DIR)
                _store(path, art, deps)
                found = (art, deps)
    art, deps = found
    with _lock:
        _memo[str(path)] = (deps, art)
    return art


def clear_memory_cache() -> None:
    """Forget artifacts held in this process (the disk cache stays)."""
    with _lock:
        _memo.clear()


# ---- cache -------------------------------------------------------------------------------------


def _slug(path: Path) -> str:
    """A file-name-safe key for one source path (the same name under two roots never collides)."""
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:16]
    return f"{path.parent.name}__{path.stem}-{digest}"


def _index_path(path: Path) -> Path:
    return cache_dir() / f"{_slug(path)}.deps.json"


def _artifact_path(path: Path, source_hash: str) -> Path:
    return cache_dir() / f"{_slug(path)}-{source_hash[:32]}.json"


def _hash_sources(deps: list[str], contents: dict[str, bytes] | None = None) -> str | None:
    """sha256 over the compiler version, settings and every dependency's path and contents
    (``contents`` if given, else read from disk); None when a dependency is gone (stale index)."""
    h = hashlib.sha256()
    h.update(f"vyper={VYPER_VERSION};format={_FORMAT};settings={_settings_key()}".encode())
    for dep in sorted(set(deps)):
        if contents is not None and dep in contents:
            data = contents[dep]
        else:
            try:
                data = Path(dep).read_bytes()
            except OSError:
                return None
        h.update(dep.encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()


def _load_cached(name: str, path: Path) -> tuple[Artifact, list[str]] | None:
    """The artifact on disk for the sources as they are now, with its deps; None if none."""
    try:
        deps = json.loads(_index_path(path).read_text())["deps"]
    except (OSError, ValueError, KeyError):
        return None
    source_hash = _hash_sources(deps)
    if source_hash is None:
        return None
    try:
        data = json.loads(_artifact_path(path, source_hash).read_text())
    except (OSError, ValueError):
        return None
    if data.get("format") != _FORMAT or data.get("source_hash") != source_hash:
        return None
    art = Artifact.from_json(data)
    return (art, deps) if art.name == name else None


def _store(path: Path, art: Artifact, deps: list[str]) -> None:
    """Write the artifact, then the index pointing at it (a reader never sees an index whose
    artifact is missing). A read-only cache directory is not an error: we just recompile."""
    try:
        atomic_write(_artifact_path(path, art.source_hash), json.dumps(art.to_json()))
        atomic_write(_index_path(path), json.dumps({"deps": sorted(set(deps))}))
    except OSError:
        pass


# ---- compiling ---------------------------------------------------------------------------------


def _settings_key() -> str:
    """Compiler settings are vyper's defaults (optimize "gas", evm "prague")."""
    return "default"


def _search_paths(root: Path) -> list[Path]:
    """Lowest precedence first, as vyper wants: sys.path (snekmate), then the contracts root."""
    paths = [Path(p) for p in reversed(sys.path) if p]
    paths.append(root.resolve())
    return paths


def _compile(name: str, path: Path, root: Path) -> tuple[Artifact, list[str]]:
    """Compile one source; return the artifact and the absolute paths of every file it read."""
    from vyper.compiler.input_bundle import FileInput, FilesystemInputBundle
    from vyper.compiler.output import build_abi_output
    from vyper.compiler.phases import CompilerData
    from vyper.compiler.settings import Settings, anchor_settings

    class RecordingBundle(FilesystemInputBundle):
        """A filesystem input bundle that remembers the exact bytes of every file vyper read."""

        def __init__(self, search_paths: list[Path]) -> None:
            super().__init__(search_paths)
            self.read: dict[str, bytes] = {}

        def _load_from_path(self, resolved_path: Path, original_path: Path) -> FileInput:
            res = super()._load_from_path(resolved_path, original_path)
            self.read[str(resolved_path)] = res.contents.encode()
            return res

    bundle = RecordingBundle(_search_paths(root))
    contents = path.read_bytes()
    file_input = FileInput(
        contents=contents.decode(), source_id=-1, path=Path(f"{name}.vy"), resolved_path=path
    )
    data = CompilerData(file_input, bundle, Settings())
    try:
        with anchor_settings(data.settings):
            abi = build_abi_output(data)
            bytecode, runtime = data.bytecode, data.bytecode_runtime
            blueprint = data.blueprint_bytecode
    except Exception as exc:  # vyper raises many types; name the contract and the cause
        raise ArtifactError(f"{name}: vyper {VYPER_VERSION} failed: {exc}") from exc
    read = {str(path): contents, **bundle.read}
    deps = sorted(read)
    source_hash = _hash_sources(deps, read)
    assert source_hash is not None  # every file was just read
    return Artifact(name, abi, bytecode, runtime, blueprint, source_hash), deps
