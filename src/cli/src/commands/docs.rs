//! `roxyctl docs …`: the knowledge base — search, show, folders, reindex, the master index.

use crate::output::{self, Output};
use clap::Subcommand;
use roxy_ipc::docs::{DocHitInfo, DocQueryInfo};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::Client;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum DocsCommand {
    /// Search: words, "phrases", prefix*, -excluded, tag:NAME, in:FOLDER; or by meaning
    Search {
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
        /// Only documents with this tag (repeatable)
        #[arg(long = "tag")]
        tags: Vec<String>,
        /// Only documents in this folder (absolute, or inside a docs folder)
        #[arg(long = "in", value_name = "FOLDER")]
        folder: Option<String>,
        /// Treat the last word as a prefix, as the search box does while typing
        #[arg(long, conflicts_with = "semantic")]
        prefix: bool,
        /// Find documents by meaning, not by their words (needs the embedding model)
        #[arg(long, short = 's')]
        semantic: bool,
        #[arg(long, short = 'n', default_value_t = 10)]
        limit: u32,
    },
    /// Print a document (a path, or a path inside a docs folder)
    Show { path: String },
    /// Re-read changed files now (roxyd also does this live)
    Reindex {
        /// Throw the index away and build it again
        #[arg(long)]
        rebuild: bool,
        /// Wait for the job and show its progress
        #[arg(long, short = 'f')]
        follow: bool,
    },
    /// Print the master index (YAML), or write it to a file
    IndexExport {
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// List the docs folders, or change them
    Folders {
        /// Add a folder (repeatable)
        #[arg(long, value_name = "DIR")]
        add: Vec<PathBuf>,
        /// Stop indexing a folder (repeatable)
        #[arg(long, value_name = "DIR")]
        remove: Vec<PathBuf>,
    },
    /// Documents, coverage and how fresh the index is
    Status,
    /// Files left out of the index, and why
    Skipped,
}

pub async fn run(out: Output, command: DocsCommand) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let docs = client.docs().await?;
    match command {
        DocsCommand::Search {
            query,
            tags,
            folder,
            prefix,
            semantic,
            limit,
        } => {
            let results = docs
                .search(&DocQueryInfo {
                    text: query.join(" "),
                    folder: folder.unwrap_or_default(),
                    tags,
                    prefix,
                    limit,
                    semantic,
                })
                .await?;
            let status = if semantic {
                Some(docs.status().await?)
            } else {
                None
            };
            out.emit(&results, || {
                let bold = std::io::stdout().is_terminal();
                let mut lines: Vec<String> = results
                    .hits
                    .iter()
                    .map(|h| hit_lines(h, bold, semantic))
                    .collect();
                if let Some(s) = status.as_ref().filter(|s| s.embedded < s.documents) {
                    lines.push(fill(
                        &gettext("Only {} of {} documents are embedded so far; the rest are not searched by meaning yet."),
                        &[&s.embedded, &s.documents],
                    ));
                }
                if results.hits.is_empty() {
                    lines.insert(0, gettext("No documents match."));
                }
                if !results.ranked {
                    lines.push(fill(
                        &gettext("More than {} documents match: title and tag matches are listed first, the rest unranked. Add a word to rank them."),
                        &[&results.rank_limit],
                    ));
                }
                lines.join("\n")
            });
        }
        DocsCommand::Show { path } => {
            let content = docs.read(&path).await?;
            out.emit(&content, || {
                let mut head = fill(
                    &gettext("{} — {}"),
                    &[&content.doc.title, &content.doc.path],
                );
                if !content.doc.tags.is_empty() {
                    head.push_str(&format!(
                        "\n{}",
                        fill(&gettext("Tags: {}"), &[&content.doc.tags.join(", ")])
                    ));
                }
                format!("{head}\n\n{}", content.text.trim_end())
            });
        }
        DocsCommand::Reindex { rebuild, follow } => {
            return crate::commands::db::start(&client, out, follow, || async {
                Ok(client.docs().await?.reindex(rebuild).await?)
            })
            .await;
        }
        DocsCommand::IndexExport { output } => {
            let yaml = docs.master_index().await?;
            match output {
                Some(file) => {
                    std::fs::write(&file, &yaml)
                        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
                    out.emit(
                        &serde_json::json!({ "file": file, "bytes": yaml.len() }),
                        || {
                            fill(
                                &gettext("Wrote the master index to {} ({})."),
                                &[&file.display(), &output::bytes(yaml.len() as u64)],
                            )
                        },
                    );
                }
                None => crate::output::write(&yaml),
            }
        }
        DocsCommand::Folders { add, remove } => {
            let mut folders = docs.status().await?.folders;
            if !add.is_empty() || !remove.is_empty() {
                for dir in add {
                    let dir = std::path::absolute(&dir)?.to_string_lossy().into_owned();
                    if !folders.contains(&dir) {
                        folders.push(dir);
                    }
                }
                for dir in remove {
                    let dir = std::path::absolute(&dir)?;
                    let resolved = dir.canonicalize().unwrap_or(dir);
                    folders.retain(|f| std::path::Path::new(f) != resolved);
                }
                let list: Vec<&str> = folders.iter().map(String::as_str).collect();
                folders = docs.set_folders(&list).await?;
            }
            out.emit(&folders, || {
                if folders.is_empty() {
                    gettext("No docs folders yet. Add one with `roxyctl docs folders --add DIR`.")
                } else {
                    folders.join("\n")
                }
            });
        }
        DocsCommand::Status => {
            let s = docs.status().await?;
            out.emit(&s, || {
                let coverage = if s.coverage_pct.is_nan() {
                    gettext("none")
                } else {
                    format!("{:.0} %", s.coverage_pct)
                };
                let state = if s.indexing {
                    gettext("indexing")
                } else if s.lag_seconds > 0.0 {
                    fill(
                        &gettext("{} behind"),
                        &[&output::duration(s.lag_seconds as u64)],
                    )
                } else {
                    gettext("up to date")
                };
                [
                    fill(
                        &gettext("Folders: {}"),
                        &[&if s.folders.is_empty() {
                            gettext("none")
                        } else {
                            s.folders.join(", ")
                        }],
                    ),
                    fill(
                        &gettext("Documents: {} ({}), {} skipped"),
                        &[&s.documents, &output::bytes(s.bytes), &s.skipped],
                    ),
                    fill(&gettext("Coverage (title and tags): {}"), &[&coverage]),
                    fill(
                        &gettext("Index: {}; live updates {}"),
                        &[
                            &state,
                            &if s.watching {
                                gettext("on")
                            } else {
                                gettext("off")
                            },
                        ],
                    ),
                    fill(&gettext("Master index: {}"), &[&s.master_index]),
                    semantic_line(&s),
                ]
                .join("\n")
            });
        }
        DocsCommand::Skipped => {
            let skipped = docs.skipped().await?;
            out.emit(&skipped, || {
                if skipped.is_empty() {
                    return gettext("No files were left out.");
                }
                skipped
                    .iter()
                    .map(|s| format!("{}: {}", s.path, s.reason))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Title, path and the snippet with its matches in bold (on a terminal) or `[…]`.
fn semantic_line(s: &roxy_ipc::docs::DocsStatusInfo) -> String {
    if s.semantic_model.is_empty() {
        return fill(
            &gettext("Semantic search: off (no embedding model; build-aux/fetch-models.sh installs it in {})"),
            &[&s.semantic_model_wanted],
        );
    }
    let state = if s.embedding {
        gettext("embedding")
    } else {
        gettext("ready")
    };
    fill(
        &gettext("Semantic search: {}; {} of {} documents embedded ({} passages)"),
        &[&state, &s.embedded, &s.documents, &s.passages],
    )
}

fn hit_lines(hit: &DocHitInfo, bold: bool, semantic: bool) -> String {
    let (open, close) = if bold {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("[", "]")
    };
    let mut snippet = String::new();
    let mut at = 0;
    for &(start, end) in &hit.highlights {
        let (start, end) = (start as usize, end as usize);
        if start < at
            || end > hit.snippet.len()
            || !hit.snippet.is_char_boundary(start)
            || !hit.snippet.is_char_boundary(end)
        {
            continue;
        }
        snippet.push_str(&hit.snippet[at..start]);
        snippet.push_str(open);
        snippet.push_str(&hit.snippet[start..end]);
        snippet.push_str(close);
        at = end;
    }
    snippet.push_str(&hit.snippet[at.min(hit.snippet.len())..]);
    let head = if semantic {
        fill(
            &gettext("{}  ({}, similarity {})"),
            &[
                &hit.doc.title,
                &hit.doc.path,
                &format!("{:.0} %", hit.score * 100.0),
            ],
        )
    } else {
        format!("{}  ({})", hit.doc.title, hit.doc.path)
    };
    format!("{head}\n    {}", snippet.trim())
}
