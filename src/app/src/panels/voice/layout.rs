//! The Voice panel's widgets: the listening state with its level meter and push-to-talk, the
//! test box, what was heard, and the intents with their coverage.

use super::heard_list::HeardList;
use super::intents_view::IntentsView;
use super::models_view::ModelsView;
use super::wake_view::WakeView;
use super::{VoiceInput, VoicePanel};
use relm4::adw::prelude::*;
use relm4::{adw, gtk, ComponentSender};
use roxy_ipc::i18n::gettext;

pub(super) struct Parts {
    pub(super) root: gtk::ScrolledWindow,
    pub(super) state: gtk::Label,
    pub(super) level: gtk::LevelBar,
    pub(super) talk: gtk::Button,
    pub(super) wake: gtk::Switch,
    pub(super) wake_row: adw::ActionRow,
    pub(super) speech_row: adw::ActionRow,
    pub(super) speech_test: gtk::Button,
    pub(super) wake_view: WakeView,
    pub(super) message: gtk::Label,
    /// Offered beside the message when no speech model is loaded.
    pub(super) install: gtk::Button,
    pub(super) models_view: ModelsView,
    pub(super) question: gtk::Label,
    pub(super) question_row: gtk::Box,
    pub(super) entry: gtk::Entry,
    pub(super) result: gtk::Label,
    pub(super) explanation: gtk::Label,
    pub(super) heard: HeardList,
    pub(super) intents: IntentsView,
}

pub(super) fn build(sender: &ComponentSender<VoicePanel>) -> Parts {
    let page = gtk::Box::new(gtk::Orientation::Vertical, 18);
    page.set_margin_top(18);
    page.set_margin_bottom(18);
    page.set_margin_start(12);
    page.set_margin_end(12);

    // Listening: state, level, push-to-talk, wake mode.
    let state = gtk::Label::builder().xalign(0.0).hexpand(true).build();
    state.add_css_class("title-2");
    let talk = gtk::Button::builder()
        .label(gettext("Push to Talk"))
        .tooltip_text(gettext("Listen for one command from the microphone"))
        .valign(gtk::Align::Center)
        .build();
    talk.add_css_class("suggested-action");
    talk.add_css_class("pill");
    {
        let sender = sender.clone();
        talk.connect_clicked(move |_| sender.input(VoiceInput::Listen));
    }
    let top = gtk::Box::new(gtk::Orientation::Horizontal, 12);
    top.append(&state);
    top.append(&talk);
    page.append(&top);

    // dBFS mapped to 0..1 over -60..0 dB: the range a voice at a microphone moves in.
    let level = gtk::LevelBar::builder()
        .min_value(0.0)
        .max_value(1.0)
        .build();
    level.set_tooltip_text(Some(&gettext("Input level")));
    page.append(&level);

    let message = gtk::Label::builder()
        .xalign(0.0)
        .wrap(true)
        .visible(false)
        .build();
    message.add_css_class("error");
    message.set_selectable(true);
    message.set_hexpand(true);
    let install = gtk::Button::with_label(&gettext("Install a Model…"));
    install.set_valign(gtk::Align::Center);
    install.set_visible(false);
    {
        let sender = sender.clone();
        install.connect_clicked(move |_| sender.input(VoiceInput::OfferInstall));
    }
    let message_row = gtk::Box::new(gtk::Orientation::Horizontal, 12);
    message_row.append(&message);
    message_row.append(&install);
    page.append(&message_row);

    let question = gtk::Label::builder()
        .xalign(0.0)
        .wrap(true)
        .hexpand(true)
        .build();
    question.add_css_class("heading");
    let drop_question = gtk::Button::with_label(&gettext("Never Mind"));
    {
        let sender = sender.clone();
        drop_question.connect_clicked(move |_| sender.input(VoiceInput::CancelQuestion));
    }
    let question_row = gtk::Box::new(gtk::Orientation::Horizontal, 12);
    question_row.append(&question);
    question_row.append(&drop_question);
    question_row.set_visible(false);
    page.append(&question_row);

    let settings = adw::PreferencesGroup::new();
    let wake = gtk::Switch::builder().valign(gtk::Align::Center).build();
    let wake_row = adw::ActionRow::builder()
        .title(gettext("Listen for the Wake Word"))
        .subtitle(gettext("Keeps the microphone open; only sentences that start with the wake phrase are taken as commands, and nothing else is kept."))
        .activatable_widget(&wake)
        .build();
    wake_row.add_suffix(&wake);
    {
        let sender = sender.clone();
        wake.connect_state_set(move |_, on| {
            sender.input(VoiceInput::Wake(on));
            relm4::gtk::glib::Propagation::Proceed
        });
    }
    settings.add(&wake_row);
    let speech_test = gtk::Button::with_label(&gettext("Say Something"));
    speech_test.set_valign(gtk::Align::Center);
    speech_test.set_tooltip_text(Some(&gettext("Hear the reply voice")));
    let speech_row = adw::ActionRow::builder()
        .title(gettext("Spoken Replies"))
        .activatable_widget(&speech_test)
        .build();
    speech_row.add_suffix(&speech_test);
    {
        let sender = sender.clone();
        speech_test.connect_clicked(move |_| sender.input(VoiceInput::TestSpeech));
    }
    settings.add(&speech_row);
    page.append(&settings);
    let wake_view = WakeView::new(sender);
    page.append(wake_view.widget());
    let models_view = ModelsView::new(sender);
    page.append(models_view.widget());

    // The test box.
    let test_group = adw::PreferencesGroup::builder()
        .title(gettext("Try a Sentence"))
        .description(gettext(
            "See which intent a sentence matches and why, or run it as if you had said it.",
        ))
        .build();
    let entry = gtk::Entry::builder()
        .placeholder_text(gettext("e.g. switch to scene Live"))
        .hexpand(true)
        .build();
    {
        let sender = sender.clone();
        entry.connect_changed(move |e| sender.input(VoiceInput::Test(e.text().to_string())));
    }
    {
        let sender = sender.clone();
        entry.connect_activate(move |e| sender.input(VoiceInput::Say(e.text().to_string())));
    }
    let run = gtk::Button::with_label(&gettext("Run"));
    run.set_tooltip_text(Some(&gettext(
        "Act on the sentence as if it had been heard (Enter)",
    )));
    {
        let sender = sender.clone();
        let entry = entry.clone();
        run.connect_clicked(move |_| sender.input(VoiceInput::Say(entry.text().to_string())));
    }
    let entry_row = gtk::Box::new(gtk::Orientation::Horizontal, 6);
    entry_row.append(&entry);
    entry_row.append(&run);
    let result = gtk::Label::builder().xalign(0.0).wrap(true).build();
    result.add_css_class("heading");
    let explanation = gtk::Label::builder().xalign(0.0).wrap(true).build();
    explanation.add_css_class("dim-label");
    explanation.add_css_class("monospace");
    let test_box = gtk::Box::new(gtk::Orientation::Vertical, 6);
    test_box.append(&entry_row);
    test_box.append(&result);
    test_box.append(&explanation);
    test_group.add(&test_box);
    page.append(&test_group);

    let heard = HeardList::new();
    page.append(heard.widget());
    let intents = IntentsView::new();
    page.append(intents.widget());

    let clamp = adw::Clamp::builder().maximum_size(900).child(&page).build();
    let root = gtk::ScrolledWindow::builder()
        .hscrollbar_policy(gtk::PolicyType::Never)
        .vexpand(true)
        .child(&clamp)
        .build();
    Parts {
        root,
        state,
        level,
        talk,
        wake,
        wake_row,
        speech_row,
        speech_test,
        wake_view,
        message,
        install,
        models_view,
        question,
        question_row,
        entry,
        result,
        explanation,
        heard,
        intents,
    }
}
