//! The Docs panel against the real daemon over the fixture knowledge base: the tree fills,
//! search as you type lists results with highlighted snippets, Enter opens the best one,
//! the reader renders it natively (headings, code in monospace with Copy and Run, tables,
//! images, front matter hidden), internal links navigate with back/forward, and Run hands
//! the runbook to the Runbooks panel. With the embedding model, Meaning finds a document
//! that shares no words with the query.

use super::{pump_until, screenshot};
use relm4::gtk::{self, prelude::*};
use relm4::{ComponentController, Controller};
use roxy::application::AppMsg;
use roxy::panel::PanelId;
use roxy::panels::docs::DocsInput;
use roxy::App;
use roxy_tests::*;
use std::path::Path;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/docs/kb");

fn labels(root: &gtk::Widget) -> Vec<gtk::Label> {
    super::widgets::all::<gtk::Label>(root)
}

fn open_title(app: &Controller<App>) -> String {
    app.model()
        .docs()
        .model()
        .reader()
        .current()
        .map(|c| c.doc.title.clone())
        .unwrap_or_default()
}

/// Opens `path` in the reader and returns what it rendered once `title` shows.
fn open(app: &Controller<App>, path: &Path, title: &str) -> Result<gtk::Box, String> {
    app.model()
        .docs()
        .emit(DocsInput::Open(path.to_string_lossy().into()));
    if !pump_until(app, |_| open_title(app) == title) {
        return Err(format!("opened {:?}, not {title:?}", open_title(app)));
    }
    app.model()
        .docs()
        .model()
        .reader()
        .content()
        .cloned()
        .ok_or_else(|| "nothing rendered".to_owned())
}

pub fn reader_renders_and_navigates(
    app: &Controller<App>,
    bus: &TestBus,
    dir: &Path,
) -> Result<(), String> {
    let kb = dir.join("kb");
    copy_tree(Path::new(FIXTURES), &kb);
    let out = bus.roxyctl(&["docs", "folders", "--add", kb.to_str().unwrap()]);
    if !out.status.success() {
        return Err(stderr(&out));
    }
    app.emit(AppMsg::Select(PanelId::Docs));
    if !pump_until(app, |m| {
        m.docs().model().documents().len() == 6 && !m.docs().model().status().indexing
    }) {
        return Err(format!(
            "documents {} in the panel",
            app.model().docs().model().documents().len()
        ));
    }
    let sections = app.model().docs().model().tree().sections();
    if sections != 4 {
        return Err(format!("{sections} folders in the tree, expected 4"));
    }

    // Search as you type, then Enter opens the best match.
    app.model()
        .docs()
        .model()
        .search_entry()
        .set_text("retentio");
    if !pump_until(app, |m| m.docs().model().results().len() == 1) {
        return Err(format!(
            "results: {} ({})",
            app.model().docs().model().results().len(),
            app.model().docs().model().results().summary()
        ));
    }
    app.model().docs().model().search_entry().emit_activate();
    if !pump_until(app, |_| open_title(app) == "Backups with restic") {
        return Err(format!("opened {:?}", open_title(app)));
    }
    let content = app
        .model()
        .docs()
        .model()
        .reader()
        .content()
        .cloned()
        .ok_or("nothing rendered")?;
    let all = labels(content.upcast_ref());
    let heading = all
        .iter()
        .find(|l| l.label() == "Backups with restic")
        .ok_or("no heading label")?;
    if !heading.has_css_class("title-1") {
        return Err("the heading is not styled as a title".into());
    }
    let code = all
        .iter()
        .find(|l| l.label().contains("restic -r /srv/restic restore"))
        .ok_or("no code block")?;
    if !code.has_css_class("monospace") {
        return Err("code is not monospace".into());
    }
    if all.iter().any(|l| l.label().contains("tags: [ops")) {
        return Err("front matter is shown".into());
    }
    let ordered = all.iter().any(|l| l.label() == "2.");
    if !ordered {
        return Err("the numbered list has no numbers".into());
    }
    screenshot(app, dir, "docs-reader.png")?;

    // A table, an image and links in the brain index.
    let content = open(app, &kb.join("brain/index.md"), "Brain")?;
    let widgets = super::widgets::all::<gtk::Widget>(content.upcast_ref());
    if !widgets.iter().any(|w| w.is::<gtk::Grid>()) {
        return Err("no table".into());
    }
    if !widgets.iter().any(|w| w.is::<gtk::Picture>()) {
        return Err("no image".into());
    }
    // An internal link navigates; Back and Forward walk the history.
    app.model()
        .docs()
        .emit(DocsInput::Link("../studio/obs.md#scenes".into()));
    if !pump_until(app, |_| open_title(app) == "OBS Studio") {
        return Err(format!("link opened {:?}", open_title(app)));
    }
    app.model().docs().emit(DocsInput::Back);
    if !pump_until(app, |_| open_title(app) == "Brain") {
        return Err(format!("back opened {:?}", open_title(app)));
    }
    app.model().docs().emit(DocsInput::Forward);
    if !pump_until(app, |_| open_title(app) == "OBS Studio") {
        return Err(format!("forward opened {:?}", open_title(app)));
    }

    // By meaning: once embedded, a query sharing no words finds the backups page.
    if !pump_until(app, |m| m.docs().model().status().embedded == 6) {
        return Err(format!(
            "embedded {} of 6",
            app.model().docs().model().status().embedded
        ));
    }
    let meaning = app.model().docs().model().meaning_toggle().clone();
    let search = app.model().docs().model().search_entry().clone();
    if !meaning.is_sensitive() {
        return Err("the Meaning toggle is off although the model is installed".into());
    }
    meaning.set_active(true);
    search.set_text("duplicate my files to another machine every night");
    let backups = kb.join("ops/backups.md").to_string_lossy().into_owned();
    if !pump_until(app, |m| {
        m.docs().model().results().first_path().as_deref() == Some(backups.as_str())
            && m.docs()
                .model()
                .results()
                .summary()
                .contains("nearest in meaning")
    }) {
        return Err(format!(
            "by meaning: first {:?} ({})",
            app.model().docs().model().results().first_path(),
            app.model().docs().model().results().summary()
        ));
    }
    screenshot(app, dir, "docs-meaning.png")?;
    meaning.set_active(false);
    search.set_text("");

    // Run in a roxy-runbook block hands over to the Runbooks panel.
    let content = open(app, &kb.join("ops/backups.md"), "Backups with restic")?;
    let run = super::widgets::all::<gtk::Widget>(content.upcast_ref())
        .into_iter()
        .filter_map(|w| w.downcast::<gtk::Button>().ok())
        .find(|b| b.label().is_some_and(|l| l.starts_with("Run")))
        .ok_or("no Run button on the runbook block")?;
    run.emit_clicked();
    if !pump_until(app, |m| m.current_panel() == PanelId::Runbooks) {
        return Err("Run did not switch to the Runbooks panel".into());
    }
    app.emit(AppMsg::Select(PanelId::Docs));
    Ok(())
}
