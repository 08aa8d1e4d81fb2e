//! The CRM at scale: 100 000 generated contacts imported through the CSV path, 300 000
//! interactions, then search as you type (p50/p99 over 1 000 queries, with and without
//! filters), the first page of the list and the board. The baseline is the raw FTS5 query run
//! by the `sqlite3` command-line tool on the same file in the same run. Goal: search p99 < 10 ms.

use roxy_core::crm::{csv_import, ContactQuery, Crm, DealForm, LeadForm, SortBy};
use roxy_core::Store;
use std::fmt::Write as _;
use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CONTACTS: usize = 100_000;
const INTERACTIONS: usize = 300_000;
const QUERIES: usize = 1_000;
const DEALS: usize = 2_000;

const FIRST: [&str; 24] = [
    "Ada",
    "Grace",
    "Linus",
    "Margaret",
    "Alan",
    "Barbara",
    "Dennis",
    "Frances",
    "Ken",
    "Radia",
    "Tim",
    "Hedy",
    "John",
    "Mary",
    "Guido",
    "Sophie",
    "Yukihiro",
    "Bjarne",
    "Anita",
    "Edsger",
    "Katherine",
    "Niklaus",
    "Annie",
    "Donald",
];
const LAST: [&str; 24] = [
    "Lovelace",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Turing",
    "Liskov",
    "Ritchie",
    "Allen",
    "Thompson",
    "Perlman",
    "Berners",
    "Lamarr",
    "McCarthy",
    "Keller",
    "Rossum",
    "Wilson",
    "Matsumoto",
    "Stroustrup",
    "Borg",
    "Dijkstra",
    "Johnson",
    "Wirth",
    "Easley",
    "Knuth",
];
const WORDS: [&str; 16] = [
    "studio",
    "mixing",
    "invoice",
    "renewal",
    "podcast",
    "camera",
    "lighting",
    "backup",
    "contract",
    "workshop",
    "livestream",
    "microphone",
    "quote",
    "support",
    "hosting",
    "demo",
];

/// A small deterministic generator, so every run measures the same data.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.next() % from.len()]
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // ROXY_BENCH_KEEP=1 leaves the database behind for a look with sqlite3.
    let dir = tempfile::Builder::new()
        .disable_cleanup(std::env::var_os("ROXY_BENCH_KEEP").is_some())
        .tempdir()
        .unwrap();
    let dir_path = dir.path().to_owned();
    let store = runtime.block_on(Store::open(&dir_path)).unwrap();
    let crm = runtime.block_on(Crm::sqlite(&store)).unwrap();
    let mut rng = Lcg(7);

    // Contacts through the CSV import, as a person would bring them.
    let mut csv = String::from("name,email,phone,company,tags,notes\n");
    for i in 0..CONTACTS {
        let (first, last) = (rng.pick(&FIRST), rng.pick(&LAST));
        let tag = if i % 10 == 0 {
            "vip"
        } else {
            rng.pick(&["studio", "client", "vendor"])
        };
        let _ = writeln!(
            csv,
            "{first} {last} {i},{}.{}{i}@example.org,+49 30 {:07},Company {},{tag},{} {}",
            first.to_lowercase(),
            last.to_lowercase(),
            i,
            rng.next() % 5000,
            rng.pick(&WORDS),
            rng.pick(&WORDS)
        );
    }
    let started = Instant::now();
    let plan = csv_import::read(csv.as_bytes(), &[]).unwrap();
    let import = runtime.block_on(crm.import(&plan, true)).unwrap();
    let import_time = started.elapsed();
    assert_eq!(import.created as usize, CONTACTS);

    // Interactions straight into the table, then one index rebuild.
    let started = Instant::now();
    runtime.block_on(async {
        let mut tx = store.pool().begin().await.unwrap();
        for i in 0..INTERACTIONS {
            let contact = (i % CONTACTS) as i64 + 1;
            let notes = format!("{} about the {}", rng.pick(&WORDS), rng.pick(&WORDS));
            sqlx::query("INSERT INTO crm_interactions (contact_id, kind, at, notes) VALUES (?1, 'note', ?2, ?3)")
                .bind(contact)
                .bind(1_700_000_000_000i64 + i as i64)
                .bind(notes)
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
    });
    let reindexed = runtime.block_on(crm.reindex_all()).unwrap();
    let interactions_time = started.elapsed();
    assert_eq!(reindexed as usize, CONTACTS);

    // Leads and deals for score filters and the board.
    runtime.block_on(async {
        for i in 0..DEALS {
            let lead = crm
                .create_lead(&LeadForm {
                    contact_id: (i * 37 % CONTACTS) as i64 + 1,
                    budget: format!("{}k", 1 + i % 20),
                    authority: "influencer".into(),
                    need: "medium".into(),
                    ..Default::default()
                })
                .await
                .unwrap();
            crm.create_deal(&DealForm {
                lead_id: lead,
                title: format!("Deal {i}"),
                value: format!("{}k", 1 + i % 50),
                close_date: format!("2027-{:02}-15", 1 + i % 12),
                ..Default::default()
            })
            .await
            .unwrap();
        }
    });

    // Search as you type: prefixes of 2–6 letters, one or two words; every third query also
    // filters by tag or by score.
    let mut queries = Vec::new();
    for i in 0..QUERIES {
        let word = if i % 2 == 0 {
            rng.pick(&LAST)
        } else {
            rng.pick(&WORDS)
        };
        let len = 2 + rng.next() % 5;
        let mut text: String = word.to_lowercase().chars().take(len).collect();
        if i % 4 == 1 {
            text.push(' ');
            text.push_str(&rng.pick(&FIRST).to_lowercase()[..3]);
        }
        queries.push(ContactQuery {
            text,
            tag: (i % 6 == 0).then(|| "vip".to_owned()),
            min_score: (i % 6 == 3).then_some(30),
            sort: SortBy::Name,
            limit: 50,
            ..Default::default()
        });
    }
    let mut times: Vec<(bool, Duration)> = Vec::new();
    runtime.block_on(async {
        for q in &queries {
            let t = Instant::now();
            // What Crm1.Contacts does: the count and the first page.
            std::hint::black_box(crm.search(q).await.unwrap());
            let filtered = q.tag.is_some() || q.min_score.is_some();
            times.push((filtered, t.elapsed()));
        }
    });
    let sorted = |pick: &dyn Fn(bool) -> bool| {
        let mut v: Vec<Duration> = times
            .iter()
            .filter(|(f, _)| pick(*f))
            .map(|(_, d)| *d)
            .collect();
        v.sort();
        v
    };
    let all = sorted(&|_| true);
    let plain = sorted(&|f| !f);
    let filtered = sorted(&|f| f);
    let unfiltered: Vec<&ContactQuery> = queries
        .iter()
        .filter(|q| q.tag.is_none() && q.min_score.is_none())
        .collect();

    let first_page = runtime.block_on(async {
        let q = ContactQuery {
            limit: 500,
            ..Default::default()
        };
        let t = Instant::now();
        std::hint::black_box(crm.search(&q).await.unwrap());
        t.elapsed()
    });
    let board = runtime.block_on(async {
        let t = Instant::now();
        crm.stages().await.unwrap();
        crm.deals().await.unwrap();
        crm.forecast().await.unwrap();
        t.elapsed()
    });
    runtime.block_on(crm.close());

    // Baseline: the bare FTS5 match (first 50 rowids) in the sqlite3 tool, timed by its .timer.
    let mut script = String::from(".timer on\n");
    for q in unfiltered.iter().take(200) {
        let expr: Vec<String> = roxy_core::crm::words(&q.text)
            .iter()
            .map(|w| format!("\"{w}\"*"))
            .collect();
        let _ = writeln!(
            script,
            "SELECT count(*) FROM (SELECT rowid FROM crm_contacts_fts WHERE crm_contacts_fts MATCH '{}' LIMIT 50);",
            expr.join(" ")
        );
    }
    let mut child = Command::new("sqlite3")
        .arg(store.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sqlite3 (package sqlite3)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(script.as_bytes())
        .expect("script to sqlite3");
    let out = child.wait_with_output().expect("sqlite3 ends");
    let mut raw: Vec<Duration> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("Run Time: real "))
        .filter_map(|l| l.split_whitespace().next()?.parse::<f64>().ok())
        .map(Duration::from_secs_f64)
        .collect();
    raw.sort();

    println!("\nDatabase: {}", dir_path.display());
    println!("\nCRM at {CONTACTS} contacts, {INTERACTIONS} interactions, {DEALS} deals (SQLite)\n");
    println!("| Measure | Roxy | sqlite3 CLI, raw FTS5 | Ratio |");
    println!("|---|---|---|---|");
    println!(
        "| Import {CONTACTS} contacts (CSV plan + import) | {:.1} s | | |",
        import_time.as_secs_f64()
    );
    println!(
        "| Add {INTERACTIONS} interactions + rebuild the index | {:.1} s | | |",
        interactions_time.as_secs_f64()
    );
    if raw.is_empty() {
        println!(
            "(sqlite3 printed no timings: {})",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let base = |p: f64| {
        if raw.is_empty() {
            Duration::ZERO
        } else {
            percentile(&raw, p)
        }
    };
    for (label, set) in [
        ("words only", &plain),
        ("words + tag or score filter", &filtered),
        ("all", &all),
    ] {
        for (name, p) in [("p50", 0.5), ("p99", 0.99)] {
            let ours = percentile(set, p);
            let theirs = base(p);
            let ratio = if theirs.is_zero() {
                f64::NAN
            } else {
                ours.as_secs_f64() / theirs.as_secs_f64()
            };
            println!(
                "| Search {name}, {label} ({} queries; count + first 50 by name) | {:.2} ms | {:.2} ms | {:.1}× |",
                set.len(),
                ms(ours),
                ms(theirs),
                ratio
            );
        }
    }
    println!(
        "| First page of the list (count + 500 rows by name) | {:.2} ms | | |",
        ms(first_page)
    );
    println!(
        "| Board (stages + {DEALS} deals + forecast) | {:.2} ms | | |",
        ms(board)
    );
    let p99 = percentile(&all, 0.99);
    println!(
        "\nGoal search p99 < 10 ms: {} ({:.2} ms)",
        if p99 < Duration::from_millis(10) {
            "met"
        } else {
            "NOT met"
        },
        ms(p99)
    );
}
