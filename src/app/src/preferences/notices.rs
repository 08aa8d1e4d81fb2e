//! The Notifications page: a profile per event kind, Do Not Disturb, the digest, muted
//! sources and webhooks. Every change goes to roxyd, which answers with the new settings.

use super::rows::{switch_row, RowGroup};
use super::webhook_form::WebhookForm;
use crate::connection::{DaemonRequest, NoticeChange, NoticeSettings};
use relm4::adw::prelude::*;
use relm4::{adw, gtk};
use roxy_ipc::i18n::{fill, gettext};
use std::rc::Rc;

pub type Send = Rc<dyn Fn(DaemonRequest)>;

/// Profile ids with their labels, in the order of the combo rows.
fn profiles() -> [(&'static str, String); 4] {
    [
        ("critical", gettext("Critical")),
        ("info", gettext("Info")),
        ("digest", gettext("Digest")),
        ("off", gettext("Off")),
    ]
}

pub struct NoticesPage {
    pub page: adw::PreferencesPage,
    kinds: RowGroup,
    quiet: RowGroup,
    muted: RowGroup,
    webhooks: RowGroup,
    send: Send,
}

impl NoticesPage {
    pub fn new(send: Send) -> Self {
        let page = adw::PreferencesPage::builder()
            .title(gettext("Notifications"))
            .icon_name("preferences-system-notifications-symbolic")
            .build();
        let kinds = RowGroup::new(
            &gettext("Events"),
            &gettext("Critical notices interrupt and stay until dismissed, even during Do Not Disturb; info notices are ordinary; digest events are collected into one summary. Floods from one source are held back and counted in the digest."),
        );
        let quiet = RowGroup::new(&gettext("Do Not Disturb and Digest"), "");
        let muted = RowGroup::new(
            &gettext("Muted"),
            &gettext("Sources silenced with “Mute” on a notice."),
        );
        let webhooks = RowGroup::new(
            &gettext("Webhooks"),
            &gettext("Send events to a URL as JSON, or to an ntfy topic. Tokens come from the secret store."),
        );
        for group in [&kinds, &quiet, &muted, &webhooks] {
            page.add(&group.group);
        }
        let form = WebhookForm::new(send.clone());
        webhooks.group.set_header_suffix(Some(&form.button));
        kinds.add_note(&gettext("Waiting for the Roxy daemon…"));
        Self {
            page,
            kinds,
            quiet,
            muted,
            webhooks,
            send,
        }
    }

    pub fn show(&self, settings: &NoticeSettings) {
        self.show_kinds(settings);
        self.show_quiet(settings);
        self.show_muted(settings);
        self.show_webhooks(settings);
    }

    fn change(&self) -> impl Fn(NoticeChange) + Clone + 'static {
        let send = self.send.clone();
        move |change| send(DaemonRequest::ChangeNotices(change))
    }

    fn show_kinds(&self, settings: &NoticeSettings) {
        self.kinds.clear();
        let labels: Vec<String> = profiles().into_iter().map(|(_, l)| l).collect();
        let label_refs: Vec<&str> = labels.iter().map(String::as_str).collect();
        for kind in &settings.kinds {
            let row = adw::ComboRow::builder()
                .title(&kind.label)
                .model(&gtk::StringList::new(&label_refs))
                .build();
            let index = profiles()
                .iter()
                .position(|(id, _)| *id == kind.profile)
                .unwrap_or(0);
            row.set_selected(index as u32);
            let change = self.change();
            let id = kind.id.clone();
            row.connect_selected_notify(move |row| {
                if let Some((profile, _)) = profiles().get(row.selected() as usize) {
                    change(NoticeChange::Profile {
                        kind: id.clone(),
                        profile: (*profile).to_owned(),
                    });
                }
            });
            self.kinds.add(&row);
        }
    }

    fn show_quiet(&self, settings: &NoticeSettings) {
        self.quiet.clear();
        let status = &settings.status;
        let subtitle = if status.desktop_do_not_disturb.is_empty() {
            gettext("Info notices wait for the digest; critical ones still show.")
        } else {
            fill(
                &gettext("The desktop ({}) is in Do Not Disturb too; info notices wait."),
                &[&status.desktop_do_not_disturb],
            )
        };
        let (dnd, switch) =
            switch_row(&gettext("Do Not Disturb"), &subtitle, status.do_not_disturb);
        let change = self.change();
        switch.connect_active_notify(move |s| change(NoticeChange::DoNotDisturb(s.is_active())));
        self.quiet.add(&dnd);

        let interval = adw::ActionRow::builder()
            .title(gettext("Digest Interval"))
            .subtitle(gettext("Minutes between digests"))
            .build();
        let spin = gtk::SpinButton::with_range(5.0, 1440.0, 5.0);
        spin.set_valign(gtk::Align::Center);
        spin.set_value(f64::from(status.digest_minutes));
        let change = self.change();
        // Sent when the person leaves the field or presses Enter, not on every digit.
        spin.connect_value_changed(move |s| change(NoticeChange::DigestMinutes(s.value() as u32)));
        interval.add_suffix(&spin);
        self.quiet.add(&interval);

        let pending = adw::ActionRow::builder()
            .title(gettext("Waiting for the Digest"))
            .subtitle(fill(&gettext("{} events"), &[&status.digest_pending]))
            .build();
        let send_now = gtk::Button::builder()
            .label(gettext("Send Now"))
            .valign(gtk::Align::Center)
            .sensitive(status.digest_pending > 0)
            .build();
        let change = self.change();
        send_now.connect_clicked(move |_| change(NoticeChange::FlushDigest));
        pending.add_suffix(&send_now);
        self.quiet.add(&pending);
    }

    fn show_muted(&self, settings: &NoticeSettings) {
        self.muted.clear();
        if settings.muted.is_empty() {
            return self.muted.add_note(&gettext("Nothing is muted."));
        }
        for muted in &settings.muted {
            let until = glib_time(muted.until);
            let row = adw::ActionRow::builder()
                .title(&muted.source)
                .subtitle(fill(&gettext("Until {}"), &[&until]))
                .build();
            let button = gtk::Button::builder()
                .label(gettext("Unmute"))
                .valign(gtk::Align::Center)
                .build();
            let change = self.change();
            let source = muted.source.clone();
            button.connect_clicked(move |_| change(NoticeChange::Unmute(source.clone())));
            row.add_suffix(&button);
            self.muted.add(&row);
        }
    }

    fn show_webhooks(&self, settings: &NoticeSettings) {
        self.webhooks.clear();
        if settings.webhooks.is_empty() {
            return self.webhooks.add_note(&gettext("No webhooks yet."));
        }
        for hook in &settings.webhooks {
            let last = if hook.last_result.is_empty() {
                gettext("not used yet")
            } else {
                hook.last_result.clone()
            };
            let row = adw::ActionRow::builder()
                .title(&hook.name)
                .subtitle(format!(
                    "{} · {} · {} · {}",
                    hook.url,
                    hook.format,
                    hook.profiles.join(", "),
                    last
                ))
                .build();
            let test = gtk::Button::builder()
                .label(gettext("Test"))
                .valign(gtk::Align::Center)
                .build();
            let change = self.change();
            let name = hook.name.clone();
            test.connect_clicked(move |_| change(NoticeChange::TestWebhook(name.clone())));
            let remove = gtk::Button::builder()
                .icon_name("user-trash-symbolic")
                .tooltip_text(gettext("Remove"))
                .valign(gtk::Align::Center)
                .build();
            remove.add_css_class("flat");
            let change = self.change();
            let name = hook.name.clone();
            remove.connect_clicked(move |_| change(NoticeChange::RemoveWebhook(name.clone())));
            row.add_suffix(&test);
            row.add_suffix(&remove);
            self.webhooks.add(&row);
        }
    }
}

fn glib_time(ms: i64) -> String {
    relm4::gtk::glib::DateTime::from_unix_local(ms / 1000)
        .and_then(|t| t.format("%x %H:%M"))
        .map(|s| s.to_string())
        .unwrap_or_default()
}
