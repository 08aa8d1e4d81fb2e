//! OBS requests through roxyd (D-Bus → roxyd → obws → OBS) against the same request made
//! directly with obws, interleaved in rounds in the same run; then how long roxyd takes to
//! link up again after OBS restarts. Real OBS 30.2 from `build-aux/obs-chroot.sh`, inside a
//! private network namespace (root).

use roxy_tests::{private_network, Obs, ObsBuild, TestBus};
use std::time::{Duration, Instant};

const ROUNDS: usize = 10;
const PER_ROUND: usize = 50;
const RESTARTS: usize = 3;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank]
}

fn main() {
    private_network();
    let bus = TestBus::new();
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &bus.address);
    let mut obs = Obs::start(ObsBuild::Current, 4455, "");
    bus.roxyctl_ok(&["obs", "add", "studio", "--port", "4455"]);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let client = runtime.block_on(roxy_ipc::Client::session()).unwrap();
    let proxy = runtime.block_on(client.broadcast()).unwrap();
    let linked = || {
        runtime
            .block_on(proxy.instances())
            .map(|list| {
                list.iter()
                    .any(|i| i.name == "studio" && i.link == "connected")
            })
            .unwrap_or(false)
    };
    assert!(
        bus.wait_for(Duration::from_secs(20), linked),
        "roxyd never linked to OBS"
    );

    let (mut through_roxyd, mut direct) = (Vec::new(), Vec::new());
    runtime.block_on(async {
        let obws = obws::Client::connect("127.0.0.1", 4455, None::<&str>)
            .await
            .expect("direct obws connection");
        for _ in 0..20 {
            proxy.set_muted("studio", "Music", false).await.unwrap();
            obws.inputs()
                .set_muted("Music".into(), false)
                .await
                .unwrap();
        }
        for _ in 0..ROUNDS {
            for _ in 0..PER_ROUND {
                let t = Instant::now();
                proxy.set_muted("studio", "Music", false).await.unwrap();
                through_roxyd.push(t.elapsed());
            }
            for _ in 0..PER_ROUND {
                let t = Instant::now();
                obws.inputs()
                    .set_muted("Music".into(), false)
                    .await
                    .unwrap();
                direct.push(t.elapsed());
            }
        }
    });
    through_roxyd.sort();
    direct.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "\nOBS SetInputMute round trip ({} calls each, OBS 30.2 headless)\n",
        direct.len()
    );
    println!("| path                         |  p50 ms |  p99 ms |");
    println!("|------------------------------|--------:|--------:|");
    for (name, samples) in [
        ("obws → OBS (direct)", &direct),
        ("D-Bus → roxyd → obws → OBS", &through_roxyd),
    ] {
        println!(
            "| {name:<28} | {:>7.2} | {:>7.2} |",
            ms(percentile(samples, 0.5)),
            ms(percentile(samples, 0.99))
        );
    }
    println!(
        "| ratio roxyd / direct         | {:>7.2} | {:>7.2} |",
        ms(percentile(&through_roxyd, 0.5)) / ms(percentile(&direct, 0.5)),
        ms(percentile(&through_roxyd, 0.99)) / ms(percentile(&direct, 0.99))
    );

    // Reconnect: from the moment OBS accepts connections again to roxyd's link being up
    // (state read in full), against OBS' own start-up time as the baseline.
    let mut rows = Vec::new();
    for _ in 0..RESTARTS {
        obs.kill();
        assert!(bus.wait_for(Duration::from_secs(10), || !linked()));
        let started = Instant::now();
        obs.restart();
        let listening = Instant::now();
        assert!(
            bus.wait_for(Duration::from_secs(20), linked),
            "no reconnect"
        );
        rows.push((listening - started, listening.elapsed()));
    }
    println!("\nReconnect after an OBS restart\n");
    println!("| restart | OBS start-up s | roxyd linked after s |");
    println!("|--------:|---------------:|---------------------:|");
    for (n, (startup, relink)) in rows.iter().enumerate() {
        println!(
            "| {:>7} | {:>14.2} | {:>20.2} |",
            n + 1,
            startup.as_secs_f64(),
            relink.as_secs_f64()
        );
    }
    println!();
}
