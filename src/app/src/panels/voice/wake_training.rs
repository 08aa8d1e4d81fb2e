//! "Train a Wake Word": record the phrase a few times, name it, train. Each recording is
//! checked by roxyd at once (too quiet, too short), so a bad one can simply be redone.

use super::{VoiceInput, VoicePanel};
use crate::form_dialog::FormDialog;
use relm4::adw::prelude::*;
use relm4::{adw, gtk, ComponentSender};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::voice::{WakeInfo, WakeSampleInfo};

pub struct WakeTraining {
    dialog: adw::MessageDialog,
    record: gtk::Button,
    count: gtk::Label,
    last: gtk::Label,
    train: gtk::Button,
}

impl WakeTraining {
    pub fn present(anchor: &impl IsA<gtk::Widget>, sender: &ComponentSender<VoicePanel>) -> Self {
        let form = FormDialog::new(
            anchor,
            &gettext("Train a Wake Word"),
            &gettext("Press Record, then say your wake phrase the way you would to wake Roxy. Do it at least three times, in a quiet room, at your usual distance from the microphone."),
        );
        let phrase = adw::EntryRow::builder()
            .title(gettext("Phrase you say"))
            .text("hey roxy")
            .build();
        let name = adw::EntryRow::builder()
            .title(gettext("Name (letters, digits, dashes)"))
            .text("my-voice")
            .build();
        form.list.append(&phrase);
        form.list.append(&name);
        let record = gtk::Button::with_label(&gettext("Record"));
        record.add_css_class("pill");
        record.add_css_class("suggested-action");
        let count = gtk::Label::new(None);
        count.add_css_class("heading");
        let last = gtk::Label::builder().wrap(true).build();
        last.add_css_class("dim-label");
        let clear = gtk::Button::with_label(&gettext("Start Over"));
        clear.add_css_class("flat");
        let train = gtk::Button::with_label(&gettext("Train and Use"));
        train.set_sensitive(false);
        let buttons = gtk::Box::new(gtk::Orientation::Horizontal, 12);
        buttons.set_halign(gtk::Align::Center);
        buttons.append(&clear);
        buttons.append(&record);
        buttons.append(&train);
        let status = gtk::Box::new(gtk::Orientation::Vertical, 6);
        status.set_margin_top(12);
        status.append(&count);
        status.append(&last);
        status.append(&buttons);
        form.content.append(&status);
        {
            let (sender, last) = (sender.clone(), last.clone());
            record.connect_clicked(move |button| {
                button.set_sensitive(false);
                last.set_label(&gettext("Listening… say the phrase now."));
                sender.input(VoiceInput::RecordWakeSample);
            });
        }
        {
            let (sender, last) = (sender.clone(), last.clone());
            clear.connect_clicked(move |_| {
                last.set_label("");
                sender.input(VoiceInput::ClearWakeSamples);
            });
        }
        {
            let sender = sender.clone();
            let dialog = form.dialog();
            train.connect_clicked(move |button| {
                button.set_sensitive(false);
                sender.input(VoiceInput::TrainWake {
                    name: name.text().trim().to_string(),
                    phrase: phrase.text().trim().to_string(),
                });
                dialog.close();
            });
        }
        let dialog = form.dialog();
        form.present_info();
        Self {
            dialog,
            record,
            count,
            last,
            train,
        }
    }

    pub fn show(&self, info: &WakeInfo) {
        self.count.set_label(&fill(
            &gettext("{} of {} recordings"),
            &[&info.samples, &info.samples_needed],
        ));
        self.train
            .set_sensitive(info.samples >= info.samples_needed && self.dialog.is_visible());
    }

    pub fn sample_recorded(&self, sample: &WakeSampleInfo) {
        self.last.set_label(&fill(
            &gettext("Recording {}: {} ms of speech. Good."),
            &[&sample.number, &sample.speech_ms],
        ));
    }

    /// A recording or training went wrong; says why where the person looks.
    pub fn failed(&self, message: &str) {
        self.last.set_label(message);
    }

    pub fn idle(&self) {
        self.record.set_sensitive(true);
    }
}
