//! The pipeline board: one column per stage with its forecast, deals as cards. Cards move by
//! drag and drop, or from the keyboard: Alt+←/→ to the neighbouring stage, Alt+↑/↓ within one.

use relm4::adw::prelude::*;
use relm4::gtk::{self, gdk, glib};
use roxy_ipc::crm::{money, DealInfo, ForecastInfo, StageInfo};
use roxy_ipc::i18n::{fill, gettext};
use std::cell::RefCell;
use std::rc::Rc;

/// What the board asks for: move a deal (deal, stage, position), or close it in a won/lost
/// stage (deal, won) — which needs a reason first.
#[derive(Clone)]
pub struct BoardActions {
    pub move_deal: Rc<dyn Fn(i64, i64, i64)>,
    pub close_deal: Rc<dyn Fn(i64, bool)>,
}

#[derive(Default)]
struct State {
    stages: Vec<StageInfo>,
    deals: Vec<DealInfo>,
}

pub struct Board {
    pub root: gtk::ScrolledWindow,
    columns: gtk::Box,
    state: Rc<RefCell<State>>,
    actions: BoardActions,
}

impl Board {
    pub fn new(actions: BoardActions) -> Self {
        let columns = gtk::Box::builder()
            .spacing(12)
            .margin_top(12)
            .margin_bottom(12)
            .margin_start(12)
            .margin_end(12)
            .build();
        let root = gtk::ScrolledWindow::builder()
            .vexpand(true)
            .hexpand(true)
            .child(&columns)
            .build();
        Self {
            root,
            columns,
            state: Rc::default(),
            actions,
        }
    }

    pub fn show(&self, stages: Vec<StageInfo>, deals: Vec<DealInfo>, forecast: &ForecastInfo) {
        while let Some(child) = self.columns.first_child() {
            self.columns.remove(&child);
        }
        for stage in &stages {
            let in_stage: Vec<&DealInfo> =
                deals.iter().filter(|d| d.stage_id == stage.id).collect();
            let line = forecast.stages.iter().find(|l| l.label == stage.name);
            self.columns.append(&self.column(stage, &in_stage, line));
        }
        *self.state.borrow_mut() = State { stages, deals };
    }

    fn column(
        &self,
        stage: &StageInfo,
        deals: &[&DealInfo],
        forecast: Option<&roxy_ipc::crm::ForecastLineInfo>,
    ) -> gtk::Box {
        let column = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(6)
            .width_request(230)
            .build();
        let title = gtk::Label::builder()
            .label(fill(
                &gettext("{} · {} %"),
                &[&stage.name, &stage.probability],
            ))
            .xalign(0.0)
            .build();
        title.add_css_class("heading");
        column.append(&title);
        let summary = match forecast {
            Some(f) => fill(
                &gettext("{} deals · {} · weighted {}"),
                &[&f.deals, &money(f.total_cents), &money(f.weighted_cents)],
            ),
            None => fill(&gettext("{} deals"), &[&deals.len()]),
        };
        let summary = gtk::Label::builder()
            .label(summary)
            .xalign(0.0)
            .wrap(true)
            .build();
        summary.add_css_class("caption");
        summary.add_css_class("dim-label");
        column.append(&summary);
        let list = gtk::ListBox::builder()
            .selection_mode(gtk::SelectionMode::Single)
            .vexpand(true)
            .build();
        list.add_css_class("boxed-list");
        list.set_placeholder(Some(&gtk::Label::new(Some(&gettext("Drop deals here")))));
        for deal in deals {
            list.append(&self.card(deal));
        }
        let drop = gtk::DropTarget::new(i64::static_type(), gdk::DragAction::MOVE);
        let (board, stage_id) = (self.handle(), stage.id);
        let target = list.clone();
        drop.connect_drop(move |_, value, _, y| {
            let Ok(deal) = value.get::<i64>() else {
                return false;
            };
            let position = target
                .row_at_y(y as i32)
                .map(|r| r.index() as i64)
                .unwrap_or(i64::MAX);
            board.place(deal, stage_id, position);
            true
        });
        list.add_controller(drop);
        column.append(&list);
        column
    }

    fn card(&self, deal: &DealInfo) -> gtk::ListBoxRow {
        let body = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(2)
            .margin_top(8)
            .margin_bottom(8)
            .margin_start(10)
            .margin_end(10)
            .build();
        let title = gtk::Label::builder()
            .label(&deal.title)
            .xalign(0.0)
            .wrap(true)
            .build();
        title.add_css_class("heading");
        body.append(&title);
        let mut facts = vec![deal.contact_name.clone(), money(deal.value_cents)];
        if !deal.close_date.is_empty() {
            facts.push(deal.close_date.clone());
        }
        let facts = gtk::Label::builder()
            .label(facts.join(" · "))
            .xalign(0.0)
            .wrap(true)
            .build();
        facts.add_css_class("caption");
        body.append(&facts);
        if !deal.reason.is_empty() {
            let reason = gtk::Label::builder()
                .label(&deal.reason)
                .xalign(0.0)
                .wrap(true)
                .build();
            reason.add_css_class("dim-label");
            body.append(&reason);
        }
        let row = gtk::ListBoxRow::builder().child(&body).build();
        row.set_widget_name(&format!("deal-{}", deal.id));
        row.set_tooltip_text(Some(&gettext("Drag, or Alt+arrow keys, to move the deal")));
        let drag = gtk::DragSource::new();
        drag.set_actions(gdk::DragAction::MOVE);
        drag.set_content(Some(&gdk::ContentProvider::for_value(&deal.id.to_value())));
        row.add_controller(drag);
        let keys = gtk::EventControllerKey::new();
        let (board, id) = (self.handle(), deal.id);
        keys.connect_key_pressed(move |_, key, _, modifiers| {
            if modifiers.contains(gdk::ModifierType::ALT_MASK) && board.key(id, key) {
                glib::Propagation::Stop
            } else {
                glib::Propagation::Proceed
            }
        });
        row.add_controller(keys);
        row
    }

    fn handle(&self) -> BoardHandle {
        BoardHandle {
            state: self.state.clone(),
            actions: self.actions.clone(),
        }
    }

    /// The Alt+arrow move of deal `id` (what the key controller does; tests call it too).
    pub fn key(&self, id: i64, key: gdk::Key) -> bool {
        self.handle().key(id, key)
    }

    /// Stage names with the titles of their deals, top to bottom.
    pub fn columns(&self) -> Vec<(String, Vec<String>)> {
        let state = self.state.borrow();
        state
            .stages
            .iter()
            .map(|s| {
                let mut deals: Vec<&DealInfo> =
                    state.deals.iter().filter(|d| d.stage_id == s.id).collect();
                deals.sort_by_key(|d| d.position);
                (
                    s.name.clone(),
                    deals.iter().map(|d| d.title.clone()).collect(),
                )
            })
            .collect()
    }
}

/// What the board's controllers hold: the shown state and the actions.
#[derive(Clone)]
struct BoardHandle {
    state: Rc<RefCell<State>>,
    actions: BoardActions,
}

impl BoardHandle {
    fn key(&self, id: i64, key: gdk::Key) -> bool {
        let (stage_index, position, stages) = {
            let state = self.state.borrow();
            let Some(deal) = state.deals.iter().find(|d| d.id == id) else {
                return false;
            };
            let Some(index) = state.stages.iter().position(|s| s.id == deal.stage_id) else {
                return false;
            };
            (index, deal.position, state.stages.clone())
        };
        let (to_stage, to_position) = match key {
            gdk::Key::Left if stage_index > 0 => (stage_index - 1, 0),
            gdk::Key::Right if stage_index + 1 < stages.len() => (stage_index + 1, 0),
            gdk::Key::Up if position > 0 => (stage_index, position - 1),
            gdk::Key::Down => (stage_index, position + 1),
            _ => return false,
        };
        self.place(id, stages[to_stage].id, to_position);
        true
    }

    /// Moving into a won or lost stage closes the deal, which asks for a reason.
    fn place(&self, deal: i64, stage_id: i64, position: i64) {
        let outcome = self
            .state
            .borrow()
            .stages
            .iter()
            .find(|s| s.id == stage_id)
            .map(|s| s.outcome.clone())
            .unwrap_or_default();
        match outcome.as_str() {
            "won" => (self.actions.close_deal)(deal, true),
            "lost" => (self.actions.close_deal)(deal, false),
            _ => (self.actions.move_deal)(deal, stage_id, position),
        }
    }
}
