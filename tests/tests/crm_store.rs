//! The CRM store against both backends: the daemon's SQLite file and a real PostgreSQL server
//! started from Debian's package. The same scenario runs on each, so they behave alike.

use roxy_core::crm::bant::Reason;
use roxy_core::crm::{
    csv_import, vcard, ContactForm, ContactQuery, Crm, CrmError, DealForm, Kind, LeadFilter,
    LeadForm, Outcome, SortBy,
};
use roxy_core::Store;
use roxy_tests::Postgres;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/crm");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap()
}

fn days_from_today(days: i64) -> String {
    (roxy_core::crm::today() + chrono_days(days))
        .format("%Y-%m-%d")
        .to_string()
}

fn chrono_days(days: i64) -> chrono::TimeDelta {
    chrono::TimeDelta::days(days)
}

fn contact(name: &str, email: &str, company: &str, tags: &str) -> ContactForm {
    ContactForm {
        name: name.into(),
        email: email.into(),
        company: company.into(),
        tags: tags.into(),
        ..Default::default()
    }
}

fn field_errors(result: Result<i64, CrmError>) -> Vec<String> {
    match result {
        Err(CrmError::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

async fn search(crm: &Crm, query: ContactQuery) -> Vec<String> {
    let query = ContactQuery {
        limit: 100,
        ..query
    };
    let rows = crm.contacts(&query).await.unwrap();
    assert_eq!(
        crm.count_contacts(&query).await.unwrap(),
        rows.len() as i64,
        "count agrees with the rows"
    );
    rows.into_iter().map(|r| r.name).collect()
}

fn text(text: &str) -> ContactQuery {
    ContactQuery {
        text: text.into(),
        ..Default::default()
    }
}

/// Everything the issue names, on one backend.
async fn exercise(crm: Crm) {
    // --- contacts: create, read, update, field errors -------------------------------------
    let ada = crm
        .create_contact(&contact(
            "Ada Lovelace",
            "Ada@Analytical.EXAMPLE",
            "Analytical Engines",
            "vip, math",
        ))
        .await
        .unwrap();
    let read = crm.contact(ada).await.unwrap();
    assert_eq!(read.email, "Ada@analytical.example");
    assert_eq!(read.company, "Analytical Engines");
    assert_eq!(read.tags, vec!["math", "vip"]);
    assert_eq!(
        field_errors(crm.create_contact(&contact("", "nope", "", "")).await),
        vec!["name", "email"]
    );
    let mut form = read.form();
    form.phone = "+44 20 7946 0018".into();
    form.notes = "Prefers letters to calls".into();
    crm.update_contact(ada, &form).await.unwrap();
    assert_eq!(crm.contact(ada).await.unwrap().phone, "+44 20 7946 0018");
    let grace = crm
        .create_contact(&contact(
            "Grace Hopper",
            "grace@navy.example",
            "US Navy",
            "navy",
        ))
        .await
        .unwrap();
    let linus = crm
        .create_contact(&contact(
            "Linus Example",
            "linus@kernel.example",
            "Kernel Co",
            "oss, vip",
        ))
        .await
        .unwrap();

    // --- leads and BANT -----------------------------------------------------------------
    let lead_form = LeadForm {
        contact_id: ada,
        source: "referral".into(),
        value: "12k".into(),
        budget: "12,000".into(),
        authority: "decision_maker".into(),
        need: "high".into(),
        decision_date: days_from_today(20),
        next_action: "Send the proposal".into(),
        next_action_due: days_from_today(0),
        ..Default::default()
    };
    let ada_lead = crm.create_lead(&lead_form).await.unwrap();
    let lead = crm.lead(ada_lead).await.unwrap();
    assert_eq!(lead.score, 100);
    assert_eq!(
        lead.explanation[0].reason,
        Reason::BudgetMet {
            stated_cents: 1_200_000,
            threshold_cents: 1_000_000
        }
    );
    assert_eq!(crm.contact(ada).await.unwrap().score, Some(100));
    let grace_lead = crm
        .create_lead(&LeadForm {
            contact_id: grace,
            budget: "5k".into(),
            authority: "influencer".into(),
            need: "low".into(),
            next_action: "Call back".into(),
            next_action_due: days_from_today(-3),
            ..Default::default()
        })
        .await
        .unwrap();
    // 5k of 10k → 12; influencer → 12; low → 8; no date → 0.
    assert_eq!(crm.lead(grace_lead).await.unwrap().score, 32);
    let bad = crm
        .create_lead(&LeadForm {
            contact_id: grace,
            budget: "lots".into(),
            decision_date: "31.12.2026".into(),
            ..Default::default()
        })
        .await;
    assert_eq!(field_errors(bad), vec!["budget", "decision_date"]);
    // Rescored on change: a lower budget lowers the score at once.
    crm.update_lead(
        ada_lead,
        &LeadForm {
            budget: "2,500".into(),
            ..lead_form.clone()
        },
    )
    .await
    .unwrap();
    assert_eq!(crm.lead(ada_lead).await.unwrap().score, 81);
    assert_eq!(crm.contact(ada).await.unwrap().score, Some(81));
    let best: Vec<i64> = crm
        .leads(&LeadFilter {
            by_score: true,
            min_score: Some(30),
            ..Default::default()
        })
        .await
        .unwrap()
        .iter()
        .map(|l| l.id)
        .collect();
    assert_eq!(best, vec![ada_lead, grace_lead]);
    // New weights rescore every lead.
    let mut config = crm.bant_config().await.unwrap();
    config.budget_threshold_cents = 250_000;
    assert_eq!(crm.set_bant_config(&config).await.unwrap(), 2);
    assert_eq!(crm.lead(ada_lead).await.unwrap().score, 100);
    assert_eq!(crm.lead(grace_lead).await.unwrap().score, 45);

    // --- today list ---------------------------------------------------------------------
    let today = crm.today_list().await.unwrap();
    let actions: Vec<(&str, bool)> = today
        .iter()
        .map(|t| (t.action.as_str(), t.overdue))
        .collect();
    assert_eq!(
        actions,
        vec![("Call back", true), ("Send the proposal", false)]
    );

    // --- pipeline -----------------------------------------------------------------------
    let stages = crm.stages().await.unwrap();
    assert_eq!(stages.len(), 6);
    let (lead_in, proposal) = (stages[0].id, stages[2].id);
    let month_a = days_from_today(40)[..7].to_string();
    let deal = |title: &str, lead: i64, value: &str, close: String| DealForm {
        lead_id: lead,
        title: title.into(),
        value: value.into(),
        close_date: close,
        ..Default::default()
    };
    let d1 = crm
        .create_deal(&deal("Engine", ada_lead, "10k", days_from_today(40)))
        .await
        .unwrap();
    let d2 = crm
        .create_deal(&deal("Compiler", grace_lead, "4k", days_from_today(40)))
        .await
        .unwrap();
    let d3 = crm
        .create_deal(&deal("Cards", ada_lead, "1k", String::new()))
        .await
        .unwrap();
    assert_eq!(
        crm.deal(d1).await.unwrap().probability,
        10,
        "takes the stage's chance"
    );
    // Move Compiler to the top of Proposal, then Cards above it.
    crm.move_deal(d2, proposal, 0, "").await.unwrap();
    crm.move_deal(d3, proposal, 0, "").await.unwrap();
    let board: Vec<(i64, i64, i64)> = crm
        .deals()
        .await
        .unwrap()
        .iter()
        .map(|d| (d.id, d.stage_id, d.position))
        .collect();
    assert_eq!(
        board,
        vec![(d1, lead_in, 0), (d3, proposal, 0), (d2, proposal, 1)]
    );
    // Forecast: Lead in 10k × 10 %; Proposal (4k + 1k) × 60 %.
    let forecast = crm.forecast().await.unwrap();
    let by_stage: Vec<(String, i64, i64, i64)> = forecast
        .stages
        .iter()
        .map(|l| (l.label.clone(), l.deals, l.total_cents, l.weighted_cents))
        .collect();
    assert_eq!(
        by_stage,
        vec![
            ("Lead in".into(), 1, 1_000_000, 100_000),
            ("Qualified".into(), 0, 0, 0),
            ("Proposal".into(), 2, 500_000, 300_000),
            ("Negotiation".into(), 0, 0, 0),
        ]
    );
    let by_month: Vec<(String, i64)> = forecast
        .months
        .iter()
        .map(|l| (l.label.clone(), l.weighted_cents))
        .collect();
    assert_eq!(
        by_month,
        vec![(String::new(), 60_000), (month_a, 100_000 + 240_000)]
    );
    // Won and lost need a reason, and leave the forecast.
    assert!(matches!(
        crm.close_deal(d2, true, " ").await,
        Err(CrmError::Invalid(_))
    ));
    crm.close_deal(d2, true, "Signed after the demo")
        .await
        .unwrap();
    let won = crm.deal(d2).await.unwrap();
    assert_eq!(
        (won.probability, won.reason.as_str()),
        (100, "Signed after the demo")
    );
    assert_eq!(
        crm.forecast().await.unwrap().stages[2].weighted_cents,
        60_000
    );
    // Stages are editable: rename, add, refuse to remove one that holds deals.
    crm.save_stage(proposal, "Offer sent", 50, Outcome::Open, None)
        .await
        .unwrap();
    let demo = crm
        .save_stage(0, "Demo", 40, Outcome::Open, Some(2))
        .await
        .unwrap();
    let names: Vec<String> = crm
        .stages()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names[..4], ["Lead in", "Qualified", "Demo", "Offer sent"]);
    assert!(matches!(
        crm.remove_stage(proposal).await,
        Err(CrmError::Invalid(_))
    ));
    crm.remove_stage(demo).await.unwrap();

    // --- interactions and search with filters -------------------------------------------
    let now = roxy_core::time::now_ms();
    crm.add_interaction(grace, "call", now - 60_000, "Talked about COBOL compilers")
        .await
        .unwrap();
    crm.add_interaction(grace, "meeting", now, "Demo in the studio")
        .await
        .unwrap();
    assert!(crm.add_interaction(grace, "fax", now, "").await.is_err());
    let timeline = crm.timeline(grace, 10).await.unwrap();
    assert_eq!(timeline.len(), 2);
    assert_eq!(timeline[0].notes, "Demo in the studio", "newest first");
    assert_eq!(search(&crm, text("cobol")).await, vec!["Grace Hopper"]);
    assert_eq!(search(&crm, text("analyt")).await, vec!["Ada Lovelace"]);
    assert_eq!(
        search(&crm, text("kernel.example")).await,
        vec!["Linus Example"]
    );
    assert_eq!(search(&crm, text("letters")).await, vec!["Ada Lovelace"]);
    assert_eq!(search(&crm, text("example")).await.len(), 3);
    let vip = ContactQuery {
        tag: Some("VIP".into()),
        ..Default::default()
    };
    assert_eq!(
        search(&crm, vip.clone()).await,
        vec!["Ada Lovelace", "Linus Example"]
    );
    assert_eq!(
        search(
            &crm,
            ContactQuery {
                text: "linus".into(),
                ..vip.clone()
            }
        )
        .await,
        vec!["Linus Example"]
    );
    let in_proposal = ContactQuery {
        stage_id: Some(proposal),
        ..Default::default()
    };
    assert_eq!(search(&crm, in_proposal).await, vec!["Ada Lovelace"]);
    let high = ContactQuery {
        min_score: Some(50),
        sort: SortBy::Score,
        ..Default::default()
    };
    assert_eq!(search(&crm, high).await, vec!["Ada Lovelace"]);
    let by_score = ContactQuery {
        sort: SortBy::Score,
        ..Default::default()
    };
    assert_eq!(
        search(&crm, by_score).await,
        vec!["Ada Lovelace", "Grace Hopper", "Linus Example"]
    );
    assert!(
        search(&crm, text("\" * NEAR(")).await.is_empty(),
        "operators are plain words"
    );
    assert!(search(&crm, text("zzzz")).await.is_empty());

    // --- soft delete and undo -----------------------------------------------------------
    crm.delete(Kind::Contact, linus).await.unwrap();
    assert!(search(&crm, text("linus")).await.is_empty());
    assert!(matches!(
        crm.contact(linus).await,
        Err(CrmError::NotFound { .. })
    ));
    crm.restore(Kind::Contact, linus).await.unwrap();
    assert_eq!(search(&crm, text("linus")).await, vec!["Linus Example"]);
    crm.delete(Kind::Interaction, timeline[1].id).await.unwrap();
    assert!(
        search(&crm, text("cobol")).await.is_empty(),
        "deleted notes leave the index"
    );
    crm.restore(Kind::Interaction, timeline[1].id)
        .await
        .unwrap();

    // --- duplicates and merge -----------------------------------------------------------
    let twin = crm
        .create_contact(&ContactForm {
            name: "G. Hopper".into(),
            email: "GRACE@navy.example".into(),
            phone: "+1 202 555 0143".into(),
            tags: "speaker".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    crm.add_interaction(twin, "email", now, "Sent the slides")
        .await
        .unwrap();
    let groups = crm.duplicates(10).await.unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].contact_ids, vec![grace, twin]);
    crm.merge_contacts(grace, twin).await.unwrap();
    let merged = crm.contact(grace).await.unwrap();
    assert_eq!(merged.phone, "+1 202 555 0143", "empty fields filled");
    assert_eq!(merged.tags, vec!["navy", "speaker"]);
    let notes: Vec<String> = crm
        .timeline(grace, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.notes)
        .collect();
    assert_eq!(notes.len(), 3, "all interactions kept: {notes:?}");
    assert!(crm.duplicates(10).await.unwrap().is_empty());
    assert_eq!(search(&crm, text("slides")).await, vec!["Grace Hopper"]);

    // --- vCard round trip, byte for byte ------------------------------------------------
    let cards = String::from_utf8(fixture("contacts.vcf")).unwrap();
    let mut plan = vcard::read(&cards).unwrap();
    assert!(plan.bad.is_empty(), "{:?}", plan.bad);
    crm.find_existing(&mut plan).await.unwrap();
    assert_eq!(plan.duplicates(), 2, "Ada and Grace are already here");
    for row in &mut plan.rows {
        row.duplicate_of = None;
    }
    let all = ContactQuery {
        limit: 1000,
        ..Default::default()
    };
    let before: Vec<i64> = crm
        .contacts(&all)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    let outcome = crm.import(&plan, true).await.unwrap();
    assert_eq!(outcome.created, 3);
    let mut ids: Vec<i64> = crm
        .contacts(&all)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .filter(|id| !before.contains(id))
        .collect();
    ids.sort();
    assert_eq!(
        crm.export_vcards(&ids).await.unwrap(),
        cards,
        "vCards round-trip byte for byte"
    );
    let jose = crm.contact(ids[2]).await.unwrap();
    assert_eq!(jose.notes, "Mezcla en el estudio B; llama antes de las 10.");
    assert_eq!(search(&crm, text("garcía")).await, vec![jose.name.clone()]);
    for id in &ids {
        crm.delete(Kind::Contact, *id).await.unwrap();
    }
    assert_eq!(crm.count_contacts(&all).await.unwrap(), before.len() as i64);

    // --- CSV: dry run, then import; broken files refused --------------------------------
    let mut plan = csv_import::read(&fixture("contacts.csv"), &[]).unwrap();
    crm.find_existing(&mut plan).await.unwrap();
    let bad: Vec<(u64, String)> = plan
        .bad
        .iter()
        .map(|b| (b.line, b.reason.clone()))
        .collect();
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert_eq!(bad[0].0, 3);
    assert!(bad[0].1.starts_with("email:"), "{}", bad[0].1);
    assert_eq!(bad[1].0, 6, "the line after the two-line note");
    assert!(bad[1].1.starts_with("phone:"), "{}", bad[1].1);
    assert_eq!(plan.rows.len(), 3);
    assert_eq!(plan.duplicates(), 2, "Linus and Grace exist");
    let before = crm.count_contacts(&ContactQuery::default()).await.unwrap();
    // A dry run writes nothing.
    assert_eq!(
        crm.count_contacts(&ContactQuery::default()).await.unwrap(),
        before
    );
    let outcome = crm.import(&plan, true).await.unwrap();
    assert_eq!((outcome.created, outcome.merged), (1, 2));
    assert_eq!(
        crm.count_contacts(&ContactQuery::default()).await.unwrap(),
        before + 1
    );
    let grace_now = crm.contact(grace).await.unwrap();
    assert!(
        grace_now.notes.contains("two-line note"),
        "{}",
        grace_now.notes
    );
    assert_eq!(
        search(&crm, text("margaret apollo")).await,
        vec!["Margaret Hamilton"]
    );
    for broken in ["unclosed.csv", "latin1.csv"] {
        let err = csv_import::read(&fixture(broken), &[]).unwrap_err();
        assert!(err.to_string().starts_with("line 3:"), "{broken}: {err}");
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn sqlite_backend() {
    runtime().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let crm = Crm::sqlite(&store).await.unwrap();
        exercise(crm).await;
    });
}

#[test]
fn postgres_backend() {
    let server = Postgres::start();
    let url = server.create_database("roxy_crm");
    runtime().block_on(async {
        let crm = Crm::postgres(&url).await.unwrap();
        exercise(crm.clone()).await;
        crm.close().await;
        // Opening again finds the tables (migrations are not run twice).
        let again = Crm::postgres(&url).await.unwrap();
        assert_eq!(again.stages().await.unwrap().len(), 6);
        again.close().await;
    });
}

#[test]
fn a_broad_search_lists_a_bounded_sorted_set_and_says_there_is_more() {
    assert_eq!(
        roxy_core::crm::TEXT_MATCH_LIMIT,
        roxy_ipc::crm::TEXT_MATCH_LIMIT
    );
    runtime().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let crm = Crm::sqlite(&store).await.unwrap();
        let n = roxy_core::crm::TEXT_MATCH_LIMIT as usize + 20;
        let mut csv = String::from("name,tags\n");
        for i in 0..n {
            // Names in reverse order of creation, so index order is not name order.
            csv.push_str(&format!(
                "Studio {:04},{}\n",
                n - i,
                if i % 2 == 0 { "vip" } else { "" }
            ));
        }
        let plan = csv_import::read(csv.as_bytes(), &[]).unwrap();
        crm.import(&plan, true).await.unwrap();
        let query = ContactQuery {
            text: "stu".into(),
            limit: 50,
            ..Default::default()
        };
        let (total, rows) = crm.search(&query).await.unwrap();
        assert_eq!(
            total,
            roxy_core::crm::TEXT_MATCH_LIMIT + 1,
            "more than the limit"
        );
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted, "the page is in name order");
        // A filter narrows inside the index, before the limit: all vip rows are found.
        let vip = ContactQuery {
            tag: Some("vip".into()),
            limit: 1000,
            ..query.clone()
        };
        let (total, rows) = crm.search(&vip).await.unwrap();
        assert_eq!((total, rows.len()), (n as i64 / 2, n / 2));
        // Without words the list is exact.
        let (total, _) = crm
            .search(&ContactQuery {
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(total, n as i64);
    });
}

#[test]
fn a_wrong_database_url_is_a_clear_error() {
    runtime().block_on(async {
        let err = Crm::postgres("mysql://x").await.unwrap_err();
        assert!(err.to_string().contains("postgres://"), "{err}");
        let err = Crm::postgres("postgres://roxy:hunter2@127.0.0.1:1/none")
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("roxy:***@"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    });
}
