//! Bad input gets one clear line and a non-zero exit, and changes nothing.

use crate::fog::{devnet, home, run};

const SHA: &str = "7777777777777777777777777777777777777777777777777777777777777777";

#[test]
fn bad_input_is_one_clear_line() {
    devnet();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["query", "proposal", "999999"], "not found"),
        (vec!["query", "power", "inj1notanaddress"], "neither an address"),
        (
            vec!["query", "power", "inj1venxvenxvenxvenxvenxvenxvenxvenx5mgexf"],
            "not a valid address",
        ),
        (
            vec!["query", "power", "cosmos1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqnrql8a"],
            "another chain",
        ),
        (vec!["vote", "999999", "yes", "--from", "officer"], "does not exist"),
        (vec!["vote", "1", "perhaps", "--from", "officer"], "not a vote"),
        (
            vec!["lock", "--amount", "10", "--weeks", "500", "--from", "officer"],
            "--weeks must be",
        ),
        (
            vec!["lock", "--amount", "ten", "--weeks", "5", "--from", "officer"],
            "not an amount",
        ),
        (
            vec!["lock", "--amount", "10", "--weeks", "5", "--from", "officer"],
            "insufficient",
        ),
        (
            vec!["lock", "--amount", "10", "--weeks", "5", "--from", "nobody"],
            "no key named",
        ),
        (
            vec![
                "propose",
                "text",
                "--title",
                "x",
                "--method",
                "ranked",
                "--option",
                "a",
                "--from",
                "developer",
            ],
            "2 to 10 options",
        ),
        (
            vec![
                "propose",
                "text",
                "--title",
                "x",
                "--option",
                "a",
                "--from",
                "developer",
            ],
            "--option is for multiple-choice and ranked",
        ),
        (vec!["extend", "--weeks", "0", "--from", "officer"], "--weeks must be"),
        (
            vec![
                "propose",
                "spend",
                "--title",
                "x",
                "--to",
                "bob",
                "--amount",
                "1",
                "--method",
                "ranked",
                "--option",
                "a",
                "--option",
                "b",
                "--from",
                "developer",
            ],
            "needs an action per option",
        ),
        (vec!["release", "status", "abcd"], "32 bytes"),
        (
            vec!["release", "gate", "/nonexistent/model.bin"],
            "opening /nonexistent/model.bin",
        ),
        (
            vec!["audit", "verify", "--offline", "--key", "log+00000000+AAAA"],
            "--key is not a verifier key",
        ),
        // The devnet's policy names its requesters: bob is not one.
        (
            vec![
                "release",
                "request",
                "--id",
                "m",
                "--version",
                "1",
                "--sha256",
                SHA,
                "--lineage-hash",
                SHA,
                "--from",
                "bob",
            ],
            "only members of ml_engineers may request",
        ),
    ];
    for (args, expected) in cases {
        let err = run(&args).expect_err(&format!("fog {args:?} should fail"));
        assert!(err.contains(expected), "fog {args:?}: expected {expected:?} in {err:?}");
    }

    // With another deployment's manifest, the devnet's account names are
    // not keys: "bob" must not quietly mean devnet bob, whose key is public.
    let other = std::env::temp_dir().join(format!("fog-other-deployment-{}.json", std::process::id()));
    std::fs::copy(home().join("devnet/deployment.json"), &other).unwrap();
    let other_arg = other.to_str().unwrap();
    for args in [
        vec!["--deployment", other_arg, "query", "power", "bob"],
        vec![
            "--deployment",
            other_arg,
            "lock",
            "--amount",
            "1",
            "--weeks",
            "5",
            "--from",
            "alice",
        ],
    ] {
        let err = run(&args).expect_err(&format!("fog {args:?} should fail"));
        assert!(
            err.contains("count only with the devnet's manifest"),
            "fog {args:?}: {err}"
        );
    }
    // The devnet's own manifest, named, still knows them.
    let named = home().join("devnet/deployment.json");
    run(&["--deployment", named.to_str().unwrap(), "query", "power", "bob"]).unwrap();
    std::fs::remove_file(&other).unwrap();
}
