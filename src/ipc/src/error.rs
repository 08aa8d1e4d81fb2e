//! Typed D-Bus errors. The daemon returns them; proxies turn the error names back into these
//! variants, so clients can match on the kind and show the sentence.

/// An error from roxyd. The string is a complete, human sentence that says what to do.
#[derive(Debug, zbus::DBusError)]
#[zbus(prefix = "io.github.skybeam.Roxy.Error")]
pub enum RoxyError {
    /// Transport failure: the bus or the daemon could not be reached.
    #[zbus(error)]
    ZBus(zbus::Error),
    /// An argument was not acceptable; the sentence names it and what is allowed.
    InvalidInput(String),
    /// The thing asked for does not exist.
    NotFound(String),
    /// A peer or resource is not available right now.
    Unavailable(String),
    /// Not allowed.
    Denied(String),
    /// The operation was tried and failed.
    Failed(String),
}

impl RoxyError {
    /// True when the daemon could not be reached at all (not running and not activatable,
    /// or the bus itself is missing).
    pub fn is_unreachable(&self) -> bool {
        match self {
            RoxyError::ZBus(zbus::Error::MethodError(name, _, _)) => matches!(
                name.as_str(),
                "org.freedesktop.DBus.Error.ServiceUnknown"
                    | "org.freedesktop.DBus.Error.NameHasNoOwner"
                    | "org.freedesktop.DBus.Error.Spawn.ChildExited"
                    | "org.freedesktop.DBus.Error.Spawn.ExecFailed"
                    | "org.freedesktop.DBus.Error.Spawn.Failed"
                    | "org.freedesktop.DBus.Error.NoReply"
                    | "org.freedesktop.DBus.Error.Disconnected"
            ),
            RoxyError::ZBus(zbus::Error::InputOutput(_)) => true,
            RoxyError::ZBus(zbus::Error::Address(_)) => true,
            _ => false,
        }
    }

    /// The sentence to show a person, without D-Bus jargon where it can be avoided.
    pub fn human(&self) -> String {
        use crate::i18n::gettext;
        match self {
            RoxyError::InvalidInput(s)
            | RoxyError::NotFound(s)
            | RoxyError::Unavailable(s)
            | RoxyError::Denied(s)
            | RoxyError::Failed(s) => s.clone(),
            RoxyError::ZBus(zbus::Error::MethodError(name, detail, _)) if self.is_unreachable() => {
                let detail = detail.clone().unwrap_or_else(|| name.to_string());
                format!(
                    "{} ({detail})",
                    gettext("The Roxy daemon is not running and could not be started. Check that roxyd is installed, or start it by hand with `roxyd`")
                )
            }
            RoxyError::ZBus(e) if self.is_unreachable() => format!(
                "{} ({e})",
                gettext("Cannot reach the D-Bus session bus. Is this a desktop session? Check DBUS_SESSION_BUS_ADDRESS")
            ),
            RoxyError::ZBus(zbus::Error::MethodError(_, Some(detail), _)) => detail.clone(),
            RoxyError::ZBus(e) => e.to_string(),
        }
    }
}

impl From<zbus::fdo::Error> for RoxyError {
    fn from(e: zbus::fdo::Error) -> Self {
        RoxyError::ZBus(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zbus::DBusError;

    #[test]
    fn error_names_carry_the_prefix() {
        let e = RoxyError::NotFound("No job 3.".into());
        assert_eq!(e.name().as_str(), "io.github.skybeam.Roxy.Error.NotFound");
        assert_eq!(e.human(), "No job 3.");
    }
}
