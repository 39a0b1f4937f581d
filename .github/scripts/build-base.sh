#!/usr/bin/env bash
# Builds the perfsuite of another commit (a pull request's base) in a worktree of its own, with
# its own target dir ($CARGO_TARGET_DIR, required), so head's ./target/release/perfsuite is left
# alone. The binary ends up at $CARGO_TARGET_DIR/release/perfsuite.
#
# Usage: CARGO_TARGET_DIR=DIR build-base.sh COMMIT WORKTREE [PROFILE]
#
# PROFILE is `release` (the default) or `dev`. Head's compiled dependencies in ./target are
# copied first, so with the same Cargo.lock only perfsuite itself is compiled. Cargo's
# freshness check for a local crate compares file times, not contents, so head's perfsuite
# artifacts are removed from the copy: the binary is always built from the commit's sources.
set -euo pipefail

if [ "$#" -lt 2 ] || [ "$#" -gt 3 ]; then
  echo "usage: CARGO_TARGET_DIR=DIR $0 COMMIT WORKTREE [release|dev]" >&2
  exit 2
fi
: "${CARGO_TARGET_DIR:?CARGO_TARGET_DIR must be set to a folder outside ./target}"
commit=$1
worktree=$2
profile=${3:-release}
case "$profile" in
  release) dir=release ;;
  dev) dir=debug ;;
  *)
    echo "build-base: PROFILE must be release or dev, got $profile" >&2
    exit 2
    ;;
esac

git worktree add --detach "$worktree" "$commit"
mkdir -p "$CARGO_TARGET_DIR"
if [ -d "target/$dir" ]; then
  mkdir -p "$CARGO_TARGET_DIR/$dir"
  cp -a "target/$dir/." "$CARGO_TARGET_DIR/$dir/"
fi
cargo clean --profile "$profile" -p perfsuite --manifest-path "$worktree/Cargo.toml"
cargo build --profile "$profile" --locked --bin perfsuite --manifest-path "$worktree/Cargo.toml"
echo "built $CARGO_TARGET_DIR/$dir/perfsuite from $commit"
