//! CSV export with the columns CSV import guesses, so a file exported here imports back.

use super::db::Crm;
use super::CrmError;

pub const COLUMNS: [&str; 6] = ["name", "email", "phone", "company", "tags", "notes"];

impl Crm {
    /// The given contacts (all when empty), oldest first, as CSV with a header line.
    pub async fn export_csv(&self, ids: &[i64]) -> Result<String, CrmError> {
        let ids = if ids.is_empty() {
            self.all_contact_ids().await?
        } else {
            ids.to_vec()
        };
        let mut writer = csv::Writer::from_writer(Vec::new());
        let io = |e: csv::Error| CrmError::Export(e.to_string());
        writer.write_record(COLUMNS).map_err(io)?;
        for id in ids {
            let c = self.contact(id).await?;
            let tags = c.tags.join(", ");
            writer
                .write_record([&c.name, &c.email, &c.phone, &c.company, &tags, &c.notes])
                .map_err(io)?;
        }
        let bytes = writer
            .into_inner()
            .map_err(|e| CrmError::Export(e.to_string()))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}
