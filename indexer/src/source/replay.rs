//! Recorded RPC answers in a directory: `block_<h>.json` and
//! `block_results_<h>.json` (optionally gzipped, `.json.gz`), and
//! optionally `status.json`. Tests and benchmarks replay them with the
//! decoder the live path uses.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};
use serde_json::Value;

use super::{decode_block, protocol_of_version, result, Block, BlockSource, Protocol};
use crate::store::Fatal;

pub struct DirSource {
    dir: PathBuf,
    prefix: String,
    protocol: Option<Protocol>,
    heights: Vec<u64>,
}

fn read_json(path: &Path) -> Result<Value> {
    let mut text = String::new();
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    if path.extension().is_some_and(|e| e == "gz") {
        flate2::read::GzDecoder::new(file).read_to_string(&mut text)?;
    } else {
        std::io::BufReader::new(file).read_to_string(&mut text)?;
    }
    serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))
}

impl DirSource {
    pub fn open(dir: &Path, prefix: &str) -> Result<Self> {
        let mut heights = vec![];
        for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let name = entry?.file_name().to_string_lossy().to_string();
            let stem = name.trim_end_matches(".gz").trim_end_matches(".json");
            if let Some(h) = stem.strip_prefix("block_").filter(|s| !s.starts_with("results")) {
                if let Ok(h) = h.parse::<u64>() {
                    heights.push(h);
                }
            }
        }
        heights.sort_unstable();
        heights.dedup();
        let status = ["status.json", "status.json.gz"]
            .iter()
            .map(|f| dir.join(f))
            .find(|p| p.exists());
        let protocol = match status {
            Some(p) => {
                let s = read_json(&p)?;
                protocol_of_version(result(&s)["node_info"]["version"].as_str().unwrap_or_default())
            }
            None => None,
        };
        Ok(Self {
            dir: dir.to_path_buf(),
            prefix: prefix.to_string(),
            protocol,
            heights,
        })
    }

    pub fn heights(&self) -> &[u64] {
        &self.heights
    }

    fn file(&self, stem: &str) -> Result<PathBuf> {
        [format!("{stem}.json"), format!("{stem}.json.gz")]
            .into_iter()
            .map(|f| self.dir.join(f))
            .find(|p| p.exists())
            .ok_or_else(|| anyhow!("{}: no {stem}.json", self.dir.display()))
    }
}

impl BlockSource for DirSource {
    async fn latest_height(&self) -> Result<u64> {
        self.heights
            .last()
            .copied()
            .ok_or_else(|| anyhow!("{}: no recorded blocks", self.dir.display()))
    }

    async fn fetch_raw(&self, height: u64) -> Result<(Value, Value)> {
        // Files do not heal: what cannot be read now never will be, and
        // the ingest stops on it instead of retrying.
        let read = |stem: String| {
            self.file(&stem)
                .and_then(|path| read_json(&path))
                .map_err(|e| Fatal(format!("height {height} is not replayable: {e:#}")))
        };
        Ok((
            read(format!("block_{height}"))?,
            read(format!("block_results_{height}"))?,
        ))
    }

    async fn fetch(&self, height: u64) -> Result<Block> {
        let (block, results) = self.fetch_raw(height).await?;
        let decoded: Result<Block> = decode_block(&block, &results, self.prefix(), self.protocol()).map_err(Into::into);
        decoded.map_err(|e| Fatal(format!("height {height} is not replayable: {e:#}")).into())
    }

    fn protocol(&self) -> Option<Protocol> {
        self.protocol
    }

    fn prefix(&self) -> &str {
        &self.prefix
    }
}

/// Writes a block's raw answers as the directory format expects (gzipped).
pub fn write_recorded(dir: &Path, height: u64, block: &Value, results: &Value) -> Result<()> {
    use std::io::Write;
    for (stem, v) in [
        (format!("block_{height}"), block),
        (format!("block_results_{height}"), results),
    ] {
        let f = std::fs::File::create(dir.join(format!("{stem}.json.gz")))?;
        let mut gz = flate2::write::GzEncoder::new(f, flate2::Compression::default());
        gz.write_all(serde_json::to_string(v)?.as_bytes())?;
        gz.finish()?;
    }
    Ok(())
}
