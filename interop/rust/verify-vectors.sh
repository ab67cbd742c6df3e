#!/usr/bin/env bash
# Cross-checks docs/spec/vectors/wire-v1.json against the real Rust crate vstp 0.2.1.
# Usage: interop/rust/verify-vectors.sh [VECTORS_JSON]   (default: the repository's wire-v1.json)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"
vectors="${1:-$repo_root/docs/spec/vectors/wire-v1.json}"
cd "$here"
cargo build --release --locked --quiet
exec "$here/target/release/vstp-interop" verify-vectors "$vectors"
