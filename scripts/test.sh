#!/usr/bin/env bash
# fmesh's test command: installs and prepares everything the tests need, then runs every test,
# the end-to-end conformance suite included. Repeated runs are fast: the real parts the
# conformance harness builds or downloads are cached under .cache/ (ignored by git), and cargo
# reuses target/.
#
#   ./scripts/test.sh            # everything
#   FMESH_SKIP_LINT=1 ./scripts/test.sh   # skip fmt/clippy/doc checks (local iteration)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
t0=$SECONDS
step() { printf '\n==> %s (%ss)\n' "$*" "$((SECONDS - t0))"; }

step "toolchain"
if ! command -v cargo >/dev/null; then
  echo "cargo not found: install Rust with rustup (https://rustup.rs)" >&2
  exit 1
fi
if command -v rustup >/dev/null; then
  rustup component add clippy rustfmt >/dev/null 2>&1 || true
fi
cargo --version

step "real parts for the conformance harness (cached in .cache/)"
bash conformance/scripts/prepare.sh

if [[ "${FMESH_SKIP_LINT:-0}" != "1" ]]; then
  step "cargo fmt --check"
  cargo fmt --all -- --check
  step "cargo clippy -D warnings"
  cargo clippy --workspace --all-targets -- -D warnings
  step "cargo doc"
  RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet
fi

step "cargo test (unit, snapshot, property, CLI and conformance tests)"
cargo test --workspace --all-targets
cargo test --workspace --doc --quiet

step "done in $((SECONDS - t0))s"
