//! roxy-core's CRM records to and from the bus types of roxy-ipc.

use roxy_core::crm::bant::{BantConfig, Component, Reason};
use roxy_core::crm::{
    csv_import, Contact, ContactForm, ContactQuery, ContactRow, CrmError, Deal, DealForm,
    DuplicateGroup, FieldError, Forecast, ForecastLine, Interaction, Lead, LeadForm, SortBy, Stage,
    TodayItem,
};
use roxy_ipc::crm::*;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::RoxyError;

pub fn error(e: CrmError) -> RoxyError {
    match e {
        CrmError::Invalid(_) => RoxyError::InvalidInput(e.to_string()),
        CrmError::NotFound { .. } => RoxyError::NotFound(e.to_string()),
        CrmError::Connect { .. } => RoxyError::Unavailable(e.to_string()),
        other => RoxyError::Failed(other.to_string()),
    }
}

pub fn field_errors(errors: Vec<FieldError>) -> Vec<FieldErrorInfo> {
    errors
        .into_iter()
        .map(|e| FieldErrorInfo {
            field: e.field,
            message: e.message,
        })
        .collect()
}

pub fn query(q: &ContactQueryInfo) -> Result<ContactQuery, RoxyError> {
    let sort = SortBy::parse(&q.sort).ok_or_else(|| {
        RoxyError::InvalidInput(fill(
            &gettext("sort: “{}” is not an order; use name, score or updated"),
            &[&q.sort],
        ))
    })?;
    let bound = |v: i64| (v >= 0).then_some(v);
    Ok(ContactQuery {
        text: q.text.clone(),
        tag: (!q.tag.is_empty()).then(|| q.tag.clone()),
        stage_id: (q.stage_id > 0).then_some(q.stage_id),
        min_score: bound(q.min_score),
        max_score: bound(q.max_score),
        sort,
        offset: q.offset,
        limit: if q.limit <= 0 { 100 } else { q.limit },
    })
}

pub fn row(r: ContactRow) -> ContactRowInfo {
    ContactRowInfo {
        id: r.id,
        name: r.name,
        email: r.email,
        phone: r.phone,
        company: r.company,
        score: r.score.unwrap_or(-1),
    }
}

pub fn contact_form(f: &ContactFormInfo) -> ContactForm {
    ContactForm {
        name: f.name.clone(),
        email: f.email.clone(),
        phone: f.phone.clone(),
        company: f.company.clone(),
        tags: f.tags.clone(),
        notes: f.notes.clone(),
    }
}

pub fn contact(c: Contact) -> ContactInfo {
    let form = c.form();
    ContactInfo {
        id: c.id,
        form: ContactFormInfo {
            name: form.name,
            email: form.email,
            phone: form.phone,
            company: form.company,
            tags: form.tags,
            notes: form.notes,
        },
        score: c.score.unwrap_or(-1),
        created_at: c.created_at,
        updated_at: c.updated_at,
    }
}

pub fn lead_form(f: &LeadFormInfo) -> LeadForm {
    LeadForm {
        contact_id: f.contact_id,
        source: f.source.clone(),
        status: f.status.clone(),
        value: f.value.clone(),
        next_action: f.next_action.clone(),
        next_action_due: f.next_action_due.clone(),
        budget: f.budget.clone(),
        authority: f.authority.clone(),
        need: f.need.clone(),
        decision_date: f.decision_date.clone(),
    }
}

pub fn lead(l: Lead) -> LeadInfo {
    let amount = |c: i64| roxy_core::crm::fields::format_amount(c);
    LeadInfo {
        id: l.id,
        contact_name: l.contact_name,
        form: LeadFormInfo {
            contact_id: l.contact_id,
            source: l.source,
            status: l.status.id().into(),
            value: if l.value_cents == 0 {
                String::new()
            } else {
                amount(l.value_cents)
            },
            next_action: l.next_action,
            next_action_due: l.next_action_due,
            budget: l.bant.budget_cents.map(amount).unwrap_or_default(),
            authority: l.bant.authority.id().into(),
            need: l.bant.need.id().into(),
            decision_date: l.bant.decision_date,
        },
        value_cents: l.value_cents,
        score: l.score,
        explanation: l.explanation.into_iter().map(part).collect(),
    }
}

fn part(c: Component) -> ScorePartInfo {
    let mut info = ScorePartInfo {
        component: c.name.into(),
        points: c.points,
        max: c.max,
        ..Default::default()
    };
    info.reason = match c.reason {
        Reason::BudgetNotStated => "budget_not_stated".into(),
        Reason::BudgetMet {
            stated_cents,
            threshold_cents,
        } => {
            (info.stated_cents, info.threshold_cents) = (stated_cents, threshold_cents);
            "budget_met".into()
        }
        Reason::BudgetBelow {
            stated_cents,
            threshold_cents,
        } => {
            (info.stated_cents, info.threshold_cents) = (stated_cents, threshold_cents);
            "budget_below".into()
        }
        Reason::Authority { authority } => {
            info.level = authority.id().into();
            "authority".into()
        }
        Reason::Need { need } => {
            info.level = need.id().into();
            "need".into()
        }
        Reason::TimelineNotSet => "timeline_not_set".into(),
        Reason::TimelinePassed { date } => {
            info.date = date;
            "timeline_passed".into()
        }
        Reason::TimelineWithin {
            date,
            days,
            limit_days,
        } => {
            (info.date, info.days, info.limit_days) = (date, days, limit_days);
            "timeline_within".into()
        }
        Reason::TimelineBeyond {
            date,
            days,
            limit_days,
        } => {
            (info.date, info.days, info.limit_days) = (date, days, limit_days);
            "timeline_beyond".into()
        }
    };
    info
}

pub fn bant_config(c: BantConfig) -> BantConfigInfo {
    BantConfigInfo {
        budget_weight: c.budget_weight,
        authority_weight: c.authority_weight,
        need_weight: c.need_weight,
        timeline_weight: c.timeline_weight,
        budget_threshold_cents: c.budget_threshold_cents,
        timeline_full_days: c.timeline_full_days,
        timeline_half_days: c.timeline_half_days,
    }
}

pub fn bant_config_in(c: &BantConfigInfo) -> BantConfig {
    BantConfig {
        budget_weight: c.budget_weight,
        authority_weight: c.authority_weight,
        need_weight: c.need_weight,
        timeline_weight: c.timeline_weight,
        budget_threshold_cents: c.budget_threshold_cents,
        timeline_full_days: c.timeline_full_days,
        timeline_half_days: c.timeline_half_days,
    }
}

pub fn stage(s: Stage) -> StageInfo {
    StageInfo {
        id: s.id,
        name: s.name,
        position: s.position,
        probability: s.probability,
        outcome: s.outcome.id().into(),
    }
}

pub fn deal_form(f: &DealFormInfo) -> DealForm {
    DealForm {
        lead_id: f.lead_id,
        title: f.title.clone(),
        stage_id: f.stage_id,
        value: f.value.clone(),
        close_date: f.close_date.clone(),
        probability: f.probability.clone(),
    }
}

pub fn deal(d: Deal) -> DealInfo {
    DealInfo {
        id: d.id,
        lead_id: d.lead_id,
        contact_id: d.contact_id,
        contact_name: d.contact_name,
        title: d.title,
        stage_id: d.stage_id,
        position: d.position,
        value_cents: d.value_cents,
        close_date: d.close_date,
        probability: d.probability,
        reason: d.reason,
    }
}

pub fn forecast(f: Forecast) -> ForecastInfo {
    let line = |l: ForecastLine| ForecastLineInfo {
        label: l.label,
        deals: l.deals,
        total_cents: l.total_cents,
        weighted_cents: l.weighted_cents,
    };
    ForecastInfo {
        stages: f.stages.into_iter().map(line).collect(),
        months: f.months.into_iter().map(line).collect(),
    }
}

pub fn interaction(i: Interaction) -> InteractionInfo {
    InteractionInfo {
        id: i.id,
        contact_id: i.contact_id,
        kind: i.kind.id().into(),
        at: i.at,
        notes: i.notes,
    }
}

pub fn today(t: TodayItem) -> TodayInfo {
    TodayInfo {
        lead_id: t.lead_id,
        contact_id: t.contact_id,
        contact_name: t.contact_name,
        action: t.action,
        due: t.due,
        overdue: t.overdue,
    }
}

pub fn duplicate(g: DuplicateGroup) -> DuplicateInfo {
    DuplicateInfo {
        key: g.key,
        value: g.value,
        contact_ids: g.contact_ids,
    }
}

/// The dry-run report of a plan.
pub fn report(plan: &csv_import::Plan) -> ImportReportInfo {
    ImportReportInfo {
        mapping: plan
            .mapping
            .iter()
            .map(|(column, target)| {
                let field = serde_json::to_value(target)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                (column.clone(), field)
            })
            .collect(),
        good: plan.rows.len() as u64,
        bad: plan
            .bad
            .iter()
            .map(|b| BadRowInfo {
                line: b.line,
                reason: b.reason.clone(),
            })
            .collect(),
        duplicates: plan
            .rows
            .iter()
            .filter_map(|r| {
                r.duplicate_of
                    .map(|d| (r.line, d.max(0), r.draft.name.clone()))
            })
            .collect(),
        ..Default::default()
    }
}
