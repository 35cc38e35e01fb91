"""Start and stop a real anvil node on 127.0.0.1 (from the project's pinned npm package)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

# anvil's default dev accounts (mnemonic "test test test ... junk"), well-known test keys.
DEV_KEYS = (
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
    "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
    "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
    "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
    "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
    "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
)


class AnvilNotFound(RuntimeError):
    """anvil is not installed in the project: run `make setup` (npm ci)."""


def find_anvil() -> str:
    """Path of the project's anvil binary (node_modules/.bin/anvil), or $BACKSTOP_ANVIL."""
    env = os.environ.get("BACKSTOP_ANVIL")
    if env:
        return env
    here = Path(__file__).resolve()
    for parent in here.parents:
        cand = parent / "node_modules" / ".bin" / "anvil"
        if cand.exists():
            return str(cand)
    found = shutil.which("anvil")
    if found:
        return found
    raise AnvilNotFound("anvil not found: run `make setup` (npm ci installs @foundry-rs/anvil)")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rpc(url: str, method: str, params: list | None = None, timeout: float = 5.0):
    """One raw JSON-RPC call (no web3), for readiness checks and dev methods."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []})
    req = urllib.request.Request(url, body.encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        out = json.loads(resp.read())
    if "error" in out:
        raise RuntimeError(f"{method}: {out['error']}")
    return out["result"]


@dataclass
class Anvil:
    """A running anvil process. ``stop()`` ends it; ``restart()`` starts it again on the same port
    (with ``--state`` the chain survives the restart, as a real node's would)."""

    port: int
    args: list[str] = field(default_factory=list)
    state_file: str | None = None
    proc: subprocess.Popen | None = None
    log_path: str | None = None
    fixed_port: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0, attempts: int = 3) -> Anvil:
        """Start anvil and wait until THIS process listens (its own "Listening on" line), so a
        node that another test started on the same port can never be mistaken for ours. When
        the port was taken in between (the process exits), try again on a new free port."""
        for attempt in range(attempts):
            if self._start_once(timeout):
                return self
            if self.fixed_port or attempt == attempts - 1:
                break
            self.port = free_port()
        raise RuntimeError(f"anvil could not listen on 127.0.0.1:{self.port}; see {self.log_path}")

    def _start_once(self, timeout: float) -> bool:
        cmd = [find_anvil(), "--host", "127.0.0.1", "--port", str(self.port), *self.args]
        if self.state_file:
            cmd += ["--state", self.state_file]
        if not self.log_path:
            fd, self.log_path = tempfile.mkstemp(prefix="anvil-", suffix=".log")
            os.close(fd)
        start_offset = os.path.getsize(self.log_path)
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        ready = f"Listening on 127.0.0.1:{self.port}".encode()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.proc = None
                return False
            with open(self.log_path, "rb") as log:
                log.seek(start_offset)
                listening = ready in log.read()
            if listening:
                try:
                    rpc(self.url, "eth_chainId", timeout=1.0)
                    return True
                except OSError:
                    pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"anvil did not answer on {self.url} within {timeout}s: {cmd}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def restart(self) -> Anvil:
        """Stop and start again on the SAME port (clients keep their URL, as with a real node)."""
        self.stop()
        fixed, self.fixed_port = self.fixed_port, True
        try:
            return self.start()
        finally:
            self.fixed_port = fixed

    def __enter__(self) -> Anvil:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_anvil(*args: str, port: int | None = None, state_file: str | None = None,
                log_path: str | None = None) -> Anvil:
    """Start anvil on 127.0.0.1 (a free port unless given) with extra CLI ``args``;
    e.g. ``start_anvil("--block-time", "1")``. Default chain id 31337, automine."""
    return Anvil(port=port or free_port(), args=list(args), state_file=state_file,
                 log_path=log_path, fixed_port=port is not None).start()
