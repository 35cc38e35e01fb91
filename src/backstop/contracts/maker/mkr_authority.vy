# pragma version ~=0.4.3
"""
@title MkrAuthority
@custom:contract-name mkr_authority
@license MIT
@notice The authority of mainnet MKR (a DSAuthority): MKR asks it `canCall(src, mkr, sig)`
        for every caller that is not MKR's owner. Anyone may burn (`burn(uint256)` and
        `burn(address,uint256)`), the `root` may call anything, and the wards may mint
        (`mint(address,uint256)`): the Flopper is a ward. Only the root may `rely`, `deny`
        and `setRoot`; refusals revert without a reason, as on mainnet.
"""

from . import solc_gap


_BURN: constant(bytes4) = method_id("burn(uint256)", output_type=bytes4)
_BURN_FROM: constant(bytes4) = method_id("burn(address,uint256)", output_type=bytes4)
_MINT: constant(bytes4) = method_id("mint(address,uint256)", output_type=bytes4)


# @dev May call anything on MKR, and alone administers this authority.
root: public(address)
# @dev Addresses allowed to mint (1).
wards: public(HashMap[address, uint256])


event LogSetRoot:
    newRoot: indexed(address)


event LogRely:
    usr: indexed(address)


event LogDeny:
    usr: indexed(address)


@deploy
def __init__():
    """
    @notice The deployer becomes the root.
    """
    self.root = msg.sender


@external
def setRoot(usr: address):
    """
    @notice Hand the root to `usr` (root only).
    @param usr The new root.
    """
    self._sudo()
    self.root = usr
    log LogSetRoot(newRoot=usr)


@external
def rely(usr: address):
    """
    @notice Let `usr` mint MKR (root only).
    @param usr The new minter (the Flopper).
    """
    self._sudo()
    self.wards[usr] = 1
    log LogRely(usr=usr)


@external
def deny(usr: address):
    """
    @notice Stop `usr` from minting (root only).
    @param usr The former minter.
    """
    self._sudo()
    self.wards[usr] = 0
    log LogDeny(usr=usr)


@external
@view
def canCall(src: address, dst: address, sig: bytes4) -> bool:
    """
    @notice Whether `src` may call the function `sig` on MKR (`dst` is not looked at).
    @param src The caller MKR asks about.
    @param dst The token (ignored, as on mainnet).
    @param sig The selector of the function.
    @return True for any burn, for the root, and for a ward minting.
    """
    solc_gap.spend(4)
    if sig == _BURN or sig == _BURN_FROM or src == self.root:
        return True
    if sig == _MINT:
        return self.wards[src] == 1
    return False


@internal
@view
def _sudo():
    """
    @dev Revert (without a reason) unless the caller is the root.
    """
    assert msg.sender == self.root
