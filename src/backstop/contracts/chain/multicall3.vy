# pragma version ~=0.4.3
"""
@title Multicall3
@custom:contract-name multicall3
@license MIT
@notice Multicall3's `aggregate3` for dev chains: many calls in one `eth_call`, each allowed to
        fail or not. Same selector and ABI as the Multicall3 deployed on most public chains at
        0xcA11bde05977b3631167028862bE2a173976CA11, where backstop installs it on anvil and the
        in-process chain (`backstop.chain.dev.install_multicall3`), so the keeper reads the same
        way everywhere. Written from the interface's description; bounded for Vyper: at most
        256 calls, 164 bytes of calldata each (a selector and five words) and 256 bytes of
        return data each (longer answers are cut).
"""

MAX_CALLS: constant(uint256) = 256
MAX_CALLDATA: constant(uint256) = 164
MAX_RETURN: constant(uint256) = 256


struct Call3:
    target: address
    allowFailure: bool
    callData: Bytes[MAX_CALLDATA]


struct Result:
    success: bool
    returnData: Bytes[MAX_RETURN]


@external
@payable
def aggregate3(calls: DynArray[Call3, MAX_CALLS]) -> DynArray[Result, MAX_CALLS]:
    """
    @notice Call every target with its calldata, in order.
    @dev Reverts with "Multicall3: call failed" if a call that does not allow failure fails.
    @param calls The calls: target, whether it may fail, calldata.
    @return One result per call: whether it succeeded, and its return data.
    """
    results: DynArray[Result, MAX_CALLS] = []
    for c: Call3 in calls:
        success: bool = False
        data: Bytes[MAX_RETURN] = b""
        success, data = raw_call(
            c.target, c.callData, max_outsize=MAX_RETURN, revert_on_failure=False
        )
        assert success or c.allowFailure, "Multicall3: call failed"
        results.append(Result(success=success, returnData=data))
    return results


@external
@view
def getBlockNumber() -> uint256:
    """
    @notice The current block number.
    @return block.number
    """
    return block.number
