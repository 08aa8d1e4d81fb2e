//! The generated knowledge base the docs benchmarks share: markdown notes with front matter,
//! headings, lists and code over a Zipf-like vocabulary (~5 KB a note).

// Each bench uses part of this.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

/// Function words: in nearly every file, drawn with a Zipf-like skew.
pub const FUNCTION_WORDS: &str =
    "the of and to in is for that on with as it be this are by from or \
    at an not can you all your will have more one when which has new if use how about time we \
    each first should also only after before then there where what way need make";

/// Stems of the content vocabulary; each also appears with endings (backups, backing…).
pub const STEMS: &str = "server backup restore disk container image network host service port \
    config file folder update install release version log error warning alert metric dashboard \
    status health stream scene audio video camera microphone mixer record studio podcast guest \
    episode invoice client customer project deadline meeting proposal contract budget payment tax \
    quarter report revenue lead deal pipeline follow email call note task schedule calendar \
    docker compose volume mount snapshot retention restic borg rsync cron timer systemd unit \
    journal kernel driver firmware router switch firewall vlan dns dhcp certificate domain \
    proxy nginx caddy traefik postgres sqlite redis grafana prometheus exporter scrape \
    threshold latency throughput bandwidth storage raid zfs pool scrub smart temperature fan \
    power battery ups outage maintenance window rollback migration schema index query cache \
    token secret password key vault rotation audit permission group owner policy review \
    checklist runbook playbook step approval confirm retry timeout failure incident postmortem \
    lesson summary overview guide howto reference glossary troubleshoot issue \
    workaround fix patch upgrade downgrade hardware cable adapter monitor \
    keyboard display resolution frame bitrate encoder preset transition overlay \
    caption subtitle transcript voice wake intent reply speaker headset gain \
    noise gate compressor limiter equalizer reverb track session export archive template";
pub const ENDINGS: [&str; 5] = ["", "s", "ing", "ed", "er"];
/// Syllables for names of people, hosts and projects.
pub const SYLLABLES: [&str; 24] = [
    "ka", "lo", "mi", "ren", "tas", "vel", "or", "si", "bra", "dun", "el", "fa", "gor", "hin",
    "ju", "kel", "mar", "no", "pe", "qua", "ril", "sto", "tu", "wen",
];
/// Phrases real notes repeat; some files get one.
pub const PHRASES: [&str; 5] = [
    "off-site copy",
    "scene collection",
    "restore test",
    "invoice overdue",
    "disk replacement",
];
/// Content words per topic; each file is about a few topics.
pub const TOPIC_SIZE: usize = 25;
pub const TOPICS_PER_FILE: usize = 4;

pub struct Vocabulary {
    pub function: Vec<String>,
    /// Shuffled, so topics mix stems; Zipf ranks follow this order.
    pub content: Vec<String>,
}

impl Vocabulary {
    pub fn new(rng: &mut Rng) -> Self {
        let mut content: Vec<String> = STEMS
            .split_whitespace()
            .flat_map(|stem| ENDINGS.iter().map(move |e| format!("{stem}{e}")))
            .collect();
        for a in SYLLABLES {
            for b in SYLLABLES {
                content.push(format!("{a}{b}"));
            }
        }
        for i in (1..content.len()).rev() {
            content.swap(i, rng.next() as usize % (i + 1));
        }
        Self {
            function: FUNCTION_WORDS
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            content,
        }
    }
}

pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    pub fn unit(&mut self) -> f64 {
        (self.next() % 1_000_000) as f64 / 1_000_000.0
    }

    /// A rank with probability falling off like 1/rank.
    pub fn zipf(&mut self, n: usize) -> usize {
        ((n as f64).powf(self.unit()) - 1.0) as usize % n
    }
}

/// Writes `files` notes under `root`; returns their total size in bytes.
pub fn generate(root: &Path, vocab: &Vocabulary, files: usize) -> u64 {
    let mut rng = Rng(11);
    let sections = [
        "brain", "ops", "studio", "business", "homelab", "archive", "notes",
    ];
    let tags = [
        "ops",
        "studio",
        "crm",
        "howto",
        "reference",
        "draft",
        "hardware",
        "network",
        "backup",
        "finance",
        "meeting",
        "incident",
    ];
    let topics = vocab.content.len() / TOPIC_SIZE;
    let mut bytes = 0u64;
    for i in 0..files {
        let section = sections[i % sections.len()];
        let dir = root.join(section).join(format!("topic{:02}", (i / 7) % 40));
        std::fs::create_dir_all(&dir).unwrap();
        let mine: Vec<usize> = (0..TOPICS_PER_FILE).map(|_| rng.zipf(topics)).collect();
        // 45 % function words, 40 % the file's topics, 15 % anything.
        let word = |rng: &mut Rng| -> &str {
            let roll = rng.next() % 100;
            if roll < 45 {
                &vocab.function[rng.zipf(vocab.function.len())]
            } else if roll < 85 {
                let topic = mine[rng.next() as usize % mine.len()];
                &vocab.content[topic * TOPIC_SIZE + rng.zipf(TOPIC_SIZE)]
            } else {
                &vocab.content[rng.zipf(vocab.content.len())]
            }
        };
        let mut text = String::with_capacity(6000);
        let title: Vec<&str> = (0..3).map(|_| word(&mut rng)).collect();
        let _ = writeln!(
            text,
            "---\ntitle: {} note {i}\ntags: [{}, {}]\n---\n",
            title.join(" "),
            tags[rng.next() as usize % tags.len()],
            tags[rng.next() as usize % tags.len()]
        );
        let _ = writeln!(text, "# {}\n", title.join(" "));
        for s in 0..6 {
            let _ = writeln!(text, "## {} {}\n", word(&mut rng), s + 1);
            for _ in 0..2 {
                let n = 50 + rng.next() as usize % 40;
                let mut para: Vec<&str> = (0..n).map(|_| word(&mut rng)).collect();
                if rng.next().is_multiple_of(20) {
                    para.insert(n / 2, PHRASES[rng.next() as usize % PHRASES.len()]);
                }
                let _ = writeln!(text, "{}.\n", para.join(" "));
            }
            match rng.next() % 4 {
                0 => {
                    for _ in 0..4 {
                        let item: Vec<&str> = (0..3).map(|_| word(&mut rng)).collect();
                        let _ = writeln!(text, "- {}", item.join(" "));
                    }
                    text.push('\n');
                }
                1 => {
                    let cmd: Vec<&str> = (0..3).map(|_| word(&mut rng)).collect();
                    let _ = writeln!(text, "```sh\n{} --{} {}\n```\n", cmd[0], cmd[1], cmd[2]);
                }
                _ => {}
            }
        }
        // A rare identifier, as real notes have ticket numbers and host names.
        let _ = writeln!(text, "Ticket ref{i:05} on host node{:03}.", i % 997);
        bytes += text.len() as u64;
        std::fs::write(dir.join(format!("note{i:05}.md")), text).unwrap();
    }
    bytes
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
