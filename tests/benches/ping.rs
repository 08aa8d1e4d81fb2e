//! Ping round trip through roxyd against a bare zbus echo service on the same private bus,
//! measured in the same run, interleaved in rounds so machine noise hits both alike.
//! The ratio is the figure; absolute numbers vary between machines.

use roxy_tests::TestBus;
use std::time::{Duration, Instant};
use zbus::interface;

const ECHO_NAME: &str = "io.github.skybeam.Roxy.BenchEcho";
const ROUNDS: usize = 20;
const PER_ROUND: usize = 250;

struct Echo;

#[interface(name = "io.github.skybeam.Roxy.BenchEcho1")]
impl Echo {
    fn ping(&self, payload: String) -> String {
        payload
    }
}

#[zbus::proxy(
    interface = "io.github.skybeam.Roxy.BenchEcho1",
    default_service = "io.github.skybeam.Roxy.BenchEcho",
    default_path = "/bench"
)]
trait BenchEcho {
    fn ping(&self, payload: &str) -> zbus::Result<String>;
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The baseline server: this same binary started with `--serve-echo`, a process of its own
/// like roxyd, serving a bare zbus interface until it is killed.
fn serve_echo() {
    runtime().block_on(async {
        let _server = zbus::connection::Builder::session()
            .unwrap()
            .name(ECHO_NAME)
            .unwrap()
            .serve_at("/bench", Echo)
            .unwrap()
            .build()
            .await
            .unwrap();
        std::future::pending::<()>().await;
    });
}

fn main() {
    if std::env::args().any(|a| a == "--serve-echo") {
        return serve_echo();
    }
    let bus = TestBus::new();
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &bus.address);
    let mut server = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("--serve-echo")
        .spawn()
        .expect("echo server starts");
    runtime().block_on(async {
        let client = roxy_ipc::Client::session().await.unwrap();
        let roxyd = client.daemon().await.unwrap();
        let echo = BenchEchoProxy::new(client.connection()).await.unwrap();
        // Wait for the echo process to claim its name.
        while echo.ping("ready").await.is_err() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // Activate roxyd and warm both paths up.
        for _ in 0..200 {
            roxyd.ping("warm").await.unwrap();
            echo.ping("warm").await.unwrap();
        }
        let (mut through_roxyd, mut bare) = (Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            for _ in 0..PER_ROUND {
                let t = Instant::now();
                roxyd.ping("ping").await.unwrap();
                through_roxyd.push(t.elapsed());
            }
            for _ in 0..PER_ROUND {
                let t = Instant::now();
                echo.ping("ping").await.unwrap();
                bare.push(t.elapsed());
            }
        }
        report(&mut through_roxyd, &mut bare);
    });
    let _ = server.kill();
    let _ = server.wait();
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank]
}

fn report(roxyd: &mut [Duration], bare: &mut [Duration]) {
    roxyd.sort();
    bare.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "\nPing round trip over a private session bus ({} calls each)\n",
        roxyd.len()
    );
    println!("| target                 |   p50 µs |   p99 µs |");
    println!("|------------------------|---------:|---------:|");
    for (name, samples) in [
        ("bare zbus echo service", &*bare),
        ("roxyd Daemon1.Ping", &*roxyd),
    ] {
        println!(
            "| {name:<22} | {:>8.1} | {:>8.1} |",
            us(percentile(samples, 0.5)),
            us(percentile(samples, 0.99))
        );
    }
    println!(
        "| ratio roxyd / bare     | {:>8.2} | {:>8.2} |\n",
        us(percentile(roxyd, 0.5)) / us(percentile(bare, 0.5)),
        us(percentile(roxyd, 0.99)) / us(percentile(bare, 0.99))
    );
}
