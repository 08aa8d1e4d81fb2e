//! The CRM panel against the real daemon: the list fills from roxyd and searches as you
//! type, the contact pane shows leads, the lead form marks bad fields from roxyd's checks
//! as they are typed, the board moves deals from the keyboard, and the list view keeps
//! 100 000 rows with only a screenful of row widgets.

use super::{pump_until, screenshot};
use relm4::gtk::gdk;
use relm4::gtk::prelude::*;
use relm4::{ComponentController, Controller};
use roxy::application::AppMsg;
use roxy::connection::CrmEvent;
use roxy::panel::PanelId;
use roxy::panels::crm::CrmInput;
use roxy::App;
use roxy_ipc::crm::ContactRowInfo;
use roxy_tests::*;
use std::path::Path;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/crm");

fn roxyctl_ok(bus: &TestBus, args: &[&str]) -> serde_json::Value {
    let out = bus.roxyctl(&[&["--json"], args].concat());
    assert!(out.status.success(), "roxyctl {args:?}: {}", stderr(&out));
    serde_json::from_str(stdout(&out).trim()).unwrap_or_default()
}

pub fn list_search_detail_and_lead_form(
    app: &Controller<App>,
    bus: &TestBus,
    dir: &Path,
) -> Result<(), String> {
    let csv = format!("{FIXTURES}/contacts.csv");
    let out = bus.roxyctl(&["crm", "import", &csv, "--confirm"]);
    if !out.status.success() {
        return Err(stderr(&out));
    }
    app.emit(AppMsg::Select(PanelId::Crm));
    // The import's Changed signal refills the list; nothing polls.
    if !pump_until(app, |m| m.crm().model().total() == 3) {
        return Err(format!("list total {}", app.model().crm().model().total()));
    }
    app.model().crm().model().search_entry().set_text("fosdem");
    let found = pump_until(app, |m| {
        let crm = m.crm().model();
        crm.list().len() == 1 && crm.list().row(0).is_some_and(|r| r.name == "Linus Example")
    });
    if !found {
        return Err(format!(
            "search left {} rows",
            app.model().crm().model().list().len()
        ));
    }
    app.model().crm().model().list().select(0);
    if !pump_until(app, |m| m.crm().model().detail().contact_id > 0) {
        return Err("the contact did not open".into());
    }
    // Inline validation: roxyd's verdict marks the row while typing.
    app.model()
        .crm()
        .model()
        .detail()
        .lead_form
        .set_value("budget", "lots");
    app.model()
        .crm()
        .model()
        .detail()
        .lead_form
        .set_value("next_action_due", "31.12.");
    let marked = pump_until(app, |m| {
        let marked = m.crm().model().detail().lead_form.marked();
        marked.contains(&"budget") && marked.contains(&"next_action_due")
    });
    if !marked {
        return Err(format!(
            "marked: {:?}",
            app.model().crm().model().detail().lead_form.marked()
        ));
    }
    screenshot(app, dir, "crm-lead-form.png")?;
    for (field, value) in [
        ("budget", "12k"),
        ("next_action_due", ""),
        ("authority", "decision_maker"),
    ] {
        app.model()
            .crm()
            .model()
            .detail()
            .lead_form
            .set_value(field, value);
    }
    if !pump_until(app, |m| {
        m.crm().model().detail().lead_form.marked().is_empty()
    }) {
        return Err("the fixed fields stayed red".into());
    }
    app.model()
        .crm()
        .emit(CrmInput::Detail(roxy::panels::crm::DetailAction::AddLead));
    let scored = pump_until(app, |m| {
        m.crm()
            .model()
            .detail()
            .lead_titles()
            .iter()
            .any(|t| t == "Score 50/100")
    });
    if !scored {
        return Err(format!(
            "leads: {:?}",
            app.model().crm().model().detail().lead_titles()
        ));
    }
    app.model().crm().model().search_entry().set_text("");
    if !pump_until(app, |m| m.crm().model().list().len() == 3) {
        return Err("clearing the search did not bring all rows back".into());
    }
    screenshot(app, dir, "crm.png")
}

pub fn board_moves_deals_by_keyboard(app: &Controller<App>, bus: &TestBus) -> Result<(), String> {
    let contact =
        roxyctl_ok(bus, &["crm", "contact", "list", "margaret"])["contacts"][0]["id"].to_string();
    let lead =
        roxyctl_ok(bus, &["crm", "lead", "add", &contact, "--value", "5k"])["id"].to_string();
    roxyctl_ok(
        bus,
        &[
            "crm",
            "deal",
            "add",
            &lead,
            "Guidance software",
            "--value",
            "5k",
        ],
    );
    roxyctl_ok(
        bus,
        &["crm", "deal", "add", &lead, "Lunar module", "--value", "9k"],
    );
    app.model().crm().model().show_page("pipeline");
    let first = |m: &App| {
        m.crm()
            .model()
            .board()
            .columns()
            .first()
            .map(|c| c.1.clone())
            .unwrap_or_default()
    };
    if !pump_until(app, |m| first(m).len() == 2) {
        return Err(format!(
            "board: {:?}",
            app.model().crm().model().board().columns()
        ));
    }
    let deals = roxyctl_ok(bus, &["crm", "deal", "list"]);
    let id = |title: &str| {
        deals["deals"]
            .as_array()
            .and_then(|d| d.iter().find(|d| d["title"] == title))
            .and_then(|d| d["id"].as_i64())
            .unwrap_or_default()
    };
    let module = id("Lunar module");
    // Alt+↑ puts it on top; Alt+→ moves it to the next stage.
    app.model().crm().model().board().key(module, gdk::Key::Up);
    if !pump_until(app, |m| first(m) == ["Lunar module", "Guidance software"]) {
        return Err(format!(
            "after Alt+Up: {:?}",
            app.model().crm().model().board().columns()
        ));
    }
    app.model()
        .crm()
        .model()
        .board()
        .key(module, gdk::Key::Right);
    let moved = pump_until(app, |m| {
        let columns = m.crm().model().board().columns();
        columns.len() > 1
            && columns[1].1 == ["Lunar module"]
            && columns[0].1 == ["Guidance software"]
    });
    if !moved {
        return Err(format!(
            "after Alt+Right: {:?}",
            app.model().crm().model().board().columns()
        ));
    }
    Ok(())
}

pub fn list_view_holds_100k_rows(app: &Controller<App>) -> Result<(), String> {
    app.model().crm().model().show_page("contacts");
    let generation = app.model().crm().model().generation();
    let rows: Vec<ContactRowInfo> = (0..100_000)
        .map(|i| ContactRowInfo {
            id: i + 1,
            name: format!("Contact {i:06}"),
            email: format!("c{i}@example.org"),
            phone: String::new(),
            company: format!("Company {}", i % 997),
            score: i % 101,
        })
        .collect();
    app.model().crm().emit(CrmInput::Event(CrmEvent::Contacts {
        generation,
        total: 100_000,
        offset: 0,
        rows,
    }));
    if !pump_until(app, |m| m.crm().model().list().len() == 100_000) {
        return Err(format!("rows: {}", app.model().crm().model().list().len()));
    }
    for position in [50_000, 99_990, 0] {
        app.model().crm().model().list().scroll_to(position);
        pump_until(app, |_| false_after_a_frame());
    }
    let made = app.model().crm().model().list().widgets_made();
    if made == 0 || made > 300 {
        return Err(format!("{made} row widgets for 100 000 rows"));
    }
    println!("    100 000 rows, {made} row widgets");
    // Back to what roxyd has.
    app.model().crm().emit(CrmInput::Search);
    if !pump_until(app, |m| m.crm().model().list().len() < 100) {
        return Err("the real list did not come back".into());
    }
    Ok(())
}

/// Lets a few frames pass (pump_until with a condition that turns true after ~200 ms).
fn false_after_a_frame() -> bool {
    use std::sync::atomic::{AtomicU32, Ordering};
    static CALLS: AtomicU32 = AtomicU32::new(0);
    CALLS.fetch_add(1, Ordering::SeqCst) % 20 == 19
}

pub fn duplicates_are_offered_for_merge(
    app: &Controller<App>,
    bus: &TestBus,
) -> Result<(), String> {
    app.model().crm().model().show_page("contacts");
    roxyctl_ok(
        bus,
        &[
            "crm",
            "contact",
            "add",
            "--name",
            "L. Example",
            "--email",
            "LINUS@kernel.example",
        ],
    );
    let offered = pump_until(app, |m| {
        m.crm()
            .model()
            .duplicates()
            .first()
            .is_some_and(|(_, names)| names == &["Linus Example", "L. Example"])
    });
    if !offered {
        return Err(format!(
            "duplicates: {:?}",
            app.model().crm().model().duplicates()
        ));
    }
    app.model().crm().emit(CrmInput::MergeGroup(0));
    if !pump_until(app, |m| m.crm().model().duplicates().is_empty()) {
        return Err("the group stayed after merging".into());
    }
    let left = roxyctl_ok(bus, &["crm", "duplicates"]);
    if left.as_array().is_none_or(|a| !a.is_empty()) {
        return Err(format!("roxyd still lists {left}"));
    }
    Ok(())
}

pub fn imports_and_exports_from_the_panel(
    app: &Controller<App>,
    bus: &TestBus,
) -> Result<(), String> {
    app.model().crm().model().show_page("contacts");
    // Start from what roxyd has: the list may still be catching up with the last merge.
    let before = roxyctl_ok(bus, &["crm", "contact", "list"])["total"]
        .as_i64()
        .unwrap_or(-1);
    if !pump_until(app, |m| m.crm().model().total() == before) {
        return Err(format!(
            "list total {} != {before}",
            app.model().crm().model().total()
        ));
    }
    let vcf = std::path::PathBuf::from(format!("{FIXTURES}/contacts.vcf"));
    app.model().crm().emit(CrmInput::ImportFile(vcf));
    // The dry run: three cards, Grace already known from the CSV.
    let planned = pump_until(app, |m| {
        m.crm()
            .model()
            .last_import_report()
            .is_some_and(|r| r.good == 3 && r.duplicates.len() == 1)
    });
    if !planned {
        return Err(format!(
            "report: {:?}",
            app.model().crm().model().last_import_report()
        ));
    }
    if app.model().crm().model().total() != before {
        return Err("the dry run imported something".into());
    }
    app.model().crm().emit(CrmInput::ConfirmImport);
    if !pump_until(app, |m| m.crm().model().total() == before + 2) {
        return Err(format!(
            "after import: {} (before {before})",
            app.model().crm().model().total()
        ));
    }
    let out = bus.dir.path().join("panel-export.vcf");
    app.model().crm().emit(CrmInput::ExportFile(out.clone()));
    let written = pump_until(app, |_| {
        std::fs::read_to_string(&out)
            .is_ok_and(|t| t.matches("BEGIN:VCARD").count() as i64 == before + 2)
    });
    if !written {
        return Err(format!(
            "export: {:?}",
            std::fs::read_to_string(&out).map(|t| t.len())
        ));
    }
    Ok(())
}
