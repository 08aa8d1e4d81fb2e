//! NDI sources found by mDNS, and the diagnosis that says why there are none.

use super::{BroadcastInput, BroadcastPanel};
use crate::connection::BroadcastRequest;
use relm4::adw::prelude::*;
use relm4::{adw, gtk, ComponentSender};
use roxy_ipc::broadcast::{NdiFindingInfo, NdiSourceInfo};
use roxy_ipc::i18n::gettext;

pub struct NdiView {
    pub widget: gtk::Box,
    list: gtk::ListBox,
    findings: gtk::ListBox,
    names: Vec<String>,
}

impl NdiView {
    pub fn new(sender: &ComponentSender<BroadcastPanel>) -> Self {
        let list = gtk::ListBox::builder()
            .selection_mode(gtk::SelectionMode::None)
            .build();
        list.add_css_class("boxed-list");
        let findings = gtk::ListBox::builder()
            .selection_mode(gtk::SelectionMode::None)
            .visible(false)
            .build();
        findings.add_css_class("boxed-list");
        let diagnose = gtk::Button::builder()
            .label(gettext("Diagnose"))
            .tooltip_text(gettext("Check why NDI sources might not show up"))
            .halign(gtk::Align::Start)
            .build();
        let s = sender.clone();
        diagnose.connect_clicked(move |_| {
            s.input(BroadcastInput::Request(BroadcastRequest::DiagnoseNdi))
        });
        let widget = gtk::Box::new(gtk::Orientation::Vertical, 8);
        widget.append(&list);
        widget.append(&diagnose);
        widget.append(&findings);
        let mut view = Self {
            widget,
            list,
            findings,
            names: Vec::new(),
        };
        view.sources(&[]);
        view
    }

    pub fn sources(&mut self, sources: &[NdiSourceInfo]) {
        while let Some(row) = self.list.first_child() {
            self.list.remove(&row);
        }
        if sources.is_empty() {
            let row = adw::ActionRow::builder()
                .title(gettext("No NDI sources found"))
                .subtitle(gettext("Senders announce themselves over mDNS. “Diagnose” checks what could be in the way."))
                .build();
            self.list.append(&row);
        }
        for source in sources {
            let row = adw::ActionRow::builder()
                .title(&source.name)
                .subtitle(format!(
                    "{}:{} · {}",
                    source.host,
                    source.port,
                    source.addresses.join(", ")
                ))
                .build();
            self.list.append(&row);
        }
        self.names = sources.iter().map(|s| s.name.clone()).collect();
    }

    pub fn findings(&self, findings: &[NdiFindingInfo]) {
        while let Some(row) = self.findings.first_child() {
            self.findings.remove(&row);
        }
        for finding in findings {
            let icon = match finding.level.as_str() {
                "ok" => "emblem-ok-symbolic",
                "warning" => "dialog-warning-symbolic",
                _ => "dialog-error-symbolic",
            };
            let row = adw::ActionRow::builder()
                .title(&finding.title)
                .subtitle(&finding.detail)
                .build();
            row.add_prefix(&gtk::Image::from_icon_name(icon));
            self.findings.append(&row);
        }
        self.findings.set_visible(!findings.is_empty());
    }

    pub fn names(&self) -> Vec<String> {
        self.names.clone()
    }
}
