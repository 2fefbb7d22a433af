//! Arbitrary JSON for property tests: nested arrays and objects, keys
//! from plain ASCII to private-use and astral characters, integers over the
//! whole i64 and u64 ranges, floats including 1e21 and -0.0, and strings
//! with control characters, quotes and U+2028.

use proptest::prelude::*;

pub fn value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let key = prop_oneof![
        "[a-z_]{0,8}",
        "\\PC{0,4}",
        Just("\u{e000}".to_string()),
        Just("\u{1f600}".to_string()),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e30f64..1e30).prop_map(Value::from),
        Just(Value::from(1e21)),
        Just(Value::from(-0.0)),
        "\\PC{0,12}".prop_map(Value::String),
        "[\\x00-\\x1f\"\\\\\\x7f\u{2028}]{0,6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..5).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
