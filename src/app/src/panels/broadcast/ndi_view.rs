//! NDI sources found by mDNS with a live preview of one, and the diagnosis that says why
//! there are none.

use super::ndi_preview::{NdiPreview, Shown};
use super::{BroadcastInput, BroadcastPanel};
use crate::connection::BroadcastRequest;
use relm4::adw::prelude::*;
use relm4::{adw, gtk, ComponentSender};
use roxy_ipc::broadcast::{NdiFindingInfo, NdiSourceInfo};
use roxy_ipc::i18n::{fill, gettext};
use std::cell::RefCell;
use std::rc::Rc;

pub struct NdiView {
    pub widget: gtk::Box,
    list: gtk::ListBox,
    findings: gtk::ListBox,
    sources: Vec<NdiSourceInfo>,
    preview: Rc<PreviewArea>,
}

/// The live picture of one source, its label, and the running pipeline.
struct PreviewArea {
    frame: gtk::Box,
    picture: gtk::Picture,
    label: gtk::Label,
    running: RefCell<Option<NdiPreview>>,
    shown: Rc<Shown>,
}

impl PreviewArea {
    fn new() -> Rc<Self> {
        let picture = gtk::Picture::builder()
            .height_request(180)
            .can_shrink(true)
            .build();
        let label = gtk::Label::builder().xalign(0.0).wrap(true).build();
        label.add_css_class("dim-label");
        let stop = gtk::Button::builder()
            .label(gettext("Stop Preview"))
            .halign(gtk::Align::Start)
            .build();
        let frame = gtk::Box::new(gtk::Orientation::Vertical, 6);
        frame.append(&picture);
        frame.append(&label);
        frame.append(&stop);
        frame.set_visible(false);
        let area = Rc::new(Self {
            frame,
            picture,
            label,
            running: RefCell::default(),
            shown: Rc::default(),
        });
        let weak = Rc::downgrade(&area);
        stop.connect_clicked(move |_| {
            if let Some(area) = weak.upgrade() {
                area.stop();
            }
        });
        // Nobody watches a preview that is off screen: stop it rather than decode for nothing.
        let weak = Rc::downgrade(&area);
        area.frame.connect_unmap(move |_| {
            if let Some(area) = weak.upgrade() {
                area.stop();
            }
        });
        area
    }

    fn start(self: &Rc<Self>, source: &NdiSourceInfo) {
        self.stop();
        self.shown.frames.set(0);
        self.picture.set_paintable(gtk::gdk::Paintable::NONE);
        self.frame.set_visible(true);
        let weak = Rc::downgrade(self);
        let problem = move |message: String| {
            if let Some(area) = weak.upgrade() {
                area.label.set_label(&message);
            }
        };
        match NdiPreview::start(source, &self.picture, self.shown.clone(), problem) {
            Ok(preview) => {
                self.label.set_label(&fill(
                    &gettext("Live NDI video from “{}”, 10 frames per second at 480 pixels wide, without sound."),
                    &[&source.name],
                ));
                *self.running.borrow_mut() = Some(preview);
            }
            Err(message) => self.label.set_label(&message),
        }
    }

    fn stop(&self) {
        // Take it out first: dropping it may hide widgets, which re-enters through unmap.
        let running = self.running.borrow_mut().take();
        if running.is_some() {
            drop(running);
            self.frame.set_visible(false);
        }
    }
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
        let preview = PreviewArea::new();
        let widget = gtk::Box::new(gtk::Orientation::Vertical, 8);
        widget.append(&list);
        widget.append(&preview.frame);
        widget.append(&diagnose);
        widget.append(&findings);
        let mut view = Self {
            widget,
            list,
            findings,
            sources: Vec::new(),
            preview,
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
            let watch = gtk::Button::from_icon_name("media-playback-start-symbolic");
            watch.set_tooltip_text(Some(&gettext("Show live video")));
            watch.set_valign(gtk::Align::Center);
            watch.add_css_class("flat");
            let (area, source) = (self.preview.clone(), source.clone());
            watch.connect_clicked(move |_| area.start(&source));
            row.add_suffix(&watch);
            self.list.append(&row);
        }
        self.sources = sources.to_vec();
    }

    /// Starts the live preview of the source named `name`, as its button does.
    pub fn watch(&self, name: &str) -> bool {
        let Some(source) = self.sources.iter().find(|s| s.name == name) else {
            return false;
        };
        self.preview.start(source);
        true
    }

    /// Frames shown since the preview started, and the middle pixel of the last (RGBA).
    pub fn preview_shown(&self) -> (u64, [u8; 4]) {
        (
            self.preview.shown.frames.get(),
            self.preview.shown.center.get(),
        )
    }

    /// The preview's label: what it shows, or why it stopped.
    pub fn preview_label(&self) -> String {
        self.preview.label.label().to_string()
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
        self.sources.iter().map(|s| s.name.clone()).collect()
    }
}
