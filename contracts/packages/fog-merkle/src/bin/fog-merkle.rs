//! `fog-merkle`: compute and check RFC 6962 / RFC 9162 Merkle proofs.
//!
//! Exit status: 0 valid (prints `valid`), 1 invalid (the reason on stderr),
//! 2 bad usage (bad hex, a hash that is not 32 bytes, a missing argument).

use std::fmt;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use fog_merkle::{Hash, HASH_SIZE};

/// Compute and check RFC 6962 / RFC 9162 Merkle tree roots and proofs
/// (SHA-256). Every hash and leaf is hexadecimal; proofs are comma-separated
/// hashes, the empty proof is "" (or no --proof at all).
#[derive(Parser)]
#[command(name = "fog-merkle", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the leaf hash SHA256(0x00 || data) of one leaf's data.
    LeafHash {
        /// The leaf's data, hex.
        data: String,
    },
    /// Print the root of the tree of these leaves (data, not hashes); no
    /// leaves is the empty tree.
    Root {
        /// The leaves' data, hex, in log order.
        leaves: Vec<String>,
    },
    /// Print the inclusion proof of one leaf in the tree of these leaves.
    ProveInclusion {
        /// 0-based index of the leaf to prove.
        #[arg(long)]
        index: u64,
        /// The leaves' data, hex, in log order.
        leaves: Vec<String>,
    },
    /// Print the consistency proof from the first SIZE1 leaves to all of them.
    ProveConsistency {
        /// Size of the older tree (a prefix of the leaves).
        #[arg(long)]
        size1: u64,
        /// The leaves' data, hex, in log order.
        leaves: Vec<String>,
    },
    /// Check that a leaf hash is at INDEX in the tree of SIZE leaves with ROOT.
    VerifyInclusion {
        /// 0-based index of the leaf.
        #[arg(long)]
        index: u64,
        /// Number of leaves of the tree.
        #[arg(long)]
        size: u64,
        /// The leaf's hash (see `leaf-hash`), hex.
        #[arg(long)]
        leaf_hash: String,
        /// The tree's root, hex.
        #[arg(long)]
        root: String,
        /// The proof: comma-separated hashes, hex.
        #[arg(long, default_value = "")]
        proof: String,
    },
    /// Check that the tree (SIZE2, ROOT2) extends the tree (SIZE1, ROOT1).
    VerifyConsistency {
        /// Size of the older tree.
        #[arg(long)]
        size1: u64,
        /// Size of the newer tree.
        #[arg(long)]
        size2: u64,
        /// Root of the older tree, hex.
        #[arg(long)]
        root1: String,
        /// Root of the newer tree, hex.
        #[arg(long)]
        root2: String,
        /// The proof: comma-separated hashes, hex.
        #[arg(long, default_value = "")]
        proof: String,
    },
}

/// What went wrong, and which exit status says so.
enum Failure {
    /// The input is malformed: exit 2.
    Usage(String),
    /// The proof does not verify: exit 1.
    Invalid(fog_merkle::VerifyError),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Usage(msg) => write!(f, "error: {msg}"),
            Self::Invalid(e) => write!(f, "invalid: {e}"),
        }
    }
}

fn decode(what: &str, s: &str) -> Result<Vec<u8>, Failure> {
    let s = s.trim();
    let s = s.strip_prefix("0x").unwrap_or(s);
    hex::decode(s).map_err(|e| Failure::Usage(format!("{what}: not hex ({e}): {s:?}")))
}

fn decode_hash(what: &str, s: &str) -> Result<Hash, Failure> {
    let bytes = decode(what, s)?;
    Hash::try_from(bytes.as_slice()).map_err(|_| {
        Failure::Usage(format!(
            "{what}: a hash is {HASH_SIZE} bytes ({} hex digits), got {} bytes",
            2 * HASH_SIZE,
            bytes.len()
        ))
    })
}

fn decode_proof(s: &str) -> Result<Vec<Hash>, Failure> {
    if s.trim().is_empty() {
        return Ok(Vec::new());
    }
    s.split(',')
        .enumerate()
        .map(|(i, h)| decode_hash(&format!("proof hash {i}"), h))
        .collect()
}

fn leaf_hashes(leaves: &[String]) -> Result<Vec<Hash>, Failure> {
    leaves
        .iter()
        .enumerate()
        .map(|(i, l)| decode(&format!("leaf {i}"), l).map(|d| fog_merkle::leaf_hash(&d)))
        .collect()
}

fn show_proof(proof: &[Hash]) -> String {
    proof.iter().map(hex::encode).collect::<Vec<_>>().join(",")
}

fn run(command: Command) -> Result<String, Failure> {
    match command {
        Command::LeafHash { data } => Ok(hex::encode(fog_merkle::leaf_hash(&decode("data", &data)?))),
        Command::Root { leaves } => Ok(hex::encode(fog_merkle::root(&leaf_hashes(&leaves)?))),
        Command::ProveInclusion { index, leaves } => fog_merkle::inclusion_proof(&leaf_hashes(&leaves)?, index)
            .map(|p| show_proof(&p))
            .map_err(|e| Failure::Usage(e.to_string())),
        Command::ProveConsistency { size1, leaves } => fog_merkle::consistency_proof(&leaf_hashes(&leaves)?, size1)
            .map(|p| show_proof(&p))
            .map_err(|e| Failure::Usage(e.to_string())),
        Command::VerifyInclusion {
            index,
            size,
            leaf_hash,
            root,
            proof,
        } => {
            let leaf_hash = decode_hash("--leaf-hash", &leaf_hash)?;
            let root = decode_hash("--root", &root)?;
            let proof = decode_proof(&proof)?;
            fog_merkle::verify_inclusion(&leaf_hash, index, size, &proof, &root).map_err(Failure::Invalid)?;
            Ok("valid".to_string())
        }
        Command::VerifyConsistency {
            size1,
            size2,
            root1,
            root2,
            proof,
        } => {
            let root1 = decode_hash("--root1", &root1)?;
            let root2 = decode_hash("--root2", &root2)?;
            let proof = decode_proof(&proof)?;
            fog_merkle::verify_consistency(size1, size2, &root1, &root2, &proof).map_err(Failure::Invalid)?;
            Ok("valid".to_string())
        }
    }
}

fn main() -> ExitCode {
    // clap prints usage errors itself and exits with status 2.
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(out) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Err(failure) => {
            eprintln!("{failure}");
            match failure {
                Failure::Invalid(_) => ExitCode::from(1),
                Failure::Usage(_) => ExitCode::from(2),
            }
        }
    }
}
