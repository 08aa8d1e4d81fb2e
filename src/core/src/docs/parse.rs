//! From file text to what the index stores: title, tags, and plain text without markup (so
//! snippets read as prose, not as markdown source).

use super::scan::Format;
use marked_yaml::types::{MarkedMappingNode, Node};
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use std::path::Path;

/// The info string of a fenced block that holds a runbook.
pub const RUNBOOK_FENCE: &str = "roxy-runbook";

/// Tags per document and characters per tag that are kept.
const MAX_TAGS: usize = 64;
const MAX_TAG_CHARS: usize = 64;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    pub title: String,
    pub tags: Vec<String>,
    /// The title came from front matter (or a YAML file's own `title`).
    pub titled: bool,
    /// Title or tags came from front matter (or a YAML file's own keys).
    pub front_matter: bool,
    pub runbook: bool,
    /// Searchable text without markup.
    pub text: String,
}

pub fn parse_document(path: &Path, format: Format, source: &str) -> Parsed {
    let mut parsed = match format {
        Format::Markdown => parse_markdown(source),
        Format::Yaml => parse_yaml_file(source),
        Format::Text => Parsed {
            text: source.to_owned(),
            ..Parsed::default()
        },
    };
    if parsed.title.trim().is_empty() {
        parsed.title = path
            .file_stem()
            .map(|s| s.to_string_lossy().replace(['_', '-'], " "))
            .unwrap_or_default();
    }
    parsed.title = parsed.title.trim().to_owned();
    parsed
}

/// Splits `---` front matter from a markdown source: (front matter, body).
pub fn split_front_matter(source: &str) -> (Option<&str>, &str) {
    let rest = source.strip_prefix('\u{feff}').unwrap_or(source);
    let Some(after) = rest
        .strip_prefix("---\n")
        .or_else(|| rest.strip_prefix("---\r\n"))
    else {
        return (None, source);
    };
    let mut offset = 0;
    for line in after.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            let body = &after[offset + line.len()..];
            return (Some(&after[..offset]), body);
        }
        offset += line.len();
    }
    // No closing line: it was a thematic break, not front matter.
    (None, source)
}

fn parse_markdown(source: &str) -> Parsed {
    let (front, body) = split_front_matter(source);
    let mut parsed = Parsed::default();
    if let Some(front) = front {
        if let Ok(Node::Mapping(map)) = marked_yaml::parse_yaml(0, front) {
            read_keys(&map, &mut parsed);
        }
    }
    let mut first_heading: Option<String> = None;
    let mut in_heading = false;
    let mut heading = String::new();
    let mut text = String::with_capacity(body.len());
    for event in Parser::new_ext(body, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Text(t) | Event::Code(t) => {
                text.push_str(&t);
                if in_heading {
                    heading.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::Start(Tag::Heading { .. }) => {
                in_heading = true;
                heading.clear();
            }
            Event::End(TagEnd::Heading(level)) => {
                in_heading = false;
                if first_heading.is_none() && level == pulldown_cmark::HeadingLevel::H1 {
                    first_heading = Some(heading.clone());
                }
                text.push('\n');
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if info.split_whitespace().next() == Some(RUNBOOK_FENCE) =>
            {
                parsed.runbook = true;
            }
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::TableCell
                | TagEnd::TableRow
                | TagEnd::BlockQuote(_),
            ) => text.push('\n'),
            Event::Start(Tag::Image { title, .. }) if !title.is_empty() => {
                text.push_str(&title);
                text.push(' ');
            }
            _ => {}
        }
    }
    if parsed.title.is_empty() {
        parsed.title = first_heading.unwrap_or_default();
    }
    parsed.text = text;
    parsed
}

fn parse_yaml_file(source: &str) -> Parsed {
    let mut parsed = Parsed {
        text: source.to_owned(),
        ..Parsed::default()
    };
    if let Ok(Node::Mapping(map)) = marked_yaml::parse_yaml(0, source) {
        read_keys(&map, &mut parsed);
        if parsed.title.is_empty() {
            if let Some(name) = map.get_scalar("name") {
                parsed.title = name.as_str().to_owned();
            }
        }
        // The shape of a runbook file: a list of steps (the runbooks panel validates it).
        parsed.runbook = map.get_sequence("steps").is_some();
    }
    parsed
}

fn read_keys(map: &MarkedMappingNode, parsed: &mut Parsed) {
    if let Some(title) = map.get_scalar("title") {
        parsed.title = title.as_str().to_owned();
        parsed.titled = true;
        parsed.front_matter = true;
    }
    let tags: Vec<String> = match map.get_node("tags").or_else(|| map.get_node("keywords")) {
        Some(Node::Sequence(items)) => items
            .iter()
            .filter_map(|n| n.as_scalar().map(|s| s.as_str().to_owned()))
            .collect(),
        Some(Node::Scalar(s)) => s.as_str().split([',', ' ']).map(str::to_owned).collect(),
        _ => Vec::new(),
    };
    for tag in tags {
        let tag: String = tag
            .trim()
            .trim_start_matches('#')
            .chars()
            .take(MAX_TAG_CHARS)
            .collect();
        if !tag.is_empty() && !parsed.tags.contains(&tag) && parsed.tags.len() < MAX_TAGS {
            parsed.tags.push(tag);
        }
    }
    parsed.front_matter |= !parsed.tags.is_empty();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_gives_title_and_tags_and_is_not_text() {
        let doc = "---\ntitle: Backups\ntags: [ops, restic]\n---\n# Heading\n\nRun **restic** `check` weekly.\n";
        let p = parse_document(Path::new("b.md"), Format::Markdown, doc);
        assert_eq!(p.title, "Backups");
        assert_eq!(p.tags, ["ops", "restic"]);
        assert!(p.front_matter);
        assert!(p.text.contains("Run restic check weekly."), "{:?}", p.text);
        assert!(!p.text.contains("title:"));
        assert!(!p.runbook);
    }

    #[test]
    fn title_falls_back_to_the_first_heading_then_the_file_name() {
        let p = parse_document(
            Path::new("x.md"),
            Format::Markdown,
            "intro\n\n# Real *Title*\n",
        );
        assert_eq!(p.title, "Real Title");
        assert!(!p.front_matter);
        let p = parse_document(
            Path::new("dir/home-lab_notes.md"),
            Format::Markdown,
            "no heading",
        );
        assert_eq!(p.title, "home lab notes");
        // A lone thematic break is not front matter.
        let p = parse_document(Path::new("t.md"), Format::Markdown, "---\ntext");
        assert!(p.text.contains("text"));
    }

    #[test]
    fn tags_may_be_a_comma_list_and_runbook_fences_are_noticed() {
        let doc = "---\ntags: \"a, #b\"\n---\n```roxy-runbook\nname: x\n```\n";
        let p = parse_document(Path::new("r.md"), Format::Markdown, doc);
        assert_eq!(p.tags, ["a", "b"]);
        assert!(p.runbook);
    }

    #[test]
    fn yaml_files_use_their_own_keys() {
        let p = parse_document(
            Path::new("deploy.yaml"),
            Format::Yaml,
            "name: Deploy site\nsteps:\n  - run: echo\n",
        );
        assert_eq!(p.title, "Deploy site");
        assert!(p.runbook);
        assert!(p.text.contains("echo"));
    }
}
