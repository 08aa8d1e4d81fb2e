//! The dry-run plan of a runbook, in a dialog: what a run would do, with nothing run.

use relm4::adw;
use relm4::adw::prelude::*;
use relm4::gtk;
use roxy_ipc::i18n::{fill, gettext};

/// Shows `lines`, the resolved plan of `runbook`.
pub fn present(near: &impl IsA<gtk::Widget>, runbook: &str, lines: &[String]) {
    let parent = near.root().and_downcast::<gtk::Window>();
    let dialog = adw::MessageDialog::new(
        parent.as_ref(),
        Some(&fill(&gettext("Plan for “{}”"), &[&runbook])),
        Some(&gettext("Nothing was run. This is what a run would do:")),
    );
    let text = gtk::Label::builder()
        .label(lines.join("\n"))
        .xalign(0.0)
        .selectable(true)
        .wrap(true)
        .css_classes(["monospace"])
        .build();
    let scroller = gtk::ScrolledWindow::builder()
        .child(&text)
        .min_content_height(200)
        .max_content_height(500)
        .propagate_natural_height(true)
        .build();
    dialog.set_extra_child(Some(&scroller));
    dialog.add_response("close", &gettext("_Close"));
    dialog.present();
}
