//! `Crm1`: contacts, leads and their BANT scores, the pipeline, interactions, import and
//! export. Every write emits `Changed` so open windows refresh.

mod convert;

use crate::crm::CrmHub;
use crate::services::caller;
use crate::supervisor::{JobFailure, Supervisor};
use convert::error;
use roxy_core::crm::{csv_import, vcard, Crm, Kind, LeadFilter, Outcome};
use roxy_ipc::crm::*;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::RoxyError;
use std::sync::Arc;
use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::OwnedObjectPath;
use zbus::{interface, Connection};

/// Timelines return at most this many interactions.
const MAX_TIMELINE: u32 = 10_000;
/// Bytes of an import sent over the bus at most.
const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

pub struct CrmService {
    hub: Arc<CrmHub>,
    supervisor: Arc<Supervisor>,
}

impl CrmService {
    pub fn new(hub: Arc<CrmHub>, supervisor: Arc<Supervisor>) -> Self {
        Self { hub, supervisor }
    }

    fn crm(&self) -> Result<Crm, RoxyError> {
        self.hub.crm()
    }
}

fn kind(value: &str) -> Result<Kind, RoxyError> {
    Kind::parse(value).ok_or_else(|| {
        RoxyError::InvalidInput(fill(
            &gettext(
                "kind: “{}” is not a record kind; use contact, company, lead, deal or interaction",
            ),
            &[&value],
        ))
    })
}

/// Reads an import in `format` into a plan; nothing is written.
fn plan(
    format: &str,
    data: &[u8],
    mapping: &[(String, String)],
) -> Result<csv_import::Plan, RoxyError> {
    if data.len() > MAX_IMPORT_BYTES {
        return Err(RoxyError::InvalidInput(fill(
            &gettext("data: {} MiB is more than the {} MiB an import may have; split the file"),
            &[&(data.len() >> 20), &(MAX_IMPORT_BYTES >> 20)],
        )));
    }
    let refused = |e: csv_import::FileError| {
        RoxyError::InvalidInput(fill(
            &gettext("The file was not imported: {}. Nothing was changed."),
            &[&e],
        ))
    };
    match format {
        "csv" => csv_import::read(data, mapping).map_err(refused),
        "vcard" | "vcf" => csv_import::utf8_text(data)
            .and_then(vcard::read)
            .map_err(refused),
        other => Err(RoxyError::InvalidInput(fill(
            &gettext("format: “{}” is not an import format; use csv or vcard"),
            &[&other],
        ))),
    }
}

#[interface(name = "io.github.skybeam.Roxy.Crm1")]
impl CrmService {
    fn backend(&self) -> String {
        self.hub.label()
    }

    async fn set_database_url(
        &self,
        url: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &Connection,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<String, RoxyError> {
        let label = self.hub.switch(&url).await?;
        let actor = caller::describe(conn, &header).await;
        let _ = self
            .supervisor
            .store()
            .audit(&actor, "crm.backend", &label, "ok", "")
            .await;
        let _ = Self::changed(&emitter, "backend", 0).await;
        Ok(label)
    }

    async fn contacts(
        &self,
        query: ContactQueryInfo,
    ) -> Result<(i64, Vec<ContactRowInfo>), RoxyError> {
        let crm = self.crm()?;
        let query = convert::query(&query)?;
        let (total, rows) = crm.search(&query).await.map_err(error)?;
        Ok((total, rows.into_iter().map(convert::row).collect()))
    }

    async fn contact(&self, id: i64) -> Result<ContactInfo, RoxyError> {
        Ok(convert::contact(
            self.crm()?.contact(id).await.map_err(error)?,
        ))
    }

    fn validate_contact(&self, form: ContactFormInfo) -> Vec<FieldErrorInfo> {
        match convert::contact_form(&form).validate() {
            Ok(_) => Vec::new(),
            Err(errors) => convert::field_errors(errors),
        }
    }

    async fn save_contact(
        &self,
        id: i64,
        form: ContactFormInfo,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<i64, RoxyError> {
        let crm = self.crm()?;
        let form = convert::contact_form(&form);
        let id = if id == 0 {
            crm.create_contact(&form).await
        } else {
            crm.update_contact(id, &form).await.map(|()| id)
        }
        .map_err(error)?;
        let _ = Self::changed(&emitter, "contact", id).await;
        Ok(id)
    }

    async fn delete(
        &self,
        kind: String,
        id: i64,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<(), RoxyError> {
        let kind = self::kind(&kind)?;
        self.crm()?.delete(kind, id).await.map_err(error)?;
        let _ = Self::changed(&emitter, kind.id(), id).await;
        Ok(())
    }

    async fn restore(
        &self,
        kind: String,
        id: i64,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<(), RoxyError> {
        let kind = self::kind(&kind)?;
        self.crm()?.restore(kind, id).await.map_err(error)?;
        let _ = Self::changed(&emitter, kind.id(), id).await;
        Ok(())
    }

    async fn tags(&self) -> Result<Vec<String>, RoxyError> {
        self.crm()?.tags().await.map_err(error)
    }

    async fn leads(
        &self,
        contact_id: i64,
        min_score: i64,
        max_score: i64,
        by_score: bool,
    ) -> Result<Vec<LeadInfo>, RoxyError> {
        let filter = LeadFilter {
            contact_id: (contact_id > 0).then_some(contact_id),
            min_score: (min_score >= 0).then_some(min_score),
            max_score: (max_score >= 0).then_some(max_score),
            by_score,
            limit: None,
        };
        let leads = self.crm()?.leads(&filter).await.map_err(error)?;
        Ok(leads.into_iter().map(convert::lead).collect())
    }

    async fn lead(&self, id: i64) -> Result<LeadInfo, RoxyError> {
        Ok(convert::lead(self.crm()?.lead(id).await.map_err(error)?))
    }

    fn validate_lead(&self, form: LeadFormInfo) -> Vec<FieldErrorInfo> {
        let mut form = convert::lead_form(&form);
        // The contact is chosen apart from the typed fields; don't nag about it while typing.
        form.contact_id = form.contact_id.max(1);
        match form.validate() {
            Ok(_) => Vec::new(),
            Err(errors) => convert::field_errors(errors),
        }
    }

    async fn save_lead(
        &self,
        id: i64,
        form: LeadFormInfo,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<i64, RoxyError> {
        let crm = self.crm()?;
        let form = convert::lead_form(&form);
        let id = if id == 0 {
            crm.create_lead(&form).await
        } else {
            crm.update_lead(id, &form).await.map(|()| id)
        }
        .map_err(error)?;
        let _ = Self::changed(&emitter, "lead", id).await;
        // A next action due today is told now, not at the next round.
        let hub = self.hub.clone();
        tokio::spawn(async move { hub.announce_due().await });
        Ok(id)
    }

    async fn bant_config(&self) -> Result<BantConfigInfo, RoxyError> {
        Ok(convert::bant_config(
            self.crm()?.bant_config().await.map_err(error)?,
        ))
    }

    async fn set_bant_config(
        &self,
        config: BantConfigInfo,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<u64, RoxyError> {
        let changed = self
            .crm()?
            .set_bant_config(&convert::bant_config_in(&config))
            .await
            .map_err(error)?;
        let _ = Self::changed(&emitter, "config", 0).await;
        Ok(changed)
    }

    async fn rescore(
        &self,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<u64, RoxyError> {
        let changed = self.crm()?.rescore_all().await.map_err(error)?;
        let _ = Self::changed(&emitter, "lead", 0).await;
        Ok(changed)
    }

    async fn stages(&self) -> Result<Vec<StageInfo>, RoxyError> {
        let stages = self.crm()?.stages().await.map_err(error)?;
        Ok(stages.into_iter().map(convert::stage).collect())
    }

    async fn save_stage(
        &self,
        stage: StageInfo,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<i64, RoxyError> {
        let outcome = Outcome::parse(&stage.outcome).ok_or_else(|| {
            RoxyError::InvalidInput(fill(
                &gettext("outcome: “{}” is not an outcome; use open, won or lost"),
                &[&stage.outcome],
            ))
        })?;
        let position = (stage.position >= 0).then_some(stage.position);
        let id = self
            .crm()?
            .save_stage(stage.id, &stage.name, stage.probability, outcome, position)
            .await
            .map_err(error)?;
        let _ = Self::changed(&emitter, "stage", id).await;
        Ok(id)
    }

    async fn remove_stage(
        &self,
        id: i64,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<(), RoxyError> {
        self.crm()?.remove_stage(id).await.map_err(error)?;
        let _ = Self::changed(&emitter, "stage", id).await;
        Ok(())
    }

    async fn deals(&self) -> Result<Vec<DealInfo>, RoxyError> {
        let deals = self.crm()?.deals().await.map_err(error)?;
        Ok(deals.into_iter().map(convert::deal).collect())
    }

    fn validate_deal(&self, form: DealFormInfo) -> Vec<FieldErrorInfo> {
        let mut form = convert::deal_form(&form);
        form.lead_id = form.lead_id.max(1);
        match form.validate() {
            Ok(_) => Vec::new(),
            Err(errors) => convert::field_errors(errors),
        }
    }

    async fn save_deal(
        &self,
        id: i64,
        form: DealFormInfo,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<i64, RoxyError> {
        let crm = self.crm()?;
        let form = convert::deal_form(&form);
        let id = if id == 0 {
            crm.create_deal(&form).await
        } else {
            crm.update_deal(id, &form).await.map(|()| id)
        }
        .map_err(error)?;
        let _ = Self::changed(&emitter, "deal", id).await;
        Ok(id)
    }

    async fn move_deal(
        &self,
        id: i64,
        stage_id: i64,
        position: i64,
        reason: String,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<(), RoxyError> {
        self.crm()?
            .move_deal(id, stage_id, position, &reason)
            .await
            .map_err(error)?;
        let _ = Self::changed(&emitter, "deal", id).await;
        Ok(())
    }

    async fn close_deal(
        &self,
        id: i64,
        won: bool,
        reason: String,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<(), RoxyError> {
        self.crm()?
            .close_deal(id, won, &reason)
            .await
            .map_err(error)?;
        let _ = Self::changed(&emitter, "deal", id).await;
        Ok(())
    }

    async fn forecast(&self) -> Result<ForecastInfo, RoxyError> {
        Ok(convert::forecast(
            self.crm()?.forecast().await.map_err(error)?,
        ))
    }

    async fn timeline(
        &self,
        contact_id: i64,
        limit: u32,
    ) -> Result<Vec<InteractionInfo>, RoxyError> {
        let limit = limit.clamp(1, MAX_TIMELINE) as i64;
        let items = self
            .crm()?
            .timeline(contact_id, limit)
            .await
            .map_err(error)?;
        Ok(items.into_iter().map(convert::interaction).collect())
    }

    async fn add_interaction(
        &self,
        contact_id: i64,
        kind: String,
        at: i64,
        notes: String,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<i64, RoxyError> {
        let at = if at == 0 {
            roxy_core::time::now_ms()
        } else {
            at
        };
        let id = self
            .crm()?
            .add_interaction(contact_id, &kind, at, &notes)
            .await
            .map_err(error)?;
        let _ = Self::changed(&emitter, "interaction", id).await;
        Ok(id)
    }

    async fn today(&self) -> Result<Vec<TodayInfo>, RoxyError> {
        let items = self.crm()?.today_list().await.map_err(error)?;
        Ok(items.into_iter().map(convert::today).collect())
    }

    async fn duplicates(&self) -> Result<Vec<DuplicateInfo>, RoxyError> {
        let groups = self.crm()?.duplicates(1000).await.map_err(error)?;
        Ok(groups.into_iter().map(convert::duplicate).collect())
    }

    async fn merge(
        &self,
        keep: i64,
        other: i64,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<(), RoxyError> {
        self.crm()?
            .merge_contacts(keep, other)
            .await
            .map_err(error)?;
        let _ = Self::changed(&emitter, "contact", keep).await;
        Ok(())
    }

    async fn plan_import(
        &self,
        format: String,
        data: Vec<u8>,
        mapping: Vec<(String, String)>,
    ) -> Result<ImportReportInfo, RoxyError> {
        let mut plan = plan(&format, &data, &mapping)?;
        self.crm()?.find_existing(&mut plan).await.map_err(error)?;
        Ok(convert::report(&plan))
    }

    async fn import(
        &self,
        format: String,
        data: Vec<u8>,
        mapping: Vec<(String, String)>,
        merge_duplicates: bool,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<OwnedObjectPath, RoxyError> {
        let crm = self.crm()?;
        // The file is checked before the job starts, so a broken file fails the call itself.
        let mut plan = plan(&format, &data, &mapping)?;
        let actor = caller::describe(conn, &header).await;
        let conn = conn.clone();
        let store = self.supervisor.store().clone();
        let title = fill(&gettext("Import {} contacts"), &[&plan.rows.len()]);
        self.supervisor
            .spawn("crm-import", title, move |job| async move {
                job.progress(0.0, Some(gettext("Looking for duplicates")));
                crm.find_existing(&mut plan)
                    .await
                    .map_err(|e| JobFailure::Failed(e.to_string()))?;
                job.progress(0.1, Some(gettext("Writing contacts")));
                let outcome = crm
                    .import_with_progress(&plan, merge_duplicates, |done, total| {
                        let fraction = 0.1 + 0.9 * done as f64 / total.max(1) as f64;
                        job.progress(fraction, Some(fill(&gettext("{} of {} rows"), &[&done, &total])));
                    })
                    .await
                    .map_err(|e| JobFailure::Failed(e.to_string()))?;
                let summary = fill(
                    &gettext("{} created, {} merged into existing contacts, {} skipped, {} bad rows left out"),
                    &[&outcome.created, &outcome.merged, &outcome.skipped, &plan.bad.len()],
                );
                job.log(summary.clone());
                for bad in &plan.bad {
                    job.log(fill(&gettext("line {}: {}"), &[&bad.line, &bad.reason]));
                }
                let _ = store
                    .audit(&actor, "crm.import", &format, "ok", &summary)
                    .await;
                if let Ok(emitter) = SignalEmitter::new(&conn, roxy_ipc::names::DAEMON_PATH) {
                    let _ = Self::changed(&emitter, "import", 0).await;
                }
                Ok(summary)
            })
            .await
    }

    async fn export(&self, format: String, ids: Vec<i64>) -> Result<String, RoxyError> {
        let crm = self.crm()?;
        match format.as_str() {
            "csv" => crm.export_csv(&ids).await.map_err(error),
            "vcard" | "vcf" => crm.export_vcards(&ids).await.map_err(error),
            other => Err(RoxyError::InvalidInput(fill(
                &gettext("format: “{}” is not an export format; use csv or vcard"),
                &[&other],
            ))),
        }
    }

    #[zbus(signal)]
    pub async fn changed(emitter: &SignalEmitter<'_>, kind: &str, id: i64) -> zbus::Result<()>;
}
