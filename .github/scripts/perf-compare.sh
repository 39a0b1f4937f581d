#!/usr/bin/env bash
# Compares two perfsuite builds on this machine with `perfsuite ab` (repeats interleaved
# A B A B, so both builds see the same noise) and writes everything a reviewer and a later
# step need into OUT:
#
#   OUT/base/, OUT/head/   each side's results (bench.json per scenario, summary.json/.md)
#   OUT/comparison.md      the comparison as Markdown
#   OUT/comparison.json    the comparison as JSON (schema/compare.schema.json)
#   OUT/junit.xml          head's budget checks and the comparison as JUnit XML
#   OUT/comment.md         the pull-request comment: a hidden marker, the comparison, a footer
#
# Usage: perf-compare.sh BASE_BINARY HEAD_BINARY OUT [SCENARIO_PATH...]
#
# Optional environment: BASE_SHA and HEAD_SHA (named in the footer; with both, scenario and
# budget files that differ between them are listed, since `ab` judges both builds by head's
# files), GITHUB_STEP_SUMMARY (the comparison is appended to it). Under GitHub Actions, perfsuite
# writes annotations for regressions to stderr by itself.
#
# Exit status: 0 whatever the verdicts (the perf job is warn-only); 2 on bad usage; perfsuite's
# own status when it could not compare at all.
set -euo pipefail

# The marker the PR comment is found by; pr-comment.sh looks for the same string.
readonly MARKER='<!-- perfsuite -->'

if [ "$#" -lt 3 ]; then
  echo "usage: $0 BASE_BINARY HEAD_BINARY OUT [SCENARIO_PATH...]" >&2
  exit 2
fi
base_bin=$1
head_bin=$2
out=$3
shift 3
if [ "$#" -eq 0 ]; then
  set -- scenarios
fi
for bin in "$base_bin" "$head_bin"; do
  if [ ! -x "$bin" ]; then
    echo "perf-compare: $bin is not an executable perfsuite binary" >&2
    exit 2
  fi
done

mkdir -p "$out"
status=0
"$head_bin" ab --base "$base_bin" --out "$out" --format markdown \
  --junit "$out/junit.xml" "$@" >"$out/comparison.md" || status=$?
if [ "$status" -ne 0 ]; then
  echo "perf-compare: perfsuite ab exited with status $status" >&2
  {
    echo "### perfsuite compare"
    echo
    echo "The interleaved comparison could not run (perfsuite ab exited with status $status); see the perf job's log."
  } >"$out/comparison.md"
else
  # ab has annotated the regressions already (under GitHub Actions); not twice.
  env -u GITHUB_ACTIONS "$head_bin" compare "$out/base" "$out/head" --format json >"$out/comparison.json"
fi

{
  echo "$MARKER"
  cat "$out/comparison.md"
  echo
  if [ -n "${BASE_SHA:-}" ] && [ -n "${HEAD_SHA:-}" ]; then
    # ab runs head's scenarios and budgets on both builds; changes to them are listed here,
    # since a budget loosened on head is judged by head's own looser budget.
    changed=$(git diff --name-only "$BASE_SHA" "$HEAD_SHA" -- scenarios budgets 2>/dev/null || true)
    if [ -n "$changed" ]; then
      echo "Scenario and budget files this pull request changes (both builds ran head's):"
      echo
      while IFS= read -r file; do
        echo "- \`$file\`"
      done <<<"$changed"
      echo
    fi
    echo "<sub>perfsuite ab on one runner, repeats interleaved: base \`${BASE_SHA:0:12}\` vs head \`${HEAD_SHA:0:12}\`. Results, JSON and JUnit are in the \`bench-report\` artifact.</sub>"
  else
    echo "<sub>perfsuite ab on one runner, repeats interleaved. Results, JSON and JUnit are in the \`bench-report\` artifact.</sub>"
  fi
} >"$out/comment.md"

if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  {
    echo
    cat "$out/comparison.md"
  } >>"$GITHUB_STEP_SUMMARY"
fi
exit "$status"
