//! Bad input gets one clear line and a non-zero exit, and changes nothing.

use crate::fog::{devnet, run};

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
        (vec!["release", "status", "abcd"], "32 bytes"),
    ];
    for (args, expected) in cases {
        let err = run(&args).expect_err(&format!("fog {args:?} should fail"));
        assert!(err.contains(expected), "fog {args:?}: expected {expected:?} in {err:?}");
    }
}
