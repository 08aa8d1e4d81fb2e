//! The Models group: which speech model and reply voice are in use (choose, remove), installing
//! one from a file or URL, and the progress of an install or load as it runs.

use super::{model_install, VoiceInput, VoicePanel};
use relm4::adw::prelude::*;
use relm4::{adw, gtk, ComponentSender};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::voice::ModelInfo;
use roxy_ipc::{JobInfo, JobState};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// One kind's row: a choice of the installed models, and removing the chosen one.
struct KindRow {
    kind: &'static str,
    row: adw::ComboRow,
    list: gtk::StringList,
    remove: gtk::Button,
    names: Rc<RefCell<Vec<String>>>,
    /// Filling the list is not a choice by the person.
    filling: Rc<Cell<bool>>,
}

impl KindRow {
    fn new(kind: &'static str, title: &str, sender: &ComponentSender<VoicePanel>) -> Self {
        let list = gtk::StringList::new(&[]);
        let row = adw::ComboRow::builder().title(title).model(&list).build();
        let remove = gtk::Button::from_icon_name("user-trash-symbolic");
        remove.set_tooltip_text(Some(&gettext("Remove this model")));
        remove.set_valign(gtk::Align::Center);
        remove.add_css_class("flat");
        row.add_suffix(&remove);
        let names = Rc::new(RefCell::new(Vec::<String>::new()));
        let filling = Rc::new(Cell::new(false));
        {
            let (sender, names, filling) = (sender.clone(), names.clone(), filling.clone());
            row.connect_selected_notify(move |row| {
                if filling.get() {
                    return;
                }
                if let Some(name) = names.borrow().get(row.selected() as usize) {
                    sender.input(VoiceInput::UseModel {
                        kind: kind.into(),
                        name: name.clone(),
                    });
                }
            });
        }
        {
            let (sender, names, row) = (sender.clone(), names.clone(), row.clone());
            remove.connect_clicked(move |button| {
                let Some(name) = names.borrow().get(row.selected() as usize).cloned() else {
                    return;
                };
                let body = fill(
                    &gettext("The file of “{}” is deleted. Another installed model takes its place, if there is one."),
                    &[&name],
                );
                let sender = sender.clone();
                crate::confirm::ask(
                    button,
                    crate::confirm::Question {
                        heading: &gettext("Remove the Model?"),
                        body: &body,
                        decline: &gettext("Keep"),
                        accept: &gettext("Remove"),
                        appearance: adw::ResponseAppearance::Destructive,
                    },
                    move || {
                        sender.input(VoiceInput::RemoveModel {
                            kind: kind.into(),
                            name: name.clone(),
                        })
                    },
                );
            });
        }
        Self {
            kind,
            row,
            list,
            remove,
            names,
            filling,
        }
    }

    fn show(&self, models: &[ModelInfo]) {
        let mine: Vec<&ModelInfo> = models.iter().filter(|m| m.kind == self.kind).collect();
        let names: Vec<String> = mine.iter().map(|m| m.name.clone()).collect();
        self.filling.set(true);
        if *self.names.borrow() != names {
            let labels: Vec<&str> = names.iter().map(String::as_str).collect();
            self.list.splice(0, self.list.n_items(), &labels);
            *self.names.borrow_mut() = names;
        }
        let in_use = mine.iter().position(|m| m.in_use);
        // With none in use (its load failed), nothing is selected, so choosing any one of
        // them is a change the row reports.
        self.row
            .set_selected(in_use.map_or(gtk::INVALID_LIST_POSITION, |i| i as u32));
        self.filling.set(false);
        let subtitle = match in_use.map(|i| mine[i]) {
            Some(m) => fill(
                &gettext("In use — {} MB"),
                &[&format!("{:.1}", m.bytes as f64 / 1e6)],
            ),
            None if mine.is_empty() => gettext("None installed"),
            None => gettext("None loaded"),
        };
        self.row.set_subtitle(&subtitle);
        self.remove.set_visible(!mine.is_empty());
        // It removes the one in use; with none in use, `roxyctl voice models remove` does.
        self.remove.set_sensitive(in_use.is_some());
    }
}

pub struct ModelsView {
    group: adw::PreferencesGroup,
    speech: KindRow,
    voice: KindRow,
    progress_box: gtk::Box,
    progress_title: gtk::Label,
    progress: gtk::ProgressBar,
    problem: gtk::Label,
    /// The model job being shown.
    job: Rc<Cell<Option<u64>>>,
    models: Vec<ModelInfo>,
}

impl ModelsView {
    pub fn new(sender: &ComponentSender<VoicePanel>) -> Self {
        let group = adw::PreferencesGroup::builder()
            .title(gettext("Models"))
            .description(gettext("The speech model turns what you say into text; the reply voice speaks the answers. Larger models hear better and load slower."))
            .build();
        let install = gtk::Button::with_label(&gettext("Install…"));
        install.set_valign(gtk::Align::Center);
        {
            let sender = sender.clone();
            install
                .connect_clicked(move |button| model_install::present(button, "whisper", &sender));
        }
        group.set_header_suffix(Some(&install));
        let speech = KindRow::new("whisper", &gettext("Speech Model"), sender);
        let voice = KindRow::new("piper", &gettext("Reply Voice"), sender);
        group.add(&speech.row);
        group.add(&voice.row);

        let progress_title = gtk::Label::builder().xalign(0.0).hexpand(true).build();
        let progress = gtk::ProgressBar::builder().show_text(true).build();
        let cancel = gtk::Button::from_icon_name("process-stop-symbolic");
        cancel.set_tooltip_text(Some(&gettext("Cancel")));
        cancel.add_css_class("flat");
        let job = Rc::new(Cell::new(None));
        {
            let (sender, job) = (sender.clone(), job.clone());
            cancel.connect_clicked(move |_| {
                if let Some(id) = job.get() {
                    sender.input(VoiceInput::CancelJob(id));
                }
            });
        }
        let top = gtk::Box::new(gtk::Orientation::Horizontal, 6);
        top.append(&progress_title);
        top.append(&cancel);
        let progress_box = gtk::Box::new(gtk::Orientation::Vertical, 6);
        progress_box.set_margin_top(12);
        progress_box.append(&top);
        progress_box.append(&progress);
        progress_box.set_visible(false);
        group.add(&progress_box);
        let problem = gtk::Label::builder()
            .xalign(0.0)
            .wrap(true)
            .selectable(true)
            .visible(false)
            .build();
        problem.add_css_class("error");
        problem.set_margin_top(6);
        group.add(&problem);
        Self {
            group,
            speech,
            voice,
            progress_box,
            progress_title,
            progress,
            problem,
            job,
            models: Vec::new(),
        }
    }

    pub fn widget(&self) -> &adw::PreferencesGroup {
        &self.group
    }

    pub fn show(&mut self, models: Vec<ModelInfo>) {
        self.speech.show(&models);
        self.voice.show(&models);
        self.models = models;
    }

    pub fn models(&self) -> &[ModelInfo] {
        &self.models
    }

    /// A model install or load started, moved or ended.
    pub fn job(&self, job: &JobInfo) {
        if job.state == JobState::Running {
            self.job.set(Some(job.id));
            self.progress_box.set_visible(true);
            self.progress_title.set_label(&job.title);
            if job.progress < 0.0 {
                self.progress.pulse();
            } else {
                self.progress.set_fraction(job.progress.clamp(0.0, 1.0));
            }
            self.progress.set_text(Some(&job.message));
            self.problem.set_visible(false);
            return;
        }
        if self.job.get().is_some_and(|id| id != job.id) {
            return;
        }
        self.job.set(None);
        self.progress_box.set_visible(false);
        let failed = matches!(job.state, JobState::Failed | JobState::Interrupted);
        self.show_problem(&if failed {
            fill(&gettext("{} failed: {}"), &[&job.title, &job.message])
        } else {
            String::new()
        });
    }

    /// Shows why a request was refused (empty hides it).
    pub fn show_problem(&self, problem: &str) {
        self.problem.set_label(problem);
        self.problem.set_visible(!problem.is_empty());
    }

    /// The problem line as shown; for tests.
    pub fn problem(&self) -> String {
        if self.problem.is_visible() {
            self.problem.label().to_string()
        } else {
            String::new()
        }
    }
}
