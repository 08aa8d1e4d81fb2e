//! The wake word group: which phrase wakes roxyd, how readily, training one's own, and
//! removing a trained one.

use super::wake_training::WakeTraining;
use super::{VoiceInput, VoicePanel};
use relm4::adw::prelude::*;
use relm4::{adw, gtk, ComponentSender};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::voice::{WakeInfo, WakeSampleInfo};
use std::cell::RefCell;
use std::rc::Rc;

pub struct WakeView {
    group: adw::PreferencesGroup,
    choice: adw::ComboRow,
    choices: gtk::StringList,
    remove: gtk::Button,
    sensitivity: gtk::SpinButton,
    problem: gtk::Label,
    /// The names in `choices`, in order; filling the list is not a choice by the person.
    names: Rc<RefCell<Vec<String>>>,
    filling: Rc<std::cell::Cell<bool>>,
    training: Rc<RefCell<Option<WakeTraining>>>,
    info: WakeInfo,
}

impl WakeView {
    pub fn new(sender: &ComponentSender<VoicePanel>) -> Self {
        let group = adw::PreferencesGroup::builder()
            .title(gettext("Wake Word"))
            .description(gettext("Only sentences that start with the wake phrase are transcribed; everything else is ignored as soon as it ends."))
            .build();
        let choices = gtk::StringList::new(&[]);
        let choice = adw::ComboRow::builder()
            .title(gettext("Phrase"))
            .model(&choices)
            .build();
        let remove = gtk::Button::from_icon_name("user-trash-symbolic");
        remove.set_tooltip_text(Some(&gettext("Remove this trained wake word")));
        remove.set_valign(gtk::Align::Center);
        remove.add_css_class("flat");
        choice.add_suffix(&remove);
        let sensitivity = gtk::SpinButton::with_range(0.0, 1.0, 0.1);
        sensitivity.set_digits(1);
        sensitivity.set_valign(gtk::Align::Center);
        let sensitivity_row = adw::ActionRow::builder()
            .title(gettext("Sensitivity"))
            .subtitle(gettext(
                "Lower wakes by mistake less often; higher misses you less often.",
            ))
            .activatable_widget(&sensitivity)
            .build();
        sensitivity_row.add_suffix(&sensitivity);
        let train = gtk::Button::with_label(&gettext("Train…"));
        train.set_valign(gtk::Align::Center);
        let train_row = adw::ActionRow::builder()
            .title(gettext("Your Own Wake Word"))
            .subtitle(gettext("Record yourself saying a phrase three times; it then listens for your voice saying it."))
            .activatable_widget(&train)
            .build();
        train_row.add_suffix(&train);
        let problem = gtk::Label::builder()
            .xalign(0.0)
            .wrap(true)
            .visible(false)
            .build();
        problem.add_css_class("error");
        group.add(&choice);
        group.add(&sensitivity_row);
        group.add(&train_row);
        group.add(&problem);

        let names = Rc::new(RefCell::new(Vec::<String>::new()));
        let filling = Rc::new(std::cell::Cell::new(false));
        {
            let (sender, names, filling) = (sender.clone(), names.clone(), filling.clone());
            choice.connect_selected_notify(move |row| {
                if filling.get() {
                    return;
                }
                if let Some(name) = names.borrow().get(row.selected() as usize) {
                    sender.input(VoiceInput::UseWake(name.clone()));
                }
            });
        }
        {
            let (sender, names, row) = (sender.clone(), names.clone(), choice.clone());
            remove.connect_clicked(move |_| {
                if let Some(name) = names.borrow().get(row.selected() as usize) {
                    sender.input(VoiceInput::RemoveWake(name.clone()));
                }
            });
        }
        {
            let (sender, filling) = (sender.clone(), filling.clone());
            sensitivity.connect_value_changed(move |spin| {
                if !filling.get() {
                    sender.input(VoiceInput::WakeSensitivity(spin.value()));
                }
            });
        }
        let training = Rc::new(RefCell::new(None));
        {
            let (sender, training) = (sender.clone(), training.clone());
            train.connect_clicked(move |button| {
                let dialog = WakeTraining::present(button, &sender);
                *training.borrow_mut() = Some(dialog);
                sender.input(VoiceInput::WakeRefresh);
            });
        }
        Self {
            group,
            choice,
            choices,
            remove,
            sensitivity,
            problem,
            names,
            filling,
            training,
            info: WakeInfo::default(),
        }
    }

    pub fn widget(&self) -> &adw::PreferencesGroup {
        &self.group
    }

    pub fn show(&mut self, info: WakeInfo) {
        self.filling.set(true);
        if *self.names.borrow() != info.references {
            let old = self.choices.n_items();
            let labels: Vec<&str> = info.references.iter().map(String::as_str).collect();
            self.choices.splice(0, old, &labels);
            *self.names.borrow_mut() = info.references.clone();
        }
        if let Some(i) = info.references.iter().position(|r| *r == info.reference) {
            self.choice.set_selected(i as u32);
        }
        self.choice.set_subtitle(&fill(
            &gettext("“{}”, from {} recordings"),
            &[&info.phrase, &info.recordings],
        ));
        self.remove.set_visible(!info.built_in);
        self.sensitivity.set_value(info.sensitivity);
        self.filling.set(false);
        self.problem.set_label(&info.problem);
        self.problem.set_visible(!info.problem.is_empty());
        if let Some(training) = self.training.borrow().as_ref() {
            training.show(&info);
        }
        self.info = info;
    }

    pub fn sample_recorded(&self, sample: &WakeSampleInfo) {
        if let Some(training) = self.training.borrow().as_ref() {
            training.sample_recorded(sample);
        }
    }

    /// A recording or training ended (well or not): the dialog's buttons come back.
    pub fn finished(&self, problem: Option<&str>) {
        if let Some(training) = self.training.borrow().as_ref() {
            if let Some(problem) = problem {
                training.failed(problem);
            }
            training.idle();
        }
    }

    pub fn info(&self) -> &WakeInfo {
        &self.info
    }

    /// Sets the sensitivity field as a person would; for tests.
    pub fn set_sensitivity(&self, value: f64) {
        self.sensitivity.set_value(value);
    }
}
