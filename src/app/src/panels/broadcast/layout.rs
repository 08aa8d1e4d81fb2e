//! The Broadcast panel's widgets: the empty state, the header with the link, the program
//! snapshot and outputs beside the scene grid and mixer, NDI sources, and Alt+1…9.

use super::mixer::Mixer;
use super::ndi_view::NdiView;
use super::outputs::Outputs;
use super::scene_grid::SceneGrid;
use super::{BroadcastInput, BroadcastPanel};
use crate::connection::BroadcastRequest;
use relm4::adw::prelude::*;
use relm4::gtk::glib;
use relm4::{adw, gtk, ComponentSender};
use roxy_ipc::i18n::gettext;

/// The widgets the panel changes after it is built.
pub(super) struct Parts {
    pub(super) stack: gtk::Stack,
    pub(super) picker: gtk::DropDown,
    pub(super) link: gtk::Label,
    pub(super) message: gtk::Label,
    pub(super) preview: gtk::Picture,
    pub(super) preview_label: gtk::Label,
    pub(super) scenes: SceneGrid,
    pub(super) mixer: Mixer,
    pub(super) outputs: Outputs,
    pub(super) ndi: NdiView,
}

/// Builds the panel into `root` and returns the widgets it updates later.
pub(super) fn build(root: &gtk::Stack, sender: &ComponentSender<BroadcastPanel>) -> Parts {
    let empty = adw::StatusPage::builder()
        .icon_name("camera-video-symbolic")
        .title(gettext("No OBS Yet"))
        .description(gettext("Add the OBS you stream and record with. Roxy connects through OBS' WebSocket server (OBS 30.2 or newer, Tools → WebSocket Server Settings) and reconnects whenever OBS starts."))
        .build();
    let add = gtk::Button::builder()
        .label(gettext("Add OBS…"))
        .halign(gtk::Align::Center)
        .build();
    add.add_css_class("suggested-action");
    add.add_css_class("pill");
    {
        let sender = sender.clone();
        add.connect_clicked(move |_| sender.input(BroadcastInput::Add));
    }
    empty.set_child(Some(&add));
    root.add_named(&empty, Some("empty"));

    // The header: which OBS, its link, and what to do about it.
    let picker = gtk::DropDown::from_strings(&[]);
    {
        let sender = sender.clone();
        picker.connect_selected_notify(move |d| sender.input(BroadcastInput::Select(d.selected())));
    }
    let link = gtk::Label::builder()
        .xalign(0.0)
        .hexpand(true)
        .wrap(true)
        .build();
    link.add_css_class("heading");
    let message = gtk::Label::builder().xalign(0.0).wrap(true).build();
    message.add_css_class("dim-label");
    let header = gtk::Box::new(gtk::Orientation::Horizontal, 6);
    header.append(&picker);
    header.append(&link);
    for (icon, tip, input) in [
        ("view-refresh-symbolic", gettext("Connect again now"), 0),
        ("list-add-symbolic", gettext("Add OBS…"), 1),
        ("user-trash-symbolic", gettext("Remove this OBS"), 2),
        (
            "emblem-system-symbolic",
            gettext("Stream health limits…"),
            3,
        ),
    ] {
        let input = move || match input {
            0 => BroadcastInput::Reconnect,
            1 => BroadcastInput::Add,
            2 => BroadcastInput::Remove,
            _ => BroadcastInput::Request(BroadcastRequest::Thresholds),
        };
        let button = gtk::Button::from_icon_name(icon);
        button.set_tooltip_text(Some(&tip));
        button.add_css_class("flat");
        let sender = sender.clone();
        button.connect_clicked(move |_| sender.input(input()));
        header.append(&button);
    }

    let preview = gtk::Picture::builder()
        .can_shrink(true)
        .height_request(200)
        .build();
    preview.add_css_class("card");
    let preview_label = gtk::Label::builder().xalign(0.0).wrap(true).build();
    preview_label.add_css_class("caption");
    preview_label.add_css_class("dim-label");
    let scenes = SceneGrid::new();
    let mixer = Mixer::new();
    let outputs = Outputs::new(sender);
    let ndi = NdiView::new(sender);

    let left = gtk::Box::new(gtk::Orientation::Vertical, 12);
    left.set_hexpand(true);
    left.append(&section(&gettext("Program")));
    left.append(&preview);
    left.append(&preview_label);
    left.append(&outputs.widget);
    let right = gtk::Box::new(gtk::Orientation::Vertical, 12);
    right.set_hexpand(true);
    right.append(&section(&gettext("Scenes")));
    right.append(&scenes.widget);
    right.append(&section(&gettext("Mixer")));
    right.append(&mixer.widget);
    // Side by side when there is room, one above the other when the window is narrow (the
    // panel must never force the window wider than the other panels need).
    let columns = gtk::FlowBox::builder()
        .selection_mode(gtk::SelectionMode::None)
        .min_children_per_line(1)
        .max_children_per_line(2)
        .homogeneous(true)
        .column_spacing(24)
        .row_spacing(24)
        .build();
    columns.insert(&left, -1);
    columns.insert(&right, -1);
    let page = gtk::Box::new(gtk::Orientation::Vertical, 12);
    page.set_margin_top(18);
    page.set_margin_bottom(18);
    page.set_margin_start(18);
    page.set_margin_end(18);
    page.append(&header);
    page.append(&message);
    page.append(&columns);
    page.append(&section(&gettext("NDI Sources")));
    page.append(&ndi.widget);
    let scrolled = gtk::ScrolledWindow::builder()
        .hscrollbar_policy(gtk::PolicyType::Never)
        .child(&page)
        .build();
    root.add_named(&scrolled, Some("obs"));
    install_shortcuts(root, sender);
    Parts {
        stack: root.clone(),
        picker,
        link,
        message,
        preview,
        preview_label,
        scenes,
        mixer,
        outputs,
        ndi,
    }
}

fn section(title: &str) -> gtk::Label {
    let label = gtk::Label::builder().label(title).xalign(0.0).build();
    label.add_css_class("heading");
    label
}

/// Alt+1…9 switch scenes by their place in the grid.
fn install_shortcuts(root: &gtk::Stack, sender: &ComponentSender<BroadcastPanel>) {
    let controller = gtk::ShortcutController::new();
    controller.set_scope(gtk::ShortcutScope::Managed);
    for n in 1..=9u32 {
        let Some(trigger) = gtk::ShortcutTrigger::parse_string(&format!("<Alt>{n}")) else {
            continue;
        };
        let sender = sender.clone();
        let action = gtk::CallbackAction::new(move |_, _| {
            sender.input(BroadcastInput::SceneAt(n as usize - 1));
            glib::Propagation::Stop
        });
        controller.add_shortcut(gtk::Shortcut::new(Some(trigger), Some(action)));
    }
    root.add_controller(controller);
}
