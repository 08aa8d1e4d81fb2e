//! CRM panel: contacts (search as you type with filters, a list that stays smooth at 100 000
//! rows, the contact with its leads and timeline), the pipeline board, and what is due today.
//! Mirrors Crm1.

mod board;
mod contact_list;
mod detail;
mod dialogs;
mod field_form;
mod today;

use crate::connection::{CrmEvent, CrmRequest, DaemonRequest, FormKind};
use board::{Board, BoardActions};
use contact_list::ContactList;
use detail::Detail;
pub use detail::DetailAction;
use relm4::adw::prelude::*;
use relm4::{adw, gtk, ComponentParts, ComponentSender, SimpleComponent};
use roxy_ipc::crm::{
    ContactQueryInfo, DuplicateInfo, ImportReportInfo, StageInfo, TEXT_MATCH_LIMIT,
};
use roxy_ipc::i18n::{fill, gettext, ngettext};
use std::rc::Rc;
use today::TodayList;

/// Rows fetched per page of the contact list.
const PAGE: i64 = 500;

pub struct CrmPanel {
    toasts: adw::ToastOverlay,
    stack: adw::ViewStack,
    list: ContactList,
    list_stack: gtk::Stack,
    count: gtk::Label,
    /// "n possible duplicates", shown while there are any.
    review: gtk::Button,
    duplicates: Vec<(DuplicateInfo, Vec<String>)>,
    /// The file shown in the import dialog, until it is imported or dismissed.
    pending_import: Option<(String, Vec<u8>)>,
    last_report: Option<ImportReportInfo>,
    chooser: std::cell::RefCell<Option<gtk::FileChooserNative>>,
    search: gtk::SearchEntry,
    tag: gtk::DropDown,
    tags: Vec<String>,
    stage: gtk::DropDown,
    stages: Vec<StageInfo>,
    sort: gtk::DropDown,
    min_score: gtk::SpinButton,
    detail: Detail,
    board: Board,
    today: TodayList,
    /// Raised with every new query, so pages of an older one are dropped.
    generation: u64,
    total: i64,
    loading: bool,
}

#[derive(Debug)]
pub enum CrmInput {
    Event(CrmEvent),
    /// The words or a filter changed.
    Search,
    /// The list is scrolled near its end.
    MoreRows,
    Select(i64),
    NewContact,
    Detail(DetailAction),
    MoveDeal(i64, i64, i64),
    /// Closing a deal as won (true) or lost needs a reason.
    AskReason(i64, bool),
    CloseDeal(i64, bool, String),
    Undo(String, i64),
    ReviewDuplicates,
    /// Open a file chooser for a CSV or vCard file to import.
    ChooseImport,
    /// Show what importing this file would do.
    ImportFile(std::path::PathBuf),
    /// Import the file the dialog showed.
    ConfirmImport,
    ChooseExport,
    ExportFile(std::path::PathBuf),
    /// Merge the group at this index of the shown duplicates into its oldest contact.
    MergeGroup(usize),
}

#[derive(Debug)]
pub enum CrmOutput {
    Request(DaemonRequest),
}

fn request(sender: &ComponentSender<CrmPanel>, request: CrmRequest) {
    let _ = sender.output(CrmOutput::Request(DaemonRequest::Crm(Box::new(request))));
}

fn sorts() -> [(String, &'static str); 3] {
    [
        (gettext("By name"), "name"),
        (gettext("Best score first"), "score"),
        (gettext("Recently changed"), "updated"),
    ]
}

impl CrmPanel {
    fn query(&self, offset: i64) -> ContactQueryInfo {
        let tag = match self.tag.selected() {
            0 => String::new(),
            i => self.tags.get(i as usize - 1).cloned().unwrap_or_default(),
        };
        let stage_id = match self.stage.selected() {
            0 => 0,
            i => self.stages.get(i as usize - 1).map(|s| s.id).unwrap_or(0),
        };
        let min = self.min_score.value() as i64;
        ContactQueryInfo {
            text: self.search.text().to_string(),
            tag,
            stage_id,
            min_score: if min > 0 { min } else { -1 },
            max_score: -1,
            sort: sorts()[self.sort.selected().min(2) as usize].1.to_owned(),
            offset,
            limit: PAGE,
        }
    }

    fn search(&mut self, sender: &ComponentSender<Self>) {
        self.generation += 1;
        self.loading = true;
        request(
            sender,
            CrmRequest::Contacts {
                generation: self.generation,
                query: self.query(0),
            },
        );
    }

    fn on_event(&mut self, event: CrmEvent, sender: &ComponentSender<Self>) {
        match event {
            CrmEvent::Contacts {
                generation,
                total,
                offset,
                rows,
            } => {
                if generation != self.generation {
                    return;
                }
                self.loading = false;
                self.total = total;
                let last_page = rows.is_empty();
                if offset == 0 {
                    self.list.replace(rows);
                } else if offset == self.list.len() as i64 {
                    self.list.append(rows);
                }
                if last_page {
                    // A capped search has no more rows than it listed.
                    self.total = self.list.len() as i64;
                }
                self.count.set_label(&if total > TEXT_MATCH_LIMIT {
                    fill(
                        &gettext("More than {} contacts match; type more to narrow"),
                        &[&TEXT_MATCH_LIMIT],
                    )
                } else {
                    fill(
                        &ngettext("{} contact", "{} contacts", total as u32),
                        &[&total],
                    )
                });
                let empty = self.list.is_empty();
                let q = self.query(0);
                let filtered = !q.text.trim().is_empty()
                    || !q.tag.is_empty()
                    || q.stage_id > 0
                    || q.min_score > 0;
                let nothing_at_all = empty && !filtered;
                self.list_stack.set_visible_child_name(if !empty {
                    "list"
                } else if nothing_at_all {
                    "empty"
                } else {
                    "no-match"
                });
            }
            CrmEvent::Detail {
                contact,
                leads,
                timeline,
            } => {
                self.detail.show(&contact, &leads, &timeline);
                self.detail.set_buttons();
            }
            CrmEvent::Board {
                stages,
                deals,
                forecast,
            } => {
                self.set_stages(&stages);
                self.board.show(stages, deals, &forecast);
            }
            CrmEvent::Today(items) => {
                self.today.show(&items);
                let page = self.stack.page(&self.today.root);
                page.set_badge_number(items.len() as u32);
                page.set_needs_attention(items.iter().any(|i| i.overdue));
            }
            CrmEvent::Tags(tags) => self.set_tags(tags),
            CrmEvent::ImportPlan {
                file,
                format,
                data,
                report,
            } => {
                self.show_import_plan(&file, &report, sender);
                self.pending_import = Some((format, data));
                self.last_report = Some(report);
            }
            CrmEvent::Duplicates(groups) => {
                self.review.set_label(&fill(
                    &ngettext(
                        "{} possible duplicate…",
                        "{} possible duplicates…",
                        groups.len() as u32,
                    ),
                    &[&groups.len()],
                ));
                self.review.set_visible(!groups.is_empty());
                self.duplicates = groups;
            }
            CrmEvent::Checked { form, errors } => {
                match form {
                    FormKind::Contact => self.detail.contact_form.set_errors(errors),
                    FormKind::Lead => self.detail.lead_form.set_errors(errors),
                }
                self.detail.set_buttons();
            }
            CrmEvent::Saved { kind, id } => {
                if kind == "contact" && self.detail.contact_id == 0 {
                    // The new contact stays open; the `Changed` that follows fills it in.
                    self.detail.contact_id = id;
                }
                if kind == "lead" {
                    self.detail.lead_form.clear();
                    self.detail.lead_form.set_errors(Vec::new());
                }
                self.toasts.add_toast(adw::Toast::new(&gettext("Saved.")));
            }
            CrmEvent::Deleted { kind, id } => {
                if kind == "contact" && self.detail.contact_id == id {
                    self.detail.contact_id = 0;
                    self.detail.root.set_visible_child_name("empty");
                }
                let toast = adw::Toast::builder()
                    .title(gettext("Deleted."))
                    .button_label(gettext("Undo"))
                    .timeout(8)
                    .build();
                let sender = sender.clone();
                toast.connect_button_clicked(move |_| {
                    sender.input(CrmInput::Undo(kind.clone(), id));
                });
                self.toasts.add_toast(toast);
            }
            CrmEvent::Changed { kind, id } => {
                if matches!(
                    kind.as_str(),
                    "contact" | "import" | "backend" | "lead" | "interaction" | "config"
                ) {
                    self.search(sender);
                }
                let shown = self.detail.contact_id;
                if shown > 0 && (kind != "contact" || id == shown || id == 0) {
                    request(sender, CrmRequest::Open(shown));
                }
            }
        }
    }

    fn set_tags(&mut self, tags: Vec<String>) {
        if tags == self.tags {
            return;
        }
        let chosen = self.tag.selected();
        let mut labels = vec![gettext("All tags")];
        labels.extend(tags.iter().cloned());
        let refs: Vec<&str> = labels.iter().map(String::as_str).collect();
        self.tag.set_model(Some(&gtk::StringList::new(&refs)));
        self.tag.set_selected(chosen.min(tags.len() as u32));
        self.tags = tags;
    }

    fn set_stages(&mut self, stages: &[StageInfo]) {
        if stages == self.stages.as_slice() {
            return;
        }
        let mut labels = vec![gettext("Any stage")];
        labels.extend(stages.iter().map(|s| s.name.clone()));
        let refs: Vec<&str> = labels.iter().map(String::as_str).collect();
        self.stage.set_model(Some(&gtk::StringList::new(&refs)));
        self.stage.set_selected(0);
        self.stages = stages.to_vec();
    }

    fn on_detail(&mut self, action: DetailAction, sender: &ComponentSender<Self>) {
        let forms = |d: &Detail| Box::new((d.contact_form_info(), d.lead_form_info()));
        match action {
            DetailAction::ContactEdited => {
                request(
                    sender,
                    CrmRequest::Check(FormKind::Contact, forms(&self.detail)),
                );
            }
            DetailAction::LeadEdited => {
                request(
                    sender,
                    CrmRequest::Check(FormKind::Lead, forms(&self.detail)),
                );
            }
            DetailAction::SaveContact => request(
                sender,
                CrmRequest::SaveContact {
                    id: self.detail.contact_id,
                    form: self.detail.contact_form_info(),
                },
            ),
            DetailAction::DeleteContact if self.detail.contact_id > 0 => request(
                sender,
                CrmRequest::Delete {
                    kind: "contact".into(),
                    id: self.detail.contact_id,
                },
            ),
            DetailAction::AddLead if self.detail.contact_id > 0 => request(
                sender,
                CrmRequest::SaveLead {
                    id: 0,
                    form: self.detail.lead_form_info(),
                },
            ),
            DetailAction::Log if self.detail.contact_id > 0 => {
                if let Some((kind, notes)) = self.detail.take_log() {
                    request(
                        sender,
                        CrmRequest::Log {
                            contact: self.detail.contact_id,
                            kind,
                            notes,
                        },
                    );
                }
            }
            _ => {}
        }
    }

    // What tests read and drive.

    pub fn last_import_report(&self) -> Option<&ImportReportInfo> {
        self.last_report.as_ref()
    }

    pub fn duplicates(&self) -> &[(DuplicateInfo, Vec<String>)] {
        &self.duplicates
    }

    pub fn list(&self) -> &ContactList {
        &self.list
    }

    pub fn detail(&self) -> &Detail {
        &self.detail
    }

    pub fn board(&self) -> &Board {
        &self.board
    }

    pub fn today(&self) -> &TodayList {
        &self.today
    }

    pub fn total(&self) -> i64 {
        self.total
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn search_entry(&self) -> &gtk::SearchEntry {
        &self.search
    }

    pub fn show_page(&self, name: &str) {
        self.stack.set_visible_child_name(name);
    }
}

fn drop_down(labels: &[String]) -> gtk::DropDown {
    let refs: Vec<&str> = labels.iter().map(String::as_str).collect();
    gtk::DropDown::from_strings(&refs)
}

impl SimpleComponent for CrmPanel {
    type Init = ();
    type Input = CrmInput;
    type Output = CrmOutput;
    type Root = adw::ToastOverlay;
    type Widgets = ();

    fn init_root() -> Self::Root {
        adw::ToastOverlay::new()
    }

    fn init(_: (), root: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let s = sender.clone();
        let s2 = sender.clone();
        let list = ContactList::new(
            move |id| s.input(CrmInput::Select(id)),
            move || s2.input(CrmInput::MoreRows),
        );
        let search = gtk::SearchEntry::builder()
            .placeholder_text(gettext("Search names, emails, companies, notes"))
            .hexpand(true)
            .build();
        let s = sender.clone();
        search.connect_search_changed(move |_| s.input(CrmInput::Search));
        let add = gtk::Button::from_icon_name("list-add-symbolic");
        add.set_tooltip_text(Some(&gettext("Add Contact")));
        let s = sender.clone();
        add.connect_clicked(move |_| s.input(CrmInput::NewContact));
        let import = gtk::Button::from_icon_name("document-open-symbolic");
        import.set_tooltip_text(Some(&gettext("Import CSV or vCard…")));
        let s = sender.clone();
        import.connect_clicked(move |_| s.input(CrmInput::ChooseImport));
        let export = gtk::Button::from_icon_name("document-save-symbolic");
        export.set_tooltip_text(Some(&gettext("Export as vCard or CSV…")));
        let s = sender.clone();
        export.connect_clicked(move |_| s.input(CrmInput::ChooseExport));
        let top = gtk::Box::builder().spacing(6).build();
        top.append(&search);
        top.append(&add);
        top.append(&import);
        top.append(&export);

        let tag = drop_down(&[gettext("All tags")]);
        let stage = drop_down(&[gettext("Any stage")]);
        let sort = drop_down(&sorts().map(|(l, _)| l));
        let min_score = gtk::SpinButton::with_range(0.0, 100.0, 5.0);
        min_score.set_tooltip_text(Some(&gettext("Lowest score")));
        for widget in [
            tag.upcast_ref::<gtk::Widget>(),
            stage.upcast_ref(),
            sort.upcast_ref(),
        ] {
            let s = sender.clone();
            widget
                .downcast_ref::<gtk::DropDown>()
                .expect("a drop-down")
                .connect_selected_notify(move |_| s.input(CrmInput::Search));
        }
        let s = sender.clone();
        min_score.connect_value_changed(move |_| s.input(CrmInput::Search));
        let filters = gtk::FlowBox::builder()
            .selection_mode(gtk::SelectionMode::None)
            .max_children_per_line(4)
            .build();
        filters.append(&tag);
        filters.append(&stage);
        filters.append(&sort);
        let score_box = gtk::Box::builder().spacing(4).build();
        score_box.append(&gtk::Label::new(Some(&gettext("Score ≥"))));
        score_box.append(&min_score);
        filters.append(&score_box);

        let count = gtk::Label::builder().xalign(0.0).build();
        count.add_css_class("dim-label");
        count.add_css_class("caption");
        let review = gtk::Button::builder()
            .visible(false)
            .halign(gtk::Align::Start)
            .build();
        review.add_css_class("flat");
        let s = sender.clone();
        review.connect_clicked(move |_| s.input(CrmInput::ReviewDuplicates));
        let list_stack = gtk::Stack::new();
        list_stack.add_named(&list.scroller, Some("list"));
        list_stack.add_named(
            &adw::StatusPage::builder()
                .icon_name("system-users-symbolic")
                .title(gettext("No Contacts Yet"))
                .description(gettext("Add a contact with the + button, or import a CSV or vCard file with the Import button."))
                .build(),
            Some("empty"),
        );
        list_stack.add_named(
            &adw::StatusPage::builder()
                .icon_name("edit-find-symbolic")
                .title(gettext("No Matches"))
                .description(gettext("No contact matches these words and filters."))
                .build(),
            Some("no-match"),
        );
        let side = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(6)
            .margin_top(12)
            .margin_bottom(12)
            .margin_start(12)
            .margin_end(6)
            .width_request(320)
            .build();
        side.append(&top);
        side.append(&filters);
        side.append(&count);
        side.append(&review);
        side.append(&list_stack);

        let s = sender.clone();
        let detail = Detail::new(move |a| s.input(CrmInput::Detail(a)));
        let paned = gtk::Paned::builder()
            .orientation(gtk::Orientation::Horizontal)
            .start_child(&side)
            .end_child(&detail.root)
            .resize_start_child(false)
            .shrink_start_child(false)
            .position(380)
            .build();

        let (s1, s2) = (sender.clone(), sender.clone());
        let board = Board::new(BoardActions {
            move_deal: Rc::new(move |d, st, p| s1.input(CrmInput::MoveDeal(d, st, p))),
            close_deal: Rc::new(move |d, won| s2.input(CrmInput::AskReason(d, won))),
        });
        let s = sender.clone();
        let today = TodayList::new(move |contact| s.input(CrmInput::Select(contact)));

        let stack = adw::ViewStack::new();
        stack
            .add_titled(&paned, Some("contacts"), &gettext("Contacts"))
            .set_icon_name(Some("system-users-symbolic"));
        stack
            .add_titled(&board.root, Some("pipeline"), &gettext("Pipeline"))
            .set_icon_name(Some("view-columns-symbolic"));
        stack
            .add_titled(&today.root, Some("today"), &gettext("Today"))
            .set_icon_name(Some("alarm-symbolic"));
        let switcher = adw::ViewSwitcherBar::builder()
            .stack(&stack)
            .reveal(true)
            .build();
        let header = adw::ViewSwitcher::builder()
            .stack(&stack)
            .policy(adw::ViewSwitcherPolicy::Wide)
            .halign(gtk::Align::Center)
            .margin_top(6)
            .build();
        let page = gtk::Box::new(gtk::Orientation::Vertical, 0);
        page.append(&header);
        page.append(&stack);
        page.append(&switcher);
        switcher.set_visible(false);
        root.set_child(Some(&page));

        // Ctrl+F searches; Ctrl+N writes a new contact (while the panel has the focus).
        let entry = search.clone();
        let focus_search = gtk::Shortcut::new(
            gtk::ShortcutTrigger::parse_string("<Control>f"),
            Some(gtk::CallbackAction::new(move |_, _| {
                entry.grab_focus();
                gtk::glib::Propagation::Stop
            })),
        );
        let s = sender.clone();
        let new_contact = gtk::Shortcut::new(
            gtk::ShortcutTrigger::parse_string("<Control>n"),
            Some(gtk::CallbackAction::new(move |_, _| {
                s.input(CrmInput::NewContact);
                gtk::glib::Propagation::Stop
            })),
        );
        let shortcuts = gtk::ShortcutController::new();
        shortcuts.set_scope(gtk::ShortcutScope::Managed);
        shortcuts.add_shortcut(focus_search);
        shortcuts.add_shortcut(new_contact);
        root.add_controller(shortcuts);

        let mut model = CrmPanel {
            toasts: root.clone(),
            stack,
            list,
            list_stack,
            count,
            review,
            duplicates: Vec::new(),
            pending_import: None,
            last_report: None,
            chooser: Default::default(),
            search,
            tag,
            tags: Vec::new(),
            stage,
            stages: Vec::new(),
            sort,
            min_score,
            detail,
            board,
            today,
            generation: 0,
            total: 0,
            loading: false,
        };
        model.search(&sender);
        ComponentParts { model, widgets: () }
    }

    fn update(&mut self, msg: CrmInput, sender: ComponentSender<Self>) {
        match msg {
            CrmInput::Event(event) => self.on_event(event, &sender),
            CrmInput::Search => self.search(&sender),
            CrmInput::MoreRows => {
                let shown = self.list.len() as i64;
                if !self.loading && shown < self.total {
                    self.loading = true;
                    request(
                        &sender,
                        CrmRequest::Contacts {
                            generation: self.generation,
                            query: self.query(shown),
                        },
                    );
                }
            }
            CrmInput::Select(id) => {
                self.stack.set_visible_child_name("contacts");
                request(&sender, CrmRequest::Open(id));
            }
            CrmInput::NewContact => {
                self.stack.set_visible_child_name("contacts");
                self.detail.new_contact();
                self.detail.set_buttons();
            }
            CrmInput::Detail(action) => self.on_detail(action, &sender),
            CrmInput::MoveDeal(id, stage_id, position) => request(
                &sender,
                CrmRequest::MoveDeal {
                    id,
                    stage_id,
                    position,
                },
            ),
            CrmInput::AskReason(id, won) => self.ask_reason(id, won, &sender),
            CrmInput::CloseDeal(id, won, reason) => {
                request(&sender, CrmRequest::CloseDeal { id, won, reason })
            }
            CrmInput::Undo(kind, id) => request(&sender, CrmRequest::Restore { kind, id }),
            CrmInput::ReviewDuplicates => self.review_duplicates(&sender),
            CrmInput::ChooseImport => self.choose_file(true, &sender),
            CrmInput::ChooseExport => self.choose_file(false, &sender),
            CrmInput::ImportFile(path) => request(&sender, CrmRequest::PlanImport(path)),
            CrmInput::ConfirmImport => {
                if let Some((format, data)) = self.pending_import.take() {
                    request(&sender, CrmRequest::Import { format, data });
                }
            }
            CrmInput::ExportFile(path) => request(&sender, CrmRequest::Export(path)),
            CrmInput::MergeGroup(index) => {
                if let Some((group, _)) = self.duplicates.get(index) {
                    request(&sender, CrmRequest::MergeGroup(group.contact_ids.clone()));
                }
            }
        }
    }
}
