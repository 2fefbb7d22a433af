//! The `fog-merkle` binary: output and exit status (0 valid, 1 invalid,
//! 2 bad usage).

use std::process::{Command, Output};

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
const ROOT8: &str = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328";
const ROOT6: &str = "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef";

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fog-merkle"))
        .args(args)
        .output()
        .expect("the fog-merkle binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap().trim().to_string()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

fn with_leaves<'a>(args: &[&'a str]) -> Vec<&'a str> {
    args.iter().copied().chain(LEAVES).collect()
}

#[test]
fn root_of_leaf_data() {
    assert_eq!(ok(&with_leaves(&["root"])), ROOT8);
    assert_eq!(
        ok(&["root"]),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        ok(&["root", ""]),
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    );
    assert_eq!(
        ok(&["leaf-hash", ""]),
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    );
}

#[test]
fn inclusion_round_trip() {
    let proof = ok(&with_leaves(&["prove-inclusion", "--index", "5"]));
    assert_eq!(
        proof,
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b,\
         ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0,\
         d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"
    );
    let leaf = ok(&["leaf-hash", "40414243"]);
    let verify = |index: &str, root: &str, proof: &str| {
        run(&[
            "verify-inclusion",
            "--index",
            index,
            "--size",
            "8",
            "--leaf-hash",
            &leaf,
            "--root",
            root,
            "--proof",
            proof,
        ])
    };
    let out = verify("5", ROOT8, &proof);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "valid");

    let out = verify("4", ROOT8, &proof);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("different root"), "{}", stderr(&out));

    let out = verify("8", ROOT8, &proof);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("outside"), "{}", stderr(&out));

    let out = verify("5", ROOT6, &proof);
    assert_eq!(out.status.code(), Some(1));

    let out = verify("5", ROOT8, "");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("proof has 0 hashes"), "{}", stderr(&out));
}

#[test]
fn single_leaf_tree_with_the_proof_omitted() {
    let leaf = ok(&["leaf-hash", "00"]);
    let root = ok(&["root", "00"]);
    assert_eq!(
        ok(&[
            "verify-inclusion",
            "--index",
            "0",
            "--size",
            "1",
            "--leaf-hash",
            &leaf,
            "--root",
            &root
        ]),
        "valid"
    );
    assert_eq!(ok(&["prove-inclusion", "--index", "0", "00"]), "");
}

#[test]
fn consistency_round_trip() {
    let proof = ok(&with_leaves(&["prove-consistency", "--size1", "6"]));
    let verify = |size1: &str, size2: &str, root1: &str, root2: &str, proof: &str| {
        run(&[
            "verify-consistency",
            "--size1",
            size1,
            "--size2",
            size2,
            "--root1",
            root1,
            "--root2",
            root2,
            "--proof",
            proof,
        ])
    };
    let out = verify("6", "8", ROOT6, ROOT8, &proof);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "valid");

    // Swapped roots, size 0, shrinking, a non-empty proof for equal sizes.
    for (s1, s2, r1, r2, p) in [
        ("6", "8", ROOT8, ROOT6, proof.as_str()),
        ("0", "8", ROOT6, ROOT8, ""),
        ("8", "6", ROOT8, ROOT6, ""),
        ("8", "8", ROOT8, ROOT8, ROOT8),
    ] {
        let out = verify(s1, s2, r1, r2, p);
        assert_eq!(out.status.code(), Some(1), "{s1} {s2}");
        assert!(stderr(&out).starts_with("invalid: "));
    }
    // Equal sizes, empty proof, and the proof omitted altogether.
    assert_eq!(verify("8", "8", ROOT8, ROOT8, "").status.code(), Some(0));
    assert_eq!(
        ok(&[
            "verify-consistency",
            "--size1",
            "8",
            "--size2",
            "8",
            "--root1",
            ROOT8,
            "--root2",
            ROOT8
        ]),
        "valid"
    );
}

#[test]
fn bad_usage_exits_2() {
    let short = &ROOT8[..62];
    for args in [
        vec!["leaf-hash", "zz"],
        vec!["leaf-hash", "abc"],
        vec!["root", "00", "0g"],
        vec![
            "verify-inclusion",
            "--index",
            "0",
            "--size",
            "1",
            "--leaf-hash",
            short,
            "--root",
            ROOT8,
        ],
        vec![
            "verify-inclusion",
            "--index",
            "0",
            "--size",
            "1",
            "--leaf-hash",
            ROOT8,
            "--root",
            "xyz",
        ],
        vec![
            "verify-inclusion",
            "--index",
            "0",
            "--size",
            "2",
            "--leaf-hash",
            ROOT8,
            "--root",
            ROOT8,
            "--proof",
            "00,11",
        ],
        vec![
            "verify-consistency",
            "--size1",
            "1",
            "--size2",
            "2",
            "--root1",
            ROOT8,
            "--root2",
            ROOT8,
            "--proof",
            &ROOT8[..10],
        ],
        // clap's own usage errors.
        vec!["verify-inclusion", "--index", "0"],
        vec![
            "verify-inclusion",
            "--index",
            "-1",
            "--size",
            "1",
            "--leaf-hash",
            ROOT8,
            "--root",
            ROOT8,
        ],
        vec!["no-such-command"],
        vec![],
        // A proof that cannot be generated.
        vec!["prove-inclusion", "--index", "3", "00", "01"],
        vec!["prove-consistency", "--size1", "0", "00", "01"],
        vec!["prove-consistency", "--size1", "3", "00", "01"],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}
