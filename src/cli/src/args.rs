//! The command line, as clap sees it.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "roxyctl",
    version,
    about = "Drive the Roxy Command Center daemon",
    long_about = "Drive the Roxy Command Center daemon (roxyd) over the D-Bus session bus. \
                  The daemon is started on demand by D-Bus activation."
)]
pub struct Cli {
    /// Print machine-readable JSON instead of text (one object, or one per line for streams)
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the daemon's version, uptime, database and running jobs
    Status,
    /// Check that the daemon answers, and how fast
    Ping {
        /// Number of round trips to measure
        #[arg(long, short = 'c', default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        count: u32,
    },
    /// List, watch and cancel background jobs
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// Database maintenance (runs as jobs)
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff)
    Man,
}

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// List running and recently finished jobs
    List,
    /// Follow job progress and output; with an ID, until that job ends
    Watch {
        /// Only this job; exit status tells whether it succeeded
        id: Option<u64>,
    },
    /// Ask a running job to stop
    Cancel { id: u64 },
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Check the database file's integrity
    Check {
        /// Wait for the result and show progress
        #[arg(long, short)]
        follow: bool,
    },
    /// Copy the live database to a new file
    Backup {
        /// Destination file; must not exist yet
        file: PathBuf,
        /// Wait for the result and show progress
        #[arg(long, short)]
        follow: bool,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn rejects_unknown_arguments_and_bad_numbers() {
        assert!(Cli::try_parse_from(["roxyctl", "jobs", "cancel", "abc"]).is_err());
        assert!(Cli::try_parse_from(["roxyctl", "ping", "--count", "0"]).is_err());
        assert!(Cli::try_parse_from(["roxyctl", "frobnicate"]).is_err());
        let ok = Cli::try_parse_from(["roxyctl", "--json", "jobs", "watch", "7"]).unwrap();
        assert!(ok.json);
        assert!(matches!(
            ok.command,
            Command::Jobs {
                command: JobsCommand::Watch { id: Some(7) }
            }
        ));
    }
}
