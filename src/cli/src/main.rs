//! roxyctl — drive the Roxy daemon from a terminal or a script.

mod args;
mod commands;
mod output;
mod watch;

use args::{
    AlertsCommand, AuditCommand, CheckCommand, Cli, Command, DbCommand, InfraCommand, JobsCommand,
    MetricsCommand, NotifyCommand, RunbookCommand, ScheduleCommand, SecretCommand, WebhookCommand,
};
use clap::{CommandFactory, Parser};
use output::Output;
use std::process::ExitCode;

fn main() -> ExitCode {
    roxy_ipc::i18n::init();
    let cli = Cli::parse();
    let out = Output { json: cli.json };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return out.error(&anyhow::anyhow!(e)),
    };
    match runtime.block_on(run(cli.command, out)) {
        Ok(code) => code,
        Err(e) => out.error(&e),
    }
}

async fn run(command: Command, out: Output) -> anyhow::Result<ExitCode> {
    match command {
        Command::Completions { shell } => {
            // Rendered first, so a reader that stops early (`| head`) ends roxyctl quietly.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "roxyctl", &mut script);
            output::write(&String::from_utf8_lossy(&script));
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut page)?;
            output::write(&String::from_utf8_lossy(&page));
            Ok(ExitCode::SUCCESS)
        }
        Command::Status => commands::status::status(out).await,
        Command::Ping { count } => commands::status::ping(out, count).await,
        Command::Jobs { command } => match command {
            JobsCommand::List => commands::jobs::list(out).await,
            JobsCommand::Watch { id } => commands::jobs::watch(out, id).await,
            JobsCommand::Cancel { id } => commands::jobs::cancel(out, id).await,
        },
        Command::Runbook { command } => match command {
            RunbookCommand::List => commands::runbook::list(out).await,
            RunbookCommand::Show { id } => commands::runbook::show(out, &id).await,
            RunbookCommand::Validate { files } => commands::runbook::validate(out, &files).await,
            RunbookCommand::Run {
                id,
                vars,
                skip,
                approve,
                dry_run,
                follow,
            } => commands::runbook::run(out, &id, vars, skip, approve, dry_run, follow).await,
            RunbookCommand::Runs { id, limit } => {
                commands::runbook::runs(out, id.as_deref(), limit).await
            }
            RunbookCommand::Status { run } => commands::runbook::status(out, run).await,
            RunbookCommand::Cancel { run } => commands::runbook::cancel(out, run).await,
            RunbookCommand::Resume { run, follow } => {
                commands::runbook::resume(out, run, follow).await
            }
            RunbookCommand::Approve { run } => commands::runbook::approve(out, run).await,
            RunbookCommand::Skip { run, step } => commands::runbook::skip(out, run, &step).await,
            RunbookCommand::Reload => commands::runbook::reload(out).await,
        },
        Command::Schedule { command } => match command {
            ScheduleCommand::List => commands::schedule::list(out).await,
            ScheduleCommand::Add {
                runbook,
                cron,
                every,
                daily,
                missed,
            } => {
                let (kind, spec) = match (cron, every, daily) {
                    (Some(c), _, _) => ("cron", c),
                    (_, Some(e), _) => ("every", e),
                    (_, _, Some(d)) => ("daily", d),
                    _ => unreachable!("clap requires one of --cron, --every, --daily"),
                };
                commands::schedule::add(out, &runbook, kind, &spec, &missed.replace('-', "_")).await
            }
            ScheduleCommand::Remove { id } => commands::schedule::remove(out, id).await,
            ScheduleCommand::Pause { id } => commands::schedule::pause(out, id, true).await,
            ScheduleCommand::Resume { id } => commands::schedule::pause(out, id, false).await,
            ScheduleCommand::PauseAll => commands::schedule::suspend(out, true).await,
            ScheduleCommand::ResumeAll => commands::schedule::suspend(out, false).await,
        },
        Command::Secret { command } => match command {
            SecretCommand::Set { name } => commands::secret::set(out, &name).await,
            SecretCommand::List => commands::secret::list(out).await,
            SecretCommand::Delete { name } => commands::secret::delete(out, &name).await,
            SecretCommand::Scan { folder } => commands::secret::scan(out, folder).await,
            SecretCommand::Import { place, name } => {
                commands::secret::import(out, &place, &name).await
            }
        },
        Command::Autostart { state } => {
            commands::status::autostart(out, state.map(|s| s == "on")).await
        }
        Command::Metrics { command } => match command {
            MetricsCommand::Now => commands::metrics::now(out).await,
            MetricsCommand::History { metric, range } => {
                commands::metrics::history(out, &metric, range).await
            }
            MetricsCommand::Energy => commands::metrics::energy(out).await,
            MetricsCommand::Scorecard => commands::metrics::scorecard(out).await,
            MetricsCommand::Prometheus { port } => {
                commands::metrics::prometheus(out, port.as_deref()).await
            }
            MetricsCommand::Push { metric, value } => {
                commands::metrics::push(out, &metric, value).await
            }
        },
        Command::Infra { command } => match command {
            InfraCommand::Engine { socket } => commands::infra::engine(out, socket).await,
            InfraCommand::Containers => commands::infra::containers(out).await,
            InfraCommand::Start { container } => {
                commands::infra::action(out, &container, "start").await
            }
            InfraCommand::Stop { container } => {
                commands::infra::action(out, &container, "stop").await
            }
            InfraCommand::Restart { container } => {
                commands::infra::action(out, &container, "restart").await
            }
            InfraCommand::Logs {
                container,
                lines,
                follow,
            } => commands::infra::logs(out, &container, lines, follow).await,
            InfraCommand::Heal { container, mode } => {
                commands::infra::heal(out, &container, &mode).await
            }
            InfraCommand::Units { failed } => commands::infra::units(out, failed).await,
            InfraCommand::Unit { action, unit } => {
                commands::infra::unit_action(out, &unit, &action).await
            }
            InfraCommand::Checks => commands::checks::list(out).await,
            InfraCommand::Check { command } => match command {
                CheckCommand::Add {
                    name,
                    target,
                    every,
                    timeout,
                    keyword,
                    status,
                    warn_days,
                    expect,
                    disabled,
                } => {
                    let spec = roxy_ipc::CheckSpecInfo {
                        name,
                        target,
                        interval_ms: every,
                        timeout_ms: timeout,
                        keyword,
                        status,
                        warn_days,
                        expect,
                        enabled: !disabled,
                    };
                    commands::checks::add(out, spec).await
                }
                CheckCommand::Remove { name } => commands::checks::remove(out, &name).await,
                CheckCommand::History { name, limit } => {
                    commands::checks::history(out, &name, limit).await
                }
            },
        },
        Command::Crm { command } => commands::crm::run(out, command).await,
        Command::Docs { command } => commands::docs::run(out, command).await,
        Command::Obs(args) => commands::obs::run(out, args).await,
        Command::Ndi { command } => commands::ndi::run(out, command).await,
        Command::Voice { command } => commands::voice::run(out, command).await,
        Command::Alerts { command } => match command {
            AlertsCommand::List { all } => commands::alerts::list(out, all).await,
            AlertsCommand::Rules => commands::alerts::rules(out).await,
            AlertsCommand::Add {
                name,
                condition,
                hold,
                severity,
            } => {
                let rule = roxy_ipc::AlertRuleInfo {
                    name,
                    condition,
                    for_seconds: hold,
                    severity,
                    enabled: true,
                };
                commands::alerts::add(out, rule).await
            }
            AlertsCommand::Remove { name } => commands::alerts::remove(out, &name).await,
            AlertsCommand::Enable { name } => commands::alerts::enable(out, &name, true).await,
            AlertsCommand::Disable { name } => commands::alerts::enable(out, &name, false).await,
        },
        Command::Notify { command } => match command {
            NotifyCommand::Status => commands::notify::status(out).await,
            NotifyCommand::Profile { kind, profile } => {
                commands::notify::profile(out, &kind, &profile).await
            }
            NotifyCommand::Dnd { state } => commands::notify::dnd(out, state == "on").await,
            NotifyCommand::DigestInterval { minutes } => {
                commands::notify::digest_interval(out, minutes).await
            }
            NotifyCommand::Flush => commands::notify::flush(out).await,
            NotifyCommand::Unmute { source } => commands::notify::unmute(out, &source).await,
        },
        Command::Webhook { command } => match command {
            WebhookCommand::List => commands::webhook::list(out).await,
            WebhookCommand::Add {
                name,
                url,
                format,
                profiles,
                secret,
            } => {
                let webhook = roxy_ipc::WebhookInfo {
                    name,
                    url,
                    format,
                    profiles,
                    secret,
                    last_result: String::new(),
                };
                commands::webhook::add(out, webhook).await
            }
            WebhookCommand::Remove { name } => commands::webhook::remove(out, &name).await,
            WebhookCommand::Test { name } => commands::webhook::test(out, &name).await,
        },
        Command::Audit { command } => match command {
            AuditCommand::Tail { lines } => commands::audit::show(out, "", lines).await,
            AuditCommand::Search { text, limit } => commands::audit::show(out, &text, limit).await,
            AuditCommand::Export { .. } => commands::audit::export().await,
        },
        Command::Db { command } => match command {
            DbCommand::Check { follow } => commands::db::check(out, follow).await,
            DbCommand::Backup { file, follow } => commands::db::backup(out, file, follow).await,
        },
    }
}
