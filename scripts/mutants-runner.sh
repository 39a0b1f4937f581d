#!/bin/bash
# A cargo test runner for mutation runs on a slow machine (docs/mutants.md): it runs every test
# cargo test would run, but stops at the first failure and runs the slow library tests last,
# so a caught mutant costs its build and a second or two of tests. Use it through cargo's
# runner setting in the tree cargo-mutants works on, e.g. in its .cargo/config.toml:
#
#   [target.x86_64-unknown-linux-gnu]
#   runner = "/absolute/path/to/scripts/mutants-runner.sh"
#
# libtest's --fail-fast is unstable; RUSTC_BOOTSTRAP=1 lets the stable test harness accept it
# (it is set for the test binary only, not for any build). Give it no test-name filter: the
# second pass names its tests exactly.
set -u
bin="$1"
shift
export RUSTC_BOOTSTRAP=1
fast=(-Z unstable-options --fail-fast)
case "$(basename "$bin")" in
  perfsuite-*)
    # The library's slowest tests, about 25 s of CPU together in a debug build: run after the
    # rest. The list only orders: a name missing from it still runs in the first pass, and a
    # stale name matches nothing in the second.
    slow=(
      results::folder_props::nothing_outside_out_and_nothing_perfsuite_did_not_write_is_touched
      sampling::sequential::tests::looking_after_every_round_keeps_the_false_alarm_rate_at_alpha
      calibrate::tests::a_smaller_change_needs_more_repeats
      calibrate::tests::the_smallest_detectable_slowdown_is_past_the_threshold_and_small_at_low_noise
      sampling::sequential::tests::a_large_change_stops_early_and_no_change_stops_on_the_threshold
      engine::tests::fingerprint_is_identical_for_any_batch_size
      output::html::tests::twenty_scenarios_of_a_thousand_runs_make_a_page_under_one_megabyte
      calibrate::tests::no_change_is_almost_never_called_and_a_large_one_always
      measure::child::tests::a_flood_on_stdout_or_stderr_stops_at_the_cap
      sampling::sequential::tests::a_five_percent_slowdown_at_the_shipped_noise_is_called_nine_times_in_ten
      trend::edivisive::tests::splitting_segment_by_segment_finds_what_scanning_every_split_finds
    )
    # With test-name filters (e.g. `-- -- stats:: compare::`), each filter is a pass of its
    # own, in the order given (the mutated module's tests first, not in name order), and the
    # last pass keeps only the slow tests those filters select, as libtest would. Give options
    # that take a value as `--option=value`: a separate word would be read as a filter.
    filters=()
    options=()
    for arg in "$@"; do
      if [[ $arg == -* ]]; then options+=("$arg"); else filters+=("$arg"); fi
    done
    skips=()
    selected=()
    for name in "${slow[@]}"; do
      skips+=(--skip "$name")
      keep=$((${#filters[@]} == 0))
      for f in "${filters[@]}"; do
        [[ $name == *"$f"* ]] && keep=1
      done
      ((keep)) && selected+=("$name")
    done
    if ((${#filters[@]})); then
      for f in "${filters[@]}"; do
        "$bin" "${fast[@]}" "${options[@]}" "$f" "${skips[@]}" || exit
      done
    else
      "$bin" "${fast[@]}" "$@" "${skips[@]}" || exit
    fi
    ((${#selected[@]})) || exit 0
    exec "$bin" "${fast[@]}" "${options[@]}" --exact "${selected[@]}"
    ;;
  *)
    exec "$bin" "${fast[@]}" "$@"
    ;;
esac
