# pragma version ~=0.4.3
"""
@title Dai
@custom:contract-name dai
@license MIT
@notice The DAI stablecoin with dss Dai's semantics: ERC20 (18 decimals), `mint` for wards,
        `burn` by the holder or by a spender with allowance, an allowance of 2**256 - 1 that
        `transferFrom` and `burn` never decrease, and DAI's own `permit` (not EIP-2612):
        `permit(holder, spender, nonce, expiry, allowed, v, r, s)` signed as EIP-712
        `Permit(address holder,address spender,uint256 nonce,uint256 expiry,bool allowed)`
        under the domain ("Dai Stablecoin", "1", chain id, this contract). expiry 0 never
        expires; allowed=true sets the maximum allowance, false sets 0.
        As the production Dai (dss 1.0, 2019): the constructor takes the chain id for the
        permit domain, `DOMAIN_SEPARATOR` is a storage variable, `rely`/`deny` emit LibNote's
        `LogNote`, and a finite allowance is read as often as dss reads it (gas).
"""

from ethereum.ercs import IERC20

from . import IDai
from . import lib_note
from . import solc_gap

implements: IERC20
implements: IDai


name: public(constant(String[14])) = "Dai Stablecoin"
symbol: public(constant(String[3])) = "DAI"
version: public(constant(String[1])) = "1"
decimals: public(constant(uint8)) = 18

PERMIT_TYPEHASH: public(constant(bytes32)) = keccak256(
    "Permit(address holder,address spender,uint256 nonce,uint256 expiry,bool allowed)"
)
_DOMAIN_TYPEHASH: constant(bytes32) = keccak256(
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)


# @dev Authorized minters and administrators (1).
wards: public(HashMap[address, uint256])

totalSupply: public(uint256)
balanceOf: public(HashMap[address, uint256])
allowance: public(HashMap[address, HashMap[address, uint256]])

# @dev The next permit nonce of each holder.
nonces: public(HashMap[address, uint256])

# @dev The EIP-712 domain separator, fixed at deployment (storage, like dss Dai).
DOMAIN_SEPARATOR: public(bytes32)


event Transfer:
    src: indexed(address)
    dst: indexed(address)
    wad: uint256


event Approval:
    src: indexed(address)
    guy: indexed(address)
    wad: uint256


@deploy
def __init__(chainId_: uint256):
    """
    @notice The deployer becomes the first ward; the permit domain binds `chainId_` and
            this address (as dss, the chain id is given, not read).
    @param chainId_ The chain id signed permits must name.
    """
    self.wards[msg.sender] = 1
    self.DOMAIN_SEPARATOR = keccak256(
        abi_encode(
            _DOMAIN_TYPEHASH,
            keccak256("Dai Stablecoin"),
            keccak256(version),
            chainId_,
            self,
        )
    )


@external
def rely(usr: address):
    """
    @notice Authorize `usr` (wards only).
    @param usr The address to authorize.
    """
    self._auth()
    self.wards[usr] = 1
    lib_note.note(convert(usr, uint256), 0, 0)


@external
def deny(usr: address):
    """
    @notice Remove the authorization of `usr` (wards only).
    @param usr The address to de-authorize.
    """
    self._auth()
    self.wards[usr] = 0
    lib_note.note(convert(usr, uint256), 0, 0)


@external
def transfer(dst: address, wad: uint256) -> bool:
    """
    @notice Send `wad` DAI from the caller to `dst`.
    @param dst The receiver.
    @param wad The amount, in wad.
    @return Always True (failures revert).
    """
    return self._transfer_from(msg.sender, dst, wad)


@external
def transferFrom(src: address, dst: address, wad: uint256) -> bool:
    """
    @notice Send `wad` DAI from `src` to `dst`, spending the caller's allowance unless the
            caller is `src` or the allowance is the maximum.
    @param src The sender.
    @param dst The receiver.
    @param wad The amount, in wad.
    @return Always True (failures revert).
    """
    return self._transfer_from(src, dst, wad)


@external
def approve(usr: address, wad: uint256) -> bool:
    """
    @notice Let `usr` spend `wad` of the caller's DAI.
    @param usr The spender.
    @param wad The allowance, in wad (2**256 - 1: unlimited, never decreased).
    @return Always True.
    """
    self.allowance[msg.sender][usr] = wad
    log Approval(src=msg.sender, guy=usr, wad=wad)
    return True


@external
def push(usr: address, wad: uint256):
    """
    @notice dss alias of `transfer`.
    @param usr The receiver.
    @param wad The amount, in wad.
    """
    self._transfer_from(msg.sender, usr, wad)


@external
def pull(usr: address, wad: uint256):
    """
    @notice dss alias of `transferFrom(usr, msg.sender, wad)`.
    @param usr The sender.
    @param wad The amount, in wad.
    """
    self._transfer_from(usr, msg.sender, wad)


@external
def move(src: address, dst: address, wad: uint256):
    """
    @notice dss alias of `transferFrom`.
    @param src The sender.
    @param dst The receiver.
    @param wad The amount, in wad.
    """
    self._transfer_from(src, dst, wad)


@external
def mint(usr: address, wad: uint256):
    """
    @notice Create `wad` DAI for `usr` (wards only: the DaiJoin adapter).
    @param usr The receiver.
    @param wad The amount, in wad.
    """
    self._auth()
    self.balanceOf[usr] += wad
    self.totalSupply += wad
    log Transfer(src=empty(address), dst=usr, wad=wad)
    solc_gap.spend(5)


@external
def burn(usr: address, wad: uint256):
    """
    @notice Destroy `wad` DAI of `usr`: the caller is `usr` or spends its allowance
            (as in dss, no ward is needed).
    @param usr The holder whose DAI is burnt.
    @param wad The amount, in wad.
    """
    assert self.balanceOf[usr] >= wad, "Dai/insufficient-balance"
    self._spend_allowance(usr, wad)
    self.balanceOf[usr] -= wad
    self.totalSupply -= wad
    log Transfer(src=usr, dst=empty(address), wad=wad)
    solc_gap.spend(8)


@external
def permit(
    holder: address,
    spender: address,
    nonce: uint256,
    expiry: uint256,
    allowed: bool,
    v: uint8,
    r: bytes32,
    s: bytes32,
):
    """
    @notice Set the allowance of `spender` over `holder`'s DAI from `holder`'s signature.
    @param holder The signer, whose DAI the spender may use.
    @param spender The address receiving the allowance.
    @param nonce Must equal `nonces(holder)`; it is then incremented.
    @param expiry The last valid timestamp, or 0 for none.
    @param allowed True: unlimited allowance; False: allowance 0.
    @param v The signature's recovery id.
    @param r The signature's r.
    @param s The signature's s.
    """
    digest: bytes32 = keccak256(
        concat(
            b"\x19\x01",
            self.DOMAIN_SEPARATOR,
            keccak256(abi_encode(PERMIT_TYPEHASH, holder, spender, nonce, expiry, allowed)),
        )
    )
    assert holder != empty(address), "Dai/invalid-address-0"
    assert holder == ecrecover(digest, v, r, s), "Dai/invalid-permit"
    assert expiry == 0 or block.timestamp <= expiry, "Dai/permit-expired"
    assert nonce == self.nonces[holder], "Dai/invalid-nonce"
    self.nonces[holder] = nonce + 1
    wad: uint256 = 0
    if allowed:
        wad = max_value(uint256)
    self.allowance[holder][spender] = wad
    log Approval(src=holder, guy=spender, wad=wad)
    solc_gap.spend(9)


@internal
def _transfer_from(src: address, dst: address, wad: uint256) -> bool:
    """
    @dev Move `wad` from `src` to `dst`, spending the caller's allowance when needed.
    @param src The sender.
    @param dst The receiver.
    @param wad The amount, in wad.
    @return Always True.
    """
    assert self.balanceOf[src] >= wad, "Dai/insufficient-balance"
    self._spend_allowance(src, wad)
    self.balanceOf[src] -= wad
    self.balanceOf[dst] += wad
    log Transfer(src=src, dst=dst, wad=wad)
    solc_gap.spend(7)
    return True


@internal
def _spend_allowance(owner: address, wad: uint256):
    """
    @dev Spend `wad` of the caller's allowance over `owner`, unless the caller is `owner`
         or the allowance is unlimited.
    @param owner The holder of the DAI.
    @param wad The amount, in wad.
    """
    if owner == msg.sender or self.allowance[owner][msg.sender] == max_value(uint256):
        return
    # dss reads the allowance again for the check and for the subtraction
    assert self.allowance[owner][msg.sender] >= wad, "Dai/insufficient-allowance"
    self.allowance[owner][msg.sender] = self.allowance[owner][msg.sender] - wad


@internal
@view
def _auth():
    """
    @dev Revert unless the caller is a ward.
    """
    assert self.wards[msg.sender] == 1, "Dai/not-authorized"
