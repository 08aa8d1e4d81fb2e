//! The folder tree: one expander per folder (indented by depth), its documents listed when
//! it is opened, so a knowledge base of thousands of files costs a few hundred widgets.

use relm4::gtk::{self, prelude::*};
use roxy_ipc::docs::DocInfo;
use std::collections::BTreeMap;
use std::rc::Rc;

pub struct FolderTree {
    pub root: gtk::Box,
    /// How many folders are shown.
    sections: usize,
}

impl FolderTree {
    pub fn new() -> Self {
        let root = gtk::Box::new(gtk::Orientation::Vertical, 2);
        root.set_margin_start(6);
        root.set_margin_end(6);
        Self { root, sections: 0 }
    }

    /// Folders shown (for tests and the status line).
    pub fn sections(&self) -> usize {
        self.sections
    }

    /// Replaces the tree; `open` is called with a document's path when it is activated.
    pub fn show(&mut self, docs: &[DocInfo], several_roots: bool, open: Rc<dyn Fn(String)>) {
        while let Some(child) = self.root.first_child() {
            self.root.remove(&child);
        }
        let mut sections: BTreeMap<String, Vec<DocInfo>> = BTreeMap::new();
        for doc in docs {
            let folder = doc.rel.rsplit_once('/').map_or("", |(f, _)| f);
            let label = if several_roots {
                let root = std::path::Path::new(&doc.root)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if folder.is_empty() {
                    root
                } else {
                    format!("{root}/{folder}")
                }
            } else if folder.is_empty() {
                "/".to_owned()
            } else {
                folder.to_owned()
            };
            sections.entry(label).or_default().push(doc.clone());
        }
        self.sections = sections.len();
        for (label, docs) in sections {
            let depth = label.matches('/').count() as i32;
            let name = label
                .rsplit('/')
                .next()
                .filter(|n| !n.is_empty())
                .unwrap_or("/");
            let expander = gtk::Expander::builder()
                .label(format!("{name}  ({})", docs.len()))
                .margin_start(depth * 12)
                .tooltip_text(label.as_str())
                .build();
            let open = open.clone();
            let docs = Rc::new(docs);
            expander.connect_expanded_notify(move |expander| {
                if expander.is_expanded() && expander.child().is_none() {
                    expander.set_child(Some(&document_list(&docs, open.clone())));
                }
            });
            self.root.append(&expander);
        }
    }

    /// Opens every folder (for tests).
    pub fn expand_all(&self) {
        let mut child = self.root.first_child();
        while let Some(widget) = child {
            if let Some(expander) = widget.downcast_ref::<gtk::Expander>() {
                expander.set_expanded(true);
            }
            child = widget.next_sibling();
        }
    }
}

fn document_list(docs: &[DocInfo], open: Rc<dyn Fn(String)>) -> gtk::ListBox {
    let list = gtk::ListBox::new();
    list.add_css_class("navigation-sidebar");
    for doc in docs {
        let row = gtk::Label::builder()
            .label(&doc.title)
            .xalign(0.0)
            .ellipsize(gtk::pango::EllipsizeMode::End)
            .tooltip_text(&doc.rel)
            .build();
        list.append(&row);
    }
    let paths: Vec<String> = docs.iter().map(|d| d.path.clone()).collect();
    list.connect_row_activated(move |_, row| {
        if let Some(path) = paths.get(row.index() as usize) {
            open(path.clone());
        }
    });
    list
}
