#!/usr/bin/env bash
# Compiles the EVM anchor contract (contracts/evm/AuditAnchor.sol) offline with
# the solc-js pinned in package.json, optimizer on, into the COMMITTED artifact
# contracts/evm/artifacts/AuditAnchor.json ({"abi": [...], "bytecode": "0x..."})
# that relayer/src/evm.rs embeds, so a Rust build needs no Solidity compiler.
# Also writes AuditAnchor.sol.sha256 (sha256sum format), which the relayer's
# tests compare with the source to catch a stale artifact.
#
# The EVM target is shanghai (PUSH0, no cancun opcodes): every EVM chain an
# anchor may go to runs it, and anvil runs it too.
#
# Usage: scripts/build-evm.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_node_tools

src_dir="$FOG_ROOT/contracts/evm"
out_dir="$src_dir/artifacts"
mkdir -p "$out_dir"

say "compiling AuditAnchor.sol (solc-js $(cd "$FOG_ROOT" && node -p 'require("solc/package.json").version'))"
(cd "$FOG_ROOT" && node - "$src_dir/AuditAnchor.sol" "$out_dir/AuditAnchor.json") <<'EOF'
const fs = require("fs");
const solc = require("solc");
const [source, out] = process.argv.slice(2);
const input = {
  language: "Solidity",
  sources: { "AuditAnchor.sol": { content: fs.readFileSync(source, "utf8") } },
  settings: {
    optimizer: { enabled: true, runs: 1000000 },
    evmVersion: "shanghai",
    outputSelection: { "AuditAnchor.sol": { AuditAnchor: ["abi", "evm.bytecode.object"] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const problems = output.errors || [];
for (const e of problems) console.error(e.formattedMessage);
// A warning fails the build too: the artifact is committed and deployed as is.
if (problems.length > 0) process.exit(1);
const contract = output.contracts["AuditAnchor.sol"].AuditAnchor;
const artifact = { abi: contract.abi, bytecode: "0x" + contract.evm.bytecode.object };
fs.writeFileSync(out, JSON.stringify(artifact, null, 2) + "\n");
console.error(`wrote ${out} (${contract.evm.bytecode.object.length / 2} bytes of creation code)`);
EOF

(cd "$src_dir" && sha256sum AuditAnchor.sol > "$out_dir/AuditAnchor.sol.sha256")
say "wrote $out_dir/AuditAnchor.sol.sha256"
