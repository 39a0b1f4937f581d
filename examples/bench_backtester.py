#!/usr/bin/env python3
"""A minimal backtester speaking perfsuite's external-engine protocol (docs/external-engines.md).

It takes the runbook's arguments, backtests an EMA crossover over generated candles (or the
candles of --data), and prints one JSON object on stdout. Point perfsuite at your own
backtester the same way: read these arguments, time your run, print this object.
"""
import argparse
import csv
import hashlib
import json
import random
import resource
import sys
import time

BATCH = 4096


def generated(n, seed, symbol):
    """`n` closes of a seeded random walk; the symbol picks its own stream."""
    rng = random.Random(f"{seed}:{symbol}")
    price, closes = 30_000.0, []
    for _ in range(n):
        price *= 1.0 + rng.gauss(0.0, 0.002)
        closes.append(price)
    return closes


def from_file(path, limit):
    """The first `limit` closes (all for None) of a Binance kline file (no header) or of a CSV
    whose header names `close`."""
    with open(path, newline="") as f:
        rows = [row for row in csv.reader(f) if row]
    if rows[0][0].strip().isdigit():
        column = 4
    else:
        column = [name.strip().lower() for name in rows.pop(0)].index("close")
    return [float(row[column]) for row in rows[:limit]]


def backtest(closes, latencies):
    """EMA(12/26) crossover, long only, all in; batch times appended to `latencies` (ms)."""
    fast = slow = closes[0]
    cash, units, trades = 1_000_000.0, 0.0, []
    for start in range(0, len(closes), BATCH):
        clock = time.perf_counter()
        for i in range(start, min(start + BATCH, len(closes))):
            price = closes[i]
            fast += (price - fast) * 2 / 13
            slow += (price - slow) * 2 / 27
            if units == 0.0 and fast > slow:
                units, cash = cash / price, 0.0
                trades.append(i)
            elif units > 0.0 and fast < slow:
                cash, units = units * price, 0.0
                trades.append(i)
        latencies.append((time.perf_counter() - clock) * 1000)
    return trades, cash + units * closes[-1]


def percentile(values, q):
    """Linear interpolation between order statistics, as numpy's default."""
    s = sorted(values)
    rank = q / 100 * (len(s) - 1)
    low = int(rank)
    high = min(low + 1, len(s) - 1)
    return s[low] + (s[high] - s[low]) * (rank - low)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--candles", type=int)
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--symbol", default="BTCUSDT")
    p.add_argument("--data")
    a = p.parse_args()
    if a.data:
        closes = from_file(a.data, a.candles)
    else:
        closes = generated(a.candles or 200_000, a.seed, a.symbol)
    backtest(closes, [])  # warm-up
    samples, latencies = [], []
    for _ in range(a.repeats):
        clock = time.perf_counter()
        trades, equity = backtest(closes, latencies)
        samples.append(len(closes) / (time.perf_counter() - clock))
    digest = hashlib.sha256(json.dumps([trades, round(equity, 6)]).encode()).hexdigest()[:16]
    json.dump({
        "protocol": 1,
        "candles": len(closes),
        "repeats": a.repeats,
        "seed": a.seed,
        "symbol": a.symbol,
        "candles_per_sec": {
            "min": min(samples),
            "median": percentile(samples, 50),
            "p95": percentile(samples, 95),
            "samples": samples,
        },
        "p95_stage_latency_ms": percentile(latencies, 95),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "fingerprint": {"trades": len(trades) // 2, "final_equity": equity, "digest": digest},
    }, sys.stdout)
    print()


if __name__ == "__main__":
    main()
