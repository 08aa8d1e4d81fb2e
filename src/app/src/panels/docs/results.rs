//! Search results: title, where the document lives, and the snippet with the matched words
//! in bold. Rows are activated with a click or Enter.

use relm4::gtk::{self, glib, prelude::*};
use roxy_ipc::docs::{DocHitInfo, DocSearchInfo};
use roxy_ipc::i18n::{fill, gettext, ngettext};
use std::cell::RefCell;
use std::rc::Rc;

pub struct ResultList {
    pub root: gtk::Box,
    pub list: gtk::ListBox,
    summary: gtk::Label,
    paths: Rc<RefCell<Vec<String>>>,
}

impl ResultList {
    pub fn new(open: Rc<dyn Fn(String)>) -> Self {
        let list = gtk::ListBox::new();
        list.add_css_class("navigation-sidebar");
        let paths: Rc<RefCell<Vec<String>>> = Rc::default();
        let known = paths.clone();
        list.connect_row_activated(move |_, row| {
            if let Some(path) = known.borrow().get(row.index() as usize) {
                open(path.clone());
            }
        });
        let summary = gtk::Label::builder().xalign(0.0).wrap(true).build();
        summary.add_css_class("dim-label");
        summary.add_css_class("caption");
        let scroll = gtk::ScrolledWindow::builder()
            .hscrollbar_policy(gtk::PolicyType::Never)
            .vexpand(true)
            .child(&list)
            .build();
        let root = gtk::Box::new(gtk::Orientation::Vertical, 4);
        root.append(&summary);
        root.append(&scroll);
        Self {
            root,
            list,
            summary,
            paths,
        }
    }

    /// Shows `results`; `by_meaning` when they come from a semantic search.
    pub fn show(&self, results: &DocSearchInfo, by_meaning: bool) {
        while let Some(row) = self.list.first_child() {
            self.list.remove(&row);
        }
        self.summary.set_label(&if results.hits.is_empty() && by_meaning {
            gettext("No document is embedded yet. Semantic search finds documents once they are embedded; word search works meanwhile.")
        } else if results.hits.is_empty() {
            gettext("No documents match. Try fewer words, or a prefix like back*.")
        } else if by_meaning {
            fill(
                &ngettext(
                    "{} document, nearest in meaning first",
                    "{} documents, nearest in meaning first",
                    results.hits.len() as u32,
                ),
                &[&results.hits.len()],
            )
        } else if !results.ranked {
            fill(
                &gettext("More than {} documents match: title and tag matches first, the rest unranked. Add a word to rank them."),
                &[&results.rank_limit],
            )
        } else {
            fill(
                &ngettext("{} document matches", "{} documents match", results.matched as u32),
                &[&results.matched],
            )
        });
        *self.paths.borrow_mut() = results.hits.iter().map(|h| h.doc.path.clone()).collect();
        for hit in &results.hits {
            self.list.append(&row(hit, by_meaning));
        }
    }

    pub fn len(&self) -> usize {
        self.paths.borrow().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn first_path(&self) -> Option<String> {
        self.paths.borrow().first().cloned()
    }

    pub fn summary(&self) -> String {
        self.summary.label().to_string()
    }
}

fn row(hit: &DocHitInfo, by_meaning: bool) -> gtk::Box {
    let row = gtk::Box::new(gtk::Orientation::Vertical, 2);
    row.set_margin_top(4);
    row.set_margin_bottom(4);
    let title = gtk::Label::builder()
        .label(&hit.doc.title)
        .xalign(0.0)
        .ellipsize(gtk::pango::EllipsizeMode::End)
        .build();
    title.add_css_class("heading");
    let place_text = if by_meaning {
        fill(
            &gettext("{} · similarity {}"),
            &[&hit.doc.rel, &format!("{:.0} %", hit.score * 100.0)],
        )
    } else {
        hit.doc.rel.clone()
    };
    let place = gtk::Label::builder()
        .label(&place_text)
        .xalign(0.0)
        .ellipsize(gtk::pango::EllipsizeMode::Middle)
        .build();
    place.add_css_class("dim-label");
    place.add_css_class("caption");
    let snippet = gtk::Label::builder()
        .use_markup(true)
        .label(snippet_markup(hit))
        .xalign(0.0)
        .wrap(true)
        .lines(3)
        .ellipsize(gtk::pango::EllipsizeMode::End)
        .build();
    snippet.add_css_class("caption");
    row.append(&title);
    row.append(&place);
    row.append(&snippet);
    row
}

/// The snippet as Pango markup with the matched ranges in bold.
pub fn snippet_markup(hit: &DocHitInfo) -> String {
    let text = &hit.snippet;
    let mut out = String::new();
    let mut at = 0;
    for &(start, end) in &hit.highlights {
        let (start, end) = (start as usize, end as usize);
        if start < at
            || end > text.len()
            || !text.is_char_boundary(start)
            || !text.is_char_boundary(end)
        {
            continue;
        }
        out.push_str(&glib::markup_escape_text(&text[at..start]));
        out.push_str("<b>");
        out.push_str(&glib::markup_escape_text(&text[start..end]));
        out.push_str("</b>");
        at = end;
    }
    out.push_str(&glib::markup_escape_text(&text[at.min(text.len())..]));
    out
}
