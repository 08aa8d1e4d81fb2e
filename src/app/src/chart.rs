//! Line charts drawn with cairo: a sparkline for a row, and a chart with a scale for the
//! Metrics panel. Colors come from the theme's foreground and accent, so both styles work.

use relm4::gtk;
use relm4::gtk::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

/// Values to draw, oldest first; NaN leaves a gap.
pub type Series = Rc<RefCell<Vec<f64>>>;

/// One line per series, in the given colours (RGB), scaled to a shared maximum.
pub fn draw(
    area: &gtk::DrawingArea,
    cr: &gtk::cairo::Context,
    width: i32,
    height: i32,
    series: &[(Series, (f64, f64, f64))],
    fixed_max: Option<f64>,
) {
    let (w, h) = (f64::from(width), f64::from(height));
    // GTK 4.8 has no Widget::color yet; the style context gives the same colour.
    #[allow(deprecated)]
    let fg = area.style_context().color();
    cr.set_source_rgba(
        f64::from(fg.red()),
        f64::from(fg.green()),
        f64::from(fg.blue()),
        0.12,
    );
    cr.set_line_width(1.0);
    for i in 1..4 {
        let y = (h * f64::from(i) / 4.0).round() + 0.5;
        cr.move_to(0.0, y);
        cr.line_to(w, y);
    }
    let _ = cr.stroke();
    let max = fixed_max.unwrap_or_else(|| {
        series
            .iter()
            .flat_map(|(s, _)| s.borrow().clone())
            .filter(|v| v.is_finite())
            .fold(0.0_f64, f64::max)
            .max(1e-9)
            * 1.1
    });
    for (values, (r, g, b)) in series {
        let values = values.borrow();
        if values.len() < 2 {
            continue;
        }
        cr.set_source_rgb(*r, *g, *b);
        cr.set_line_width(1.5);
        let step = w / (values.len() - 1) as f64;
        let mut drawing = false;
        for (i, v) in values.iter().enumerate() {
            if !v.is_finite() {
                drawing = false;
                continue;
            }
            let x = i as f64 * step;
            let y = h - (v / max).clamp(0.0, 1.0) * (h - 2.0) - 1.0;
            if drawing {
                cr.line_to(x, y);
            } else {
                cr.move_to(x, y);
                drawing = true;
            }
        }
        let _ = cr.stroke();
    }
}

/// Theme-independent line colours that read on light and dark backgrounds.
pub const BLUE: (f64, f64, f64) = (0.21, 0.52, 0.89);
pub const ORANGE: (f64, f64, f64) = (0.90, 0.38, 0.0);
pub const GREEN: (f64, f64, f64) = (0.15, 0.64, 0.41);

/// A small chart for a list row.
pub fn sparkline(values: Series, colour: (f64, f64, f64)) -> gtk::DrawingArea {
    let area = gtk::DrawingArea::builder()
        .content_width(120)
        .content_height(28)
        .valign(gtk::Align::Center)
        .build();
    area.set_draw_func(move |area, cr, w, h| {
        draw(area, cr, w, h, &[(values.clone(), colour)], None)
    });
    area
}
