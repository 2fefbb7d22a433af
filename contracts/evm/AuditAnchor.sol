// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title AuditAnchor
/// @notice Append-only anchor of ONE transparency log's checkpoints (tree size
/// and RFC 6962 root) on an EVM chain. Only the latest checkpoint is kept in
/// storage; every anchored checkpoint is in the `Anchored` events, which is
/// where verifiers read the history from. Every anchor is paid forever, so the
/// hot path touches two storage slots: the size is packed beside the owner.
/// @dev Built by scripts/build-evm.sh into artifacts/AuditAnchor.json, which
/// the relayer (relayer/src/evm.rs) embeds.
contract AuditAnchor {
    /// @notice Account that manages the submitters and may hand over ownership.
    address public owner;
    /// @notice Size of the latest anchored checkpoint (0: none yet). Shares a
    /// slot with `owner`, so reading and writing it costs one slot.
    uint64 public latestSize;
    /// @notice Root of the latest anchored checkpoint.
    bytes32 public latestRoot;
    /// @notice Accounts allowed to anchor checkpoints (e.g. the relayer's key).
    mapping(address => bool) public isSubmitter;
    /// @notice The log's name: the origin line of its C2SP tlog-checkpoint.
    /// Set once at deployment; it tells which log these roots belong to.
    string public origin;

    /// @notice A checkpoint was anchored. The history of the log lives here.
    /// @param size number of leaves of the tree at this checkpoint
    /// @param root the tree's root at that size
    /// @param timestamp block time at which it was anchored (seconds)
    event Anchored(uint64 indexed size, bytes32 root, uint64 timestamp);
    event SubmitterAdded(address indexed submitter);
    event SubmitterRemoved(address indexed submitter);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    /// @notice The caller is not the owner.
    error NotOwner();
    /// @notice The caller is not an authorised submitter.
    error NotSubmitter();
    /// @notice The proposed size does not extend the log: it is the latest
    /// anchored size or smaller (a log never shrinks, a size is anchored once).
    error NotLarger(uint64 latest, uint64 proposed);
    /// @notice The zero address was given where an account is needed.
    error ZeroAddress();

    /// @param origin_ the log's origin line, stored once
    /// @param submitter the first authorised submitter (the zero address: none yet)
    constructor(string memory origin_, address submitter) {
        owner = msg.sender;
        origin = origin_;
        emit OwnershipTransferred(address(0), msg.sender);
        if (submitter != address(0)) {
            isSubmitter[submitter] = true;
            emit SubmitterAdded(submitter);
        }
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner();
        _;
    }

    /// @notice Anchors the checkpoint (size, root) of the log. Submitters only;
    /// `size` must be larger than the latest anchored size.
    function anchor(uint64 size, bytes32 root) external {
        if (!isSubmitter[msg.sender]) revert NotSubmitter();
        uint64 current = latestSize;
        if (size <= current) revert NotLarger(current, size);
        latestSize = size;
        latestRoot = root;
        emit Anchored(size, root, uint64(block.timestamp));
    }

    /// @notice The latest anchored checkpoint; (0, 0x0) before the first.
    function latest() external view returns (uint64 size, bytes32 root) {
        return (latestSize, latestRoot);
    }

    /// @notice Allows `submitter` to anchor checkpoints. Owner only.
    function addSubmitter(address submitter) external onlyOwner {
        if (submitter == address(0)) revert ZeroAddress();
        isSubmitter[submitter] = true;
        emit SubmitterAdded(submitter);
    }

    /// @notice Withdraws the right of `submitter` to anchor. Owner only.
    function removeSubmitter(address submitter) external onlyOwner {
        isSubmitter[submitter] = false;
        emit SubmitterRemoved(submitter);
    }

    /// @notice Hands ownership to `newOwner`. Owner only.
    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert ZeroAddress();
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }
}
