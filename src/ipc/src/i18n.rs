//! Gettext set-up shared by all three binaries.

pub use gettextrs::{gettext, ngettext};

/// Binds the `roxy` text domain to the locale directory of this build and selects the
/// user's locale. Failure leaves the program in English, which is never fatal.
pub fn init() {
    // SAFETY: called first thing in main, before any thread exists that could read the locale.
    unsafe {
        gettextrs::setlocale(gettextrs::LocaleCategory::LcAll, "");
    }
    let _ = gettextrs::bindtextdomain(crate::names::GETTEXT_PACKAGE, crate::names::LOCALEDIR);
    let _ = gettextrs::bind_textdomain_codeset(crate::names::GETTEXT_PACKAGE, "UTF-8");
    let _ = gettextrs::textdomain(crate::names::GETTEXT_PACKAGE);
}

/// Replaces `{}` placeholders in order; translators can move them but not reorder them.
pub fn fill(template: &str, args: &[&dyn std::fmt::Display]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut args = args.iter();
    let mut rest = template;
    while let Some(pos) = rest.find("{}") {
        out.push_str(&rest[..pos]);
        match args.next() {
            Some(a) => out.push_str(&a.to_string()),
            None => out.push_str("{}"),
        }
        rest = &rest[pos + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn fill_replaces_in_order() {
        assert_eq!(super::fill("{} of {}", &[&1, &"two"]), "1 of two");
        assert_eq!(super::fill("no args {}", &[]), "no args {}");
    }
}
