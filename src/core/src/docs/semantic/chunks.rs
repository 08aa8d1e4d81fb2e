//! Cutting a document into passages the model can read whole.

/// Words per passage: about 130-160 word pieces, inside the model's window.
pub const CHUNK_WORDS: usize = 100;
/// Passages embedded per document. Embedding costs ~70 ms a passage on one core, so a
/// 2 MiB file would take minutes; its beginning is what is embedded.
pub const MAX_CHUNKS: usize = 16;
/// Characters of a passage kept as the hit's snippet.
const EXCERPT_CHARS: usize = 240;

#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    /// What the model reads: the title, then the passage.
    pub text: String,
    /// The start of the passage, shown as the snippet.
    pub excerpt: String,
}

/// The passages of a document with `title` and plain `body`. A document without body text
/// still gets one passage (its title), so it can be found by meaning.
pub fn chunks(title: &str, body: &str) -> Vec<Chunk> {
    let words: Vec<&str> = body.split_whitespace().collect();
    if words.is_empty() {
        let title = title.trim();
        if title.is_empty() {
            return Vec::new();
        }
        return vec![Chunk {
            text: title.to_owned(),
            excerpt: String::new(),
        }];
    }
    words
        .chunks(CHUNK_WORDS)
        .take(MAX_CHUNKS)
        .map(|part| {
            let passage = part.join(" ");
            Chunk {
                // The title gives every passage its context ("Backups" + a passage about
                // "the NAS" is about backups to the NAS).
                text: format!("{}. {passage}", title.trim()),
                excerpt: excerpt(&passage),
            }
        })
        .collect()
}

fn excerpt(passage: &str) -> String {
    match passage.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => {
            // End at a word boundary when there is one nearby.
            let head = &passage[..cut];
            let end = head.rfind(' ').filter(|&i| i > cut / 2).unwrap_or(cut);
            format!("{} …", &passage[..end])
        }
        None => passage.to_owned(),
    }
}
