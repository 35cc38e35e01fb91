"""The test-node launcher never mistakes another process's node for its own."""

import pytest

from backstop.testing.anvil import Anvil, rpc, start_anvil

pytestmark = pytest.mark.anvil


def test_a_taken_port_is_refused_when_fixed_and_avoided_otherwise():
    with start_anvil() as first:
        with pytest.raises(RuntimeError, match="could not listen"):
            Anvil(port=first.port, fixed_port=True).start(timeout=10)
        with Anvil(port=first.port).start() as second:
            assert second.port != first.port
            assert second.proc is not None and second.proc.poll() is None
            assert rpc(second.url, "eth_chainId") == "0x7a69"


def test_restart_keeps_the_port_and_with_state_the_chain(tmp_path):
    state = str(tmp_path / "state.json")
    with start_anvil(state_file=state) as node:
        port = node.port
        rpc(node.url, "evm_mine")
        height = int(rpc(node.url, "eth_blockNumber"), 16)
        node.restart()
        assert node.port == port
        assert int(rpc(node.url, "eth_blockNumber"), 16) == height
