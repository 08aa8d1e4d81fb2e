//! The reader: one document rendered natively, with back/forward history, open in the
//! external editor, and Run for runbook files (handed to the Runbooks panel).

use super::markdown::{self, Actions};
use relm4::adw;
use relm4::gtk::{self, gio, prelude::*};
use roxy_ipc::docs::DocContentInfo;
use roxy_ipc::i18n::gettext;
use std::path::{Path, PathBuf};

pub struct Reader {
    pub root: gtk::Box,
    stack: gtk::Stack,
    title: gtk::Label,
    pub back: gtk::Button,
    pub forward: gtk::Button,
    pub edit: gtk::Button,
    pub run: gtk::Button,
    scroll: gtk::ScrolledWindow,
    /// The rendered document (replaced on every open).
    content: Option<gtk::Box>,
    current: Option<DocContentInfo>,
    past: Vec<String>,
    future: Vec<String>,
}

impl Reader {
    pub fn new() -> Self {
        let back = icon_button("go-previous-symbolic", &gettext("Back (Alt+Left)"));
        let forward = icon_button("go-next-symbolic", &gettext("Forward (Alt+Right)"));
        let edit = icon_button(
            "document-edit-symbolic",
            &gettext("Open in the text editor"),
        );
        let run = gtk::Button::with_label(&gettext("Run…"));
        run.add_css_class("suggested-action");
        run.set_tooltip_text(Some(&gettext(
            "Open this runbook in the Runbooks panel to run it",
        )));
        run.set_visible(false);
        let title = gtk::Label::builder()
            .xalign(0.0)
            .ellipsize(gtk::pango::EllipsizeMode::End)
            .hexpand(true)
            .build();
        title.add_css_class("heading");
        let bar = gtk::Box::new(gtk::Orientation::Horizontal, 6);
        bar.set_margin_start(12);
        bar.set_margin_end(12);
        bar.set_margin_top(6);
        bar.set_margin_bottom(6);
        for w in [
            back.upcast_ref::<gtk::Widget>(),
            forward.upcast_ref(),
            title.upcast_ref(),
            run.upcast_ref(),
            edit.upcast_ref(),
        ] {
            bar.append(w);
        }
        let scroll = gtk::ScrolledWindow::builder()
            .hscrollbar_policy(gtk::PolicyType::Never)
            .vexpand(true)
            .build();
        let empty = adw::StatusPage::builder()
            .icon_name("accessories-dictionary-symbolic")
            .title(gettext("Choose a document"))
            .description(gettext(
                "Search with Ctrl+K, or pick a document from the folders.",
            ))
            .vexpand(true)
            .build();
        let stack = gtk::Stack::new();
        stack.add_named(&empty, Some("empty"));
        stack.add_named(&scroll, Some("document"));
        let root = gtk::Box::new(gtk::Orientation::Vertical, 0);
        root.append(&bar);
        root.append(&gtk::Separator::new(gtk::Orientation::Horizontal));
        root.append(&stack);
        let reader = Self {
            root,
            stack,
            title,
            back,
            forward,
            edit,
            run,
            scroll,
            content: None,
            current: None,
            past: Vec::new(),
            future: Vec::new(),
        };
        reader.update_buttons();
        reader
    }

    /// Shows `content`; `history` adds the previous document to Back (not for Back/Forward
    /// themselves, which move along the history).
    pub fn show(&mut self, content: DocContentInfo, history: bool, actions: &Actions) {
        if history {
            if let Some(previous) = &self.current {
                if previous.doc.path != content.doc.path {
                    self.past.push(previous.doc.path.clone());
                    self.future.clear();
                }
            }
        }
        let base = Path::new(&content.doc.path)
            .parent()
            .map(Path::to_owned)
            .unwrap_or_default();
        let page = gtk::Box::new(gtk::Orientation::Vertical, 12);
        page.set_margin_start(24);
        page.set_margin_end(24);
        page.set_margin_top(18);
        page.set_margin_bottom(24);
        let path = gtk::Label::builder()
            .label(&content.doc.path)
            .xalign(0.0)
            .selectable(true)
            .wrap(true)
            .build();
        path.add_css_class("dim-label");
        path.add_css_class("caption");
        page.append(&path);
        if !content.doc.tags.is_empty() {
            let tags: Vec<String> = content.doc.tags.iter().map(|t| format!("#{t}")).collect();
            let tags = gtk::Label::builder()
                .label(tags.join("  "))
                .xalign(0.0)
                .wrap(true)
                .build();
            tags.add_css_class("caption");
            page.append(&tags);
        }
        let rendered = if is_markdown(&content.doc.path) {
            markdown::render(&content.body, &base, actions)
        } else {
            plain(&content.text)
        };
        page.append(&rendered);
        self.title.set_label(&content.doc.title);
        // Runbook files hand over; documents with runbook blocks have a Run button per block.
        self.run
            .set_visible(content.doc.runbook && !is_markdown(&content.doc.path));
        self.scroll.set_child(Some(&page));
        self.scroll.vadjustment().set_value(0.0);
        self.content = Some(rendered);
        self.current = Some(content);
        self.stack.set_visible_child_name("document");
        self.update_buttons();
    }

    /// Clears the reader (its document was removed).
    pub fn clear(&mut self) {
        self.current = None;
        self.content = None;
        self.scroll.set_child(None::<&gtk::Widget>);
        self.stack.set_visible_child_name("empty");
        self.update_buttons();
    }

    pub fn current(&self) -> Option<&DocContentInfo> {
        self.current.as_ref()
    }

    /// The rendered blocks of the open document, for tests.
    pub fn content(&self) -> Option<&gtk::Box> {
        self.content.as_ref()
    }

    /// The path to open for Back, moving the current one to Forward.
    pub fn go_back(&mut self) -> Option<String> {
        let target = self.past.pop()?;
        if let Some(current) = &self.current {
            self.future.push(current.doc.path.clone());
        }
        Some(target)
    }

    pub fn go_forward(&mut self) -> Option<String> {
        let target = self.future.pop()?;
        if let Some(current) = &self.current {
            self.past.push(current.doc.path.clone());
        }
        Some(target)
    }

    /// Where a link in the open document points: a file path for documents, or `None`
    /// for web links (opened by the desktop).
    pub fn resolve(&self, href: &str) -> Option<PathBuf> {
        if href.contains("://") || href.starts_with("mailto:") {
            return None;
        }
        let target = href.split('#').next().unwrap_or("");
        let base = self
            .current
            .as_ref()
            .and_then(|c| Path::new(&c.doc.path).parent().map(Path::to_owned))?;
        if target.is_empty() {
            return self.current.as_ref().map(|c| PathBuf::from(&c.doc.path));
        }
        Some(normalize(&base.join(target)))
    }

    /// Opens the document in the desktop's editor for its type.
    pub fn open_externally(&self) {
        if let Some(current) = &self.current {
            let file = gio::File::for_path(&current.doc.path);
            if let Err(e) =
                gio::AppInfo::launch_default_for_uri(&file.uri(), None::<&gio::AppLaunchContext>)
            {
                tracing::warn!("cannot open {}: {e}", current.doc.path);
            }
        }
    }

    fn update_buttons(&self) {
        self.back.set_sensitive(!self.past.is_empty());
        self.forward.set_sensitive(!self.future.is_empty());
        self.edit.set_sensitive(self.current.is_some());
    }
}

fn icon_button(icon: &str, tooltip: &str) -> gtk::Button {
    let button = gtk::Button::from_icon_name(icon);
    button.add_css_class("flat");
    button.set_tooltip_text(Some(tooltip));
    button
}

fn is_markdown(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".md", ".markdown", ".mdown", ".mkd"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// YAML and text files: as they are, in monospace.
fn plain(text: &str) -> gtk::Box {
    let page = gtk::Box::new(gtk::Orientation::Vertical, 0);
    let label = gtk::Label::builder()
        .label(text)
        .xalign(0.0)
        .selectable(true)
        .wrap(true)
        .wrap_mode(gtk::pango::WrapMode::WordChar)
        .build();
    label.add_css_class("monospace");
    page.append(&label);
    page
}

/// `a/b/../c` → `a/c`, without touching the disk.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}
