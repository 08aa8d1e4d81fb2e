//! Per-step overhead of the runbook executor: the same 200 trivial steps (`/bin/true`) run by
//! plain bash (one fork per step), by roxyd (`roxyctl runbook run --follow`), and by
//! `ansible-playbook` with the local connection, interleaved in rounds in one run.
//! `ROXY_BENCH_ANSIBLE` names the ansible-playbook program (build-aux/bench.sh installs
//! ansible-core from PyPI); without it that row says why it is missing.

use roxy_tests::{bin, stderr, TestBus};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const STEPS: usize = 200;

fn rounds() -> usize {
    std::env::var("ROXY_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3)
}

fn timed(command: &mut Command) -> Duration {
    let start = Instant::now();
    let out = command.output().expect("benchmark command starts");
    let took = start.elapsed();
    assert!(
        out.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    took
}

fn write_playbook(dir: &Path) -> PathBuf {
    let mut text =
        String::from("- hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n");
    for i in 0..STEPS {
        text.push_str(&format!(
            "    - name: step {i}\n      ansible.builtin.command: /bin/true\n      changed_when: false\n"
        ));
    }
    let path = dir.join("playbook.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

fn ansible_command(program: &Path, playbook: &Path, home: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(["-i", "localhost,", "-c", "local"])
        .arg("-e")
        .arg("ansible_python_interpreter=/usr/bin/python3")
        .arg(playbook)
        .env("ANSIBLE_HOME", home)
        .env("ANSIBLE_LOCAL_TEMP", home.join("tmp"))
        .env("ANSIBLE_NOCOLOR", "1");
    cmd
}

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let bus = TestBus::new();
    let mut runbook = String::from("steps:\n");
    for _ in 0..STEPS {
        runbook.push_str("  - run: [\"/bin/true\"]\n");
    }
    bus.write_runbook("bench", &runbook);
    let script = format!("for i in $(seq {STEPS}); do /bin/true; done");
    let ansible = std::env::var_os("ROXY_BENCH_ANSIBLE").map(PathBuf::from);
    let playbook = write_playbook(bus.dir.path());
    let ansible_home = bus.dir.path().join("ansible");

    let roxy = || {
        let mut cmd = bus.command(bin("roxyctl"));
        cmd.args(["runbook", "run", "bench", "--follow"]);
        cmd
    };
    // Warm-up: activates roxyd, fills caches.
    let warm = roxy().output().unwrap();
    assert!(warm.status.success(), "{}", stderr(&warm));

    let (mut bash, mut roxyd, mut playbooks) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds() {
        bash.push(timed(Command::new("bash").arg("-c").arg(&script)));
        roxyd.push(timed(&mut roxy()));
        if let Some(program) = &ansible {
            playbooks.push(timed(&mut ansible_command(
                program,
                &playbook,
                &ansible_home,
            )));
        }
    }

    let base = median(&mut bash);
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let per_step = |d: Duration| (ms(d) - ms(base)) / STEPS as f64;
    println!(
        "\n{STEPS} trivial steps (/bin/true), median of {} rounds\n",
        bash.len()
    );
    println!("| runner                  | total ms | overhead per step ms | ratio vs bash |");
    println!("|-------------------------|---------:|---------------------:|--------------:|");
    let row = |name: &str, d: Duration| {
        println!(
            "| {name:<23} | {:>8.1} | {:>20.2} | {:>13.1} |",
            ms(d),
            per_step(d),
            ms(d) / ms(base)
        );
    };
    row("bash -c (fork per step)", base);
    let roxyd = median(&mut roxyd);
    row("roxyd runbook", roxyd);
    if playbooks.is_empty() {
        println!("| ansible-playbook        | not run: set ROXY_BENCH_ANSIBLE (build-aux/bench.sh does) |");
    } else {
        let ansible = median(&mut playbooks);
        row("ansible-playbook local", ansible);
        println!(
            "\nroxyd / ansible-playbook total: {:.3}\n",
            ms(roxyd) / ms(ansible)
        );
    }
}
