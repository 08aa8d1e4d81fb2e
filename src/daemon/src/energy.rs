//! The energy level from the battery: UPower on the system bus when it is there, else the
//! kernel's power_supply files. Heavy runbooks wait while the level is below medium.

use roxy_core::metrics::sensors::{self, EnergyLevel, PowerState};
use std::path::PathBuf;
use std::sync::Mutex;
use tokio::sync::watch;

/// Read sysfs under this root instead of /sys (and skip UPower): for a container's view of
/// the host, and for tests.
pub const SYSFS_ROOT_ENV: &str = "ROXY_SYSFS_ROOT";

pub struct Energy {
    sysfs: PathBuf,
    use_upower: bool,
    power: Mutex<PowerState>,
    level: watch::Sender<EnergyLevel>,
    /// The system bus, connected on first use; None when there is none.
    system: tokio::sync::OnceCell<Option<zbus::Connection>>,
}

impl Energy {
    pub fn new() -> Self {
        let custom = std::env::var_os(SYSFS_ROOT_ENV).map(PathBuf::from);
        Self {
            use_upower: custom.is_none(),
            sysfs: custom.unwrap_or_else(|| PathBuf::from(sensors::SYSFS)),
            power: Mutex::default(),
            level: watch::Sender::new(EnergyLevel::Full),
            system: tokio::sync::OnceCell::new(),
        }
    }

    pub fn sysfs(&self) -> &std::path::Path {
        &self.sysfs
    }

    pub fn level(&self) -> EnergyLevel {
        *self.level.borrow()
    }

    pub fn power(&self) -> PowerState {
        *self.power.lock().unwrap()
    }

    /// Changes of the level, as they happen.
    pub fn watch(&self) -> watch::Receiver<EnergyLevel> {
        self.level.subscribe()
    }

    /// Reads the power state again and publishes a changed level.
    pub async fn refresh(&self) {
        let system = if self.use_upower {
            self.system
                .get_or_init(|| async { zbus::Connection::system().await.ok() })
                .await
                .as_ref()
        } else {
            None
        };
        let upower = match system {
            Some(conn) => upower(conn).await,
            None => None,
        };
        let power = upower.unwrap_or_else(|| sensors::power(&self.sysfs));
        *self.power.lock().unwrap() = power;
        let level = EnergyLevel::from_power(&power);
        self.level.send_if_modified(|current| {
            let changed = *current != level;
            if changed {
                tracing::info!(level = level.id(), "energy level changed");
                *current = level;
            }
            changed
        });
    }

    /// `power.level` (0–4), and battery values when there is a battery.
    pub fn values(&self) -> Vec<(String, f64)> {
        let power = self.power();
        let mut values = vec![("power.level".to_owned(), self.level().value())];
        if power.battery {
            values.push((
                "power.on_battery".to_owned(),
                f64::from(u8::from(power.on_battery)),
            ));
            if let Some(percent) = power.percent {
                values.push(("power.battery_pct".to_owned(), percent));
            }
        }
        values
    }
}

/// UPower's view (it knows which battery powers the machine); None when it is not there.
async fn upower(conn: &zbus::Connection) -> Option<PowerState> {
    let manager = zbus::Proxy::new(
        conn,
        "org.freedesktop.UPower",
        "/org/freedesktop/UPower",
        "org.freedesktop.UPower",
    )
    .await
    .ok()?;
    let on_battery: bool = manager.get_property("OnBattery").await.ok()?;
    let display = zbus::Proxy::new(
        conn,
        "org.freedesktop.UPower",
        "/org/freedesktop/UPower/devices/DisplayDevice",
        "org.freedesktop.UPower.Device",
    )
    .await
    .ok()?;
    let present: bool = display.get_property("IsPresent").await.unwrap_or(false);
    let percent: Option<f64> = if present {
        display.get_property("Percentage").await.ok()
    } else {
        None
    };
    Some(PowerState {
        battery: present,
        on_battery: on_battery && present,
        percent,
    })
}
