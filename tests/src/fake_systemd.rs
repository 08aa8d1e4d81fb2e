//! A stand-in for systemd's user manager on a test bus. systemd cannot run here (no systemd
//! as PID 1, no system bus in the test container), so this serves the part of
//! `org.freedesktop.systemd1.Manager` Roxy uses: ListUnits, Start/Stop/RestartUnit, Subscribe
//! and the JobRemoved/UnitNew signals. Stopped when dropped.

use crate::TestBus;
use std::sync::{Arc, Mutex};
use zbus::object_server::SignalEmitter;
use zbus::zvariant::OwnedObjectPath;

#[derive(Debug, Clone)]
struct Unit {
    name: String,
    description: String,
    active: String,
    sub: String,
}

type Row = (
    String,
    String,
    String,
    String,
    String,
    String,
    OwnedObjectPath,
    u32,
    String,
    OwnedObjectPath,
);

struct Manager {
    units: Arc<Mutex<Vec<Unit>>>,
    jobs: u32,
}

fn root() -> OwnedObjectPath {
    OwnedObjectPath::try_from("/org/freedesktop/systemd1").unwrap()
}

#[zbus::interface(name = "org.freedesktop.systemd1.Manager")]
impl Manager {
    fn list_units(&self) -> Vec<Row> {
        self.units
            .lock()
            .unwrap()
            .iter()
            .map(|u| {
                (
                    u.name.clone(),
                    u.description.clone(),
                    "loaded".into(),
                    u.active.clone(),
                    u.sub.clone(),
                    String::new(),
                    root(),
                    0,
                    String::new(),
                    root(),
                )
            })
            .collect()
    }

    fn subscribe(&self) {}

    async fn start_unit(
        &mut self,
        name: String,
        _mode: String,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> zbus::fdo::Result<OwnedObjectPath> {
        self.change(&name, "active", "running", emitter).await
    }

    async fn stop_unit(
        &mut self,
        name: String,
        _mode: String,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> zbus::fdo::Result<OwnedObjectPath> {
        self.change(&name, "inactive", "dead", emitter).await
    }

    async fn restart_unit(
        &mut self,
        name: String,
        _mode: String,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> zbus::fdo::Result<OwnedObjectPath> {
        self.change(&name, "active", "running", emitter).await
    }

    #[zbus(signal)]
    async fn job_removed(
        emitter: &SignalEmitter<'_>,
        id: u32,
        job: OwnedObjectPath,
        unit: &str,
        result: &str,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn unit_new(
        emitter: &SignalEmitter<'_>,
        id: &str,
        unit: OwnedObjectPath,
    ) -> zbus::Result<()>;
}

impl Manager {
    async fn change(
        &mut self,
        name: &str,
        active: &str,
        sub: &str,
        emitter: SignalEmitter<'_>,
    ) -> zbus::fdo::Result<OwnedObjectPath> {
        {
            let mut units = self.units.lock().unwrap();
            let unit = units
                .iter_mut()
                .find(|u| u.name == name)
                .ok_or_else(|| zbus::fdo::Error::Failed(format!("Unit {name} not found.")))?;
            unit.active = active.into();
            unit.sub = sub.into();
        }
        self.jobs += 1;
        let job = OwnedObjectPath::try_from(format!("/org/freedesktop/systemd1/job/{}", self.jobs))
            .unwrap();
        let _ = Self::job_removed(&emitter, self.jobs, job.clone(), name, "done").await;
        Ok(job)
    }
}

pub struct FakeSystemd {
    units: Arc<Mutex<Vec<Unit>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    address: String,
}

impl FakeSystemd {
    /// Serves `units` as (name, description, active state) on `bus`.
    pub fn start(bus: &TestBus, units: &[(&str, &str, &str)]) -> Self {
        let units = Arc::new(Mutex::new(
            units
                .iter()
                .map(|(name, description, active)| Unit {
                    name: (*name).into(),
                    description: (*description).into(),
                    active: (*active).into(),
                    sub: if *active == "active" {
                        "running"
                    } else {
                        "dead"
                    }
                    .into(),
                })
                .collect::<Vec<_>>(),
        ));
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let (ready, is_ready) = std::sync::mpsc::channel();
        let shared = units.clone();
        let address = bus.address.clone();
        let thread_address = address.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let conn = zbus::connection::Builder::address(thread_address.as_str())
                    .unwrap()
                    .name("org.freedesktop.systemd1")
                    .unwrap()
                    .serve_at(
                        "/org/freedesktop/systemd1",
                        Manager {
                            units: shared,
                            jobs: 0,
                        },
                    )
                    .unwrap()
                    .build()
                    .await
                    .expect("the fake systemd gets its name");
                ready.send(()).unwrap();
                let _ = stopped.await;
                drop(conn);
            });
        });
        is_ready.recv().expect("the fake systemd starts");
        Self {
            units,
            stop: Some(stop),
            thread: Some(thread),
            address,
        }
    }

    /// A unit fails by itself (no job): announced as UnitNew, as systemd's signals would.
    pub fn fail(&self, name: &str) {
        {
            let mut units = self.units.lock().unwrap();
            if let Some(unit) = units.iter_mut().find(|u| u.name == name) {
                unit.active = "failed".into();
                unit.sub = "failed".into();
            }
        }
        let conn = zbus::blocking::connection::Builder::address(self.address.as_str())
            .unwrap()
            .build()
            .unwrap();
        let _ = conn.emit_signal(
            Option::<&str>::None,
            "/org/freedesktop/systemd1",
            "org.freedesktop.systemd1.Manager",
            "UnitNew",
            &(name, root()),
        );
    }
}

impl Drop for FakeSystemd {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
