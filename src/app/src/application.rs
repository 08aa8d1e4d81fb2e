//! The main window: adaptive sidebar with the panels, the daemon banner, actions and
//! shortcuts, remembered size.

use crate::banner::{BannerInput, BannerOutput, DaemonBanner};
use crate::connection::{self, DaemonEvent, DaemonRequest};
use crate::jobs::{JobsInput, JobsOutput, JobsPanel};
use crate::panel::PanelId;
use crate::panels::broadcast::{BroadcastInput, BroadcastOutput, BroadcastPanel};
use crate::panels::crm::{CrmInput, CrmOutput, CrmPanel};
use crate::panels::docs::{DocsInput, DocsOutput, DocsPanel};
use crate::panels::infrastructure::{
    InfrastructureInput, InfrastructureOutput, InfrastructurePanel,
};
use crate::panels::metrics::{MetricsInput, MetricsOutput, MetricsPanel};
use crate::panels::runbooks::{RunbooksInput, RunbooksOutput, RunbooksPanel};
use crate::panels::voice::{VoiceInput, VoiceOutput, VoicePanel};
use crate::screenshot::ScreenshotRequest;
use crate::{about, config, preferences, screenshot, settings};
use relm4::adw::prelude::*;
use relm4::gtk::{gio, glib};
use relm4::{
    adw, gtk, Component, ComponentController, ComponentParts, ComponentSender, Controller,
    RelmWidgetExt,
};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::DaemonStatus;
use tokio::sync::mpsc;

#[derive(Debug, Default)]
pub struct AppInit {
    /// Render this panel to a PNG once the daemon state is known, then quit.
    pub screenshot: Option<ScreenshotRequest>,
    /// Open this run in the Runbooks panel (`--show-run`, a notification's Open).
    pub show_run: Option<u64>,
}

/// What the GUI knows about roxyd.
#[derive(Debug, Clone)]
pub enum DaemonState {
    Connecting,
    Connected(DaemonStatus),
    Unreachable(String),
}

pub struct App {
    settings: gio::Settings,
    current: PanelId,
    daemon: DaemonState,
    banner: Controller<DaemonBanner>,
    jobs: Controller<JobsPanel>,
    runbooks: Controller<RunbooksPanel>,
    infrastructure: Controller<InfrastructurePanel>,
    metrics: Controller<MetricsPanel>,
    crm: Controller<CrmPanel>,
    docs: Controller<DocsPanel>,
    broadcast: Controller<BroadcastPanel>,
    voice: Controller<VoicePanel>,
    requests: mpsc::UnboundedSender<DaemonRequest>,
    screenshot: Option<ScreenshotRequest>,
    /// Errors of requests show here for a few seconds.
    toasts: adw::ToastOverlay,
    preferences: Option<preferences::Preferences>,
    /// Set while the code selects a sidebar row, so the selection does not come back as a
    /// second `Select` (two in flight would chase each other forever).
    syncing_sidebar: std::rc::Rc<std::cell::Cell<bool>>,
}

#[derive(Debug)]
pub enum AppMsg {
    Select(PanelId),
    /// Show one run live in the Runbooks panel.
    ShowRun(u64),
    /// Show a runbook in the Runbooks panel (from the Docs reader's Run button).
    OpenRunbook(String),
    Request(DaemonRequest),
    ShowPreferences,
    ShowAbout,
    TakeScreenshot,
}

#[relm4::component(pub)]
impl Component for App {
    type Init = AppInit;
    type Input = AppMsg;
    type Output = ();
    type CommandOutput = DaemonEvent;

    view! {
        #[root]
        main_window = adw::ApplicationWindow {
            set_title: Some(&gettext("Roxy Command Center")),
            set_icon_name: Some(config::APP_ID),

            #[local_ref]
            toasts -> adw::ToastOverlay {
            #[wrap(Some)]
            #[name = "leaflet"]
            set_child = &adw::Leaflet {
                set_can_navigate_back: true,
                add_css_class: "roxy-main",

                #[name = "sidebar"]
                gtk::Box {
                    set_orientation: gtk::Orientation::Vertical,
                    set_width_request: 220,

                    #[name = "sidebar_header"]
                    adw::HeaderBar {
                        #[wrap(Some)]
                        set_title_widget = &adw::WindowTitle {
                            set_title: &gettext("Roxy"),
                        },
                        pack_end = &gtk::MenuButton {
                            set_icon_name: "open-menu-symbolic",
                            set_tooltip_text: Some(&gettext("Main Menu")),
                            set_menu_model: Some(&primary_menu()),
                            set_primary: true,
                        },
                    },

                    gtk::ScrolledWindow {
                        set_vexpand: true,
                        set_hscrollbar_policy: gtk::PolicyType::Never,

                        #[name = "sidebar_list"]
                        gtk::ListBox {
                            add_css_class: "navigation-sidebar",
                            set_selection_mode: gtk::SelectionMode::Browse,
                        },
                    },

                    #[name = "daemon_label"]
                    gtk::Label {
                        set_margin_all: 12,
                        set_xalign: 0.0,
                        set_wrap: true,
                        add_css_class: "caption",
                        #[watch]
                        set_label: &model.daemon_summary(),
                        #[watch]
                        set_css_classes: &["caption", model.daemon_class()],
                    },
                },

                append = &gtk::Separator {
                    set_orientation: gtk::Orientation::Vertical,
                } -> {
                    set_navigatable: false,
                },

                #[name = "content"]
                gtk::Box {
                    set_orientation: gtk::Orientation::Vertical,
                    set_hexpand: true,
                    set_width_request: 360,

                    #[name = "content_header"]
                    adw::HeaderBar {
                        #[name = "back_button"]
                        pack_start = &gtk::Button {
                            set_icon_name: "go-previous-symbolic",
                            set_tooltip_text: Some(&gettext("Back")),
                            connect_clicked[leaflet] => move |_| {
                                leaflet.navigate(adw::NavigationDirection::Back);
                            },
                        },
                        #[wrap(Some)]
                        set_title_widget = &adw::WindowTitle {
                            #[watch]
                            set_title: &model.current.title(),
                        },
                    },

                    append: model.banner.widget(),

                    #[name = "stack"]
                    adw::ViewStack {
                        set_vexpand: true,
                    },
                },
            },
            },

            connect_close_request[settings = model.settings.clone()] => move |window| {
                save_window_state(window, &settings);
                glib::Propagation::Proceed
            },
        }
    }

    fn init(
        init: AppInit,
        root: Self::Root,
        sender: ComponentSender<Self>,
    ) -> ComponentParts<Self> {
        config::load_style();
        let settings = settings::settings();
        settings::follow_color_scheme(&settings);

        let banner = DaemonBanner::builder()
            .launch(())
            .forward(sender.input_sender(), |out| match out {
                BannerOutput::StartDaemon => AppMsg::Request(DaemonRequest::Start),
            });
        let jobs = JobsPanel::builder()
            .launch(settings.boolean("confirm-cancel"))
            .forward(sender.input_sender(), |out| match out {
                JobsOutput::Request(r) => AppMsg::Request(r),
            });
        let runbooks = RunbooksPanel::builder()
            .launch(())
            .forward(sender.input_sender(), |out| match out {
                RunbooksOutput::Request(r) => AppMsg::Request(r),
            });
        let infrastructure = InfrastructurePanel::builder().launch(()).forward(
            sender.input_sender(),
            |out| match out {
                InfrastructureOutput::Request(r) => AppMsg::Request(r),
            },
        );
        let metrics = MetricsPanel::builder()
            .launch(())
            .forward(sender.input_sender(), |out| match out {
                MetricsOutput::Request(r) => AppMsg::Request(r),
            });
        let crm = CrmPanel::builder()
            .launch(())
            .forward(sender.input_sender(), |out| match out {
                CrmOutput::Request(r) => AppMsg::Request(r),
            });
        let docs =
            DocsPanel::builder()
                .launch(())
                .forward(sender.input_sender(), |out| match out {
                    DocsOutput::Request(r) => AppMsg::Request(r),
                    DocsOutput::OpenRunbook(id) => AppMsg::OpenRunbook(id),
                });
        let broadcast =
            BroadcastPanel::builder()
                .launch(())
                .forward(sender.input_sender(), |out| match out {
                    BroadcastOutput::Request(r) => AppMsg::Request(r),
                });
        let voice =
            VoicePanel::builder()
                .launch(())
                .forward(sender.input_sender(), |out| match out {
                    VoiceOutput::Request(r) => AppMsg::Request(r),
                });

        let (requests, inbox) = mpsc::unbounded_channel();
        sender.command(move |out, shutdown| {
            shutdown
                .register(connection::run(out, inbox))
                .drop_on_shutdown()
        });

        let current =
            PanelId::from_id(&settings.string("last-panel")).unwrap_or(PanelId::Infrastructure);
        let current = init.screenshot.as_ref().map(|s| s.panel).unwrap_or(current);
        let model = App {
            settings,
            current,
            daemon: DaemonState::Connecting,
            banner,
            jobs,
            runbooks,
            infrastructure,
            metrics,
            crm,
            docs,
            broadcast,
            voice,
            requests,
            screenshot: init.screenshot,
            toasts: adw::ToastOverlay::new(),
            preferences: None,
            syncing_sidebar: Default::default(),
        };
        let toasts = model.toasts.clone();
        let widgets = view_output!();
        if let Some(run) = init.show_run {
            sender.input(AppMsg::ShowRun(run));
        }

        model.fill_stack(&widgets);
        model.fill_sidebar(&widgets, &sender);
        bind_folding(&widgets);
        restore_window_state(&root, &model.settings);
        install_actions(&root, &sender, &model.settings, &model.jobs);
        ComponentParts { model, widgets }
    }

    fn update(&mut self, msg: AppMsg, sender: ComponentSender<Self>, root: &Self::Root) {
        match msg {
            AppMsg::Select(panel) => {
                self.current = panel;
                let _ = self.settings.set_string("last-panel", panel.id());
            }
            AppMsg::ShowRun(run) => {
                self.current = PanelId::Runbooks;
                self.runbooks.emit(RunbooksInput::OpenRun(run));
                root.present();
            }
            AppMsg::OpenRunbook(id) => {
                self.current = PanelId::Runbooks;
                self.runbooks.emit(RunbooksInput::OpenRunbook(id));
            }
            AppMsg::Request(request) => {
                let _ = self.requests.send(request);
            }
            AppMsg::ShowPreferences => {
                let send: preferences::Send =
                    std::rc::Rc::new(move |r| sender.input(AppMsg::Request(r)));
                self.preferences = Some(preferences::present(root, &self.settings, send));
            }
            AppMsg::ShowAbout => about::present(root),
            AppMsg::TakeScreenshot => {
                if let Some(request) = self.screenshot.take() {
                    let code = match screenshot::save_window(root.upcast_ref(), &request.path) {
                        Ok(()) => 0,
                        Err(e) => {
                            eprintln!("roxy: {e}");
                            1
                        }
                    };
                    screenshot::EXIT_CODE.with(|c| c.set(code));
                    relm4::main_application().quit();
                }
            }
        }
    }

    fn update_cmd(
        &mut self,
        event: DaemonEvent,
        sender: ComponentSender<Self>,
        _root: &Self::Root,
    ) {
        match event {
            DaemonEvent::Connected { status, jobs } => {
                self.banner.emit(BannerInput::Hide);
                self.jobs.emit(JobsInput::Connected(true));
                self.jobs.emit(JobsInput::Replace(jobs));
                self.daemon = DaemonState::Connected(status);
            }
            DaemonEvent::Disconnected(reason) => {
                self.banner.emit(BannerInput::Show(reason.clone()));
                self.broadcast.emit(BroadcastInput::DaemonGone);
                self.voice.emit(VoiceInput::DaemonGone);
                self.jobs.emit(JobsInput::Connected(false));
                self.daemon = DaemonState::Unreachable(reason);
            }
            DaemonEvent::JobAdded(job) | DaemonEvent::JobChanged(job) => {
                if job.kind.starts_with("voice-model") {
                    self.voice.emit(VoiceInput::ModelJob(job.clone()));
                }
                self.jobs.emit(JobsInput::Upsert(job));
            }
            DaemonEvent::Runbooks { runbooks, runs } => {
                self.runbooks.emit(RunbooksInput::Show { runbooks, runs });
            }
            DaemonEvent::Infra(event) => {
                self.infrastructure.emit(InfrastructureInput::Event(event));
            }
            DaemonEvent::Metrics(event) => self.metrics.emit(MetricsInput::Event(event)),
            DaemonEvent::Crm(event) => self.crm.emit(CrmInput::Event(event)),
            DaemonEvent::Docs(event) => self.docs.emit(DocsInput::Event(event)),
            DaemonEvent::Broadcast(event) => {
                self.broadcast.emit(BroadcastInput::Event(Box::new(event)))
            }
            DaemonEvent::Voice(event) => self.voice.emit(VoiceInput::Event(Box::new(event))),
            DaemonEvent::RunbookDetail { info, steps, runs } => {
                self.runbooks
                    .emit(RunbooksInput::Detail { info, steps, runs });
            }
            DaemonEvent::RunDetail { run, steps } => {
                self.runbooks.emit(RunbooksInput::RunDetail { run, steps });
            }
            DaemonEvent::StepChanged { run_id, step } => {
                self.runbooks
                    .emit(RunbooksInput::StepChanged { run_id, step });
            }
            DaemonEvent::RunLog { run_id, line } => {
                self.runbooks.emit(RunbooksInput::RunLog { run_id, line });
            }
            DaemonEvent::RunStarted(run) => {
                self.current = PanelId::Runbooks;
                self.runbooks.emit(RunbooksInput::OpenRun(run));
            }
            DaemonEvent::Plan { id, lines } => {
                self.runbooks.emit(RunbooksInput::Plan { id, lines });
            }
            DaemonEvent::Schedules(list) => {
                self.runbooks.emit(RunbooksInput::Schedules(list));
            }
            DaemonEvent::NoticeSettings(settings) => {
                if let Some(preferences) = self.preferences.as_ref().filter(|p| p.is_open()) {
                    preferences.show(&settings);
                }
            }
            DaemonEvent::Failed(message) | DaemonEvent::Told(message) => {
                let toast = adw::Toast::new(&message);
                toast.set_timeout(8);
                match self.preferences.as_ref().filter(|p| p.is_open()) {
                    Some(preferences) => preferences.toast(toast),
                    None => self.toasts.add_toast(toast),
                }
            }
        }
        if self.screenshot.is_some() && !matches!(self.daemon, DaemonState::Connecting) {
            // Let the layout and the revealer animation settle first.
            let sender = sender.clone();
            glib::timeout_add_local_once(std::time::Duration::from_millis(600), move || {
                sender.input(AppMsg::TakeScreenshot)
            });
        }
    }

    fn post_view() {
        if let Some(child) = widgets.stack.child_by_name(model.current.id()) {
            widgets.stack.set_visible_child(&child);
        }
        if let Some(row) = widgets
            .sidebar_list
            .row_at_index(model.current.index() as i32)
        {
            if widgets.sidebar_list.selected_row().as_ref() != Some(&row) {
                model.syncing_sidebar.set(true);
                widgets.sidebar_list.select_row(Some(&row));
                model.syncing_sidebar.set(false);
            }
        }
    }
}

impl App {
    pub fn daemon(&self) -> &DaemonState {
        &self.daemon
    }

    pub fn current_panel(&self) -> PanelId {
        self.current
    }

    pub fn banner(&self) -> &Controller<DaemonBanner> {
        &self.banner
    }

    pub fn jobs(&self) -> &Controller<JobsPanel> {
        &self.jobs
    }

    pub fn runbooks(&self) -> &Controller<RunbooksPanel> {
        &self.runbooks
    }

    pub fn infrastructure(&self) -> &Controller<InfrastructurePanel> {
        &self.infrastructure
    }

    pub fn metrics(&self) -> &Controller<MetricsPanel> {
        &self.metrics
    }

    pub fn crm(&self) -> &Controller<CrmPanel> {
        &self.crm
    }

    pub fn docs(&self) -> &Controller<DocsPanel> {
        &self.docs
    }

    pub fn broadcast(&self) -> &Controller<BroadcastPanel> {
        &self.broadcast
    }

    pub fn voice(&self) -> &Controller<VoicePanel> {
        &self.voice
    }

    fn daemon_summary(&self) -> String {
        match &self.daemon {
            DaemonState::Connecting => gettext("Connecting to the daemon…"),
            DaemonState::Connected(status) => {
                fill(&gettext("Daemon {} running"), &[&status.version])
            }
            DaemonState::Unreachable(_) => gettext("Daemon not running"),
        }
    }

    fn daemon_class(&self) -> &'static str {
        match self.daemon {
            DaemonState::Connected(_) => "success",
            DaemonState::Connecting => "dim-label",
            DaemonState::Unreachable(_) => "error",
        }
    }

    fn fill_stack(&self, widgets: &AppWidgets) {
        for panel in PanelId::ALL {
            let child: gtk::Widget = if panel == PanelId::Jobs {
                self.jobs.widget().clone().upcast()
            } else if panel == PanelId::Runbooks {
                self.runbooks.widget().clone().upcast()
            } else if panel == PanelId::Infrastructure {
                self.infrastructure.widget().clone().upcast()
            } else if panel == PanelId::Metrics {
                self.metrics.widget().clone().upcast()
            } else if panel == PanelId::Crm {
                self.crm.widget().clone().upcast()
            } else if panel == PanelId::Docs {
                self.docs.widget().clone().upcast()
            } else if panel == PanelId::Broadcast {
                self.broadcast.widget().clone().upcast()
            } else if panel == PanelId::Voice {
                self.voice.widget().clone().upcast()
            } else {
                continue;
            };
            widgets
                .stack
                .add_titled(&child, Some(panel.id()), &panel.title())
                .set_icon_name(Some(panel.icon()));
        }
    }

    fn fill_sidebar(&self, widgets: &AppWidgets, sender: &ComponentSender<Self>) {
        for panel in PanelId::ALL {
            let row = gtk::Box::builder()
                .spacing(12)
                .margin_top(6)
                .margin_bottom(6)
                .build();
            row.append(&gtk::Image::from_icon_name(panel.icon()));
            row.append(&gtk::Label::new(Some(&panel.title())));
            widgets.sidebar_list.append(&row);
        }
        let sender = sender.clone();
        let syncing = self.syncing_sidebar.clone();
        widgets.sidebar_list.connect_row_selected(move |_, row| {
            if syncing.get() {
                return;
            }
            if let Some(panel) = row.and_then(|r| PanelId::ALL.get(r.index() as usize)) {
                sender.input(AppMsg::Select(*panel));
            }
        });
        // Activation (click, Enter) also moves a folded window on to the content.
        let leaflet = widgets.leaflet.clone();
        let content = widgets.content.clone();
        widgets
            .sidebar_list
            .connect_row_activated(move |_, _| leaflet.set_visible_child(&content));
    }
}

fn primary_menu() -> gio::Menu {
    let menu = gio::Menu::new();
    let section = gio::Menu::new();
    section.append(Some(&gettext("_Preferences")), Some("win.preferences"));
    section.append(
        Some(&gettext("_Keyboard Shortcuts")),
        Some("win.show-help-overlay"),
    );
    section.append(Some(&gettext("_About Roxy")), Some("win.about"));
    menu.append_section(None, &section);
    let quit = gio::Menu::new();
    quit.append(Some(&gettext("_Quit")), Some("app.quit"));
    menu.append_section(None, &quit);
    menu
}

/// Show back button and title buttons depending on whether the leaflet is folded.
fn bind_folding(widgets: &AppWidgets) {
    let flags = glib::BindingFlags::SYNC_CREATE;
    widgets
        .leaflet
        .bind_property("folded", &widgets.sidebar_header, "show-end-title-buttons")
        .flags(flags)
        .build();
    widgets
        .leaflet
        .bind_property(
            "folded",
            &widgets.content_header,
            "show-start-title-buttons",
        )
        .flags(flags)
        .build();
    widgets
        .leaflet
        .bind_property("folded", &widgets.back_button, "visible")
        .flags(flags)
        .build();
}

fn install_actions(
    window: &adw::ApplicationWindow,
    sender: &ComponentSender<App>,
    settings: &gio::Settings,
    jobs: &Controller<JobsPanel>,
) {
    let app = relm4::main_application();

    let show_panel = gio::SimpleAction::new("show-panel", Some(glib::VariantTy::STRING));
    let s = sender.clone();
    show_panel.connect_activate(move |_, target| {
        if let Some(panel) = target.and_then(|t| t.str()).and_then(PanelId::from_id) {
            s.input(AppMsg::Select(panel));
        }
    });
    window.add_action(&show_panel);
    for panel in PanelId::ALL {
        app.set_accels_for_action(
            &format!("win.show-panel::{}", panel.id()),
            &[panel.accelerator()],
        );
    }

    let simple = |name: &str, msg: fn() -> AppMsg| {
        let action = gio::SimpleAction::new(name, None);
        let s = sender.clone();
        action.connect_activate(move |_, _| s.input(msg()));
        window.add_action(&action);
    };
    simple("preferences", || AppMsg::ShowPreferences);
    simple("about", || AppMsg::ShowAbout);
    app.set_accels_for_action("win.preferences", &["<Control>comma"]);

    // app.show-run(t): also reachable over org.freedesktop.Application (roxyd's notices).
    let show_run = gio::SimpleAction::new("show-run", Some(glib::VariantTy::UINT64));
    let s = sender.clone();
    show_run.connect_activate(move |_, target| {
        if let Some(run) = target.and_then(|t| t.get::<u64>()) {
            s.input(AppMsg::ShowRun(run));
        }
    });
    app.add_action(&show_run);

    let quit = gio::SimpleAction::new("quit", None);
    let w = window.clone();
    quit.connect_activate(move |_, _| w.close());
    app.add_action(&quit);
    app.set_accels_for_action("app.quit", &["<Control>q"]);
    app.set_accels_for_action("window.close", &["<Control>w"]);

    let jobs_sender = jobs.sender().clone();
    settings.connect_changed(Some("confirm-cancel"), move |s, key| {
        let _ = jobs_sender.send(JobsInput::SetConfirmCancel(s.boolean(key)));
    });
}

fn restore_window_state(window: &adw::ApplicationWindow, settings: &gio::Settings) {
    window.set_default_size(settings.int("window-width"), settings.int("window-height"));
    if settings.boolean("window-maximized") {
        window.maximize();
    }
}

fn save_window_state(window: &adw::ApplicationWindow, settings: &gio::Settings) {
    let (width, height) = window.default_size();
    let _ = settings.set_int("window-width", width);
    let _ = settings.set_int("window-height", height);
    let _ = settings.set_boolean("window-maximized", window.is_maximized());
}
