//! The contact list: a GtkListView over a GListStore, so only the rows on screen have widgets
//! and 100 000 contacts scroll as smoothly as ten. Pages are appended as the person scrolls.

use relm4::gtk::prelude::*;
use relm4::gtk::{self, gio, glib};
use roxy_ipc::crm::ContactRowInfo;
use std::cell::Cell;
use std::rc::Rc;

pub struct ContactList {
    pub scroller: gtk::ScrolledWindow,
    pub view: gtk::ListView,
    store: gio::ListStore,
    selection: gtk::SingleSelection,
    /// How many row widgets the factory ever made (a test reads it).
    made: Rc<Cell<usize>>,
}

fn info(object: &glib::Object) -> Option<ContactRowInfo> {
    object
        .downcast_ref::<glib::BoxedAnyObject>()
        .map(|b| b.borrow::<ContactRowInfo>().clone())
}

impl ContactList {
    /// `on_select` gets the chosen contact's id; `on_near_end` asks for the next page.
    pub fn new(on_select: impl Fn(i64) + 'static, on_near_end: impl Fn() + 'static) -> Self {
        let store = gio::ListStore::new::<glib::BoxedAnyObject>();
        let selection = gtk::SingleSelection::new(Some(store.clone()));
        selection.set_autoselect(false);
        selection.set_can_unselect(true);
        let made = Rc::new(Cell::new(0));
        let factory = gtk::SignalListItemFactory::new();
        let counter = made.clone();
        factory.connect_setup(move |_, item| {
            counter.set(counter.get() + 1);
            let Some(item) = item.downcast_ref::<gtk::ListItem>() else {
                return;
            };
            let row = gtk::Box::builder()
                .spacing(12)
                .margin_top(6)
                .margin_bottom(6)
                .margin_start(12)
                .margin_end(12)
                .build();
            let text = gtk::Box::new(gtk::Orientation::Vertical, 2);
            text.set_hexpand(true);
            let name = gtk::Label::builder()
                .xalign(0.0)
                .ellipsize(gtk::pango::EllipsizeMode::End)
                .build();
            let sub = gtk::Label::builder()
                .xalign(0.0)
                .ellipsize(gtk::pango::EllipsizeMode::End)
                .build();
            sub.add_css_class("dim-label");
            sub.add_css_class("caption");
            text.append(&name);
            text.append(&sub);
            let score = gtk::Label::builder().width_chars(3).xalign(1.0).build();
            score.add_css_class("numeric");
            row.append(&text);
            row.append(&score);
            item.set_child(Some(&row));
        });
        factory.connect_bind(|_, item| {
            let Some(item) = item.downcast_ref::<gtk::ListItem>() else {
                return;
            };
            let (Some(row), Some(contact)) = (item.child(), item.item().and_then(|o| info(&o)))
            else {
                return;
            };
            let Some(text) = row.first_child() else {
                return;
            };
            let labels: Vec<gtk::Label> = [text.first_child(), text.last_child(), row.last_child()]
                .into_iter()
                .flatten()
                .filter_map(|w| w.downcast::<gtk::Label>().ok())
                .collect();
            if let [name, sub, score] = labels.as_slice() {
                name.set_label(&contact.name);
                let detail: Vec<&str> = [
                    contact.company.as_str(),
                    contact.email.as_str(),
                    contact.phone.as_str(),
                ]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect();
                sub.set_label(&detail.join(" · "));
                score.set_label(&if contact.score < 0 {
                    String::new()
                } else {
                    contact.score.to_string()
                });
            }
        });
        let view = gtk::ListView::new(Some(selection.clone()), Some(factory));
        view.add_css_class("navigation-sidebar");
        let scroller = gtk::ScrolledWindow::builder()
            .hscrollbar_policy(gtk::PolicyType::Never)
            .vexpand(true)
            .child(&view)
            .build();
        selection.connect_selected_item_notify(move |s| {
            if let Some(contact) = s.selected_item().and_then(|o| info(&o)) {
                on_select(contact.id);
            }
        });
        scroller.vadjustment().connect_value_changed(move |adj| {
            if adj.value() + 2.0 * adj.page_size() >= adj.upper() {
                on_near_end();
            }
        });
        Self {
            scroller,
            view,
            store,
            selection,
            made,
        }
    }

    /// A new list (a new search): the old rows go, scrolled to the top.
    pub fn replace(&self, rows: Vec<ContactRowInfo>) {
        let objects: Vec<glib::BoxedAnyObject> =
            rows.into_iter().map(glib::BoxedAnyObject::new).collect();
        self.store.splice(0, self.store.n_items(), &objects);
        self.scroller.vadjustment().set_value(0.0);
    }

    pub fn append(&self, rows: Vec<ContactRowInfo>) {
        let objects: Vec<glib::BoxedAnyObject> =
            rows.into_iter().map(glib::BoxedAnyObject::new).collect();
        self.store.splice(self.store.n_items(), 0, &objects);
    }

    pub fn len(&self) -> u32 {
        self.store.n_items()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn row(&self, position: u32) -> Option<ContactRowInfo> {
        self.store.item(position).and_then(|o| info(&o))
    }

    /// Selects (and so opens) the row at `position`.
    pub fn select(&self, position: u32) {
        self.selection.set_selected(position);
    }

    pub fn widgets_made(&self) -> usize {
        self.made.get()
    }

    /// Scrolls so the row at `position` is in view (keyboard and tests).
    pub fn scroll_to(&self, position: u32) {
        let adj = self.scroller.vadjustment();
        let n = self.len().max(1) as f64;
        adj.set_value((adj.upper() * position as f64 / n).min(adj.upper() - adj.page_size()));
    }
}
