//! Names derived from the one app-id source.

include!(concat!(env!("OUT_DIR"), "/names.rs"));

/// Gettext domain of every Roxy binary.
pub const GETTEXT_PACKAGE: &str = "roxy";

/// Object path of the job with the given id.
pub fn job_path(id: u64) -> String {
    format!("{JOBS_PATH}/{id}")
}

/// The job id at the end of a job object path, if it is one.
pub fn job_id_from_path(path: &str) -> Option<u64> {
    path.strip_prefix(JOBS_PATH)?
        .strip_prefix('/')?
        .parse()
        .ok()
}

/// Interface names. Literal because zbus' attribute macros need literals; `tests` below checks
/// they derive from [`BASE_APP_ID`].
pub mod interfaces {
    pub const DAEMON1: &str = "io.github.skybeam.Roxy.Daemon1";
    pub const JOBS1: &str = "io.github.skybeam.Roxy.Jobs1";
    pub const JOB1: &str = "io.github.skybeam.Roxy.Job1";
    pub const RUNBOOKS1: &str = "io.github.skybeam.Roxy.Runbooks1";
    pub const SECRETS1: &str = "io.github.skybeam.Roxy.Secrets1";
    pub const NOTIFICATIONS1: &str = "io.github.skybeam.Roxy.Notifications1";
    pub const METRICS1: &str = "io.github.skybeam.Roxy.Metrics1";
    pub const INFRA1: &str = "io.github.skybeam.Roxy.Infra1";
    pub const CRM1: &str = "io.github.skybeam.Roxy.Crm1";
    pub const DOCS1: &str = "io.github.skybeam.Roxy.Docs1";
    pub const BROADCAST1: &str = "io.github.skybeam.Roxy.Broadcast1";
    pub const VOICE1: &str = "io.github.skybeam.Roxy.Voice1";
    pub const ERROR_PREFIX_LITERAL: &str = "io.github.skybeam.Roxy.Error";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_names_follow_the_app_id_file() {
        for name in [
            interfaces::DAEMON1,
            interfaces::JOBS1,
            interfaces::JOB1,
            interfaces::RUNBOOKS1,
            interfaces::SECRETS1,
            interfaces::NOTIFICATIONS1,
            interfaces::METRICS1,
            interfaces::INFRA1,
            interfaces::CRM1,
            interfaces::DOCS1,
            interfaces::BROADCAST1,
            interfaces::VOICE1,
            interfaces::ERROR_PREFIX_LITERAL,
        ] {
            assert!(
                name.starts_with(&format!("{BASE_APP_ID}.")),
                "{name} does not start with {BASE_APP_ID}"
            );
        }
        assert_eq!(interfaces::ERROR_PREFIX_LITERAL, ERROR_PREFIX);
    }

    #[test]
    fn derived_names() {
        assert!(APP_ID.starts_with(BASE_APP_ID));
        assert_eq!(DAEMON_BUS_NAME, format!("{APP_ID}.Daemon"));
        assert!(
            DAEMON_BUS_NAME != APP_ID,
            "the daemon must not own the GApplication id"
        );
        assert_eq!(
            DAEMON_PATH,
            format!("/{}/Daemon", BASE_APP_ID.replace('.', "/"))
        );
        zbus::names::WellKnownName::try_from(DAEMON_BUS_NAME).unwrap();
        zbus::zvariant::ObjectPath::try_from(job_path(7)).unwrap();
    }

    #[test]
    fn job_paths_round_trip() {
        assert_eq!(job_id_from_path(&job_path(42)), Some(42));
        assert_eq!(job_id_from_path(&format!("{JOBS_PATH}/x")), None);
        assert_eq!(job_id_from_path("/elsewhere/1"), None);
    }
}
