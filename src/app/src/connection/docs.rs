//! The Docs panel's traffic: status and the document list, searches as you type, the
//! document being read, folder changes and reindexing. roxyd's `DocumentsChanged` signal
//! refreshes what the panel shows; `StatusChanged` carries embedding progress.

use super::DaemonEvent;
use roxy_ipc::docs::{DocContentInfo, DocInfo, DocQueryInfo, DocSearchInfo, DocsStatusInfo};
use roxy_ipc::{Client, RoxyError};
use zbus::message::Message;

#[derive(Debug, Clone)]
pub enum DocsEvent {
    Status(DocsStatusInfo),
    Documents(Vec<DocInfo>),
    /// Results of the search of `generation` (older ones are dropped by the panel).
    Results {
        generation: u64,
        results: DocSearchInfo,
    },
    /// A document to show; `history` false when it came from back/forward.
    Document {
        content: DocContentInfo,
        history: bool,
    },
    /// These documents changed on disk (empty: possibly all of them).
    Changed(Vec<String>),
}

#[derive(Debug, Clone)]
pub enum DocsRequest {
    Search {
        generation: u64,
        query: DocQueryInfo,
    },
    Open {
        path: String,
        history: bool,
    },
    SetFolders(Vec<String>),
    Reindex,
}

fn docs(event: DocsEvent) -> DaemonEvent {
    DaemonEvent::Docs(event)
}

pub async fn load(client: &Client) -> Result<Vec<DaemonEvent>, RoxyError> {
    let proxy = client.docs().await?;
    Ok(vec![
        docs(DocsEvent::Status(proxy.status().await?)),
        docs(DocsEvent::Documents(proxy.documents().await?)),
    ])
}

pub async fn handle(client: &Client, request: DocsRequest) -> Result<Vec<DaemonEvent>, RoxyError> {
    let proxy = client.docs().await?;
    Ok(match request {
        DocsRequest::Search { generation, query } => vec![docs(DocsEvent::Results {
            generation,
            results: proxy.search(&query).await?,
        })],
        DocsRequest::Open { path, history } => vec![docs(DocsEvent::Document {
            content: proxy.read(&path).await?,
            history,
        })],
        DocsRequest::SetFolders(folders) => {
            let list: Vec<&str> = folders.iter().map(String::as_str).collect();
            proxy.set_folders(&list).await?;
            load(client).await?
        }
        DocsRequest::Reindex => {
            proxy.reindex(false).await?;
            vec![docs(DocsEvent::Status(proxy.status().await?))]
        }
    })
}

pub async fn on_signal(client: &Client, member: &str, message: &Message) -> Vec<DaemonEvent> {
    if member == "StatusChanged" {
        return match message.body().deserialize::<DocsStatusInfo>() {
            Ok(status) => vec![docs(DocsEvent::Status(status))],
            Err(_) => Vec::new(),
        };
    }
    if member != "DocumentsChanged" {
        return Vec::new();
    }
    let paths = message
        .body()
        .deserialize::<Vec<String>>()
        .unwrap_or_default();
    let mut events = load(client).await.unwrap_or_default();
    events.push(docs(DocsEvent::Changed(paths)));
    events
}
