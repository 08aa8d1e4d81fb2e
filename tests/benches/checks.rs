//! roxyd's CPU with its sampler alone, then with 100 checks probing every second (HTTP, TCP
//! and DNS against loopback), measured in the same run from /proc/<pid>/stat; and how the
//! database grows at these settings. The ratio is the figure; machines differ.

use roxy_tests::{Reply, TestBus, WebServer};
use std::time::{Duration, Instant};

const WARM_UP: Duration = Duration::from_secs(5);
const WINDOW: Duration = Duration::from_secs(60);
const CHECKS: usize = 100;

/// utime + stime of a process, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("roxyd runs");
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    // After the command: state is field 3, utime 14, stime 15 (1-based in proc(5)).
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// Percent of one core used by `pid` over `window`.
fn cpu_percent(pid: u32, window: Duration) -> f64 {
    let ticks_per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    let (before, start) = (cpu_ticks(pid), Instant::now());
    std::thread::sleep(window);
    let used = (cpu_ticks(pid) - before) as f64 / ticks_per_second;
    used / start.elapsed().as_secs_f64() * 100.0
}

fn db_bytes(bus: &TestBus) -> u64 {
    ["roxy.db", "roxy.db-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(bus.data_dir().join(f)).ok())
        .map(|m| m.len())
        .sum()
}

fn main() {
    let bus = TestBus::new();
    assert!(bus.roxyctl(&["status"]).status.success());
    let pid = bus.daemon_pid().expect("roxyd was activated");
    std::thread::sleep(WARM_UP);
    let sampler_only = cpu_percent(pid, WINDOW);

    let web = WebServer::start(Reply {
        status: 200,
        body: "ok".into(),
        slow_delay: Duration::ZERO,
    });
    for i in 0..CHECKS {
        let target = match i % 5 {
            0 | 1 => web.url("/health"),
            2 | 3 => format!("tcp://127.0.0.1:{}", web.port),
            _ => "dns://localhost".to_owned(),
        };
        let name = format!("bench-{i:03}");
        let out = bus.roxyctl(&["infra", "check", "add", &name, &target, "--every", "1s"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    std::thread::sleep(WARM_UP);
    let db_before = db_bytes(&bus);
    let with_checks = cpu_percent(pid, WINDOW);
    let db_after = db_bytes(&bus);
    let checks = bus.roxyctl_json(&["infra", "checks"]);
    let up = checks
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["up"] == 1)
        .count();

    let metrics = bus
        .roxyctl_json(&["metrics", "now"])
        .as_array()
        .map(|a| a.len())
        .unwrap_or(0);
    let series = metrics + CHECKS * 2;
    let grown_per_minute = db_after.saturating_sub(db_before) as f64 / WINDOW.as_secs_f64() * 60.0;
    // After the first hour the one-second tier stops growing (it keeps an hour); what stays
    // is one minute row and 1/60 hour row per series per minute.
    let raw_rows_per_minute = series as f64 * 60.0;
    let kept_rows_per_minute = series as f64 * (1.0 + 1.0 / 60.0);
    let bytes_per_row = grown_per_minute / (raw_rows_per_minute + kept_rows_per_minute);
    let per_day_after_first_hour = kept_rows_per_minute * 1440.0 * bytes_per_row;

    println!();
    println!(
        "roxyd CPU over {} s each, same run ({} checks up of {CHECKS})",
        WINDOW.as_secs(),
        up
    );
    println!("{:<44} {:>12} {:>8}", "case", "% of a core", "ratio");
    println!(
        "{:<44} {:>12.3} {:>8.2}",
        "sampler only (baseline)", sampler_only, 1.0
    );
    println!(
        "{:<44} {:>12.3} {:>8.2}",
        format!("sampler + {CHECKS} checks at 1 s"),
        with_checks,
        with_checks / sampler_only.max(1e-9)
    );
    println!();
    println!("database growth ({series} series: {metrics} host metrics + {CHECKS} checks × 2)");
    println!(
        "{:<44} {:>12.1} KiB",
        "first hour, per minute",
        grown_per_minute / 1024.0
    );
    println!(
        "{:<44} {:>12.1}",
        "bytes per stored row (measured)", bytes_per_row
    );
    println!(
        "{:<44} {:>12.1} MiB",
        "per day after the first hour (estimate)",
        per_day_after_first_hour / 1048576.0
    );
    println!(
        "{:<44} {:>12.1} MiB",
        "at most (7 d of minutes + 1 y of hours + 1 h)",
        (series as f64 * (10_080.0 + 8_760.0 + 3_600.0) * bytes_per_row) / 1048576.0
    );
    // Default settings: no checks, the host metrics only.
    let host = metrics as f64;
    println!();
    println!("default settings ({metrics} host metrics, no checks)");
    println!(
        "{:<44} {:>12.2} MiB",
        "per day after the first hour",
        host * (1.0 + 1.0 / 60.0) * 1440.0 * bytes_per_row / 1048576.0
    );
    println!(
        "{:<44} {:>12.1} MiB",
        "at most",
        host * (10_080.0 + 8_760.0 + 3_600.0) * bytes_per_row / 1048576.0
    );
}
