//! The committed schemas are what the code generates: a message change
//! without `cargo run -p fog-schema` fails here.

#[test]
fn committed_schemas_are_current() {
    let dir = fog_schema::schema_dir();
    let mut stale = Vec::new();
    for (name, json) in fog_schema::schemas() {
        let path = dir.join(format!("{name}.json"));
        match std::fs::read_to_string(&path) {
            Ok(committed) if committed == json => {}
            _ => stale.push(path.display().to_string()),
        }
    }
    assert!(
        stale.is_empty(),
        "stale schemas (run `cargo run -p fog-schema`): {stale:?}"
    );
}
