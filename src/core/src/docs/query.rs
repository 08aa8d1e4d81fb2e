//! The search box language, turned into an FTS5 expression.
//!
//! `restic backup` — both words; `"exact phrase"`; `back*` — a prefix; `-draft` — not this
//! word; `tag:ops` — only documents tagged `ops`; `in:brain/howto` — only that folder.
//! While typing, the last word counts as a prefix.

use super::DocsError;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryParts {
    /// FTS5 expression over the text columns; `None` when the query has no words.
    pub words: Option<String>,
    pub tags: Vec<String>,
    pub folders: Vec<String>,
}

/// Longest query text accepted.
const MAX_QUERY_CHARS: usize = 1000;
/// Most words and phrases in one query.
const MAX_TERMS: usize = 32;

pub fn parse_query(text: &str, prefix: bool) -> Result<QueryParts, DocsError> {
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(DocsError::Query(format!(
            "a query may have at most {MAX_QUERY_CHARS} characters"
        )));
    }
    let tokens = tokenize(text);
    let typing_last = prefix && !text.ends_with(char::is_whitespace);
    let mut parts = QueryParts::default();
    let mut wanted = Vec::new();
    let mut unwanted = Vec::new();
    let count = tokens.len();
    for (i, token) in tokens.into_iter().enumerate() {
        if let Some(tag) = token.filter("tag:") {
            parts.tags.push(tag);
            continue;
        }
        if let Some(folder) = token.filter("in:") {
            parts.folders.push(folder);
            continue;
        }
        let is_prefix =
            token.star || (typing_last && i + 1 == count && !token.quoted && !token.negated);
        let Some(term) = fts_term(&token.text, is_prefix) else {
            continue;
        };
        if token.negated {
            unwanted.push(term);
        } else {
            wanted.push(term);
        }
    }
    if wanted.len() + unwanted.len() > MAX_TERMS {
        return Err(DocsError::Query(format!(
            "a query may have at most {MAX_TERMS} words and phrases"
        )));
    }
    if wanted.is_empty() && !unwanted.is_empty() {
        return Err(DocsError::Query(
            "excluded words (-word) need at least one word to look for".into(),
        ));
    }
    if !wanted.is_empty() {
        let mut expr = wanted.join(" AND ");
        if !unwanted.is_empty() {
            expr = format!("({expr}) NOT ({})", unwanted.join(" OR "));
        }
        parts.words = Some(expr);
    }
    Ok(parts)
}

#[derive(Debug, Default)]
struct Token {
    text: String,
    quoted: bool,
    negated: bool,
    star: bool,
}

impl Token {
    fn filter(&self, key: &str) -> Option<String> {
        if self.quoted || self.negated {
            return None;
        }
        let value = self.text.strip_prefix(key)?;
        let value = if value.len() > 1 {
            value.trim_end_matches('/')
        } else {
            value
        };
        (!value.is_empty()).then(|| value.to_owned())
    }
}

fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut token = Token::default();
        if c == '-' {
            chars.next();
            token.negated = true;
        }
        if chars.peek() == Some(&'"') {
            chars.next();
            token.quoted = true;
            // An unclosed quote runs to the end: the user is still typing the phrase.
            for c in chars.by_ref() {
                if c == '"' {
                    break;
                }
                token.text.push(c);
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                token.text.push(c);
                chars.next();
            }
            if let Some(stripped) = token.text.strip_suffix('*') {
                token.text = stripped.to_owned();
                token.star = true;
            }
        }
        tokens.push(token);
    }
    tokens
}

/// One word or phrase as an FTS5 string; `None` when it holds nothing searchable.
fn fts_term(text: &str, prefix: bool) -> Option<String> {
    if !text.chars().any(char::is_alphanumeric) {
        return None;
    }
    let quoted = format!("\"{}\"", text.replace('"', "\"\""));
    Some(if prefix { quoted + "*" } else { quoted })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str, prefix: bool) -> Option<String> {
        parse_query(text, prefix).unwrap().words
    }

    #[test]
    fn words_phrases_prefixes_and_exclusions() {
        assert_eq!(
            words("restic backup", false).unwrap(),
            r#""restic" AND "backup""#
        );
        assert_eq!(
            words("\"off site\" back*", false).unwrap(),
            r#""off site" AND "back"*"#
        );
        assert_eq!(words("restic ba", true).unwrap(), r#""restic" AND "ba"*"#);
        assert_eq!(words("restic ba ", true).unwrap(), r#""restic" AND "ba""#);
        assert_eq!(
            words("backup -draft -old", false).unwrap(),
            r#"("backup") NOT ("draft" OR "old")"#
        );
        assert_eq!(words("say \"hi", false).unwrap(), r#""say" AND "hi""#);
        assert_eq!(words(r#"a"b"#, false).unwrap(), r#""a""b""#);
    }

    #[test]
    fn filters_are_taken_out_of_the_words() {
        let parts = parse_query("tag:ops in:brain/howto/ disk", false).unwrap();
        assert_eq!(parts.tags, ["ops"]);
        assert_eq!(parts.folders, ["brain/howto"]);
        assert_eq!(parts.words.unwrap(), r#""disk""#);
        assert_eq!(parse_query("tag:ops", true).unwrap().words, None);
    }

    #[test]
    fn nonsense_is_refused_or_ignored_not_passed_to_sqlite() {
        assert_eq!(words("*** ( ) NEAR", false).unwrap(), r#""NEAR""#);
        assert_eq!(words("- * \"\"", false), None);
        assert!(parse_query("-alone", false).is_err());
        assert!(parse_query(&"x ".repeat(40), false).is_err());
    }
}
