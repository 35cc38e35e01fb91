"""send_batch: one classification of node faults for every batched read and send."""

import pytest
import requests
from web3 import Web3

from backstop.chain import connect
from backstop.chain.batch import send_batch
from backstop.chain.errors import RpcError, RpcUnavailable
from backstop.chain.tx import is_connection_error


class _FakeProvider:
    """A provider whose batch answer (or failure) the test chooses."""

    def __init__(self, answer=None, fail: Exception | None = None):
        self.answer, self.fail, self.sent = answer, fail, []

    def make_batch_request(self, requests_):
        self.sent.append(requests_)
        if self.fail is not None:
            raise self.fail
        return self.answer


def _w3(provider) -> Web3:
    w3 = Web3()
    w3.provider = provider  # type: ignore[assignment]
    return w3


def _http_error(status: int) -> requests.exceptions.HTTPError:
    response = requests.Response()
    response.status_code = status
    return requests.exceptions.HTTPError(f"{status}", response=response)


def test_an_empty_batch_sends_nothing():
    provider = _FakeProvider(answer=[])
    assert send_batch(_w3(provider), []) == []
    assert provider.sent == []


@pytest.mark.parametrize(
    "fault",
    [ConnectionRefusedError("refused"), TimeoutError("slow"), _http_error(503), _http_error(429),
     requests.exceptions.ConnectionError("reset")],
)
def test_transport_faults_are_unavailable_everywhere(fault):
    with pytest.raises(RpcUnavailable):
        send_batch(_w3(_FakeProvider(fail=fault)), [("eth_blockNumber", [])])
    assert is_connection_error(fault)


def test_a_client_error_is_not_a_transport_fault():
    fault = _http_error(400)
    assert not is_connection_error(fault)
    with pytest.raises(requests.exceptions.HTTPError):
        send_batch(_w3(_FakeProvider(fail=fault)), [("eth_blockNumber", [])])


def test_refused_short_and_garbled_answers_are_rpc_errors():
    req = [("eth_blockNumber", []), ("eth_chainId", [])]
    with pytest.raises(RpcError, match="batch refused: too big"):
        refused = {"error": {"code": -32600, "message": "too big"}}
        send_batch(_w3(_FakeProvider(answer=refused)), req)
    with pytest.raises(RpcError, match="answered 1 of 2"):
        send_batch(_w3(_FakeProvider(answer=[{"result": "0x1"}])), req)
    with pytest.raises(RpcError, match="not JSON-RPC"):
        send_batch(_w3(_FakeProvider(fail=ValueError("<html>"))), req)


def test_a_real_batch_answers_in_order():
    w3 = connect("inprocess")
    out = send_batch(w3, [("eth_chainId", []), ("eth_blockNumber", [])])
    assert [r["result"] for r in out] == [hex(31337), hex(w3.eth.block_number)]


def test_result_of_turns_each_response_into_a_result_a_revert_or_an_error():
    from backstop.chain.batch import result_of
    from backstop.chain.errors import Revert

    assert result_of("eth_blockNumber", {"jsonrpc": "2.0", "id": 1, "result": "0x10"}) == "0x10"
    reverted = {"error": {"code": 3, "message": "execution reverted: Pool/ceased"}}
    assert result_of("eth_call", reverted) == Revert("Pool/ceased", b"")
    assert result_of("eth_estimateGas", reverted) == Revert("Pool/ceased", b"")
    with pytest.raises(RpcError, match="eth_sendRawTransaction: execution reverted"):
        result_of("eth_sendRawTransaction", reverted)  # only calls can revert as a result
    with pytest.raises(RpcError, match="eth_call: header not found") as err:
        result_of("eth_call", {"error": {"code": -32000, "message": "header not found"}})
    assert err.value.code == -32000
    with pytest.raises(RpcError, match="eth_call: boom"):
        result_of("eth_call", {"error": "boom"})  # a node that answers a bare string


class _CappedProvider:
    """A node that refuses batches above ``cap`` calls, as geth does, and answers the rest."""

    def __init__(self, cap: int):
        self.cap, self.sizes, self.refused = cap, [], 0

    def make_batch_request(self, requests_):
        self.sizes.append(len(requests_))
        if len(requests_) > self.cap:
            self.refused += 1
            return [{"jsonrpc": "2.0", "id": 0,
                     "error": {"code": -32600, "message": "batch too large"}}]
        return [{"jsonrpc": "2.0", "id": i, "result": hex(i)} for i in range(len(requests_))]


def test_batches_are_cut_at_the_limit_and_shrink_to_a_capped_node():
    from backstop.chain.batch import RpcPolicy

    provider = _CappedProvider(cap=300)
    provider.rpc_policy = RpcPolicy(batch_limit=1_000)
    w3 = _w3(provider)
    reqs = [("eth_blockNumber", [])] * 2_500
    for _ in range(30):
        assert len(send_batch(w3, reqs)) == 2_500
    assert max(provider.sizes) == 1_000  # never above the configured limit
    assert provider.refused <= 12  # found the node's limit in a few refusals
    provider.sizes.clear()
    send_batch(w3, reqs)
    assert 250 <= max(provider.sizes) <= 300  # and stays under it, near it


def test_a_byte_budget_cuts_large_requests():
    from backstop.chain.batch import RpcPolicy

    provider = _CappedProvider(cap=10_000)
    provider.rpc_policy = RpcPolicy(batch_limit=1_000, byte_limit=10_000)
    send_batch(_w3(provider), [("eth_call", [{"data": "0x" + "00" * 1_000}, "latest"])] * 20)
    assert max(provider.sizes) <= 5 and sum(provider.sizes) == 20


def test_a_null_answer_in_a_batch_is_an_rpc_error():
    with pytest.raises(RpcError, match="not a JSON-RPC response"):
        send_batch(_w3(_FakeProvider(answer=[None, {"result": "0x1"}])),
                   [("eth_blockNumber", []), ("eth_chainId", [])])


def test_a_hung_node_is_given_up_on_within_the_retry_deadline():
    """Every request times out: smaller chunks are tried while the retry deadline lasts, then
    the fault is raised (not 1,000, 500, ... down to one call each)."""
    import time

    from backstop.chain.batch import RpcPolicy

    class _Hung(_FakeProvider):
        def make_batch_request(self, requests_):
            self.sent.append(requests_)
            time.sleep(0.05)  # as long as the client waits, then nothing
            raise requests.exceptions.ReadTimeout("read timed out")

    provider = _Hung()
    provider.rpc_policy = RpcPolicy(batch_limit=1_000, retries=3, retry_seconds=0.12)
    with pytest.raises(RpcUnavailable):
        send_batch(_w3(provider), [("eth_blockNumber", [])] * 1_000)
    assert 2 <= len(provider.sent) <= 4  # about retry_seconds / the wait, not 11 halvings
