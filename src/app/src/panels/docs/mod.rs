//! Docs panel: the knowledge base — the folder tree, a search box with instant results and
//! highlighted snippets, and a native markdown reader with history. Mirrors Docs1.

mod markdown;
mod reader;
mod results;
mod shortcuts;
mod tree;

use crate::connection::{DaemonRequest, DocsEvent, DocsRequest};
use markdown::Actions;
use reader::Reader;
use relm4::adw::prelude::*;
use relm4::{adw, gtk, ComponentParts, ComponentSender, SimpleComponent};
use results::ResultList;
use roxy_ipc::docs::{DocInfo, DocQueryInfo, DocsStatusInfo};
use roxy_ipc::i18n::{fill, gettext, ngettext};
use shortcuts::install_shortcuts;
use std::rc::Rc;
use tree::FolderTree;

/// Results asked for per search.
const RESULTS: u32 = 50;

pub struct DocsPanel {
    toasts: adw::ToastOverlay,
    /// "empty" (no folders) or "browser".
    pages: gtk::Stack,
    /// "tree" or "results" on the left.
    left: gtk::Stack,
    search: gtk::SearchEntry,
    /// Search by meaning instead of by words (only with the embedding model installed).
    meaning: gtk::ToggleButton,
    /// The mode of the newest search, for how its results are shown.
    searched_by_meaning: bool,
    status: gtk::Label,
    folders_list: gtk::ListBox,
    tree: FolderTree,
    results: ResultList,
    reader: Reader,
    actions: Actions,
    chooser: std::cell::RefCell<Option<gtk::FileChooserNative>>,
    docs_status: DocsStatusInfo,
    documents: Vec<DocInfo>,
    /// Raised with every search, so answers to older ones are dropped.
    generation: u64,
}

#[derive(Debug)]
pub enum DocsInput {
    Event(DocsEvent),
    Search,
    /// Open a document (from the tree, a result or a link).
    Open(String),
    /// Open the first result (Enter in the search box).
    OpenFirst,
    Link(String),
    Back,
    Forward,
    Edit,
    /// Hand a runbook to the Runbooks panel.
    Run(String),
    RunOpenFile,
    ChooseFolder,
    AddFolder(std::path::PathBuf),
    RemoveFolder(String),
    Reindex,
}

#[derive(Debug)]
pub enum DocsOutput {
    Request(DaemonRequest),
    /// Show this runbook in the Runbooks panel (the reader never runs anything itself).
    OpenRunbook(String),
}

fn request(sender: &ComponentSender<DocsPanel>, request: DocsRequest) {
    let _ = sender.output(DocsOutput::Request(DaemonRequest::Docs(request)));
}

impl DocsPanel {
    pub fn search_entry(&self) -> &gtk::SearchEntry {
        &self.search
    }

    pub fn results(&self) -> &ResultList {
        &self.results
    }

    pub fn reader(&self) -> &Reader {
        &self.reader
    }

    pub fn tree(&self) -> &FolderTree {
        &self.tree
    }

    pub fn meaning_toggle(&self) -> &gtk::ToggleButton {
        &self.meaning
    }

    pub fn status(&self) -> &DocsStatusInfo {
        &self.docs_status
    }

    pub fn documents(&self) -> &[DocInfo] {
        &self.documents
    }

    fn on_event(&mut self, event: DocsEvent, sender: &ComponentSender<Self>) {
        match event {
            DocsEvent::Status(status) => {
                self.docs_status = status;
                self.show_status();
            }
            DocsEvent::Documents(docs) => {
                self.documents = docs;
                let several = self.docs_status.folders.len() > 1;
                let s = sender.clone();
                self.tree.show(
                    &self.documents,
                    several,
                    Rc::new(move |p| s.input(DocsInput::Open(p))),
                );
                self.show_status();
            }
            DocsEvent::Results {
                generation,
                results,
            } => {
                if generation == self.generation {
                    self.results.show(&results, self.searched_by_meaning);
                }
            }
            DocsEvent::Document { content, history } => {
                self.reader.show(content, history, &self.actions);
            }
            DocsEvent::Changed(paths) => {
                // Keep what is shown current: the open document and the results.
                if let Some(current) = self.reader.current().map(|c| c.doc.path.clone()) {
                    if paths.is_empty()
                        || paths
                            .iter()
                            .any(|p| *p == current || current.starts_with(&format!("{p}/")))
                    {
                        if self.documents.iter().any(|d| d.path == current) {
                            request(
                                sender,
                                DocsRequest::Open {
                                    path: current,
                                    history: false,
                                },
                            );
                        } else {
                            self.reader.clear();
                        }
                    }
                }
                if !self.search.text().is_empty() {
                    self.start_search(sender);
                }
            }
        }
    }

    fn show_status(&self) {
        let s = &self.docs_status;
        self.pages.set_visible_child_name(if s.folders.is_empty() {
            "empty"
        } else {
            "browser"
        });
        let mut parts = vec![fill(
            &ngettext("{} document", "{} documents", s.documents as u32),
            &[&s.documents],
        )];
        if !s.coverage_pct.is_nan() {
            parts.push(fill(
                &gettext("{} % with title and tags"),
                &[&format!("{:.0}", s.coverage_pct)],
            ));
        }
        if s.skipped > 0 {
            parts.push(fill(
                &ngettext("{} skipped", "{} skipped", s.skipped as u32),
                &[&s.skipped],
            ));
        }
        if !s.semantic_model.is_empty() && s.embedded < s.documents {
            parts.push(fill(
                &gettext("{} of {} embedded for meaning"),
                &[&s.embedded, &s.documents],
            ));
        }
        parts.push(if s.indexing {
            gettext("indexing…")
        } else if !s.watching {
            gettext("not watching for changes")
        } else {
            gettext("up to date")
        });
        self.status.set_label(&parts.join(" · "));
        let available = !s.semantic_model.is_empty();
        self.meaning.set_sensitive(available);
        if !available {
            self.meaning.set_active(false);
        }
        self.meaning.set_tooltip_text(Some(&if available {
            gettext("Search by meaning instead of words (Ctrl+M)")
        } else {
            fill(
                &gettext("Search by meaning needs the embedding model all-MiniLM-L6-v2 in {}; build-aux/fetch-models.sh installs it."),
                &[&s.semantic_model_wanted],
            )
        }));
        while let Some(row) = self.folders_list.first_child() {
            self.folders_list.remove(&row);
        }
        for folder in &s.folders {
            let row = adw::ActionRow::builder()
                .title(folder.as_str())
                .activatable(true)
                .tooltip_text(gettext("Stop indexing this folder"))
                .build();
            row.add_suffix(&gtk::Image::from_icon_name("list-remove-symbolic"));
            row.set_widget_name(folder);
            self.folders_list.append(&row);
        }
    }

    fn start_search(&mut self, sender: &ComponentSender<Self>) {
        let text = self.search.text().to_string();
        if text.trim().is_empty() {
            self.left.set_visible_child_name("tree");
            return;
        }
        self.left.set_visible_child_name("results");
        self.generation += 1;
        self.searched_by_meaning = self.meaning.is_active();
        request(
            sender,
            DocsRequest::Search {
                generation: self.generation,
                query: DocQueryInfo {
                    text,
                    prefix: !self.searched_by_meaning,
                    limit: RESULTS,
                    semantic: self.searched_by_meaning,
                    ..DocQueryInfo::default()
                },
            },
        );
    }

    fn choose_folder(&self, sender: &ComponentSender<Self>) {
        let window = self.toasts.root().and_downcast::<gtk::Window>();
        let chooser = gtk::FileChooserNative::new(
            Some(&gettext("Add a Docs Folder")),
            window.as_ref(),
            gtk::FileChooserAction::SelectFolder,
            Some(&gettext("Add")),
            None,
        );
        let sender = sender.clone();
        chooser.connect_response(move |chooser, response| {
            if response == gtk::ResponseType::Accept {
                if let Some(path) = chooser.file().and_then(|f| f.path()) {
                    sender.input(DocsInput::AddFolder(path));
                }
            }
        });
        chooser.show();
        // A native chooser is no widget: something must hold it while it is open.
        self.chooser.replace(Some(chooser));
    }

    fn set_folders(&self, folders: Vec<String>, sender: &ComponentSender<Self>) {
        request(sender, DocsRequest::SetFolders(folders));
    }
}

impl SimpleComponent for DocsPanel {
    type Init = ();
    type Input = DocsInput;
    type Output = DocsOutput;
    type Root = adw::ToastOverlay;
    type Widgets = ();

    fn init_root() -> Self::Root {
        adw::ToastOverlay::new()
    }

    fn init(_: (), root: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let s = sender.clone();
        let link: Rc<dyn Fn(String)> = Rc::new(move |href| s.input(DocsInput::Link(href)));
        let s = sender.clone();
        let run: Rc<dyn Fn(String)> = Rc::new(move |id| s.input(DocsInput::Run(id)));
        let actions = Actions { link, run };

        // Nothing chosen yet.
        let add = gtk::Button::with_label(&gettext("Add Folder…"));
        add.add_css_class("pill");
        add.add_css_class("suggested-action");
        add.set_halign(gtk::Align::Center);
        let s = sender.clone();
        add.connect_clicked(move |_| s.input(DocsInput::ChooseFolder));
        let empty = adw::StatusPage::builder()
            .icon_name("accessories-dictionary-symbolic")
            .title(gettext("No Docs Folder Yet"))
            .description(gettext("Choose the folder that holds your notes (markdown, YAML or text). Roxy indexes it for instant full-text search, keeps a master index and follows every change. With the embedding model installed it also finds documents by meaning."))
            .child(&add)
            .vexpand(true)
            .build();

        // The browser: search, status, tree or results | reader.
        let search = gtk::SearchEntry::builder()
            .placeholder_text(gettext("Search docs (Ctrl+K)"))
            .tooltip_text(gettext(
                "Words, \"exact phrases\", prefix*, -excluded, tag:name, in:folder",
            ))
            .hexpand(true)
            .build();
        let folders_list = gtk::ListBox::new();
        folders_list.add_css_class("boxed-list");
        folders_list.set_selection_mode(gtk::SelectionMode::None);
        let s = sender.clone();
        folders_list.connect_row_activated(move |_, row| {
            s.input(DocsInput::RemoveFolder(row.widget_name().to_string()))
        });
        let add_folder = gtk::Button::with_label(&gettext("Add Folder…"));
        let s = sender.clone();
        add_folder.connect_clicked(move |_| s.input(DocsInput::ChooseFolder));
        let reindex = gtk::Button::with_label(&gettext("Reindex Now"));
        let s = sender.clone();
        reindex.connect_clicked(move |_| s.input(DocsInput::Reindex));
        let popover_box = gtk::Box::new(gtk::Orientation::Vertical, 8);
        popover_box.set_margin_start(6);
        popover_box.set_margin_end(6);
        popover_box.set_margin_top(6);
        popover_box.set_margin_bottom(6);
        let hint = gtk::Label::new(Some(&gettext("Click a folder to stop indexing it.")));
        hint.add_css_class("dim-label");
        hint.add_css_class("caption");
        for w in [
            folders_list.upcast_ref::<gtk::Widget>(),
            hint.upcast_ref(),
            add_folder.upcast_ref(),
            reindex.upcast_ref(),
        ] {
            popover_box.append(w);
        }
        folders_list.set_activate_on_single_click(true);
        let popover = gtk::Popover::builder().child(&popover_box).build();
        let folders_button = gtk::MenuButton::builder()
            .icon_name("folder-symbolic")
            .tooltip_text(gettext("Docs folders"))
            .popover(&popover)
            .build();
        let meaning = gtk::ToggleButton::builder()
            .label(gettext("Meaning"))
            .sensitive(false)
            .build();
        let s = sender.clone();
        meaning.connect_toggled(move |_| s.input(DocsInput::Search));
        let search_row = gtk::Box::new(gtk::Orientation::Horizontal, 6);
        search_row.append(&search);
        search_row.append(&meaning);
        search_row.append(&folders_button);
        let status = gtk::Label::builder().xalign(0.0).wrap(true).build();
        status.add_css_class("dim-label");
        status.add_css_class("caption");

        let tree = FolderTree::new();
        let tree_scroll = gtk::ScrolledWindow::builder()
            .hscrollbar_policy(gtk::PolicyType::Never)
            .vexpand(true)
            .child(&tree.root)
            .build();
        let s = sender.clone();
        let results = ResultList::new(Rc::new(move |p| s.input(DocsInput::Open(p))));
        let left = gtk::Stack::new();
        left.add_named(&tree_scroll, Some("tree"));
        left.add_named(&results.root, Some("results"));
        let side = gtk::Box::new(gtk::Orientation::Vertical, 6);
        side.set_margin_start(12);
        side.set_margin_end(6);
        side.set_margin_top(12);
        side.set_width_request(320);
        side.append(&search_row);
        side.append(&status);
        side.append(&left);

        let reader = Reader::new();
        let s = sender.clone();
        reader
            .back
            .connect_clicked(move |_| s.input(DocsInput::Back));
        let s = sender.clone();
        reader
            .forward
            .connect_clicked(move |_| s.input(DocsInput::Forward));
        let s = sender.clone();
        reader
            .edit
            .connect_clicked(move |_| s.input(DocsInput::Edit));
        let s = sender.clone();
        reader
            .run
            .connect_clicked(move |_| s.input(DocsInput::RunOpenFile));
        let browser = gtk::Paned::builder()
            .orientation(gtk::Orientation::Horizontal)
            .start_child(&side)
            .end_child(&reader.root)
            .resize_start_child(false)
            .shrink_start_child(false)
            .position(340)
            .build();

        let pages = gtk::Stack::new();
        pages.add_named(&empty, Some("empty"));
        pages.add_named(&browser, Some("browser"));
        root.set_child(Some(&pages));

        // Typing searches at once; Enter opens the best match, Down walks the results.
        let s = sender.clone();
        search.connect_search_changed(move |_| s.input(DocsInput::Search));
        let s = sender.clone();
        search.connect_activate(move |_| s.input(DocsInput::OpenFirst));
        let keys = gtk::EventControllerKey::new();
        let list = results.list.clone();
        keys.connect_key_pressed(move |_, key, _, _| {
            if key == gtk::gdk::Key::Down {
                if let Some(row) = list.row_at_index(0) {
                    row.grab_focus();
                    return gtk::glib::Propagation::Stop;
                }
            }
            gtk::glib::Propagation::Proceed
        });
        search.add_controller(keys);
        install_shortcuts(&root, &search, &meaning, &sender);

        let model = DocsPanel {
            toasts: root.clone(),
            pages,
            left,
            search,
            meaning,
            searched_by_meaning: false,
            status,
            folders_list,
            tree,
            results,
            reader,
            actions,
            chooser: Default::default(),
            docs_status: DocsStatusInfo::default(),
            documents: Vec::new(),
            generation: 0,
        };
        model.show_status();
        ComponentParts { model, widgets: () }
    }

    fn update(&mut self, msg: DocsInput, sender: ComponentSender<Self>) {
        match msg {
            DocsInput::Event(event) => self.on_event(event, &sender),
            DocsInput::Search => self.start_search(&sender),
            DocsInput::Open(path) => request(
                &sender,
                DocsRequest::Open {
                    path,
                    history: true,
                },
            ),
            DocsInput::OpenFirst => {
                if let Some(path) = self.results.first_path() {
                    request(
                        &sender,
                        DocsRequest::Open {
                            path,
                            history: true,
                        },
                    );
                }
            }
            DocsInput::Link(href) => match self.reader.resolve(&href) {
                Some(path) => request(
                    &sender,
                    DocsRequest::Open {
                        path: path.to_string_lossy().into_owned(),
                        history: true,
                    },
                ),
                None => {
                    let launched = gtk::gio::AppInfo::launch_default_for_uri(
                        &href,
                        None::<&gtk::gio::AppLaunchContext>,
                    );
                    if let Err(e) = launched {
                        self.toasts.add_toast(adw::Toast::new(&fill(
                            &gettext("Cannot open {}: {}"),
                            &[&href, &e],
                        )));
                    }
                }
            },
            DocsInput::Back => {
                if let Some(path) = self.reader.go_back() {
                    request(
                        &sender,
                        DocsRequest::Open {
                            path,
                            history: false,
                        },
                    );
                }
            }
            DocsInput::Forward => {
                if let Some(path) = self.reader.go_forward() {
                    request(
                        &sender,
                        DocsRequest::Open {
                            path,
                            history: false,
                        },
                    );
                }
            }
            DocsInput::Edit => self.reader.open_externally(),
            DocsInput::Run(id) => {
                if id.is_empty() {
                    self.toasts.add_toast(adw::Toast::new(&gettext(
                        "This block names no runbook: put its id on the first line.",
                    )));
                } else {
                    let _ = sender.output(DocsOutput::OpenRunbook(id));
                }
            }
            DocsInput::RunOpenFile => {
                let id = self.reader.current().and_then(|c| {
                    std::path::Path::new(&c.doc.path)
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                });
                if let Some(id) = id {
                    let _ = sender.output(DocsOutput::OpenRunbook(id));
                }
            }
            DocsInput::ChooseFolder => self.choose_folder(&sender),
            DocsInput::AddFolder(path) => {
                let mut folders = self.docs_status.folders.clone();
                let path = path.to_string_lossy().into_owned();
                if !folders.contains(&path) {
                    folders.push(path);
                }
                self.set_folders(folders, &sender);
            }
            DocsInput::RemoveFolder(folder) => {
                let folders = self
                    .docs_status
                    .folders
                    .iter()
                    .filter(|f| **f != folder)
                    .cloned()
                    .collect();
                self.set_folders(folders, &sender);
            }
            DocsInput::Reindex => request(&sender, DocsRequest::Reindex),
        }
    }
}
