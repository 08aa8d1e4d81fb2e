//! "Install a Model": what kind, and from which file or URL. roxyd checks the file before it
//! becomes a model, so this dialog only gathers the two answers.

use super::{VoiceInput, VoicePanel};
use crate::form_dialog::FormDialog;
use relm4::adw::prelude::*;
use relm4::{adw, gtk, ComponentSender};
use roxy_ipc::i18n::gettext;
use std::cell::RefCell;
use std::rc::Rc;

/// The kinds in the order the dialog offers them, with their labels.
fn kinds() -> [(&'static str, String); 3] {
    [
        ("whisper", gettext("Speech model (whisper.cpp, .bin)")),
        (
            "piper",
            gettext("Reply voice (Piper, .onnx with its .onnx.json)"),
        ),
        ("wakeword", gettext("Wake word (.json)")),
    ]
}

/// Shows the dialog with `kind` preselected.
pub fn present(anchor: &impl IsA<gtk::Widget>, kind: &str, sender: &ComponentSender<VoicePanel>) {
    let form = FormDialog::new(
        anchor,
        &gettext("Install a Model"),
        &gettext("Choose a file, or paste the address of one. A Piper voice needs its “.onnx.json” next to it (same name, same folder or address)."),
    );
    let labels: Vec<String> = kinds().into_iter().map(|(_, l)| l).collect();
    let label_refs: Vec<&str> = labels.iter().map(String::as_str).collect();
    let kind_row = adw::ComboRow::builder()
        .title(gettext("Kind"))
        .model(&gtk::StringList::new(&label_refs))
        .selected(kinds().iter().position(|(k, _)| *k == kind).unwrap_or(0) as u32)
        .build();
    let source = adw::EntryRow::builder()
        .title(gettext("File or URL"))
        .build();
    let browse = gtk::Button::from_icon_name("document-open-symbolic");
    browse.set_tooltip_text(Some(&gettext("Choose a File…")));
    browse.set_valign(gtk::Align::Center);
    browse.add_css_class("flat");
    source.add_suffix(&browse);
    form.list.append(&kind_row);
    form.list.append(&source);

    // A native chooser is no widget: the closure holds it while it is open.
    let chooser: Rc<RefCell<Option<gtk::FileChooserNative>>> = Rc::default();
    {
        let (dialog, source) = (form.dialog(), source.clone());
        browse.connect_clicked(move |_| {
            let native = gtk::FileChooserNative::new(
                Some(&gettext("Choose a Model File")),
                Some(&dialog),
                gtk::FileChooserAction::Open,
                Some(&gettext("Choose")),
                None,
            );
            let source = source.clone();
            native.connect_response(move |native, response| {
                if response == gtk::ResponseType::Accept {
                    if let Some(path) = native.file().and_then(|f| f.path()) {
                        source.set_text(&path.display().to_string());
                    }
                }
            });
            native.show();
            chooser.replace(Some(native));
        });
    }
    let sender = sender.clone();
    form.present_as(&gettext("Install"), move || {
        let kind = kinds()
            .get(kind_row.selected() as usize)
            .map_or("whisper", |(k, _)| *k)
            .to_string();
        sender.input(VoiceInput::InstallModel {
            kind,
            source: source.text().trim().to_string(),
        });
    });
}
