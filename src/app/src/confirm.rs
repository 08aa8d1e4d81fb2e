//! A yes/no question before an action that matters (cancel a job, approve a run).

use relm4::adw;
use relm4::adw::prelude::*;
use relm4::gtk;

/// The labels and look of one confirmation.
pub struct Question<'a> {
    pub heading: &'a str,
    pub body: &'a str,
    /// The safe answer; also what Escape and closing choose.
    pub decline: &'a str,
    pub accept: &'a str,
    pub appearance: adw::ResponseAppearance,
}

/// Asks `question` over `near`'s window and calls `on_accept` only when accepted.
pub fn ask(near: &impl IsA<gtk::Widget>, question: Question<'_>, on_accept: impl Fn() + 'static) {
    let parent = near.root().and_downcast::<gtk::Window>();
    let dialog =
        adw::MessageDialog::new(parent.as_ref(), Some(question.heading), Some(question.body));
    dialog.add_response("decline", question.decline);
    dialog.add_response("accept", question.accept);
    dialog.set_response_appearance("accept", question.appearance);
    dialog.set_default_response(Some("decline"));
    dialog.set_close_response("decline");
    dialog.connect_response(None, move |_, response| {
        if response == "accept" {
            on_accept();
        }
    });
    dialog.present();
}
