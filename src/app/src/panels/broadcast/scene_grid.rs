//! The scene grid: one big button per scene, the program scene highlighted (and in studio
//! mode the preview scene marked). A click switches; Alt+1…9 switch by position.

use relm4::gtk;
use relm4::gtk::prelude::*;
use roxy_ipc::broadcast::ObsStateInfo;
use roxy_ipc::i18n::{fill, gettext};

pub struct SceneGrid {
    pub widget: gtk::FlowBox,
    shown: (Vec<String>, String, String),
}

impl SceneGrid {
    pub fn new() -> Self {
        let widget = gtk::FlowBox::builder()
            .selection_mode(gtk::SelectionMode::None)
            .min_children_per_line(2)
            .max_children_per_line(4)
            .column_spacing(6)
            .row_spacing(6)
            .homogeneous(true)
            .build();
        Self {
            widget,
            shown: Default::default(),
        }
    }

    /// Rebuilds the buttons when the scenes or the highlighted ones changed.
    pub fn show(&mut self, state: &ObsStateInfo, switch: impl Fn(String) + Clone + 'static) {
        let wanted = (
            state.scenes.clone(),
            state.program_scene.clone(),
            state.preview_scene.clone(),
        );
        if wanted == self.shown {
            return;
        }
        while let Some(child) = self.widget.first_child() {
            self.widget.remove(&child);
        }
        for (index, scene) in state.scenes.iter().enumerate() {
            let button = gtk::Button::builder()
                .label(scene)
                .height_request(56)
                .build();
            if *scene == state.program_scene {
                button.add_css_class("suggested-action");
                button.set_tooltip_text(Some(&gettext("On program now")));
            } else if *scene == state.preview_scene {
                button.add_css_class("roxy-preview-scene");
                button.set_tooltip_text(Some(&gettext("In preview (studio mode)")));
            } else if index < 9 {
                button.set_tooltip_text(Some(&fill(&gettext("Switch (Alt+{})"), &[&(index + 1)])));
            }
            let switch = switch.clone();
            let name = scene.clone();
            button.connect_clicked(move |_| switch(name.clone()));
            self.widget.insert(&button, -1);
        }
        self.shown = wanted;
    }

    /// The scene names in grid order and which one is highlighted; for tests.
    pub fn highlighted(&self) -> Option<String> {
        let mut child = self.widget.first_child();
        while let Some(flow_child) = child {
            if let Some(button) = flow_child
                .first_child()
                .and_then(|w| w.downcast::<gtk::Button>().ok())
            {
                if button.has_css_class("suggested-action") {
                    return button.label().map(|l| l.to_string());
                }
            }
            child = flow_child.next_sibling();
        }
        None
    }

    /// Clicks the button of `scene`, as a person would; for tests.
    pub fn click(&self, scene: &str) -> bool {
        let mut child = self.widget.first_child();
        while let Some(flow_child) = child {
            if let Some(button) = flow_child
                .first_child()
                .and_then(|w| w.downcast::<gtk::Button>().ok())
            {
                if button.label().as_deref() == Some(scene) {
                    button.emit_clicked();
                    return true;
                }
            }
            child = flow_child.next_sibling();
        }
        false
    }
}
