//! Renders the window to a PNG without a human: `roxy --screenshot PANEL FILE`. Used by the
//! tests and to make the README's screenshot.

use crate::panel::PanelId;
use relm4::gtk;
use relm4::gtk::prelude::*;
use std::cell::Cell;
use std::path::{Path, PathBuf};

thread_local! {
    /// Exit status of a `--screenshot` run, read by `main` after the app quits.
    pub static EXIT_CODE: Cell<i32> = const { Cell::new(0) };
}

#[derive(Debug, Clone)]
pub struct ScreenshotRequest {
    pub panel: PanelId,
    pub path: PathBuf,
}

impl ScreenshotRequest {
    /// Parses `PANEL FILE`; the error names the argument and what is allowed.
    pub fn parse(panel: &str, path: &str) -> Result<Self, String> {
        let panel = PanelId::from_id(panel).ok_or_else(|| {
            let allowed: Vec<_> = PanelId::ALL.iter().map(|p| p.id()).collect();
            format!(
                "--screenshot: unknown panel `{panel}`; use one of {}",
                allowed.join(", ")
            )
        })?;
        Ok(Self {
            panel,
            path: PathBuf::from(path),
        })
    }
}

/// Draws `widget` (with its children, as on screen) into a PNG file.
pub fn save_widget(widget: &gtk::Widget, path: &Path) -> Result<(), String> {
    let (width, height) = (widget.width(), widget.height());
    if width <= 0 || height <= 0 {
        return Err("the window has no size yet; is a display available?".into());
    }
    let paintable = gtk::WidgetPaintable::new(Some(widget));
    let snapshot = gtk::Snapshot::new();
    paintable.snapshot(&snapshot, f64::from(width), f64::from(height));
    let node = snapshot
        .to_node()
        .ok_or_else(|| "the window drew nothing".to_string())?;
    let native = widget
        .native()
        .ok_or_else(|| "the widget is not in a window".to_string())?;
    let renderer = native
        .renderer()
        .ok_or_else(|| "the window has no renderer".to_string())?;
    let bounds = gtk::graphene::Rect::new(0.0, 0.0, width as f32, height as f32);
    let texture = renderer.render_texture(&node, Some(&bounds));
    texture
        .save_to_png(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Draws a window's content (the part inside the frame).
pub fn save_window(window: &gtk::Window, path: &Path) -> Result<(), String> {
    let content = window
        .child()
        .ok_or_else(|| "the window is empty".to_string())?;
    save_widget(&content, path)
}
