//! What the kernel exposes in sysfs beyond /proc: temperatures (hwmon), batteries and mains
//! (power_supply) and GPU load (drm). The root is a parameter so other roots can be read
//! (a container's view, or a prepared tree in tests).

use std::fs;
use std::path::Path;

/// The real sysfs.
pub const SYSFS: &str = "/sys";

fn read_trimmed(path: &Path) -> Option<String> {
    fs::read_to_string(path).ok().map(|s| s.trim().to_owned())
}

fn read_number(path: &Path) -> Option<f64> {
    read_trimmed(path)?.parse().ok()
}

/// A metric-name-safe form: lower case letters, digits and `_`.
fn slug(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    while out.contains("__") {
        out = out.replace("__", "_");
    }
    out.trim_matches('_').to_owned()
}

/// `temp.<chip>_<label>` in °C for every hwmon temperature input.
pub fn temperatures(sysfs: &Path) -> Vec<(String, f64)> {
    let mut values = Vec::new();
    let Ok(chips) = fs::read_dir(sysfs.join("class/hwmon")) else {
        return values;
    };
    let mut chips: Vec<_> = chips.flatten().map(|e| e.path()).collect();
    chips.sort();
    for chip in chips {
        let chip_name = read_trimmed(&chip.join("name")).unwrap_or_else(|| "hwmon".into());
        let Ok(files) = fs::read_dir(&chip) else {
            continue;
        };
        let mut inputs: Vec<String> = files
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.starts_with("temp") && n.ends_with("_input"))
            .collect();
        inputs.sort();
        for input in inputs {
            let Some(millidegrees) = read_number(&chip.join(&input)) else {
                continue;
            };
            let index = input.trim_start_matches("temp").trim_end_matches("_input");
            let label = read_trimmed(&chip.join(format!("temp{index}_label")))
                .unwrap_or_else(|| index.to_owned());
            let name = format!("temp.{}_{}", slug(&chip_name), slug(&label));
            // Two chips of the same name (two NVMe drives) keep both readings.
            let name = if values.iter().any(|(n, _)| *n == name) {
                format!("{name}_{}", values.len())
            } else {
                name
            };
            values.push((name, millidegrees / 1000.0));
        }
    }
    values
}

/// `gpu.<card>.busy_pct` (and VRAM use in bytes where the driver says), from drm.
pub fn gpus(sysfs: &Path) -> Vec<(String, f64)> {
    let mut values = Vec::new();
    let Ok(cards) = fs::read_dir(sysfs.join("class/drm")) else {
        return values;
    };
    let mut cards: Vec<_> = cards
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with("card") && !n.contains('-'))
        .collect();
    cards.sort();
    for card in cards {
        let device = sysfs.join("class/drm").join(&card).join("device");
        if let Some(busy) = read_number(&device.join("gpu_busy_percent")) {
            values.push((format!("gpu.{card}.busy_pct"), busy));
        }
        if let Some(used) = read_number(&device.join("mem_info_vram_used")) {
            values.push((format!("gpu.{card}.vram_used_bytes"), used));
        }
    }
    values
}

/// Batteries and mains as the kernel reports them.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PowerState {
    /// A battery exists.
    pub battery: bool,
    /// Running from the battery (no mains online).
    pub on_battery: bool,
    /// Charge in percent, the mean over the batteries.
    pub percent: Option<f64>,
}

/// Reads `class/power_supply`: `Mains`/`USB` online → on mains; `Battery` capacity.
pub fn power(sysfs: &Path) -> PowerState {
    let mut state = PowerState::default();
    let Ok(supplies) = fs::read_dir(sysfs.join("class/power_supply")) else {
        return state;
    };
    let mut mains_online = false;
    let mut mains_seen = false;
    let mut charges = Vec::new();
    let mut discharging = false;
    for supply in supplies.flatten().map(|e| e.path()) {
        let kind = read_trimmed(&supply.join("type")).unwrap_or_default();
        match kind.as_str() {
            "Mains" | "USB" => {
                mains_seen = true;
                mains_online |= read_number(&supply.join("online")) == Some(1.0);
            }
            "Battery" => {
                // Peripherals (mice, headsets) report a scope of Device; they do not power us.
                if read_trimmed(&supply.join("scope")).as_deref() == Some("Device") {
                    continue;
                }
                state.battery = true;
                if let Some(capacity) = read_number(&supply.join("capacity")) {
                    charges.push(capacity.clamp(0.0, 100.0));
                }
                discharging |=
                    read_trimmed(&supply.join("status")).as_deref() == Some("Discharging");
            }
            _ => {}
        }
    }
    if !charges.is_empty() {
        state.percent = Some(charges.iter().sum::<f64>() / charges.len() as f64);
    }
    state.on_battery = state.battery
        && if mains_seen {
            !mains_online
        } else {
            discharging
        };
    state
}

/// How much power there is to spend, from the battery state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EnergyLevel {
    Critical,
    Low,
    Medium,
    High,
    Full,
}

impl EnergyLevel {
    pub const ALL: [EnergyLevel; 5] = [
        EnergyLevel::Critical,
        EnergyLevel::Low,
        EnergyLevel::Medium,
        EnergyLevel::High,
        EnergyLevel::Full,
    ];

    /// On mains (or without a battery) everything may run; on battery the charge decides.
    pub fn from_power(power: &PowerState) -> Self {
        if !power.on_battery {
            return EnergyLevel::Full;
        }
        match power.percent {
            Some(p) if p >= 80.0 => EnergyLevel::High,
            Some(p) if p >= 40.0 => EnergyLevel::Medium,
            Some(p) if p >= 15.0 => EnergyLevel::Low,
            Some(_) => EnergyLevel::Critical,
            // On battery with an unknown charge: be careful with heavy work.
            None => EnergyLevel::Low,
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            EnergyLevel::Critical => "critical",
            EnergyLevel::Low => "low",
            EnergyLevel::Medium => "medium",
            EnergyLevel::High => "high",
            EnergyLevel::Full => "full",
        }
    }

    /// The metric value of `power.level`: 0 (critical) to 4 (full).
    pub fn value(self) -> f64 {
        Self::ALL.iter().position(|l| *l == self).unwrap_or(0) as f64
    }

    /// Runbooks marked `weight: heavy` start only from medium up.
    pub fn allows_heavy(self) -> bool {
        self >= EnergyLevel::Medium
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, path: &str, text: &str) {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    #[test]
    fn temperatures_and_gpus_from_a_sysfs_tree() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "class/hwmon/hwmon0/name", "coretemp\n");
        write(root, "class/hwmon/hwmon0/temp1_input", "45000\n");
        write(root, "class/hwmon/hwmon0/temp1_label", "Package id 0\n");
        write(root, "class/hwmon/hwmon0/temp2_input", "41500\n");
        write(root, "class/hwmon/hwmon1/name", "nvme\n");
        write(root, "class/hwmon/hwmon1/temp1_input", "38850\n");
        write(root, "class/drm/card0/device/gpu_busy_percent", "17\n");
        write(root, "class/drm/card0-DP-1/status", "connected\n");
        assert_eq!(
            temperatures(root),
            vec![
                ("temp.coretemp_package_id_0".to_owned(), 45.0),
                ("temp.coretemp_2".to_owned(), 41.5),
                ("temp.nvme_1".to_owned(), 38.85),
            ]
        );
        assert_eq!(gpus(root), vec![("gpu.card0.busy_pct".to_owned(), 17.0)]);
        assert!(temperatures(&root.join("nothing")).is_empty());
    }

    #[test]
    fn power_and_energy_levels() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert_eq!(power(root), PowerState::default());
        assert_eq!(EnergyLevel::from_power(&power(root)), EnergyLevel::Full);
        write(root, "class/power_supply/AC/type", "Mains\n");
        write(root, "class/power_supply/AC/online", "0\n");
        write(root, "class/power_supply/BAT0/type", "Battery\n");
        write(root, "class/power_supply/BAT0/capacity", "30\n");
        write(root, "class/power_supply/BAT0/status", "Discharging\n");
        write(root, "class/power_supply/hidpp_battery_0/type", "Battery\n");
        write(root, "class/power_supply/hidpp_battery_0/scope", "Device\n");
        write(root, "class/power_supply/hidpp_battery_0/capacity", "5\n");
        let state = power(root);
        assert_eq!(
            state,
            PowerState {
                battery: true,
                on_battery: true,
                percent: Some(30.0)
            }
        );
        assert_eq!(EnergyLevel::from_power(&state), EnergyLevel::Low);
        assert!(!EnergyLevel::Low.allows_heavy());
        write(root, "class/power_supply/AC/online", "1\n");
        assert_eq!(EnergyLevel::from_power(&power(root)), EnergyLevel::Full);
        assert!(EnergyLevel::Medium.allows_heavy());
        let level = |percent| {
            EnergyLevel::from_power(&PowerState {
                battery: true,
                on_battery: true,
                percent: Some(percent),
            })
        };
        assert_eq!(
            [level(90.0), level(50.0), level(20.0), level(5.0)],
            [
                EnergyLevel::High,
                EnergyLevel::Medium,
                EnergyLevel::Low,
                EnergyLevel::Critical
            ]
        );
    }
}
