# pragma version ~=0.4.3
"""
@title MKR
@custom:contract-name mkr
@license MIT
@notice The governance token the Flopper mints: an ERC20 ("Maker", "MKR", 18 decimals)
        with the transfer semantics of ds-token (an allowance of 2**256 - 1 is never
        decreased) and `mint(guy, wad)` / `burn(guy, wad)` for authorized callers only.
        Mainnet MKR authorizes through DSAuth (owner + authority) and returns its name and
        symbol as bytes32; here authorization is dss-style wards (`rely`/`deny`) and name and
        symbol are strings. `mint` and `burn` log `Mint`/`Burn` like ds-token and also the
        ERC20 `Transfer` from/to the zero address.
"""

from ethereum.ercs import IERC20

from . import IMKR

implements: IERC20
implements: IMKR


name: public(constant(String[5])) = "Maker"
symbol: public(constant(String[3])) = "MKR"
decimals: public(constant(uint8)) = 18


# @dev Authorized minters/burners and administrators (1).
wards: public(HashMap[address, uint256])

totalSupply: public(uint256)
balanceOf: public(HashMap[address, uint256])
allowance: public(HashMap[address, HashMap[address, uint256]])


event Transfer:
    src: indexed(address)
    dst: indexed(address)
    wad: uint256


event Approval:
    src: indexed(address)
    guy: indexed(address)
    wad: uint256


event Mint:
    guy: indexed(address)
    wad: uint256


event Burn:
    guy: indexed(address)
    wad: uint256


@deploy
def __init__():
    """
    @notice The deployer becomes the first ward.
    """
    self.wards[msg.sender] = 1


@external
def rely(usr: address):
    """
    @notice Authorize `usr` (wards only).
    @param usr The address to authorize.
    """
    self._auth()
    self.wards[usr] = 1


@external
def deny(usr: address):
    """
    @notice Remove the authorization of `usr` (wards only).
    @param usr The address to de-authorize.
    """
    self._auth()
    self.wards[usr] = 0


@external
def transfer(dst: address, wad: uint256) -> bool:
    """
    @notice Send `wad` MKR from the caller to `dst`.
    @param dst The receiver.
    @param wad The amount, in wad.
    @return Always True (failures revert).
    """
    return self._transfer_from(msg.sender, dst, wad)


@external
def transferFrom(src: address, dst: address, wad: uint256) -> bool:
    """
    @notice Send `wad` MKR from `src` to `dst`, spending the caller's allowance unless the
            caller is `src` or the allowance is the maximum.
    @param src The sender.
    @param dst The receiver.
    @param wad The amount, in wad.
    @return Always True (failures revert).
    """
    return self._transfer_from(src, dst, wad)


@external
def approve(guy: address, wad: uint256) -> bool:
    """
    @notice Let `guy` spend `wad` of the caller's MKR.
    @param guy The spender.
    @param wad The allowance, in wad (2**256 - 1: unlimited, never decreased).
    @return Always True.
    """
    self.allowance[msg.sender][guy] = wad
    log Approval(src=msg.sender, guy=guy, wad=wad)
    return True


@external
def mint(guy: address, wad: uint256):
    """
    @notice Create `wad` MKR for `guy` (wards only: the Flopper).
    @param guy The receiver.
    @param wad The amount, in wad.
    """
    self._auth()
    self.balanceOf[guy] += wad
    self.totalSupply += wad
    log Mint(guy=guy, wad=wad)
    log Transfer(src=empty(address), dst=guy, wad=wad)


@external
def burn(guy: address, wad: uint256):
    """
    @notice Destroy `wad` MKR of `guy` (wards only); burning another holder's MKR also
            spends the caller's allowance, as in ds-token.
    @param guy The holder whose MKR is burnt.
    @param wad The amount, in wad.
    """
    self._auth()
    assert self.balanceOf[guy] >= wad, "MKR/insufficient-balance"
    self._spend_allowance(guy, wad)
    self.balanceOf[guy] -= wad
    self.totalSupply -= wad
    log Burn(guy=guy, wad=wad)
    log Transfer(src=guy, dst=empty(address), wad=wad)


@internal
def _transfer_from(src: address, dst: address, wad: uint256) -> bool:
    """
    @dev Move `wad` from `src` to `dst`, spending the caller's allowance when needed.
    @param src The sender.
    @param dst The receiver.
    @param wad The amount, in wad.
    @return Always True.
    """
    assert self.balanceOf[src] >= wad, "MKR/insufficient-balance"
    self._spend_allowance(src, wad)
    self.balanceOf[src] -= wad
    self.balanceOf[dst] += wad
    log Transfer(src=src, dst=dst, wad=wad)
    return True


@internal
def _spend_allowance(owner: address, wad: uint256):
    """
    @dev Spend `wad` of the caller's allowance over `owner`, unless the caller is `owner`
         or the allowance is unlimited.
    @param owner The holder of the MKR.
    @param wad The amount, in wad.
    """
    if owner == msg.sender:
        return
    current: uint256 = self.allowance[owner][msg.sender]
    if current == max_value(uint256):
        return
    assert current >= wad, "MKR/insufficient-approval"
    self.allowance[owner][msg.sender] = current - wad


@internal
@view
def _auth():
    """
    @dev Revert unless the caller is a ward.
    """
    assert self.wards[msg.sender] == 1, "MKR/not-authorized"
