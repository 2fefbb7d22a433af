//! The software a training run depended on, from a lock file or an
//! environment listing.
//!
//! Formats, told apart by file name:
//! - `Cargo.lock`: registry and git packages (path packages are the code
//!   itself, covered by the code revision), with their sha256 checksums;
//! - `poetry.lock`: name and version of each package;
//! - `package-lock.json` / `npm-shrinkwrap.json` (lockfile v1, v2, v3): name,
//!   version and the `integrity` digest;
//! - other lock files and structured listings (`Pipfile.lock`, `uv.lock`,
//!   `environment.yml`, any `.lock`, `.json`, `.toml`, `.yaml`): refused;
//! - anything else (`requirements.txt`, `pip freeze` output, stdin): one
//!   requirement a line, `name==version` (also `name===version`, conda's
//!   `name=version=build`, `name @ url`, `-e url`), `--hash=sha256:...` kept,
//!   comments and other options skipped, `\` continuations joined.
//!
//! Each package is named by a purl (`pkg:cargo/serde@1.0.0`), which is what
//! the reproducibility hash covers; so whatever else tells two builds of a
//! name and version apart is in its qualifiers (sorted by key): the
//! `checksum` of the content where the listing has one, a git dependency's
//! `vcs_url` with its resolved commit, a registry other than the
//! ecosystem's own (`repository_url`) or a direct `download_url`, and a
//! conda package's `build`. (Until stop 18 the purl was name and version
//! only, so another git commit or a CUDA build swapped for a CPU one left
//! the reproducibility hash unchanged.)

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context as _, Result};
use base64::Engine as _;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// `cargo`, `pypi`, `npm` or `conda`.
    pub ecosystem: String,
    pub name: String,
    /// The pinned version; for an unpinned requirement, its specifier (`>=1.2`) or URL.
    pub version: String,
    /// Algorithm → hex digest, when the listing has one.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub digest: BTreeMap<String, String>,
    /// purl qualifiers other than `checksum` (from `digest`): `vcs_url`,
    /// `repository_url`, `download_url`, `build`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub qualifiers: BTreeMap<String, String>,
}

impl Package {
    /// Package URL (purl) of the package.
    pub fn purl(&self) -> String {
        let name = match self.ecosystem.as_str() {
            // Scoped npm packages: the `@` of the namespace is percent-encoded.
            "npm" => self.name.replace('@', "%40"),
            _ => self.name.clone(),
        };
        let mut purl = format!("pkg:{}/{}@{}", self.ecosystem, name, purl_escape(&self.version));
        let mut qualifiers = self.qualifiers.clone();
        if !self.digest.is_empty() {
            let checksums: Vec<String> = self.digest.iter().map(|(alg, hex)| format!("{alg}:{hex}")).collect();
            qualifiers.insert("checksum".into(), checksums.join(","));
        }
        for (i, (key, value)) in qualifiers.iter().enumerate() {
            purl.push(if i == 0 { '?' } else { '&' });
            purl.push_str(&format!("{key}={}", purl_escape(value)));
        }
        purl
    }
}

/// The package's `vcs_url` (`git+<url>@<commit>`) or `repository_url`
/// from a Cargo.lock `source`; nothing for crates.io itself.
fn cargo_source(source: &str) -> BTreeMap<String, String> {
    let mut q = BTreeMap::new();
    if let Some(git) = source.strip_prefix("git+") {
        let (url, commit) = git.split_once('#').unwrap_or((git, ""));
        let url = url.split('?').next().unwrap_or(url);
        q.insert("vcs_url".into(), format!("git+{url}@{commit}"));
    } else if let Some(index) = source
        .strip_prefix("registry+")
        .or_else(|| source.strip_prefix("sparse+"))
    {
        if !matches!(
            index,
            "https://github.com/rust-lang/crates.io-index" | "https://index.crates.io/"
        ) {
            q.insert("repository_url".into(), index.to_string());
        }
    }
    q
}

fn purl_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '~') {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// Parses a listing; `file_name` decides the format (see the module).
pub fn parse(file_name: &str, text: &str) -> Result<Vec<Package>> {
    let base = Path::new(file_name)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(file_name);
    let mut packages = match base {
        "Cargo.lock" => cargo_lock(text).context("not a valid Cargo.lock")?,
        "poetry.lock" => poetry_lock(text).context("not a valid poetry.lock")?,
        "package-lock.json" | "npm-shrinkwrap.json" => package_lock(text).context("not a valid package-lock.json")?,
        // Another structured listing (Pipfile.lock, uv.lock, yarn.lock,
        // environment.yml, go.sum, ...) read as requirements would put
        // its syntax in the reproducibility hash as packages.
        _ if is_other_structured_format(base) => anyhow::bail!(
            "{base}: fog does not read this format; give a requirements.txt (or `pip freeze` output), \
             poetry.lock, Cargo.lock or package-lock.json"
        ),
        _ => requirements(text),
    };
    packages.sort_by(|a, b| (&a.ecosystem, &a.name, &a.version).cmp(&(&b.ecosystem, &b.name, &b.version)));
    packages.dedup();
    Ok(packages)
}

fn is_other_structured_format(file_name: &str) -> bool {
    let extension = Path::new(file_name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    matches!(extension, "lock" | "json" | "toml" | "yaml" | "yml" | "sum" | "mod") || file_name == "Pipfile"
}

fn cargo_lock(text: &str) -> Result<Vec<Package>> {
    #[derive(Deserialize)]
    struct Lock {
        #[serde(default)]
        package: Vec<Pkg>,
    }
    #[derive(Deserialize)]
    struct Pkg {
        name: String,
        version: String,
        source: Option<String>,
        checksum: Option<String>,
    }
    let lock: Lock = toml::from_str(text)?;
    Ok(lock
        .package
        .into_iter()
        .filter_map(|p| {
            Some(Package {
                ecosystem: "cargo".into(),
                qualifiers: cargo_source(p.source.as_deref()?),
                name: p.name,
                version: p.version,
                digest: p.checksum.map(|c| ("sha256".to_string(), c)).into_iter().collect(),
            })
        })
        .collect())
}

fn poetry_lock(text: &str) -> Result<Vec<Package>> {
    #[derive(Deserialize)]
    struct Lock {
        #[serde(default)]
        package: Vec<Pkg>,
    }
    #[derive(Deserialize)]
    struct Pkg {
        name: String,
        version: String,
        source: Option<Source>,
    }
    #[derive(Deserialize)]
    struct Source {
        #[serde(rename = "type")]
        kind: String,
        url: String,
        resolved_reference: Option<String>,
        reference: Option<String>,
    }
    let lock: Lock = toml::from_str(text)?;
    Ok(lock
        .package
        .into_iter()
        .map(|p| {
            let qualifiers = p
                .source
                .map(|s| match s.kind.as_str() {
                    "git" => {
                        let commit = s.resolved_reference.or(s.reference).unwrap_or_default();
                        ("vcs_url", format!("git+{}@{commit}", s.url))
                    }
                    "legacy" => ("repository_url", s.url),
                    _ => ("download_url", s.url),
                })
                .map(|(k, v)| (k.to_string(), v))
                .into_iter()
                .collect();
            Package {
                ecosystem: "pypi".into(),
                name: pep503(&p.name),
                version: p.version,
                digest: BTreeMap::new(),
                qualifiers,
            }
        })
        .collect())
}

fn package_lock(text: &str) -> Result<Vec<Package>> {
    let v: serde_json::Value = serde_json::from_str(text)?;
    let mut out = Vec::new();
    if let Some(packages) = v.get("packages").and_then(|p| p.as_object()) {
        // Lockfile v2/v3: keys are install paths, "" is the project itself.
        for (key, p) in packages {
            if key.is_empty() || p.get("link").and_then(|l| l.as_bool()) == Some(true) {
                continue;
            }
            let name = p
                .get("name")
                .and_then(|n| n.as_str())
                .map(str::to_string)
                .or_else(|| key.rsplit_once("node_modules/").map(|(_, n)| n.to_string()));
            if let (Some(name), Some(version)) = (name, p.get("version").and_then(|v| v.as_str())) {
                out.push(npm_package(name, version, p));
            }
        }
    } else if let Some(deps) = v.get("dependencies").and_then(|d| d.as_object()) {
        // Lockfile v1: nested `dependencies`.
        let mut stack: Vec<&serde_json::Map<String, serde_json::Value>> = vec![deps];
        while let Some(deps) = stack.pop() {
            for (name, p) in deps {
                if let Some(version) = p.get("version").and_then(|v| v.as_str()) {
                    out.push(npm_package(name.clone(), version, p));
                }
                if let Some(nested) = p.get("dependencies").and_then(|d| d.as_object()) {
                    stack.push(nested);
                }
            }
        }
    }
    Ok(out)
}

fn npm_package(name: String, version: &str, p: &serde_json::Value) -> Package {
    // `integrity` is Subresource Integrity: "sha512-<base64>".
    let digest = p
        .get("integrity")
        .and_then(|i| i.as_str())
        .and_then(|i| i.split_whitespace().next())
        .and_then(|i| i.split_once('-'))
        .and_then(|(alg, b64)| {
            let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
            Some((alg.to_string(), hex::encode(bytes)))
        })
        .into_iter()
        .collect();
    // A git dependency's content is its commit (no integrity digest).
    let qualifiers = p
        .get("resolved")
        .and_then(|r| r.as_str())
        .filter(|r| r.starts_with("git+"))
        .map(|r| ("vcs_url".to_string(), r.replacen('#', "@", 1)))
        .into_iter()
        .collect();
    Package {
        ecosystem: "npm".into(),
        name,
        version: version.to_string(),
        digest,
        qualifiers,
    }
}

fn requirements(text: &str) -> Vec<Package> {
    let joined = text.replace("\\\r\n", " ").replace("\\\n", " ");
    let mut out = Vec::new();
    for line in joined.lines() {
        let line = match line.find(" #").or(if line.starts_with('#') { Some(0) } else { None }) {
            Some(i) => &line[..i],
            None => line,
        };
        let mut words = line.split_whitespace().peekable();
        let Some(first) = words.peek().copied() else {
            continue;
        };
        if first == "-e" || first == "--editable" {
            words.next();
            if let Some(url) = words.next() {
                out.push(Package {
                    ecosystem: "pypi".into(),
                    name: editable_name(url),
                    version: url.to_string(),
                    digest: BTreeMap::new(),
                    qualifiers: BTreeMap::new(),
                });
            }
            continue;
        }
        if first.starts_with('-') {
            // -r, -c, --index-url, ...: not packages.
            continue;
        }
        // The requirement is everything before the first option.
        let spec: Vec<&str> = words.by_ref().take_while(|w| !w.starts_with("--")).collect();
        let spec = spec.join(" ");
        let digest: BTreeMap<String, String> = line
            .split_whitespace()
            .filter_map(|w| w.strip_prefix("--hash="))
            .filter_map(|h| h.split_once(':'))
            .map(|(a, d)| (a.to_string(), d.to_string()))
            .take(1)
            .collect();
        if let Some(p) = requirement(&spec) {
            out.push(Package { digest, ..p });
        }
    }
    out
}

/// One requirement: `name==1.0`, `name[extra]==1.0; marker`, `name @ url`,
/// `name>=1.0`, conda's `name=1.0=build`.
fn requirement(spec: &str) -> Option<Package> {
    let spec = spec.split(';').next()?.trim();
    if spec.is_empty() {
        return None;
    }
    let pypi = |name: &str, version: &str| Package {
        ecosystem: "pypi".into(),
        name: pep503(name.split('[').next().unwrap_or(name).trim()),
        version: version.trim().to_string(),
        digest: BTreeMap::new(),
        qualifiers: BTreeMap::new(),
    };
    if let Some((name, url)) = spec.split_once(" @ ") {
        return Some(pypi(name, url));
    }
    for op in ["===", "=="] {
        if let Some((name, version)) = spec.split_once(op) {
            return Some(pypi(name, version));
        }
    }
    let parts: Vec<&str> = spec.split('=').collect();
    if parts.len() == 3 && !spec.contains(['<', '>', '!', '~']) {
        return Some(Package {
            ecosystem: "conda".into(),
            name: parts[0].trim().to_string(),
            version: parts[1].trim().to_string(),
            digest: BTreeMap::new(),
            qualifiers: [("build".to_string(), parts[2].trim().to_string())]
                .into_iter()
                .filter(|(_, b)| !b.is_empty())
                .collect(),
        });
    }
    match spec.find(['<', '>', '!', '~', '=']) {
        Some(i) => Some(pypi(&spec[..i], &spec[i..])),
        None => Some(pypi(spec, "")),
    }
}

fn editable_name(url: &str) -> String {
    url.rsplit_once("#egg=")
        .map(|(_, n)| pep503(n))
        .unwrap_or_else(|| url.to_string())
}

/// PEP 503 normalized name: lowercase, runs of `-_.` as one `-`.
fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(ps: &[Package]) -> Vec<String> {
        ps.iter().map(Package::purl).collect()
    }

    #[test]
    fn cargo_lock_registry_packages_with_checksums() {
        let text = r#"
version = 4

[[package]]
name = "fog-cli"
version = "0.1.0"

[[package]]
name = "serde"
version = "1.0.219"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "5f0e2c6ed6606019b4e29e69dbaba95b11854410e5347d525002456dbbb786b6"
"#;
        let ps = parse("Cargo.lock", text).unwrap();
        assert_eq!(
            ids(&ps),
            ["pkg:cargo/serde@1.0.219?checksum=sha256%3A5f0e2c6ed6606019b4e29e69dbaba95b11854410e5347d525002456dbbb786b6"]
        );
        assert_eq!(
            ps[0].digest["sha256"],
            "5f0e2c6ed6606019b4e29e69dbaba95b11854410e5347d525002456dbbb786b6"
        );
    }

    #[test]
    fn other_lock_files_are_refused_not_read_as_requirements() {
        for name in [
            "Pipfile.lock",
            "uv.lock",
            "yarn.lock",
            "environment.yml",
            "go.sum",
            "Pipfile",
            "deps/pnpm-lock.yaml",
        ] {
            let e = parse(name, "{\"default\": {}}\n").unwrap_err().to_string();
            assert!(e.contains("fog does not read this format"), "{name}: {e}");
        }
        // Listings one requirement a line, whatever their name.
        for name in [
            "requirements.txt",
            "requirements-dev.txt",
            "-",
            "env.txt",
            "constraints.in",
        ] {
            assert_eq!(parse(name, "numpy==1.26.4\n").unwrap().len(), 1, "{name}");
        }
    }

    #[test]
    fn requirements_and_pip_freeze() {
        let text = "# training env\n\
                    numpy==1.26.4\n\
                    Torch_Vision[extra]==0.18.0 ; python_version >= \"3.9\"\n\
                    requests>=2.0  # unpinned\n\
                    mypkg @ file:///src/mypkg\n\
                    -e git+https://example.org/x.git@abc#egg=My.Pkg\n\
                    -r other.txt\n\
                    --index-url https://example.org/simple\n\
                    scipy==1.13.0 \\\n    --hash=sha256:aaaa\n\
                    python-dateutil=2.9.0=pyhd8ed1ab_0\n";
        let ps = parse("requirements.txt", text).unwrap();
        assert_eq!(
            ids(&ps),
            [
                "pkg:conda/python-dateutil@2.9.0?build=pyhd8ed1ab_0",
                "pkg:pypi/my-pkg@git%2Bhttps%3A%2F%2Fexample.org%2Fx.git%40abc%23egg%3DMy.Pkg",
                "pkg:pypi/mypkg@file%3A%2F%2F%2Fsrc%2Fmypkg",
                "pkg:pypi/numpy@1.26.4",
                "pkg:pypi/requests@%3E%3D2.0",
                "pkg:pypi/scipy@1.13.0?checksum=sha256%3Aaaaa",
                "pkg:pypi/torch-vision@0.18.0",
            ]
        );
        let scipy = ps.iter().find(|p| p.name == "scipy").unwrap();
        assert_eq!(scipy.digest["sha256"], "aaaa");
    }

    #[test]
    fn package_lock_v3_and_v1() {
        let v3 = r#"{"lockfileVersion":3,"packages":{
            "":{"name":"app","version":"1.0.0"},
            "node_modules/left-pad":{"version":"1.3.0","integrity":"sha512-AAAA"},
            "node_modules/@scope/x":{"version":"2.0.0"},
            "node_modules/a/node_modules/b":{"version":"0.1.0"}}}"#;
        let ps = parse("package-lock.json", v3).unwrap();
        assert_eq!(
            ids(&ps),
            [
                "pkg:npm/%40scope/x@2.0.0",
                "pkg:npm/b@0.1.0",
                "pkg:npm/left-pad@1.3.0?checksum=sha512%3A000000"
            ]
        );
        assert_eq!(ps[2].digest["sha512"], "000000");
        let v1 = r#"{"lockfileVersion":1,"dependencies":{"a":{"version":"1.0.0","dependencies":{"b":{"version":"2.0.0"}}}}}"#;
        assert_eq!(
            ids(&parse("package-lock.json", v1).unwrap()),
            ["pkg:npm/a@1.0.0", "pkg:npm/b@2.0.0"]
        );
    }

    #[test]
    fn poetry_lock() {
        let text = "[[package]]\nname = \"Pandas\"\nversion = \"2.2.2\"\n";
        assert_eq!(ids(&parse("poetry.lock", text).unwrap()), ["pkg:pypi/pandas@2.2.2"]);
    }

    /// What tells two builds of one name and version apart is in the purl,
    /// so in the reproducibility hash.
    #[test]
    fn sources_and_builds_tell_packages_apart() {
        let cargo = |rev: &str| {
            format!(
                "version = 4\n[[package]]\nname = \"foo\"\nversion = \"0.1.0\"\n\
                 source = \"git+https://github.com/o/foo?branch=main#{rev}\"\n"
            )
        };
        let one = ids(&parse("Cargo.lock", &cargo(&"1".repeat(40))).unwrap());
        assert_eq!(
            one,
            [format!(
                "pkg:cargo/foo@0.1.0?vcs_url=git%2Bhttps%3A%2F%2Fgithub.com%2Fo%2Ffoo%40{}",
                "1".repeat(40)
            )]
        );
        assert_ne!(one, ids(&parse("Cargo.lock", &cargo(&"2".repeat(40))).unwrap()));
        let other_registry = "[[package]]\nname = \"foo\"\nversion = \"0.1.0\"\n\
                              source = \"sparse+https://crates.example.org/\"\n";
        assert_eq!(
            ids(&parse("Cargo.lock", other_registry).unwrap()),
            ["pkg:cargo/foo@0.1.0?repository_url=https%3A%2F%2Fcrates.example.org%2F"]
        );
        assert_ne!(
            ids(&parse("e.txt", "pytorch=2.1.0=cuda118_0\n").unwrap()),
            ids(&parse("e.txt", "pytorch=2.1.0=cpu_0\n").unwrap())
        );
        let poetry = |commit: &str| {
            format!(
                "[[package]]\nname = \"lib\"\nversion = \"1.0\"\n[package.source]\ntype = \"git\"\n\
                 url = \"https://example.org/lib.git\"\nreference = \"main\"\nresolved_reference = \"{commit}\"\n"
            )
        };
        assert_eq!(
            ids(&parse("poetry.lock", &poetry("abc")).unwrap()),
            ["pkg:pypi/lib@1.0?vcs_url=git%2Bhttps%3A%2F%2Fexample.org%2Flib.git%40abc"]
        );
        assert_ne!(
            ids(&parse("poetry.lock", &poetry("abc")).unwrap()),
            ids(&parse("poetry.lock", &poetry("def")).unwrap())
        );
        let npm = |sha: &str| {
            format!(
                r#"{{"lockfileVersion":3,"packages":{{"node_modules/x":{{"version":"1.0.0",
                "resolved":"git+ssh://git@github.com/o/x.git#{sha}"}}}}}}"#
            )
        };
        assert_eq!(
            ids(&parse("package-lock.json", &npm("abc")).unwrap()),
            ["pkg:npm/x@1.0.0?vcs_url=git%2Bssh%3A%2F%2Fgit%40github.com%2Fo%2Fx.git%40abc"]
        );
    }

    #[test]
    fn malformed_lock_files_are_errors() {
        assert!(parse("Cargo.lock", "[[package]\n").is_err());
        assert!(parse("package-lock.json", "{").is_err());
    }
}
