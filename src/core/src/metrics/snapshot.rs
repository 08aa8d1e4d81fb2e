//! One reading of /proc (through the procfs crate) and what two readings say: CPU use in
//! total and per core, load, memory, swap, network and disk rates, root disk usage.
//! Reading is a handful of small files, so sampling every second stays cheap.

use procfs::{Current, CurrentSI};
use std::path::Path;

#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct CpuTicks {
    busy: u64,
    total: u64,
}

impl From<&procfs::CpuTime> for CpuTicks {
    fn from(t: &procfs::CpuTime) -> Self {
        let idle = t.idle + t.iowait.unwrap_or(0);
        let busy = t.user
            + t.nice
            + t.system
            + t.irq.unwrap_or(0)
            + t.softirq.unwrap_or(0)
            + t.steal.unwrap_or(0);
        Self {
            busy,
            total: busy + idle,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Milliseconds since the Unix epoch.
    pub at_ms: i64,
    cpu: CpuTicks,
    cores: Vec<CpuTicks>,
    pub load1: f64,
    pub mem_total: u64,
    pub mem_available: u64,
    pub swap_total: u64,
    pub swap_free: u64,
    net_rx: u64,
    net_tx: u64,
    disk_read_sectors: u64,
    disk_written_sectors: u64,
    /// Used share of the root file system, 0–100.
    pub root_used_pct: Option<f64>,
}

impl Snapshot {
    /// Reads the counters now. Files that cannot be read leave their values at zero.
    pub fn read() -> Self {
        let mut s = Snapshot {
            at_ms: crate::time::now_ms(),
            ..Self::default()
        };
        if let Ok(stats) = procfs::KernelStats::current() {
            s.cpu = CpuTicks::from(&stats.total);
            s.cores = stats.cpu_time.iter().map(CpuTicks::from).collect();
        }
        if let Ok(load) = procfs::LoadAverage::current() {
            s.load1 = f64::from(load.one);
        }
        if let Ok(mem) = procfs::Meminfo::current() {
            s.mem_total = mem.mem_total;
            s.mem_available = mem.mem_available.unwrap_or(mem.mem_free);
            s.swap_total = mem.swap_total;
            s.swap_free = mem.swap_free;
        }
        if let Ok(devices) = procfs::net::dev_status() {
            for dev in devices.values().filter(|d| d.name != "lo") {
                s.net_rx += dev.recv_bytes;
                s.net_tx += dev.sent_bytes;
            }
        }
        if let Ok(disks) = procfs::DiskStats::current() {
            // Whole disks only: partitions would count the same bytes twice.
            for disk in disks.0.iter().filter(|d| is_whole_disk(&d.name)) {
                s.disk_read_sectors += disk.sectors_read;
                s.disk_written_sectors += disk.sectors_written;
            }
        }
        s.root_used_pct = used_pct(Path::new("/"));
        s
    }

    pub fn cores(&self) -> usize {
        self.cores.len()
    }
}

fn is_whole_disk(name: &str) -> bool {
    !name.starts_with("loop")
        && !name.starts_with("ram")
        && Path::new("/sys/block").join(name).exists()
}

fn used_pct(path: &Path) -> Option<f64> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: c_path is a valid C string and stat a valid, writable statvfs.
    if unsafe { libc::statvfs(c_path.as_ptr(), &mut stat) } != 0 || stat.f_blocks == 0 {
        return None;
    }
    let total = stat.f_blocks as f64;
    let free = stat.f_bfree as f64;
    Some((total - free) / total * 100.0)
}

fn share(busy: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        (busy as f64 / total as f64 * 100.0).clamp(0.0, 100.0)
    }
}

fn pct(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64 * 100.0
    }
}

/// The metrics between two snapshots, by name. Counters that went backwards (a device
/// vanished) count as zero.
pub fn rates(before: &Snapshot, now: &Snapshot) -> Vec<(String, f64)> {
    let seconds = ((now.at_ms - before.at_ms) as f64 / 1000.0).max(0.001);
    let per_second = |a: u64, b: u64| b.saturating_sub(a) as f64 / seconds;
    let cpu = |a: CpuTicks, b: CpuTicks| {
        share(
            b.busy.saturating_sub(a.busy),
            b.total.saturating_sub(a.total),
        )
    };
    let mut out = vec![
        ("cpu".to_owned(), cpu(before.cpu, now.cpu)),
        ("load1".to_owned(), now.load1),
        (
            "mem.used_pct".to_owned(),
            pct(
                now.mem_total.saturating_sub(now.mem_available),
                now.mem_total,
            ),
        ),
        ("mem.available_bytes".to_owned(), now.mem_available as f64),
        (
            "swap.used_pct".to_owned(),
            pct(now.swap_total.saturating_sub(now.swap_free), now.swap_total),
        ),
        (
            "net.rx_bps".to_owned(),
            per_second(before.net_rx, now.net_rx),
        ),
        (
            "net.tx_bps".to_owned(),
            per_second(before.net_tx, now.net_tx),
        ),
        (
            "disk.read_bps".to_owned(),
            per_second(before.disk_read_sectors, now.disk_read_sectors) * 512.0,
        ),
        (
            "disk.write_bps".to_owned(),
            per_second(before.disk_written_sectors, now.disk_written_sectors) * 512.0,
        ),
    ];
    if let Some(used) = now.root_used_pct {
        out.push(("disk.root_used_pct".to_owned(), used));
    }
    for (i, (a, b)) in before.cores.iter().zip(&now.cores).enumerate() {
        out.push((format!("cpu.{i}"), cpu(*a, *b)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meminfo_kib(field: &str) -> u64 {
        let text = std::fs::read_to_string("/proc/meminfo").unwrap();
        let line = text.lines().find(|l| l.starts_with(field)).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    #[test]
    fn reads_the_real_proc() {
        let snapshot = Snapshot::read();
        assert_eq!(snapshot.mem_total, meminfo_kib("MemTotal:") * 1024);
        let stat = std::fs::read_to_string("/proc/stat").unwrap();
        let cores = stat
            .lines()
            .filter(|l| l.starts_with("cpu") && !l.starts_with("cpu "))
            .count();
        assert_eq!(snapshot.cores(), cores);
        assert!(snapshot.mem_available <= snapshot.mem_total);
        let used = snapshot.root_used_pct.expect("statvfs of /");
        assert!((0.0..=100.0).contains(&used), "{used}");
    }

    #[test]
    fn rates_between_two_real_readings_are_sane() {
        let before = Snapshot::read();
        // Some work, so the CPU counters move.
        let mut x = 0u64;
        for i in 0..5_000_000u64 {
            x = x.wrapping_add(i * i);
        }
        std::hint::black_box(x);
        std::thread::sleep(std::time::Duration::from_millis(50));
        let now = Snapshot::read();
        let rates = rates(&before, &now);
        let get = |name: &str| rates.iter().find(|(n, _)| n == name).map(|(_, v)| *v);
        let cpu = get("cpu").unwrap();
        assert!((0.0..=100.0).contains(&cpu), "{cpu}");
        assert!(get("cpu.0").is_some());
        assert!(get("net.rx_bps").unwrap() >= 0.0);
        let used = get("mem.used_pct").unwrap();
        assert!(used > 0.0 && used < 100.0, "{used}");
    }

    #[test]
    fn cpu_share_from_ticks() {
        let a = Snapshot {
            at_ms: 0,
            cpu: CpuTicks {
                busy: 100,
                total: 1000,
            },
            net_rx: 1000,
            ..Snapshot::default()
        };
        let b = Snapshot {
            at_ms: 2000,
            cpu: CpuTicks {
                busy: 150,
                total: 1200,
            },
            net_rx: 5000,
            ..Snapshot::default()
        };
        let r = rates(&a, &b);
        assert_eq!(r[0], ("cpu".to_owned(), 25.0));
        assert_eq!(r.iter().find(|(n, _)| n == "net.rx_bps").unwrap().1, 2000.0);
    }
}
