//! The command line, as clap sees it. Nothing outside `main` and `commands` uses these types.

use std::ops::RangeInclusive;
use std::path::PathBuf;

use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config;
use crate::shard::Shard;

/// Exit codes and examples, after the options in `perfsuite --help`.
pub const AFTER_HELP: &str = "\
Exit codes:
  0    the suite ran; budget warnings and failures alone change nothing without --strict
  1    --strict, and a budget check failed (compare: a regression past its fail threshold)
  2    nothing could be judged: bad command line, invalid scenario or budget file,
       unreadable results, unusable output folder
  3    --strict, and a scenario could not be measured (crash, time-out); bench refused
  130  interrupted (Ctrl-C)

Examples:
  perfsuite check                     validate scenarios/ and budgets/, run nothing
  perfsuite run                       run scenarios/, write perf-results/, print the table
  perfsuite run --strict --format markdown >> \"$GITHUB_STEP_SUMMARY\"
  perfsuite compare main-results/ perf-results/
  perfsuite ab --base ./perfsuite-main
  perfsuite completions bash > ~/.local/share/bash-completion/completions/perfsuite";

/// A declarative performance-regression suite for a trading backtester.
#[derive(Debug, Parser)]
#[command(
    name = "perfsuite",
    version,
    about,
    propagate_version = true,
    arg_required_else_help = true,
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// When to colour verdicts: auto (a terminal, and NO_COLOR unset), always, never.
    #[arg(long, value_name = "WHEN", value_enum, global = true, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset.
    Auto,
    /// Always colour, even when piped.
    Always,
    /// Never colour.
    Never,
}

impl From<ColorWhen> for anstream::ColorChoice {
    fn from(c: ColorWhen) -> Self {
        match c {
            ColorWhen::Auto => Self::Auto,
            ColorWhen::Always => Self::Always,
            ColorWhen::Never => Self::Never,
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// One ad-hoc measurement; prints one JSON object on stdout (the runbook's script).
    Bench(BenchArgs),
    /// Run every scenario, judge it against its budget, write results, print the table.
    Run(RunArgs),
    /// Compare two result sets (results folders or bench.json files), e.g. main vs a branch.
    Compare(CompareArgs),
    /// Run every scenario on another perfsuite build and on this one, interleaved, and compare.
    Ab(AbArgs),
    /// Parse and validate scenarios and budgets; run nothing.
    Check(SuiteArgs),
    /// Show the scenarios found, with their resolved settings and budget.
    List(SuiteArgs),
    /// Join the result sets of CI shards into one.
    Merge(MergeArgs),
    /// This build against itself, interleaved: the noise per scenario, the smallest change `ab`
    /// detects, suggested repeats.
    Calibrate(CalibrateArgs),
    /// Print shell completions (or, with --man, the man page) on stdout.
    Completions(CompletionsArgs),
    /// Record result sets in the history database.
    #[command(subcommand)]
    History(HistoryCommand),
    /// Per scenario and metric, the series over the history and its change points.
    Trend(TrendArgs),
    /// Write one self-contained HTML page: trends, budgets, change points, the latest results.
    Report(ReportArgs),
}

/// `perfsuite completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, required_unless_present = "man")]
    pub shell: Option<clap_complete::Shell>,
    /// Print the man page (roff) instead, e.g. `perfsuite completions --man > perfsuite.1`.
    #[arg(long, conflicts_with = "shell")]
    pub man: bool,
}

/// `perfsuite bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Candles to generate and backtest [default: 200000; with --data, every row].
    #[arg(long, value_parser = clap::value_parser!(u64).range(positive(config::CANDLES)))]
    pub candles: Option<u64>,
    /// Seed of the candle generator.
    #[arg(long, default_value_t = config::DEFAULT_SEED)]
    pub seed: u64,
    /// Measured runs after the warm-up.
    #[arg(long, default_value_t = config::DEFAULT_REPEATS, value_parser = clap::value_parser!(u32).range(config::REPEATS))]
    pub repeats: u32,
    /// Symbol of the candle series.
    #[arg(long, default_value = config::DEFAULT_SYMBOL)]
    pub symbol: String,
    /// Uncounted warm-up runs.
    #[arg(long, default_value_t = config::DEFAULT_WARMUP, value_parser = clap::value_parser!(u32).range(config::WARMUP))]
    pub warmup: u32,
    /// Engine settings as a JSON object (the `[engine]` keys of a scenario); unset keys default.
    /// Internal: how `run` passes a scenario's engine to its child.
    #[arg(long, value_name = "JSON", hide = true)]
    pub engine_json: Option<String>,
    /// Backtest the candles of this CSV file (Binance klines or a generic OHLCV CSV) instead
    /// of generated ones; with --candles, only its first N rows.
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Run an external engine instead of the built-in one, as a JSON object
    /// `{"argv": ["python3", "bench.py"], "dir": "FOLDER"}` (what `run` passes for a scenario's
    /// `engine.command`).
    #[arg(long, value_name = "JSON")]
    pub engine_command: Option<String>,
    /// Report progress as `perfsuite-progress:` lines on stderr. Internal: `run`'s child.
    #[arg(long, hide = true)]
    pub progress: bool,
    /// Also count the engine's instructions per run under valgrind's callgrind, in a child
    /// process of its own (see docs/instruction-counts.md).
    #[arg(long)]
    pub instructions: bool,
    /// Mark the measured runs for callgrind instead of timing their stages: the child side of
    /// an instruction count, run under `valgrind --tool=callgrind`.
    #[arg(long, hide = true)]
    pub callgrind_marks: bool,
}

/// Where scenarios and budgets come from.
#[derive(Debug, Args)]
pub struct SuiteArgs {
    /// Scenario files or folders (searched recursively for *.toml).
    #[arg(value_name = "PATH", default_value = "scenarios")]
    pub paths: Vec<PathBuf>,
    /// Budget folder or file [default: budgets/ beside the scenarios (up to the repository's
    /// root) or in the current folder, else the built-in default profile].
    #[arg(long, value_name = "PATH")]
    pub budgets: Option<PathBuf>,
    /// Only scenarios whose name contains PATTERN (`*` and `?` are wildcards).
    #[arg(long, value_name = "PATTERN")]
    pub filter: Option<String>,
    /// Only shard K of N (1-based), balanced by work.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
}

/// How a summary or a comparison is printed on stdout: the one format type of `output`,
/// spelled for `--format` here so that clap stays in this file.
pub use crate::output::Format;

impl ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        &[Self::Table, Self::Markdown, Self::Json, Self::Github]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            Self::Table => PossibleValue::new("table").help("A table for people"),
            Self::Markdown => PossibleValue::new("markdown")
                .help("Markdown, e.g. for `$GITHUB_STEP_SUMMARY` or a pull-request comment"),
            Self::Json => PossibleValue::new("json").help("JSON for tools"),
            Self::Github => PossibleValue::new("github").help(
                "GitHub Actions annotations (`::warning`/`::error` lines); under \
                 `GITHUB_ACTIONS=true` they are also written to stderr with any other format",
            ),
        })
    }
}

/// Options shared by the commands that measure.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Folder receiving `<scenario>/bench.json`, `summary.json` and `summary.md`.
    #[arg(long, value_name = "DIR", default_value = "perf-results")]
    pub out: PathBuf,
    /// Exit 1 on a failed budget check and 3 on a scenario that could not be measured.
    #[arg(long)]
    pub strict: bool,
    /// Format of the summary on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Print nothing on stdout; no progress on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    /// Also write the budget checks (and any comparison) as JUnit XML to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
}

/// How many repeats: a count, or `auto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepeatsArg {
    /// This many repeats.
    Count(u32),
    /// Sample until the answer is known, within the bounds.
    Auto,
}

fn parse_repeats(text: &str) -> Result<RepeatsArg, String> {
    if text == "auto" {
        return Ok(RepeatsArg::Auto);
    }
    match text.parse::<u32>() {
        Ok(n) if config::REPEATS.contains(&i64::from(n)) => Ok(RepeatsArg::Count(n)),
        _ => Err(format!(
            "expected a whole number from {} to {} or `auto`, got `{text}`",
            config::REPEATS.start(),
            config::REPEATS.end()
        )),
    }
}

/// A range of the scenario files' `i64` bounds as the `u64` range clap checks a flag with; the
/// bounds are positive.
fn positive(range: RangeInclusive<i64>) -> RangeInclusive<u64> {
    range.start().unsigned_abs()..=range.end().unsigned_abs()
}

/// Overrides of the scenarios' repeats, for every scenario selected.
#[derive(Debug, Clone, Default, Args)]
pub struct SamplingArgs {
    /// Repeats of every scenario: a count, or `auto` to sample until the answer is known.
    #[arg(long, value_name = "N|auto", value_parser = parse_repeats)]
    pub repeats: Option<RepeatsArg>,
    /// With `auto`: repeats before the first look [default: 5].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(config::REPEATS))]
    pub min_repeats: Option<u32>,
    /// With `auto`: most repeats (per side, for `ab`) [default: 40].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(config::REPEATS))]
    pub max_repeats: Option<u32>,
    /// With `auto`: most seconds of measuring per scenario [default: 20].
    #[arg(long = "max-time", value_name = "SECONDS")]
    pub max_time_s: Option<f64>,
}

/// `perfsuite run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenarios and budgets.
    #[command(flatten)]
    pub suite: SuiteArgs,
    /// Repeats of every scenario, overriding the files.
    #[command(flatten)]
    pub sampling: SamplingArgs,
    /// Output options.
    #[command(flatten)]
    pub output: OutputArgs,
    /// After the run, compare with this earlier result set.
    #[arg(long, value_name = "DIR")]
    pub baseline: Option<PathBuf>,
    /// Count instructions under valgrind for every scenario, as if each said
    /// `measure = ["wall", "instructions"]`.
    #[arg(long)]
    pub instructions: bool,
}

/// `perfsuite compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The reference: a results folder or one bench.json.
    pub base: PathBuf,
    /// The candidate: a results folder or one bench.json.
    pub head: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Exit 1 on a regression past its fail threshold or a changed fingerprint.
    #[arg(long)]
    pub strict: bool,
    /// Also write the comparison as JUnit XML to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
}

/// `perfsuite ab`.
#[derive(Debug, Args)]
pub struct AbArgs {
    /// The other perfsuite binary, run as A (the base) for scenarios on the built-in engine.
    #[arg(long, value_name = "BINARY")]
    pub base: Option<PathBuf>,
    /// The base checkout, for scenarios with an external engine (`engine.command`): A runs the
    /// command in the scenario's folder inside this checkout, B in this one.
    #[arg(long, value_name = "DIR")]
    pub base_dir: Option<PathBuf>,
    /// Scenarios and budgets.
    #[command(flatten)]
    pub suite: SuiteArgs,
    /// Repeats (rounds) of every scenario, overriding the files.
    #[command(flatten)]
    pub sampling: SamplingArgs,
    /// Output options; base results go to OUT/base, this build's to OUT/head.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Count instructions of both builds under valgrind for every scenario, as if each said
    /// `measure = ["wall", "instructions"]`.
    #[arg(long)]
    pub instructions: bool,
}

/// `perfsuite merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Result folders of the shards.
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Folder receiving the joined result set.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Refuse (exit 2, nothing written) shards measured on different commits, build profiles
    /// or machines, instead of warning.
    #[arg(long)]
    pub strict: bool,
}

/// `perfsuite calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Scenarios and budgets.
    #[command(flatten)]
    pub suite: SuiteArgs,
    /// Repeats of every scenario to judge the detection at, overriding the files.
    #[command(flatten)]
    pub sampling: SamplingArgs,
    /// Rounds (one run of this build on each side) measured per scenario.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(5..=10_000))]
    pub rounds: u32,
    /// Write suggested settings to FILE, for review.
    #[arg(long, value_name = "FILE")]
    pub write: Option<PathBuf>,
    /// Format of the results on stdout (`markdown` prints the table).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Print nothing on stdout; no progress on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `perfsuite history`.
#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// Record result sets (results folders or bench.json files); results already held are skipped.
    Add(HistoryAddArgs),
    /// Record every bench.json under a folder, e.g. downloaded `bench-report` artifacts.
    Import(HistoryImportArgs),
}

/// The history database.
#[derive(Debug, Args)]
pub struct DbArgs {
    /// The history database (SQLite; created by `history add` and `history import`).
    #[arg(long, value_name = "FILE", default_value = "perf-history.sqlite")]
    pub db: PathBuf,
}

/// `perfsuite history add`.
#[derive(Debug, Args)]
pub struct HistoryAddArgs {
    /// Results folders or bench.json files.
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// The database.
    #[command(flatten)]
    pub db: DbArgs,
}

/// `perfsuite history import`.
#[derive(Debug, Args)]
pub struct HistoryImportArgs {
    /// A folder searched for bench.json files at any depth (links are not followed).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The database.
    #[command(flatten)]
    pub db: DbArgs,
}

/// Which series to analyse, and how.
#[derive(Debug, Args)]
pub struct TrendOptions {
    /// The database.
    #[command(flatten)]
    pub db: DbArgs,
    /// Only results measured on this branch.
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,
    /// Only scenarios whose name contains PATTERN (`*` and `?` are wildcards).
    #[arg(long, value_name = "PATTERN")]
    pub filter: Option<String>,
    /// A change point needs a t-test p-value below this.
    #[arg(long, value_name = "P", default_value_t = 0.001, value_parser = p_value)]
    pub p_value: f64,
    /// The fewest points of a confirmed level; a younger new level is "pending".
    #[arg(long, value_name = "N", default_value_t = 6, value_parser = clap::value_parser!(u16).range(2..=1000))]
    pub min_points: u16,
}

/// How `trend` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TrendFormat {
    /// A table of the change points.
    Table,
    /// JSON for tools.
    Json,
}

/// `perfsuite trend`.
#[derive(Debug, Args)]
pub struct TrendArgs {
    /// Series and detector settings.
    #[command(flatten)]
    pub options: TrendOptions,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TrendFormat::Table)]
    pub format: TrendFormat,
}

/// `perfsuite report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Series and detector settings.
    #[command(flatten)]
    pub options: TrendOptions,
    /// The HTML file to write.
    #[arg(long, value_name = "FILE.html")]
    pub out: PathBuf,
}

/// A p-value: a number strictly between 0 and 1.
fn p_value(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(p) if p > 0.0 && p < 1.0 => Ok(p),
        _ => Err(format!(
            "expected a number between 0 and 1 (exclusive), got `{text}`"
        )),
    }
}
