//! The Voice panel's traffic: the listening state and level, what was heard, intents and how
//! a typed sentence matches them.

use super::DaemonEvent;
use roxy_ipc::voice::{
    HeardInfo, IntentMatchInfo, IntentsInfo, ModelInfo, VoiceStatusInfo, WakeInfo, WakeSampleInfo,
};
use roxy_ipc::{Client, RoxyError};
use zbus::message::Message;

/// Entries of the log the panel shows.
const LOG_ENTRIES: u32 = 50;

#[derive(Debug, Clone)]
pub enum VoiceEvent {
    Status(VoiceStatusInfo),
    State(String),
    Level(f64),
    Heard(HeardInfo),
    Log(Vec<HeardInfo>),
    Intents(IntentsInfo),
    /// How the test box's sentence matches, best first.
    Matches {
        sentence: String,
        matches: Vec<IntentMatchInfo>,
    },
    Wake(WakeInfo),
    WakeSample(WakeSampleInfo),
    /// A wake-word request was refused: why, in a sentence.
    WakeFailed(String),
    Models(Vec<ModelInfo>),
    /// A model request was refused: why, in a sentence.
    ModelFailed(String),
}

#[derive(Debug, Clone)]
pub enum VoiceRequest {
    Listen,
    /// "off" or "wake".
    Mode(String),
    Test(String),
    /// Act on a typed sentence as if it had been heard.
    Say(String),
    Cancel,
    Refresh,
    Wake(WakeRequest),
    /// Say a sentence with the reply voice.
    Speak(String),
    Models(ModelRequest),
}

/// Installing and choosing start jobs; their progress arrives with the job signals.
#[derive(Debug, Clone)]
pub enum ModelRequest {
    Install { kind: String, source: String },
    Use { kind: String, name: String },
    Remove { kind: String, name: String },
}

#[derive(Debug, Clone)]
pub enum WakeRequest {
    Status,
    Record,
    Clear,
    Train { name: String, phrase: String },
    Use(String),
    Remove(String),
    Sensitivity(f64),
}

fn voice(event: VoiceEvent) -> DaemonEvent {
    DaemonEvent::Voice(event)
}

pub async fn load(client: &Client) -> Result<Vec<DaemonEvent>, RoxyError> {
    let proxy = client.voice().await?;
    Ok(vec![
        voice(VoiceEvent::Status(proxy.status().await?)),
        voice(VoiceEvent::Intents(proxy.intents().await?)),
        voice(VoiceEvent::Log(proxy.log(LOG_ENTRIES).await?)),
        voice(VoiceEvent::Wake(proxy.wake_status().await?)),
        voice(VoiceEvent::Models(proxy.models().await?)),
    ])
}

/// A refusal (bad file, unknown name) is shown in the Models group, not as a toast.
async fn models(client: &Client, request: ModelRequest) -> Result<Vec<DaemonEvent>, RoxyError> {
    let proxy = client.voice().await?;
    let done = match request {
        ModelRequest::Install { kind, source } => {
            proxy.install_model(&kind, &source).await.map(|_| ())
        }
        ModelRequest::Use { kind, name } => proxy.use_model(&kind, &name).await.map(|_| ()),
        ModelRequest::Remove { kind, name } => proxy.remove_model(&kind, &name).await,
    };
    let mut events = match done {
        Ok(()) => Vec::new(),
        Err(e) if e.is_unreachable() => return Err(e),
        Err(e) => vec![voice(VoiceEvent::ModelFailed(e.human()))],
    };
    events.push(voice(VoiceEvent::Models(proxy.models().await?)));
    Ok(events)
}

/// Wake-word requests answer with the new state; a refusal is shown in the panel (the
/// training dialog says what to redo) rather than as a toast.
async fn wake(client: &Client, request: WakeRequest) -> Result<Vec<DaemonEvent>, RoxyError> {
    let proxy = client.voice().await?;
    let done = match request {
        WakeRequest::Status => Ok(None),
        WakeRequest::Record => proxy
            .record_wake_sample()
            .await
            .map(|s| Some(VoiceEvent::WakeSample(s))),
        WakeRequest::Clear => proxy.clear_wake_samples().await.map(|()| None),
        WakeRequest::Train { name, phrase } => proxy.train_wake(&name, &phrase).await.map(|_| None),
        WakeRequest::Use(name) => proxy.use_wake(&name).await.map(|_| None),
        WakeRequest::Remove(name) => proxy.remove_wake(&name).await.map(|_| None),
        WakeRequest::Sensitivity(value) => proxy.set_wake_sensitivity(value).await.map(|_| None),
    };
    let mut events: Vec<VoiceEvent> = match done {
        Ok(event) => event.into_iter().collect(),
        Err(e) if e.is_unreachable() => return Err(e),
        Err(e) => vec![VoiceEvent::WakeFailed(e.human())],
    };
    events.push(VoiceEvent::Wake(proxy.wake_status().await?));
    Ok(events.into_iter().map(voice).collect())
}

pub async fn handle(client: &Client, request: VoiceRequest) -> Result<Vec<DaemonEvent>, RoxyError> {
    let proxy = client.voice().await?;
    match request {
        VoiceRequest::Listen => proxy.listen().await?,
        VoiceRequest::Mode(mode) => {
            proxy.set_mode(&mode).await?;
            return Ok(vec![voice(VoiceEvent::Status(proxy.status().await?))]);
        }
        VoiceRequest::Test(sentence) => {
            let matches = proxy.test(&sentence).await?;
            return Ok(vec![voice(VoiceEvent::Matches { sentence, matches })]);
        }
        // The result arrives as the `Heard` signal, like a spoken command's.
        VoiceRequest::Say(sentence) => {
            proxy.say(&sentence).await?;
        }
        VoiceRequest::Cancel => proxy.cancel().await?,
        VoiceRequest::Refresh => return load(client).await,
        VoiceRequest::Wake(request) => return wake(client, request).await,
        VoiceRequest::Speak(text) => {
            proxy.speak(&text).await?;
        }
        VoiceRequest::Models(request) => return models(client, request).await,
    }
    Ok(Vec::new())
}

pub async fn on_signal(client: &Client, member: &str, message: &Message) -> Vec<DaemonEvent> {
    let body = message.body();
    match member {
        "VoiceStateChanged" => body
            .deserialize::<String>()
            .map(|s| vec![voice(VoiceEvent::State(s))])
            .unwrap_or_default(),
        "Level" => body
            .deserialize::<f64>()
            .map(|db| vec![voice(VoiceEvent::Level(db))])
            .unwrap_or_default(),
        "Heard" => {
            let mut events: Vec<DaemonEvent> = body
                .deserialize::<HeardInfo>()
                .map(|h| vec![voice(VoiceEvent::Heard(h))])
                .unwrap_or_default();
            // The pending question (if any) changed with it.
            if let Ok(proxy) = client.voice().await {
                if let Ok(status) = proxy.status().await {
                    events.push(voice(VoiceEvent::Status(status)));
                }
            }
            events
        }
        "IntentsChanged" => match client.voice().await {
            Ok(proxy) => match proxy.intents().await {
                Ok(intents) => vec![voice(VoiceEvent::Intents(intents))],
                Err(_) => Vec::new(),
            },
            Err(_) => Vec::new(),
        },
        // The speech model, voice or wake words changed: everything that shows them.
        "ModelsChanged" => match client.voice().await {
            Ok(proxy) => {
                let mut events = Vec::new();
                if let Ok(models) = proxy.models().await {
                    events.push(voice(VoiceEvent::Models(models)));
                }
                if let Ok(status) = proxy.status().await {
                    events.push(voice(VoiceEvent::Status(status)));
                }
                if let Ok(wake) = proxy.wake_status().await {
                    events.push(voice(VoiceEvent::Wake(wake)));
                }
                events
            }
            Err(_) => Vec::new(),
        },
        _ => Vec::new(),
    }
}
