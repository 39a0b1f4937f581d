#!/usr/bin/env bash
# Keeps one sticky perfsuite comment on a pull request: the first run posts it, every later run
# edits that same comment in place (found by the hidden marker it starts with), so a pull
# request with ten pushes has one comment, not ten.
#
# Usage: pr-comment.sh BODY_FILE
#
# Environment: GITHUB_REPOSITORY (owner/name), PR_NUMBER, GH_TOKEN (for `gh`), HEAD_REPO (the
# pull request's head repository, owner/name), GITHUB_STEP_SUMMARY (optional).
#
# A pull request from a fork gets a read-only token, which cannot comment: then, and whenever
# the GitHub API refuses, the body goes to the job summary with a line saying why. A missing
# BODY_FILE (the perf job did not get as far as the comparison) still updates the comment, so
# it never shows the numbers of an older push as if they were current.
#
# Exit status: 0 unless the usage is wrong (2): a comment is a courtesy, never a failure.
set -euo pipefail

readonly MARKER='<!-- perfsuite -->'

if [ "$#" -ne 1 ]; then
  echo "usage: $0 BODY_FILE" >&2
  exit 2
fi
: "${GITHUB_REPOSITORY:?GITHUB_REPOSITORY must be set (owner/name)}"
: "${PR_NUMBER:?PR_NUMBER must be set}"

body=$(mktemp)
trap 'rm -f "$body" "$body.marked" "$body.cut"' EXIT
if [ -f "$1" ]; then
  cat "$1" >"$body"
else
  printf '%s\n### perfsuite compare\n\nNo comparison for this push: the perf job stopped before it (see its log).\n' \
    "$MARKER" >"$body"
fi
if [ "$(sed -n 1p "$body")" != "$MARKER" ]; then
  # The marker must come first: it is how the next run finds this comment.
  { echo "$MARKER"; cat "$1"; } >"$body.marked"
  mv "$body.marked" "$body"
fi

# GitHub refuses comments over 65,536 characters: cut a longer body (at a line) and say so.
readonly LIMIT=60000
if [ "$(wc -c <"$body")" -gt "$LIMIT" ]; then
  head -c "$LIMIT" "$body" | sed '$d' >"$body.cut"
  printf '\n\n… cut here: the whole comparison is comparison.md in the bench-report artifact.\n' >>"$body.cut"
  mv "$body.cut" "$body"
fi

# Writes the body to the job summary, after a line saying why it is not a comment.
to_summary() {
  echo "perfsuite: $1" >&2
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    {
      echo "> $1"
      echo
      cat "$body"
    } >>"$GITHUB_STEP_SUMMARY"
  fi
}

if [ "${HEAD_REPO:-$GITHUB_REPOSITORY}" != "$GITHUB_REPOSITORY" ]; then
  to_summary "This pull request comes from a fork, whose token cannot comment; the comparison is in this job summary instead."
  exit 0
fi

# The id of the first comment that starts with the marker, if any.
if ! existing=$(gh api --paginate "repos/$GITHUB_REPOSITORY/issues/$PR_NUMBER/comments" \
  --jq "[.[] | select(.body | startswith(\"$MARKER\"))][0].id // empty" | sed -n 1p); then
  to_summary "Could not list the pull request's comments (see the log); the comparison is in this job summary instead."
  exit 0
fi

if [ -n "$existing" ]; then
  if gh api --method PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$existing" \
    -F "body=@$body" >/dev/null; then
    echo "perfsuite: updated comment $existing"
  else
    to_summary "Could not update the pull request comment (see the log); the comparison is in this job summary instead."
  fi
elif gh api --method POST "repos/$GITHUB_REPOSITORY/issues/$PR_NUMBER/comments" \
  -F "body=@$body" >/dev/null; then
  echo "perfsuite: posted a comment"
else
  to_summary "Could not comment on the pull request (see the log); the comparison is in this job summary instead."
fi
