#!/usr/bin/env python3
"""Writes data/btcusdt-1m-sample.csv: three days of made-up BTCUSDT minute candles in the layout
of a Binance spot kline file (12 columns, no header, open times in microseconds as from 2025).

The candles are generated, not recorded, so the file carries no licence of an exchange. Unlike
perfsuite's smooth built-in generator they have what recorded data has: volatility that comes
in regimes, volume bursts with the big moves, a few missing minutes, and minutes without trades.
Deterministic: the same file on every run.

    python3 scripts/make-sample-data.py [--rows N] [--out FILE]
"""
import argparse
import math
import os
import random

START_US = 1_735_689_600_000_000  # 2025-01-01T00:00:00Z
MINUTE_US = 60_000_000


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=3 * 24 * 60)
    p.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "data", "btcusdt-1m-sample.csv"))
    a = p.parse_args()
    rng = random.Random(20250101)
    price, vol, t = 94_000.0, 0.0008, START_US
    lines = []
    while len(lines) < a.rows:
        if rng.random() < 0.002:  # an exchange hiccup: a few minutes missing
            t += MINUTE_US * rng.randint(1, 5)
        if rng.random() < 0.01:  # a new volatility regime
            vol = min(0.004, max(0.0003, vol * math.exp(rng.gauss(0.0, 0.5))))
        ret = rng.gauss(0.0, vol) + (rng.choice((-1, 1)) * vol * 8 if rng.random() < 0.003 else 0.0)
        o, c = price, price * math.exp(ret)
        h = max(o, c) * (1 + abs(rng.gauss(0.0, vol / 2)))
        l = min(o, c) * (1 - abs(rng.gauss(0.0, vol / 2)))
        quiet = rng.random() < 0.002
        v = 0.0 if quiet else round(rng.lognormvariate(2.0, 0.6) * (1 + abs(ret) / vol), 5)
        if quiet:
            h = l = c = o
        trades = 0 if quiet else rng.randint(50, 3000)
        quote = v * (o + c) / 2
        lines.append(
            f"{t},{o:.2f},{h:.2f},{l:.2f},{c:.2f},{v:.5f},{t + MINUTE_US - 1},"
            f"{quote:.4f},{trades},{v / 2:.5f},{quote / 2:.4f},0\n"
        )
        price, t = c, t + MINUTE_US
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        f.writelines(lines)
    print(f"wrote {len(lines)} candles to {os.path.normpath(a.out)}")


if __name__ == "__main__":
    main()
