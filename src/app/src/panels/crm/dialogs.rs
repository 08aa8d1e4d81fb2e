//! The CRM panel's dialogs: the reason for a won or lost deal, possible duplicates, the
//! import dry run, and the file choosers for import and export.

use super::{CrmInput, CrmPanel};
use relm4::adw::prelude::*;
use relm4::{adw, gtk, ComponentSender};
use roxy_ipc::crm::ImportReportInfo;
use roxy_ipc::i18n::{fill, gettext};

impl CrmPanel {
    pub(super) fn ask_reason(&self, deal: i64, won: bool, sender: &ComponentSender<Self>) {
        let heading = if won {
            gettext("Deal Won")
        } else {
            gettext("Deal Lost")
        };
        let form = crate::form_dialog::FormDialog::new(
            &self.toasts,
            &heading,
            &gettext("Say why, so the pipeline can teach you something later."),
        );
        let reason = adw::EntryRow::builder().title(gettext("Reason")).build();
        form.list.append(&reason);
        let sender = sender.clone();
        form.present(move || {
            sender.input(CrmInput::CloseDeal(deal, won, reason.text().to_string()));
        });
    }

    /// A dialog listing each group of look-alike contacts with a Merge button.
    pub(super) fn review_duplicates(&self, sender: &ComponentSender<Self>) {
        let form = crate::form_dialog::FormDialog::new(
            &self.toasts,
            &gettext("Possible Duplicates"),
            &gettext("These contacts share an email address or phone number. Merging keeps the oldest and moves interactions, leads and tags over; it can be undone per contact."),
        );
        let dialog = form.dialog();
        for (index, (group, names)) in self.duplicates.iter().enumerate() {
            let what = if group.key == "email" {
                fill(&gettext("same email {}"), &[&group.value])
            } else {
                fill(&gettext("same phone {}"), &[&group.value])
            };
            let row = adw::ActionRow::builder()
                .title(gtk::glib::markup_escape_text(&names.join(" · ")).to_string())
                .subtitle(gtk::glib::markup_escape_text(&what).to_string())
                .build();
            let merge = gtk::Button::builder()
                .label(gettext("Merge"))
                .valign(gtk::Align::Center)
                .build();
            let (sender, dialog) = (sender.clone(), dialog.clone());
            merge.connect_clicked(move |_| {
                sender.input(CrmInput::MergeGroup(index));
                dialog.close();
            });
            row.add_suffix(&merge);
            form.list.append(&row);
        }
        form.present_info();
    }

    /// The dry run in words; Import sends the good rows, nothing happens otherwise.
    pub(super) fn show_import_plan(
        &self,
        file: &str,
        report: &ImportReportInfo,
        sender: &ComponentSender<Self>,
    ) {
        let mut lines = vec![fill(
            &gettext("{} rows can be imported, {} rows are bad, {} match existing contacts and will be merged into them."),
            &[&report.good, &report.bad.len(), &report.duplicates.len()],
        )];
        const SHOWN: usize = 20;
        for bad in report.bad.iter().take(SHOWN) {
            lines.push(fill(&gettext("Line {}: {}"), &[&bad.line, &bad.reason]));
        }
        if report.bad.len() > SHOWN {
            lines.push(fill(
                &gettext("… and {} more bad rows."),
                &[&(report.bad.len() - SHOWN)],
            ));
        }
        lines.push(gettext("Nothing has been imported yet."));
        let form = crate::form_dialog::FormDialog::new(
            &self.toasts,
            &fill(&gettext("Import {}?"), &[&file]),
            &lines.join("\n"),
        );
        form.list.set_visible(false);
        let sender = sender.clone();
        form.present_as(&gettext("Import"), move || {
            sender.input(CrmInput::ConfirmImport)
        });
    }

    pub(super) fn choose_file(&self, import: bool, sender: &ComponentSender<Self>) {
        let window = self.toasts.root().and_downcast::<gtk::Window>();
        let (title, action, accept) = if import {
            (
                gettext("Import Contacts"),
                gtk::FileChooserAction::Open,
                gettext("Open"),
            )
        } else {
            (
                gettext("Export Contacts"),
                gtk::FileChooserAction::Save,
                gettext("Export"),
            )
        };
        let chooser =
            gtk::FileChooserNative::new(Some(&title), window.as_ref(), action, Some(&accept), None);
        let filter = gtk::FileFilter::new();
        filter.set_name(Some(&gettext("CSV and vCard files")));
        for pattern in ["*.csv", "*.vcf", "*.vcard"] {
            filter.add_pattern(pattern);
        }
        chooser.add_filter(&filter);
        if !import {
            chooser.set_current_name("contacts.vcf");
        }
        let sender = sender.clone();
        chooser.connect_response(move |chooser, response| {
            if response == gtk::ResponseType::Accept {
                if let Some(path) = chooser.file().and_then(|f| f.path()) {
                    sender.input(if import {
                        CrmInput::ImportFile(path)
                    } else {
                        CrmInput::ExportFile(path)
                    });
                }
            }
        });
        chooser.show();
        // A native chooser is no widget: something must hold it while it is open.
        self.chooser.replace(Some(chooser));
    }
}
