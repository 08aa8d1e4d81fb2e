//! How run and step states look: the words people read and the pill's colour.

use roxy_ipc::i18n::gettext;

/// The CSS class of the state pill.
pub fn css_class(state: &str) -> &'static str {
    match state {
        "succeeded" | "ok" => "success",
        "failed" | "interrupted" | "rolled_back" => "error",
        "cancelled" | "awaiting_approval" | "waiting_approval" => "warning",
        "pending" | "skipped" => "dim",
        _ => "accent",
    }
}

/// The translated state name.
pub fn label(state: &str) -> String {
    match state {
        "pending" => gettext("pending"),
        "running" => gettext("running"),
        "waiting_approval" | "awaiting_approval" => gettext("needs approval"),
        "ok" => gettext("ok"),
        "succeeded" => gettext("succeeded"),
        "failed" => gettext("failed"),
        "skipped" => gettext("skipped"),
        "cancelled" => gettext("cancelled"),
        "interrupted" => gettext("interrupted"),
        "rolled_back" => gettext("rolled back"),
        other => other.replace('_', " "),
    }
}

/// `1.2 s`, `3 min 4 s`: how long something between two Unix-ms times took.
pub fn duration(started_at: i64, finished_at: i64) -> String {
    if started_at <= 0 || finished_at < started_at {
        return String::new();
    }
    let ms = finished_at - started_at;
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        format!("{} min {} s", ms / 60_000, (ms % 60_000) / 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(1000, 1250), "250 ms");
        assert_eq!(duration(1000, 2234), "1.2 s");
        assert_eq!(duration(1000, 1000 + 184_000), "3 min 4 s");
        assert_eq!(duration(0, 5), "");
        assert_eq!(duration(10, 5), "");
    }
}
