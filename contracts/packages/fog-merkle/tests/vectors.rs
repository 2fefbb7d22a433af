//! The RFC 6962 test vectors of Certificate Transparency, trillian and
//! transparency-dev/merkle (`proof/verify_test.go`), with that suite's
//! corruption probes: every probe must be refused.

mod common;

use common::h;
use fog_merkle::*;

/// The leaves' data.
const LEAVES: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

/// The root of the first `i` leaves.
const ROOTS: [&str; 9] = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// (0-based leaf index, tree size, proof).
const INCLUSION: [(u64, u64, &[&str]); 5] = [
    (0, 1, &[]),
    (
        0,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        3,
        &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    ),
    (
        1,
        5,
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
];

/// (size1, size2, proof).
const CONSISTENCY: [(u64, u64, &[&str]); 5] = [
    (1, 1, &[]),
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
];

/// A hash unrelated to the tree (transparency-dev's `sha256SomeHash`).
const SOME_HASH: &str = "abacaba000000000000000000000000000000000000000000060061e00123456";

fn leaf_hashes() -> Vec<Hash> {
    LEAVES.iter().map(|d| leaf_hash(&hex::decode(d).unwrap())).collect()
}

fn decode_all(proof: &[&str]) -> Vec<Hash> {
    proof.iter().map(|s| h(s)).collect()
}

#[test]
fn roots_of_sizes_0_to_8() {
    let leaves = leaf_hashes();
    for (size, want) in ROOTS.iter().enumerate() {
        assert_eq!(hex::encode(root(&leaves[..size])), *want, "size {size}");
    }
    assert_eq!(EMPTY_ROOT, h(ROOTS[0]));
    assert_eq!(leaf_hash(b""), h(ROOTS[1]));
}

#[test]
fn inclusion_proofs_are_generated_and_verified() {
    let leaves = leaf_hashes();
    for (index, size, proof) in INCLUSION.iter() {
        let want = decode_all(proof);
        let got = prove_inclusion(&leaves[..], *index, *size).unwrap();
        assert_eq!(got, want, "index {index} size {size}");
        let root = h(ROOTS[*size as usize]);
        let leaf = leaves[*index as usize];
        assert_eq!(root_from_inclusion_proof(&leaf, *index, *size, &want), Ok(root));
        assert_eq!(verify_inclusion(&leaf, *index, *size, &want, &root), Ok(()));
        for (what, p) in inclusion_probes(*index, *size, &want, &root, &leaf) {
            assert!(
                verify_inclusion(&p.leaf, p.index, p.size, &p.proof, &p.root).is_err(),
                "index {index} size {size}: accepted {what}"
            );
        }
    }
}

#[test]
fn consistency_proofs_are_generated_and_verified() {
    let leaves = leaf_hashes();
    for (size1, size2, proof) in CONSISTENCY {
        let want = decode_all(proof);
        let got = prove_consistency(&leaves[..], size1, size2).unwrap();
        assert_eq!(got, want, "{size1} -> {size2}");
        let root1 = h(ROOTS[size1 as usize]);
        let root2 = h(ROOTS[size2 as usize]);
        assert_eq!(root_from_consistency_proof(size1, size2, &root1, &want), Ok(root2));
        assert_eq!(verify_consistency(size1, size2, &root1, &root2, &want), Ok(()));
        if want.is_empty() {
            continue;
        }
        for (what, p) in consistency_probes(size1, size2, &root1, &root2, &want) {
            assert!(
                verify_consistency(p.size1, p.size2, &p.root1, &p.root2, &p.proof).is_err(),
                "{size1} -> {size2}: accepted {what}"
            );
        }
    }
}

/// transparency-dev's `TestVerifyConsistency` table, with fog's answers.
#[test]
fn consistency_table_of_trivial_cases() {
    let r1 = h(SOME_HASH);
    let r2 = h(ROOTS[3]);
    let empty = EMPTY_ROOT;
    let cases: [(u64, u64, Hash, Hash, Vec<Hash>, bool); 13] = [
        (0, 0, r1, r2, vec![], false),
        (1, 1, r1, r2, vec![], false),
        // transparency-dev: always consistent; fog: size 0 is refused.
        (0, 0, r1, r1, vec![], false),
        (0, 1, r1, r2, vec![], false),
        (1, 1, r2, r2, vec![], true),
        // Time travel to the past.
        (1, 0, r1, r2, vec![], false),
        (2, 1, r1, r2, vec![], false),
        // Empty proof.
        (1, 2, r1, r2, vec![], false),
        // Roots don't match.
        (0, 0, empty, r2, vec![], false),
        (1, 1, empty, r2, vec![], false),
        // Roots match but the proof is not empty.
        (0, 0, empty, empty, vec![empty], false),
        (0, 1, empty, empty, vec![empty], false),
        (1, 1, empty, empty, vec![empty], false),
    ];
    for (i, (size1, size2, root1, root2, proof, ok)) in cases.into_iter().enumerate() {
        assert_eq!(
            verify_consistency(size1, size2, &root1, &root2, &proof).is_ok(),
            ok,
            "case {i}: {size1} -> {size2}"
        );
    }
}

struct InclusionProbe {
    index: u64,
    size: u64,
    leaf: Hash,
    root: Hash,
    proof: Vec<Hash>,
}

fn inclusion_probes(index: u64, size: u64, proof: &[Hash], root: &Hash, leaf: &Hash) -> Vec<(String, InclusionProbe)> {
    let probe = |index: u64, size: u64, leaf: Hash, root: Hash, proof: Vec<Hash>| InclusionProbe {
        index,
        size,
        leaf,
        root,
        proof,
    };
    let p = proof.to_vec();
    let with = |f: &dyn Fn(&mut Vec<Hash>)| {
        let mut q = p.clone();
        f(&mut q);
        q
    };
    let some = h(SOME_HASH);
    let mut out = vec![
        (
            "index - 1".into(),
            probe(index.wrapping_sub(1), size, *leaf, *root, p.clone()),
        ),
        ("index + 1".into(), probe(index + 1, size, *leaf, *root, p.clone())),
        ("index ^ 2".into(), probe(index ^ 2, size, *leaf, *root, p.clone())),
        ("size * 2".into(), probe(index, size * 2, *leaf, *root, p.clone())),
        ("size / 2".into(), probe(index, size / 2, *leaf, *root, p.clone())),
        ("wrong leaf".into(), probe(index, size, some, *root, p.clone())),
        ("empty root".into(), probe(index, size, *leaf, EMPTY_ROOT, p.clone())),
        ("random root".into(), probe(index, size, *leaf, some, p.clone())),
        (
            "trailing root".into(),
            probe(index, size, *leaf, *root, with(&|q| q.push(*root))),
        ),
        (
            "preceding root".into(),
            probe(index, size, *leaf, *root, with(&|q| q.insert(0, *root))),
        ),
    ];
    for i in 0..p.len() {
        out.push((
            format!("modified proof[{i}] bit 3"),
            probe(index, size, *leaf, *root, with(&|q| q[i][0] ^= 8)),
        ));
    }
    if !p.is_empty() {
        out.push((
            "removed component".into(),
            probe(
                index,
                size,
                *leaf,
                *root,
                with(&|q| {
                    q.pop();
                }),
            ),
        ));
    }
    if p.len() > 1 {
        out.push((
            "inserted component".into(),
            probe(index, size, *leaf, *root, with(&|q| q.insert(1, some))),
        ));
    }
    out
}

struct ConsistencyProbe {
    size1: u64,
    size2: u64,
    root1: Hash,
    root2: Hash,
    proof: Vec<Hash>,
}

fn consistency_probes(
    size1: u64,
    size2: u64,
    root1: &Hash,
    root2: &Hash,
    proof: &[Hash],
) -> Vec<(String, ConsistencyProbe)> {
    let probe = |size1: u64, size2: u64, root1: Hash, root2: Hash, proof: Vec<Hash>| ConsistencyProbe {
        size1,
        size2,
        root1,
        root2,
        proof,
    };
    let p = proof.to_vec();
    let with = |f: &dyn Fn(&mut Vec<Hash>)| {
        let mut q = p.clone();
        f(&mut q);
        q
    };
    let wrong = h(SOME_HASH);
    let (r1, r2) = (*root1, *root2);
    let mut out = vec![
        ("size1 - 1".into(), probe(size1 - 1, size2, r1, r2, p.clone())),
        ("size1 + 1".into(), probe(size1 + 1, size2, r1, r2, p.clone())),
        ("size1 ^ 2".into(), probe(size1 ^ 2, size2, r1, r2, p.clone())),
        ("size2 * 2".into(), probe(size1, size2 * 2, r1, r2, p.clone())),
        ("size2 / 2".into(), probe(size1, size2 / 2, r1, r2, p.clone())),
        ("wrong root1".into(), probe(size1, size2, wrong, r2, p.clone())),
        ("wrong root2".into(), probe(size1, size2, r1, wrong, p.clone())),
        ("swapped roots".into(), probe(size1, size2, r2, r1, p.clone())),
        ("empty proof".into(), probe(size1, size2, r1, r2, vec![])),
        (
            "trailing root1".into(),
            probe(size1, size2, r1, r2, with(&|q| q.push(r1))),
        ),
        (
            "trailing root2".into(),
            probe(size1, size2, r1, r2, with(&|q| q.push(r2))),
        ),
        (
            "preceding root1".into(),
            probe(size1, size2, r1, r2, with(&|q| q.insert(0, r1))),
        ),
        (
            "preceding root2".into(),
            probe(size1, size2, r1, r2, with(&|q| q.insert(0, r2))),
        ),
        (
            "preceding proof[0]".into(),
            probe(size1, size2, r1, r2, with(&|q| q.insert(0, q[0]))),
        ),
        (
            "truncated proof".into(),
            probe(
                size1,
                size2,
                r1,
                r2,
                with(&|q| {
                    q.pop();
                }),
            ),
        ),
    ];
    for i in 0..p.len() {
        out.push((
            format!("modified proof[{i}] bit 4"),
            probe(size1, size2, r1, r2, with(&|q| q[i][0] ^= 16)),
        ));
    }
    out
}
