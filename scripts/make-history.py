#!/usr/bin/env python3
"""Writes a large generated history database, for timing `perfsuite trend` and `perfsuite report`
(docs/history.md, "Speed").

Every scenario gets RUNS results: throughput around 1,000,000 candles/s with 2 % noise and a
step of ±5 % every 400 runs, p95 stage latency and peak RSS as pure noise. Deterministic: the
same file on every run.

The schema is not written here: SEED is a history perfsuite made, whose tables are emptied and
refilled in a copy, so the file is always the schema of the perfsuite that made SEED:

    perfsuite run scenarios/runbook-smoke.toml --out /tmp/seed
    perfsuite history add /tmp/seed --db /tmp/seed.sqlite
    python3 scripts/make-history.py /tmp/seed.sqlite /tmp/big.sqlite [--scenarios 20] [--runs 10000]
    perfsuite trend --db /tmp/big.sqlite
"""
import argparse
import random
import shutil
import sqlite3

CHECKS = (
    '[{"metric":"candles_per_sec.min","kind":"floor","value":900000.0,"floor":833.0,'
    '"warn":900.0,"verdict":"pass"},{"metric":"p95_stage_latency_ms","kind":"ceiling",'
    '"value":2.0,"ceiling":50.0,"warn":40.0,"verdict":"pass"}]'
)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("seed", help="a history database perfsuite wrote")
    p.add_argument("out", help="the database to write (replaced)")
    p.add_argument("--scenarios", type=int, default=20)
    p.add_argument("--runs", type=int, default=10_000)
    a = p.parse_args()
    shutil.copyfile(a.seed, a.out)
    db = sqlite3.connect(a.out)
    for table in ("sample", "metric", "result"):
        db.execute(f"DELETE FROM {table}")
    rnd = random.Random(42)
    rid = 0
    for s in range(a.scenarios):
        level = 1e6
        for i in range(a.runs):
            if i % 400 == 399:
                level *= 1 + rnd.choice([-1, 1]) * 0.05
            rid += 1
            started = "2024-%02d-%02dT%02d:%02d:%02dZ" % (
                1 + i // 86400 // 28 % 12,
                1 + i // 86400 % 28,
                i // 3600 % 24,
                i // 60 % 60,
                i % 60,
            )
            db.execute(
                "INSERT INTO result (id, scenario, run_key, started_at, git_commit, git_branch,"
                " perfsuite, build_profile, os, cpu, cores, memory_mb, config_digest,"
                " fingerprint_digest, trades, final_equity, budget_profile, checks, verdict)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (rid, "scenario-%02d" % s, "k%d" % rid, started, "%040x" % i, "main", "0.1.0",
                 "release", "Linux", "cpu", 4, 16000, "cfg", "9e3779b97f4a7c15", 42, 1.0,
                 "default", CHECKS, "pass"),
            )
            v = level * (1 + 0.02 * rnd.gauss(0, 1))
            metric = "INSERT INTO metric (result_id, name, value, low, high) VALUES (?,?,?,?,?)"
            db.execute(metric, (rid, "candles_per_sec", v, v * 0.98, v * 1.01))
            db.execute(metric, (rid, "p95_stage_latency_ms", 2 + 0.05 * rnd.gauss(0, 1), None, None))
            db.execute(metric, (rid, "peak_rss_mb", 200 + rnd.gauss(0, 1), None, None))
    db.commit()
    print(f"wrote {rid} results ({a.scenarios} scenarios x {a.runs} runs) to {a.out}")


if __name__ == "__main__":
    main()
