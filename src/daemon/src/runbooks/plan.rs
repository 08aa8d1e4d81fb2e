//! Resolving what a run will do before it starts: its variables, the steps to skip, and the
//! dry-run plan.

use super::convert::step_info;
use super::{checks, Engine};
use roxy_core::runbook::Runbook;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::RoxyError;
use std::collections::{BTreeMap, HashMap};

impl Engine {
    pub fn plan(
        &self,
        id: &str,
        vars: &HashMap<String, String>,
        skip: &[String],
    ) -> Result<Vec<String>, RoxyError> {
        let rb = self.runbook(id)?;
        let vars = resolve_vars(&rb, vars)?;
        check_skip(&rb, skip)?;
        let mut lines = Vec::new();
        if rb.confirm {
            lines.push(gettext(
                "needs an approval before it starts (confirm: true)",
            ));
        }
        for (name, value) in &vars {
            lines.push(format!("var {name} = {value}"));
        }
        for (i, step) in rb.steps.iter().enumerate() {
            let info = step_info(i, step);
            let mut line = format!("{}. [{}] {}: {}", i + 1, step.id, info.kind, info.detail);
            if skip.contains(&step.id) {
                line.push_str(&format!("  ({})", gettext("skipped")));
            }
            if !info.when.is_empty() {
                line.push_str(&format!("  when {}", info.when));
            }
            if step.retries > 0 {
                line.push_str(&format!("  retries {}", step.retries));
            }
            line.push_str(&format!(
                "  timeout {}  on_failure {}",
                checks::humantime_short(step.timeout),
                info.on_failure
            ));
            lines.push(line);
        }
        Ok(lines)
    }
}

pub(super) fn resolve_vars(
    rb: &Runbook,
    given: &HashMap<String, String>,
) -> Result<BTreeMap<String, String>, RoxyError> {
    let mut vars = rb.vars.clone();
    for (name, value) in given {
        if !rb.vars.contains_key(name) {
            let known: Vec<&str> = rb.vars.keys().map(String::as_str).collect();
            return Err(RoxyError::InvalidInput(fill(
                &gettext("Runbook “{}” has no variable “{}”; it declares: {}."),
                &[
                    &rb.id,
                    name,
                    &if known.is_empty() {
                        gettext("none")
                    } else {
                        known.join(", ")
                    },
                ],
            )));
        }
        if value.len() > 4096 || value.contains('\0') {
            return Err(RoxyError::InvalidInput(fill(
                &gettext("The value of variable “{}” is too long or contains a NUL byte."),
                &[name],
            )));
        }
        vars.insert(name.clone(), value.clone());
    }
    Ok(vars)
}

pub(super) fn check_skip(rb: &Runbook, skip: &[String]) -> Result<(), RoxyError> {
    for id in skip {
        if !rb.steps.iter().any(|s| &s.id == id) {
            let known: Vec<&str> = rb.steps.iter().map(|s| s.id.as_str()).collect();
            return Err(RoxyError::InvalidInput(fill(
                &gettext("Runbook “{}” has no step “{}”; its steps: {}."),
                &[&rb.id, id, &known.join(", ")],
            )));
        }
    }
    Ok(())
}
