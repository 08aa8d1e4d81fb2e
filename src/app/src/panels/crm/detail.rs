//! The contact pane: the contact's fields (checked as typed), its leads with the explanation
//! of each score, a form for a new lead, and the timeline with a line to log a new entry.

use super::field_form::FieldForm;
use relm4::adw::prelude::*;
use relm4::{adw, gtk};
use roxy_ipc::crm::{
    explain, interaction_label, money, status_label, ContactFormInfo, ContactInfo, InteractionInfo,
    LeadFormInfo, LeadInfo,
};
use roxy_ipc::i18n::{fill, gettext};
use std::rc::Rc;

/// What the pane's buttons and fields ask the panel for.
#[derive(Debug, Clone, Copy)]
pub enum DetailAction {
    ContactEdited,
    SaveContact,
    DeleteContact,
    LeadEdited,
    AddLead,
    Log,
}

pub struct Detail {
    pub root: gtk::Stack,
    title: gtk::Label,
    pub contact_form: FieldForm,
    save: gtk::Button,
    delete: gtk::Button,
    lead_box: gtk::Box,
    leads: gtk::ListBox,
    pub lead_form: FieldForm,
    add_lead: gtk::Button,
    timeline: gtk::ListBox,
    log_kind: gtk::DropDown,
    pub log_entry: gtk::Entry,
    /// The contact shown; 0 while a new one is being written.
    pub contact_id: i64,
}

const KINDS: [&str; 4] = ["call", "email", "meeting", "note"];

fn heading(text: &str) -> gtk::Label {
    let label = gtk::Label::builder()
        .label(text)
        .xalign(0.0)
        .margin_top(12)
        .build();
    label.add_css_class("heading");
    label
}

impl Detail {
    pub fn new(act: impl Fn(DetailAction) + 'static) -> Self {
        let act: Rc<dyn Fn(DetailAction)> = Rc::new(act);
        let mut contact_form = FieldForm::new();
        contact_form
            .entry("name", &gettext("Name"))
            .entry("email", &gettext("Email"))
            .entry("phone", &gettext("Phone"))
            .entry("company", &gettext("Company"))
            .entry("tags", &gettext("Tags (comma-separated)"))
            .entry("notes", &gettext("Notes"));
        let a = act.clone();
        contact_form.on_change(move || a(DetailAction::ContactEdited));
        let mut lead_form = FieldForm::new();
        lead_form
            .entry("value", &gettext("Expected value"))
            .entry("budget", &gettext("Stated budget"))
            .choice(
                "authority",
                &gettext("Authority"),
                vec![
                    (gettext("unknown"), "unknown"),
                    (gettext("none"), "none"),
                    (gettext("influencer"), "influencer"),
                    (gettext("decision maker"), "decision_maker"),
                ],
            )
            .choice(
                "need",
                &gettext("Need"),
                vec![
                    (gettext("unknown"), "unknown"),
                    (gettext("none"), "none"),
                    (gettext("low"), "low"),
                    (gettext("medium"), "medium"),
                    (gettext("high"), "high"),
                ],
            )
            .entry("decision_date", &gettext("Decision date (YYYY-MM-DD)"))
            .entry("next_action", &gettext("Next action"))
            .entry("next_action_due", &gettext("Due (YYYY-MM-DD)"))
            .entry("source", &gettext("Source"));
        let a = act.clone();
        lead_form.on_change(move || a(DetailAction::LeadEdited));

        let title = gtk::Label::builder().xalign(0.0).wrap(true).build();
        title.add_css_class("title-2");
        let save = gtk::Button::with_label(&gettext("Save"));
        save.add_css_class("suggested-action");
        let delete = gtk::Button::with_label(&gettext("Delete"));
        delete.add_css_class("destructive-action");
        let buttons = gtk::Box::builder()
            .spacing(6)
            .halign(gtk::Align::End)
            .build();
        buttons.append(&delete);
        buttons.append(&save);
        let a = act.clone();
        save.connect_clicked(move |_| a(DetailAction::SaveContact));
        let a = act.clone();
        delete.connect_clicked(move |_| a(DetailAction::DeleteContact));

        let leads = gtk::ListBox::builder()
            .selection_mode(gtk::SelectionMode::None)
            .build();
        leads.add_css_class("boxed-list");
        let add_lead = gtk::Button::with_label(&gettext("Add Lead"));
        add_lead.set_halign(gtk::Align::End);
        let a = act.clone();
        add_lead.connect_clicked(move |_| a(DetailAction::AddLead));
        let lead_box = gtk::Box::new(gtk::Orientation::Vertical, 6);
        lead_box.append(&heading(&gettext("Leads")));
        lead_box.append(&leads);
        lead_box.append(&heading(&gettext("New Lead")));
        lead_box.append(&lead_form.list);
        lead_box.append(&lead_form.errors);
        lead_box.append(&add_lead);

        let timeline = gtk::ListBox::builder()
            .selection_mode(gtk::SelectionMode::None)
            .build();
        timeline.add_css_class("boxed-list");
        let labels: Vec<String> = KINDS.iter().map(|k| interaction_label(k)).collect();
        let label_refs: Vec<&str> = labels.iter().map(String::as_str).collect();
        let log_kind = gtk::DropDown::from_strings(&label_refs);
        log_kind.set_selected(3);
        let log_entry = gtk::Entry::builder()
            .hexpand(true)
            .placeholder_text(gettext("What happened?"))
            .build();
        let a = act.clone();
        log_entry.connect_activate(move |_| a(DetailAction::Log));
        let log_button = gtk::Button::with_label(&gettext("Log"));
        let a = act;
        log_button.connect_clicked(move |_| a(DetailAction::Log));
        let log_row = gtk::Box::builder().spacing(6).build();
        log_row.append(&log_kind);
        log_row.append(&log_entry);
        log_row.append(&log_button);

        let content = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(6)
            .margin_top(18)
            .margin_bottom(18)
            .margin_start(18)
            .margin_end(18)
            .build();
        content.append(&title);
        content.append(&contact_form.list);
        content.append(&contact_form.errors);
        content.append(&buttons);
        content.append(&lead_box);
        content.append(&heading(&gettext("History")));
        content.append(&log_row);
        content.append(&timeline);
        let clamp = adw::Clamp::builder()
            .maximum_size(720)
            .child(&content)
            .build();
        let scroller = gtk::ScrolledWindow::builder()
            .hscrollbar_policy(gtk::PolicyType::Never)
            .child(&clamp)
            .build();
        let empty = adw::StatusPage::builder()
            .icon_name("avatar-default-symbolic")
            .title(gettext("No Contact Selected"))
            .description(gettext(
                "Choose a contact in the list, or add one with the + button.",
            ))
            .build();
        let root = gtk::Stack::new();
        root.add_named(&empty, Some("empty"));
        root.add_named(&scroller, Some("contact"));
        root.set_visible_child_name("empty");
        Self {
            root,
            title,
            contact_form,
            save,
            delete,
            lead_box,
            leads,
            lead_form,
            add_lead,
            timeline,
            log_kind,
            log_entry,
            contact_id: 0,
        }
    }

    /// An empty contact form for a new contact.
    pub fn new_contact(&mut self) {
        self.contact_id = 0;
        self.title.set_label(&gettext("New Contact"));
        self.contact_form.clear();
        self.contact_form.set_errors(Vec::new());
        self.delete.set_visible(false);
        self.lead_box.set_visible(false);
        self.timeline.set_visible(false);
        self.root.set_visible_child_name("contact");
    }

    pub fn show(
        &mut self,
        contact: &ContactInfo,
        leads: &[LeadInfo],
        timeline: &[InteractionInfo],
    ) {
        let same = self.contact_id == contact.id;
        self.contact_id = contact.id;
        self.title.set_label(&if contact.score < 0 {
            contact.form.name.clone()
        } else {
            fill(
                &gettext("{} · score {}"),
                &[&contact.form.name, &contact.score],
            )
        });
        let f = &contact.form;
        for (field, value) in [
            ("name", &f.name),
            ("email", &f.email),
            ("phone", &f.phone),
            ("company", &f.company),
            ("tags", &f.tags),
            ("notes", &f.notes),
        ] {
            self.contact_form.set_value(field, value);
        }
        self.contact_form.set_errors(Vec::new());
        if !same {
            self.lead_form.clear();
            self.lead_form.set_errors(Vec::new());
        }
        self.delete.set_visible(true);
        self.lead_box.set_visible(true);
        self.timeline.set_visible(true);
        self.fill_leads(leads);
        self.fill_timeline(timeline);
        self.root.set_visible_child_name("contact");
    }

    fn fill_leads(&self, leads: &[LeadInfo]) {
        while let Some(row) = self.leads.first_child() {
            self.leads.remove(&row);
        }
        if leads.is_empty() {
            let row = adw::ActionRow::builder()
                .title(gettext("No leads yet"))
                .build();
            self.leads.append(&row);
        }
        for lead in leads {
            let mut subtitle = vec![status_label(&lead.form.status), money(lead.value_cents)];
            if !lead.form.next_action.is_empty() {
                subtitle.push(fill(
                    &gettext("next: {} ({})"),
                    &[&lead.form.next_action, &lead.form.next_action_due],
                ));
            }
            let row = adw::ExpanderRow::builder()
                .title(fill(&gettext("Score {}/100"), &[&lead.score]))
                .subtitle(subtitle.join(" · "))
                .build();
            for part in &lead.explanation {
                row.add_row(&adw::ActionRow::builder().title(explain(part)).build());
            }
            self.leads.append(&row);
        }
    }

    fn fill_timeline(&self, items: &[InteractionInfo]) {
        while let Some(row) = self.timeline.first_child() {
            self.timeline.remove(&row);
        }
        if items.is_empty() {
            let row = adw::ActionRow::builder()
                .title(gettext("Nothing logged yet"))
                .build();
            self.timeline.append(&row);
        }
        for item in items {
            let when = crate::panels::runbooks::local_time(item.at);
            let row = adw::ActionRow::builder()
                .title(glib_escape(&item.notes))
                .subtitle(format!("{} · {}", interaction_label(&item.kind), when))
                .build();
            self.timeline.append(&row);
        }
    }

    pub fn contact_form_info(&self) -> ContactFormInfo {
        let v = |f| self.contact_form.value(f);
        ContactFormInfo {
            name: v("name"),
            email: v("email"),
            phone: v("phone"),
            company: v("company"),
            tags: v("tags"),
            notes: v("notes"),
        }
    }

    pub fn lead_form_info(&self) -> LeadFormInfo {
        let v = |f| self.lead_form.value(f);
        LeadFormInfo {
            contact_id: self.contact_id,
            source: v("source"),
            status: "new".into(),
            value: v("value"),
            next_action: v("next_action"),
            next_action_due: v("next_action_due"),
            budget: v("budget"),
            authority: v("authority"),
            need: v("need"),
            decision_date: v("decision_date"),
        }
    }

    /// The kind and text of the entry to log, then clears the text.
    pub fn take_log(&self) -> Option<(String, String)> {
        let text = self.log_entry.text().trim().to_owned();
        if text.is_empty() {
            return None;
        }
        self.log_entry.set_text("");
        let kind = KINDS
            .get(self.log_kind.selected() as usize)
            .unwrap_or(&"note");
        Some((kind.to_string(), text))
    }

    pub fn set_buttons(&self) {
        self.save
            .set_sensitive(self.contact_form.errors().is_empty());
        self.add_lead
            .set_sensitive(self.lead_form.errors().is_empty());
    }

    /// Lead rows: title and subtitle (tests read them).
    pub fn lead_titles(&self) -> Vec<String> {
        let mut titles = Vec::new();
        let mut child = self.leads.first_child();
        while let Some(row) = child {
            if let Some(expander) = row.downcast_ref::<adw::ExpanderRow>() {
                titles.push(expander.title().to_string());
            }
            child = row.next_sibling();
        }
        titles
    }

    pub fn timeline_len(&self) -> usize {
        let mut n = 0;
        let mut child = self.timeline.first_child();
        while let Some(row) = child {
            if row
                .downcast_ref::<adw::ActionRow>()
                .is_some_and(|r| r.subtitle().is_some_and(|s| !s.is_empty()))
            {
                n += 1;
            }
            child = row.next_sibling();
        }
        n
    }
}

/// Row titles are markup; notes are not.
fn glib_escape(text: &str) -> String {
    relm4::gtk::glib::markup_escape_text(text).to_string()
}
