//! Between the engine's records and what crosses the bus, and the stored form of run
//! variables.

use roxy_core::runbook::{Action, OnFailure, Runbook, Step, WaitTarget, Weight};
use roxy_core::runs::{RunRecord, StepRecord};
use roxy_ipc::{RunInfo, RunStepInfo, RunbookInfo, StepInfo};
use std::collections::BTreeMap;

pub(super) fn encode_vars(vars: &BTreeMap<String, String>) -> String {
    vars.iter()
        .map(|(k, v)| format!("{k}={}", v.replace('\\', "\\\\").replace('\n', "\\n")))
        .collect::<Vec<_>>()
        .join("\n")
}

pub(super) fn decode_vars(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), unescape(v)))
        .collect()
}

fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match (c, chars.clone().next()) {
            ('\\', Some('n')) => {
                out.push('\n');
                chars.next();
            }
            ('\\', Some('\\')) => {
                out.push('\\');
                chars.next();
            }
            (c, _) => out.push(c),
        }
    }
    out
}

pub(super) fn runbook_info(rb: &Runbook) -> RunbookInfo {
    RunbookInfo {
        id: rb.id.clone(),
        name: rb.name.clone(),
        description: rb.description.clone(),
        tags: rb.tags.clone(),
        path: rb.path.display().to_string(),
        confirm: rb.confirm,
        heavy: rb.weight == Weight::Heavy,
        steps: rb.steps.len() as u32,
        triggers: rb
            .triggers
            .iter()
            .map(|t| {
                let events: Vec<&str> = t.events.iter().map(|e| e.name()).collect();
                format!("{} {} → {}", events.join("|"), t.pattern, t.var)
            })
            .collect(),
        errors: Vec::new(),
        last_state: String::new(),
        last_run_at: 0,
        deferred_since: 0,
    }
}

pub(super) fn step_info(index: usize, step: &Step) -> StepInfo {
    let (kind, detail) = match &step.action {
        Action::Run(c) => ("run", c.display()),
        Action::Approval { prompt } => ("approval", prompt.clone()),
        Action::Http(h) => ("http", format!("{} {} → {}", h.method, h.url, h.status)),
        Action::WaitFor(WaitTarget::Tcp(t)) => ("wait_for", format!("tcp {t}")),
        Action::WaitFor(WaitTarget::Http(u)) => ("wait_for", format!("http {u}")),
    };
    StepInfo {
        index: index as u32,
        id: step.id.clone(),
        name: step.name.clone(),
        kind: kind.into(),
        detail,
        timeout_ms: step.timeout.as_millis() as u64,
        retries: step.retries,
        when: step
            .when
            .as_ref()
            .map(|c| c.source().to_owned())
            .unwrap_or_default(),
        on_failure: match step.on_failure {
            OnFailure::Abort => "abort",
            OnFailure::Continue => "continue",
            OnFailure::Rollback => "rollback",
        }
        .into(),
    }
}

pub(super) fn run_info(r: &RunRecord) -> RunInfo {
    RunInfo {
        id: r.id as u64,
        runbook_id: r.runbook_id.clone(),
        runbook_name: r.runbook_name.clone(),
        state: r.state.clone(),
        actor: r.actor.clone(),
        approved_by: r.approved_by.clone().unwrap_or_default(),
        job_id: r.job_id.unwrap_or(0) as u64,
        message: r.message.clone(),
        started_at: r.started_at,
        finished_at: r.finished_at.unwrap_or(0),
    }
}

pub(super) fn step_run_info(s: &StepRecord) -> RunStepInfo {
    RunStepInfo {
        index: s.idx as u32,
        step_id: s.step_id.clone(),
        name: s.name.clone(),
        state: s.state.clone(),
        attempts: s.attempts as u32,
        exit_code: s.exit_code.map(|c| c as i32).unwrap_or(-1),
        output: s.output.clone(),
        started_at: s.started_at.unwrap_or(0),
        finished_at: s.finished_at.unwrap_or(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_survive_their_encoding() {
        let vars = BTreeMap::from([
            (
                "path".to_string(),
                "/tmp/a b\\c and \\n literal".to_string(),
            ),
            ("text".to_string(), "two\nlines=x".to_string()),
        ]);
        assert_eq!(decode_vars(&encode_vars(&vars)), vars);
    }
}
