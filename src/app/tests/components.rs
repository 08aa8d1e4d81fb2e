//! Component tests on the GTK main thread (`#[gtk::test]`); run under xvfb-run.

use relm4::gtk::glib;
use relm4::gtk::prelude::*;
use relm4::{adw, gtk as relm_gtk, Component, ComponentController};
use roxy::connection::DaemonRequest;
use roxy::jobs::{JobsInput, JobsOutput, JobsPanel};
use roxy::panel::PanelId;
use roxy_ipc::{JobInfo, JobState};

fn pump() {
    let context = glib::MainContext::default();
    for _ in 0..20 {
        while context.iteration(false) {}
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

fn job(id: u64, state: JobState, progress: f64) -> JobInfo {
    JobInfo {
        id,
        path: roxy_ipc::names::job_path(id).try_into().unwrap(),
        kind: "database-check".into(),
        title: format!("Job {id}"),
        state,
        progress,
        message: String::new(),
        started_at: 0,
        finished_at: 0,
    }
}

fn visible_page(panel: &relm_gtk::Box) -> String {
    let stack = panel
        .first_child()
        .and_downcast::<relm_gtk::Stack>()
        .expect("the jobs view starts with its stack");
    stack
        .visible_child_name()
        .map(|s| s.to_string())
        .unwrap_or_default()
}

#[gtk::test]
fn jobs_view_lists_newest_first_and_updates_rows_in_place() {
    adw::init().unwrap();
    let panel = JobsPanel::builder().launch(false).detach();
    pump();
    assert_eq!(visible_page(panel.widget()), "empty");

    panel.emit(JobsInput::Replace(vec![
        job(1, JobState::Succeeded, 1.0),
        job(2, JobState::Running, 0.25),
    ]));
    pump();
    assert_eq!(panel.model().job_ids(), vec![2, 1]);
    assert_eq!(visible_page(panel.widget()), "list");

    panel.emit(JobsInput::Upsert(job(2, JobState::Failed, 0.5)));
    panel.emit(JobsInput::Upsert(job(3, JobState::Running, -1.0)));
    pump();
    assert_eq!(panel.model().job_ids(), vec![3, 2, 1]);
    assert_eq!(panel.model().job(2).unwrap().state, JobState::Failed);

    panel.emit(JobsInput::Replace(vec![]));
    pump();
    assert_eq!(visible_page(panel.widget()), "empty");
}

#[gtk::test]
fn cancel_without_confirmation_asks_the_daemon() {
    adw::init().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let panel = JobsPanel::builder()
        .launch(false)
        .connect_receiver(move |_, out| {
            let _ = tx.send(out);
        });
    panel.emit(JobsInput::Upsert(job(7, JobState::Running, 0.1)));
    panel.emit(JobsInput::CancelAsked(7, "Job 7".into()));
    pump();
    let out = rx.try_recv().expect("a request was sent");
    assert!(
        matches!(out, JobsOutput::Request(DaemonRequest::Cancel(7))),
        "{out:?}"
    );
}

#[gtk::test]
fn every_panel_has_an_existing_icon() {
    adw::init().unwrap();
    let theme = relm_gtk::IconTheme::for_display(&relm_gtk::gdk::Display::default().unwrap());
    for panel in PanelId::ALL {
        assert!(
            theme.has_icon(panel.icon()),
            "{} is not in the icon theme",
            panel.icon()
        );
    }
}
