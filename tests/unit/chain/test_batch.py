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
