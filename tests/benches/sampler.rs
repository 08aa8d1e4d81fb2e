//! The metrics sampler's cost per sample, against reading the same /proc files raw (what a
//! node_exporter-style collector must do at least), measured in the same run in interleaved
//! rounds. At one sample a second, the time per sample is the share of one core.

use roxy_core::metrics::{rates, Snapshot};
use std::time::{Duration, Instant};

const ROUNDS: usize = 10;
const PER_ROUND: usize = 200;
const FILES: [&str; 5] = [
    "/proc/stat",
    "/proc/meminfo",
    "/proc/loadavg",
    "/proc/net/dev",
    "/proc/diskstats",
];

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = runtime
        .block_on(roxy_core::Store::open(dir.path()))
        .unwrap();
    let (mut raw, mut parsed, mut stored) = (Vec::new(), Vec::new(), Vec::new());
    let mut before = Snapshot::read();
    let mut at = 0i64;
    for _ in 0..ROUNDS {
        let t = Instant::now();
        for _ in 0..PER_ROUND {
            for f in FILES {
                std::hint::black_box(std::fs::read_to_string(f).unwrap());
            }
        }
        raw.push(t.elapsed() / PER_ROUND as u32);

        let t = Instant::now();
        for _ in 0..PER_ROUND {
            let now = Snapshot::read();
            std::hint::black_box(rates(&before, &now));
            before = now;
        }
        parsed.push(t.elapsed() / PER_ROUND as u32);

        let t = Instant::now();
        for _ in 0..PER_ROUND {
            let now = Snapshot::read();
            let values = rates(&before, &now);
            // One sample per simulated second, as roxyd writes them.
            at += 1000;
            runtime.block_on(store.record_metrics(at, &values)).unwrap();
            before = now;
        }
        stored.push(t.elapsed() / PER_ROUND as u32);
    }
    let (raw, parsed, stored) = (median(raw), median(parsed), median(stored));
    let share = |d: Duration| d.as_secs_f64() * 100.0;
    println!("\nmetrics sampler, per sample (median of {ROUNDS} rounds of {PER_ROUND})");
    println!(
        "{:<44} {:>10} {:>8} {:>12}",
        "", "time", "ratio", "core @ 1 Hz"
    );
    for (name, d) in [
        ("read the 5 /proc files raw (baseline)", raw),
        ("roxyd: read + parse + rates", parsed),
        ("roxyd: read + parse + rates + SQLite tiers", stored),
    ] {
        println!(
            "{name:<44} {:>8.0}µs {:>7.2}× {:>11.3}%",
            d.as_secs_f64() * 1e6,
            d.as_secs_f64() / raw.as_secs_f64(),
            share(d)
        );
    }
    let size: u64 = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "database after {} samples of {} metrics: {} KiB",
        ROUNDS * PER_ROUND,
        rates(&before, &Snapshot::read()).len(),
        size / 1024
    );
}
