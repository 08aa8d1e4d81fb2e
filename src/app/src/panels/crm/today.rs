//! What is due: next actions of open leads due today or overdue, oldest first.

use relm4::adw::prelude::*;
use relm4::{adw, gtk};
use roxy_ipc::crm::TodayInfo;
use roxy_ipc::i18n::{fill, gettext};
use std::cell::RefCell;
use std::rc::Rc;

pub struct TodayList {
    pub root: gtk::Stack,
    list: gtk::ListBox,
    items: Rc<RefCell<Vec<TodayInfo>>>,
}

impl TodayList {
    /// `open` gets the contact of the chosen item.
    pub fn new(open: impl Fn(i64) + 'static) -> Self {
        let list = gtk::ListBox::builder()
            .selection_mode(gtk::SelectionMode::None)
            .build();
        list.add_css_class("boxed-list");
        let items: Rc<RefCell<Vec<TodayInfo>>> = Rc::default();
        let shown = items.clone();
        list.connect_row_activated(move |_, row| {
            if let Some(item) = shown.borrow().get(row.index() as usize) {
                open(item.contact_id);
            }
        });
        let clamp = adw::Clamp::builder()
            .maximum_size(800)
            .margin_top(18)
            .margin_bottom(18)
            .margin_start(18)
            .margin_end(18)
            .child(&list)
            .build();
        let scroller = gtk::ScrolledWindow::builder()
            .hscrollbar_policy(gtk::PolicyType::Never)
            .vexpand(true)
            .child(&clamp)
            .build();
        let empty = adw::StatusPage::builder()
            .icon_name("emblem-ok-symbolic")
            .title(gettext("Nothing Due Today"))
            .description(gettext("Next actions of your leads appear here on their due date, and stay until they are done or moved."))
            .build();
        let root = gtk::Stack::new();
        root.add_named(&empty, Some("empty"));
        root.add_named(&scroller, Some("list"));
        Self { root, list, items }
    }

    pub fn show(&self, items: &[TodayInfo]) {
        while let Some(row) = self.list.first_child() {
            self.list.remove(&row);
        }
        for item in items {
            let when = if item.overdue {
                fill(&gettext("overdue since {}"), &[&item.due])
            } else {
                gettext("due today")
            };
            let row = adw::ActionRow::builder()
                .title(gtk::glib::markup_escape_text(&item.action).to_string())
                .subtitle(format!(
                    "{} · {when}",
                    gtk::glib::markup_escape_text(&item.contact_name)
                ))
                .activatable(true)
                .build();
            if item.overdue {
                row.add_css_class("error");
            }
            self.list.append(&row);
        }
        *self.items.borrow_mut() = items.to_vec();
        self.root
            .set_visible_child_name(if items.is_empty() { "empty" } else { "list" });
    }

    pub fn items(&self) -> Vec<TodayInfo> {
        self.items.borrow().clone()
    }
}
