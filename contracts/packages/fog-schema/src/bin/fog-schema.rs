//! `cargo run -p fog-schema`: rewrites schema/<contract>.json.

use std::fs;

fn main() -> std::io::Result<()> {
    let dir = fog_schema::schema_dir();
    fs::create_dir_all(&dir)?;
    for (name, json) in fog_schema::schemas() {
        let path = dir.join(format!("{name}.json"));
        fs::write(&path, json)?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
