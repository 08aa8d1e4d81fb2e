//! Carrying out a matched intent through the same daemon calls a click makes, audited with the
//! actor `voice`. Runbooks marked `confirm: true` are started but wait for an approval that a
//! voice can never give.

use super::vocabulary::Live;
use super::VoiceHub;
use roxy_core::voice::{IntentMatch, SlotKind};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::RoxyError;

pub const ACTOR: &str = "voice";

impl VoiceHub {
    /// Does what `m` asks; returns the reply to speak and show.
    pub(super) async fn act(&self, m: &IntentMatch, live: &Live) -> Result<String, RoxyError> {
        let slot = |kind: SlotKind| m.slot(kind).unwrap_or_default().to_string();
        let (target, result) = match m.action.as_str() {
            "obs.scene" => {
                let scene = slot(SlotKind::Scene);
                let r = self.obs()?.set_program_scene(&scene).await;
                (format!("obs scene {scene}"), r)
            }
            "obs.record.start" | "obs.record.stop" => {
                let what = if m.action.ends_with("start") {
                    "start"
                } else {
                    "stop"
                };
                let r = self.obs()?.record(what).await.map(|_| ());
                (format!("obs record {what}"), r)
            }
            "obs.stream.start" | "obs.stream.stop" => {
                let what = if m.action.ends_with("start") {
                    "start"
                } else {
                    "stop"
                };
                let r = self.obs()?.stream(what).await;
                (format!("obs stream {what}"), r)
            }
            "obs.mute" | "obs.unmute" => {
                let input = slot(SlotKind::Input);
                let r = self.obs()?.set_muted(&input, m.action == "obs.mute").await;
                (format!("obs input {input}"), r)
            }
            "obs.transition" => ("obs transition".into(), self.obs()?.transition().await),
            "obs.replay.save" => (
                "obs replay".into(),
                self.obs()?.replay_buffer("save").await.map(|_| ()),
            ),
            "runbook.run" => {
                let name = slot(SlotKind::Runbook);
                let id = live
                    .runbook_ids
                    .get(&name)
                    .cloned()
                    .unwrap_or_else(|| name.clone());
                // `approve` is false: a confirm runbook waits for a click or `--approve`.
                let r = self
                    .engine
                    .run(&id, &Default::default(), &[], false, ACTOR)
                    .await
                    .map(|_| ());
                if r.is_ok() && live.confirm_runbooks.contains(&id) {
                    self.store
                        .audit(
                            ACTOR,
                            &m.action,
                            &format!("runbook {id}"),
                            "ok",
                            "awaiting approval",
                        )
                        .await
                        .ok();
                    return Ok(fill(
                        &gettext("{} waits for your approval in Roxy; a voice can't give it."),
                        &[&name],
                    ));
                }
                (format!("runbook {id}"), r)
            }
            "crm.note" => {
                let name = slot(SlotKind::Contact);
                let text = slot(SlotKind::Text);
                let r = self.add_note(&name, &text, live).await;
                (format!("contact {name}"), r)
            }
            "status" => return Ok(self.status_sentence().await),
            other => {
                return Err(RoxyError::Failed(fill(
                    &gettext("The action {} can't be done by voice."),
                    &[&other],
                )))
            }
        };
        let outcome = if result.is_ok() { "ok" } else { "failed" };
        let detail = match &result {
            Ok(()) => format!("said: {}", m.restated()),
            Err(e) => e.to_string(),
        };
        self.store
            .audit(ACTOR, &m.action, &target, outcome, &detail)
            .await
            .ok();
        result?;
        Ok(self.reply_for(m).await)
    }

    fn obs(&self) -> Result<std::sync::Arc<crate::broadcast::Link>, RoxyError> {
        self.broadcast.link("")
    }

    async fn add_note(&self, name: &str, text: &str, live: &Live) -> Result<(), RoxyError> {
        let id = *live.contact_ids.get(name).ok_or_else(|| {
            RoxyError::NotFound(fill(&gettext("No contact is called {}."), &[&name]))
        })?;
        let crm = self.crm.crm()?;
        let note_id = crm
            .add_interaction(id, "note", roxy_core::time::now_ms(), text)
            .await
            .map_err(|e| RoxyError::InvalidInput(e.to_string()))?;
        // The CRM panel updates from this signal, as it would after a click.
        if let Ok(emitter) =
            zbus::object_server::SignalEmitter::new(&self.conn, roxy_ipc::names::DAEMON_PATH)
        {
            let _ =
                crate::services::crm1::CrmService::changed(&emitter, "interaction", note_id).await;
        }
        Ok(())
    }

    async fn reply_for(&self, m: &IntentMatch) -> String {
        let intents = self.intents.read().await;
        let template = intents
            .set
            .get(&m.intent)
            .map(|i| i.reply.clone())
            .unwrap_or_default();
        let mut reply = if template.is_empty() {
            gettext("Done.")
        } else {
            template
        };
        for s in &m.slots {
            reply = reply.replace(&format!("{{{}}}", s.kind.name()), &s.value);
        }
        reply
    }

    /// "what's the status": the broadcast and the runbooks in one or two sentences.
    async fn status_sentence(&self) -> String {
        let mut parts = Vec::new();
        match self.broadcast.link("") {
            Ok(link) => {
                let s = link.state();
                if s.connected {
                    let mut obs = fill(&gettext("OBS is on scene {}"), &[&s.program_scene]);
                    if s.record == "active" {
                        obs.push_str(&gettext(", recording"));
                    }
                    if s.stream == "active" {
                        obs.push_str(&gettext(", live"));
                    }
                    parts.push(format!("{obs}."));
                    if !s.issues.is_empty() {
                        parts.push(fill(
                            &gettext("Stream health: {}."),
                            &[&s.issues.join(", ")],
                        ));
                    }
                } else {
                    parts.push(gettext("OBS is not connected."));
                }
            }
            Err(_) => parts.push(gettext("No OBS is set up.")),
        }
        let runbooks = self.engine.list().await;
        let running = runbooks
            .iter()
            .filter(|r| r.last_state == "running")
            .count();
        let failed = runbooks.iter().filter(|r| r.last_state == "failed").count();
        parts.push(fill(
            &gettext("{} runbooks running, {} whose last run failed."),
            &[&running.to_string(), &failed.to_string()],
        ));
        parts.join(" ")
    }
}
