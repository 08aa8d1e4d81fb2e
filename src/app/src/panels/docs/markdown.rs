//! Markdown drawn with native widgets: headings, paragraphs with inline markup and links,
//! nested lists, tables, block quotes, images and code blocks (monospace, with Copy, and
//! Run for `roxy-runbook` blocks).

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use relm4::gtk::{self, glib, prelude::*};
use roxy_ipc::i18n::gettext;
use std::path::Path;
use std::rc::Rc;

/// The info string of a fenced block that names a runbook.
pub const RUNBOOK_FENCE: &str = "roxy-runbook";

/// What links and Run buttons do; the reader decides.
#[derive(Clone)]
pub struct Actions {
    pub link: Rc<dyn Fn(String)>,
    pub run: Rc<dyn Fn(String)>,
}

/// A list being built: its box and the next number (None: bullets).
struct List {
    widget: gtk::Box,
    next: Option<u64>,
}

struct Table {
    grid: gtk::Grid,
    row: i32,
    col: i32,
    head: bool,
}

struct Renderer<'a> {
    base: &'a Path,
    actions: &'a Actions,
    /// Where blocks go; the last is the innermost (a quote or a list item).
    containers: Vec<gtk::Box>,
    lists: Vec<List>,
    table: Option<Table>,
    /// Pango markup of the text block being read.
    inline: String,
    code: Option<(String, String)>,
    /// Alt text of the image being read, and where it points.
    image: Option<(String, String)>,
}

/// Renders `markdown` (without front matter); relative image paths resolve against `base`.
pub fn render(markdown: &str, base: &Path, actions: &Actions) -> gtk::Box {
    let root = gtk::Box::new(gtk::Orientation::Vertical, 12);
    root.add_css_class("roxy-markdown");
    let mut r = Renderer {
        base,
        actions,
        containers: vec![root.clone()],
        lists: Vec::new(),
        table: None,
        inline: String::new(),
        code: None,
        image: None,
    };
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    for event in Parser::new_ext(markdown, options) {
        r.event(event);
    }
    r.flush(None);
    root
}

impl Renderer<'_> {
    fn container(&self) -> &gtk::Box {
        self.containers.last().expect("the root is never popped")
    }

    /// Appends the pending inline text as a label.
    fn flush(&mut self, class: Option<&str>) {
        let markup = std::mem::take(&mut self.inline);
        if markup.trim().is_empty() {
            return;
        }
        let label = self.label(markup.trim());
        if let Some(class) = class {
            label.add_css_class(class);
        }
        self.container().append(&label);
    }

    fn label(&self, markup: &str) -> gtk::Label {
        let label = gtk::Label::builder()
            .use_markup(true)
            .label(markup)
            .wrap(true)
            .wrap_mode(gtk::pango::WrapMode::WordChar)
            .xalign(0.0)
            .selectable(true)
            .build();
        let link = self.actions.link.clone();
        label.connect_activate_link(move |_, uri| {
            link(uri.to_owned());
            glib::Propagation::Stop
        });
        label
    }

    fn event(&mut self, event: Event<'_>) {
        if let Some((_, code)) = &mut self.code {
            match event {
                Event::Text(text) => return code.push_str(&text),
                Event::End(TagEnd::CodeBlock) => {}
                _ => return,
            }
        }
        if let Some((alt, _)) = &mut self.image {
            match event {
                Event::Text(text) | Event::Code(text) => return alt.push_str(&text),
                Event::End(TagEnd::Image) => {}
                _ => return,
            }
        }
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => self.inline.push_str(&glib::markup_escape_text(&text)),
            Event::Code(text) => {
                self.inline.push_str("<tt>");
                self.inline.push_str(&glib::markup_escape_text(&text));
                self.inline.push_str("</tt>");
            }
            Event::Html(text) | Event::InlineHtml(text) => {
                self.inline.push_str(&glib::markup_escape_text(&text))
            }
            Event::SoftBreak => self.inline.push(' '),
            Event::HardBreak => self.inline.push('\n'),
            Event::Rule => {
                self.flush(None);
                self.container()
                    .append(&gtk::Separator::new(gtk::Orientation::Horizontal));
            }
            Event::TaskListMarker(done) => self.inline.push_str(if done { "☑ " } else { "☐ " }),
            _ => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph | Tag::Heading { .. } => self.flush(None),
            Tag::Emphasis => self.inline.push_str("<i>"),
            Tag::Strong => self.inline.push_str("<b>"),
            Tag::Strikethrough => self.inline.push_str("<s>"),
            Tag::Link { dest_url, .. } => {
                self.inline.push_str(&format!(
                    "<a href=\"{}\">",
                    glib::markup_escape_text(&dest_url)
                ));
            }
            Tag::Image { dest_url, .. } => {
                self.flush(None);
                self.image = Some((String::new(), dest_url.to_string()));
            }
            Tag::CodeBlock(kind) => {
                self.flush(None);
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_owned()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                self.code = Some((lang, String::new()));
            }
            Tag::BlockQuote(_) => {
                self.flush(None);
                let quote = gtk::Box::new(gtk::Orientation::Vertical, 6);
                quote.add_css_class("roxy-quote");
                quote.set_margin_start(12);
                self.containers.push(quote);
            }
            Tag::List(start) => {
                self.flush(None);
                let widget = gtk::Box::new(gtk::Orientation::Vertical, 4);
                self.lists.push(List {
                    widget: widget.clone(),
                    next: start,
                });
            }
            Tag::Item => {
                self.flush(None);
                let content = gtk::Box::new(gtk::Orientation::Vertical, 4);
                content.set_hexpand(true);
                self.containers.push(content);
            }
            Tag::Table(_) => {
                self.flush(None);
                let grid = gtk::Grid::builder()
                    .row_spacing(6)
                    .column_spacing(18)
                    .build();
                grid.add_css_class("roxy-table");
                self.table = Some(Table {
                    grid,
                    row: 0,
                    col: 0,
                    head: false,
                });
            }
            Tag::TableHead => {
                if let Some(t) = &mut self.table {
                    t.head = true;
                    t.col = 0;
                }
            }
            Tag::TableRow => {
                if let Some(t) = &mut self.table {
                    t.col = 0;
                }
            }
            Tag::TableCell => self.inline.clear(),
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => self.flush(None),
            TagEnd::Heading(level) => {
                let class = match level {
                    HeadingLevel::H1 => "title-1",
                    HeadingLevel::H2 => "title-2",
                    HeadingLevel::H3 => "title-3",
                    _ => "title-4",
                };
                self.flush(Some(class));
            }
            TagEnd::Emphasis => self.inline.push_str("</i>"),
            TagEnd::Strong => self.inline.push_str("</b>"),
            TagEnd::Strikethrough => self.inline.push_str("</s>"),
            TagEnd::Link => self.inline.push_str("</a>"),
            TagEnd::Image => {
                if let Some((alt, dest)) = self.image.take() {
                    let widget = self.image_widget(&alt, &dest);
                    self.container().append(&widget);
                }
            }
            TagEnd::CodeBlock => {
                if let Some((lang, code)) = self.code.take() {
                    let widget = self.code_block(&lang, code.trim_end_matches('\n'));
                    self.container().append(&widget);
                }
            }
            TagEnd::BlockQuote(_) => {
                self.flush(None);
                if self.containers.len() > 1 {
                    let quote = self.containers.pop().expect("checked");
                    self.container().append(&quote);
                }
            }
            TagEnd::Item => {
                self.flush(None);
                if self.containers.len() > 1 {
                    let content = self.containers.pop().expect("checked");
                    let list = self.lists.last_mut();
                    let marker = match list.as_ref().and_then(|l| l.next) {
                        Some(n) => format!("{n}."),
                        None => "•".to_owned(),
                    };
                    if let Some(list) = list {
                        if let Some(n) = &mut list.next {
                            *n += 1;
                        }
                        let row = gtk::Box::new(gtk::Orientation::Horizontal, 8);
                        let bullet = gtk::Label::new(Some(&marker));
                        bullet.set_valign(gtk::Align::Start);
                        bullet.add_css_class("dim-label");
                        row.append(&bullet);
                        row.append(&content);
                        list.widget.append(&row);
                    }
                }
            }
            TagEnd::List(_) => {
                if let Some(list) = self.lists.pop() {
                    if !self.lists.is_empty() {
                        list.widget.set_margin_start(8);
                    }
                    self.container().append(&list.widget);
                }
            }
            TagEnd::TableCell => {
                let markup = std::mem::take(&mut self.inline);
                let head = self.table.as_ref().is_some_and(|t| t.head);
                let label = if head {
                    self.label(&format!("<b>{}</b>", markup.trim()))
                } else {
                    self.label(markup.trim())
                };
                if let Some(t) = &mut self.table {
                    t.grid.attach(&label, t.col, t.row, 1, 1);
                    t.col += 1;
                }
            }
            TagEnd::TableHead => {
                if let Some(t) = &mut self.table {
                    t.head = false;
                    t.row += 1;
                }
            }
            TagEnd::TableRow => {
                if let Some(t) = &mut self.table {
                    t.row += 1;
                }
            }
            TagEnd::Table => {
                if let Some(t) = self.table.take() {
                    self.container().append(&t.grid);
                }
            }
            _ => {}
        }
    }

    fn image_widget(&self, alt: &str, dest: &str) -> gtk::Widget {
        let local = !dest.contains("://");
        let path = self.base.join(dest);
        if local && path.is_file() {
            let picture = gtk::Picture::for_filename(&path);
            picture.set_can_shrink(true);
            picture.set_halign(gtk::Align::Start);
            picture.set_alternative_text(Some(alt));
            picture.set_tooltip_text(Some(alt));
            return picture.upcast();
        }
        // Remote images are not fetched: the reader never goes on the network by itself.
        let label = gtk::Label::new(Some(&format!("🖼 {alt}")));
        label.set_xalign(0.0);
        label.add_css_class("dim-label");
        label.set_tooltip_text(Some(dest));
        label.upcast()
    }

    fn code_block(&self, lang: &str, code: &str) -> gtk::Box {
        let block = gtk::Box::new(gtk::Orientation::Vertical, 4);
        block.add_css_class("card");
        block.add_css_class("roxy-code");
        let bar = gtk::Box::new(gtk::Orientation::Horizontal, 6);
        bar.set_margin_start(12);
        bar.set_margin_end(6);
        bar.set_margin_top(6);
        let kind = gtk::Label::new(Some(lang));
        kind.add_css_class("dim-label");
        kind.add_css_class("caption");
        kind.set_hexpand(true);
        kind.set_xalign(0.0);
        bar.append(&kind);
        if lang == RUNBOOK_FENCE {
            let id = runbook_id(code);
            let run = gtk::Button::with_label(&gettext("Run…"));
            run.add_css_class("suggested-action");
            run.set_tooltip_text(Some(&gettext(
                "Open this runbook in the Runbooks panel to run it",
            )));
            let action = self.actions.run.clone();
            run.connect_clicked(move |_| action(id.clone()));
            bar.append(&run);
        }
        let copy = gtk::Button::from_icon_name("edit-copy-symbolic");
        copy.add_css_class("flat");
        copy.set_tooltip_text(Some(&gettext("Copy")));
        let text = code.to_owned();
        copy.connect_clicked(move |button| {
            button.clipboard().set_text(&text);
            button.set_icon_name("object-select-symbolic");
        });
        bar.append(&copy);
        block.append(&bar);
        let label = gtk::Label::builder()
            .label(code)
            .xalign(0.0)
            .selectable(true)
            .margin_start(12)
            .margin_end(12)
            .margin_bottom(10)
            .build();
        label.add_css_class("monospace");
        let scroll = gtk::ScrolledWindow::builder()
            .vscrollbar_policy(gtk::PolicyType::Never)
            .hscrollbar_policy(gtk::PolicyType::Automatic)
            .child(&label)
            .build();
        block.append(&scroll);
        block
    }
}

/// A `roxy-runbook` block names its runbook on the first line (`backup-now` or `id: backup-now`).
pub fn runbook_id(code: &str) -> String {
    let first = code
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    first
        .strip_prefix("id:")
        .unwrap_or(first)
        .trim()
        .trim_matches(['"', '\''])
        .to_owned()
}
