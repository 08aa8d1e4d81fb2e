//! Field formats: emails, phone numbers, amounts and dates, each checked and normalized in
//! one place so forms, CSV import, vCard import and D-Bus callers agree.

use super::FieldError;

/// An email address trimmed, with the domain lower-cased; `Ok("")` for an empty field.
pub fn email(field: &str, raw: &str) -> Result<String, FieldError> {
    let value = raw.trim();
    if value.is_empty() {
        return Ok(String::new());
    }
    let invalid = || {
        FieldError::new(
            field,
            format!("`{value}` is not an email address; write it as name@example.org"),
        )
    };
    let (local, domain) = value.rsplit_once('@').ok_or_else(invalid)?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.contains(char::is_whitespace)
        && !local.contains('@');
    if !domain_ok || !local_ok || value.len() > 254 {
        return Err(invalid());
    }
    Ok(format!("{local}@{}", domain.to_lowercase()))
}

/// The key two contacts share when they have the same address: the whole address lower-cased.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A phone number as written (trimmed); `Ok("")` for an empty field. Allowed: digits, spaces,
/// `+` at the start, and `-./()`; between 4 and 20 digits.
pub fn phone(field: &str, raw: &str) -> Result<String, FieldError> {
    let value = raw.trim();
    if value.is_empty() {
        return Ok(String::new());
    }
    let allowed = value.char_indices().all(|(i, c)| {
        c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '/' | '(' | ')') || (c == '+' && i == 0)
    });
    let digits = value.chars().filter(char::is_ascii_digit).count();
    if !allowed || !(4..=20).contains(&digits) {
        return Err(FieldError::new(
            field,
            format!("`{value}` is not a phone number; use digits, spaces, - and a leading + (4 to 20 digits)"),
        ));
    }
    Ok(value.to_string())
}

/// The key two contacts share when they have the same number: `+` and digits only, with a
/// leading `00` read as `+`.
pub fn phone_key(phone: &str) -> String {
    let trimmed = phone.trim();
    let mut key: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    if let Some(rest) = key.strip_prefix("00") {
        key = format!("+{rest}");
    } else if trimmed.starts_with('+') {
        key.insert(0, '+');
    }
    key
}

const MAX_CENTS: i64 = 100_000_000_000_000;

/// An amount of money in cents. Accepts `12000`, `12,000.50`, `12.5k`, `1.2m`; thousands
/// separators `,`, `'`, `_` and spaces; at most two decimals; not negative.
pub fn amount(field: &str, raw: &str) -> Result<i64, FieldError> {
    let value = raw.trim();
    let invalid = || {
        FieldError::new(
            field,
            format!(
                "`{value}` is not an amount; write e.g. 12000, 12,000.50 or 12k (not negative)"
            ),
        )
    };
    if value.is_empty() {
        return Err(invalid());
    }
    let lower = value.to_lowercase();
    let (number, factor) = match lower.strip_suffix('k') {
        Some(n) => (n, 1_000i64),
        None => match lower.strip_suffix('m') {
            Some(n) => (n, 1_000_000),
            None => (lower.as_str(), 1),
        },
    };
    let cleaned: String = number
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | '\'' | '_' | ' '))
        .collect();
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    let digits_only = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !digits_only(whole) || !digits_only(fraction) || fraction.len() > 6 {
        return Err(invalid());
    }
    if factor == 1 && fraction.len() > 2 {
        return Err(invalid());
    }
    let whole: i64 = whole.parse().map_err(|_| invalid())?;
    // Fraction as millionths so `1.25k` and `12.50` are exact.
    let millionths: i64 = format!("{fraction:0<6}").parse().map_err(|_| invalid())?;
    let cents = whole
        .checked_mul(factor * 100)
        .and_then(|c| c.checked_add(millionths * factor * 100 / 1_000_000))
        // At most a trillion (in cents), far above any deal and far below overflow.
        .filter(|c| *c <= MAX_CENTS)
        .ok_or_else(invalid)?;
    Ok(cents)
}

/// Cents as a plain number with two decimals, the way CSV export and the CLI write them.
pub fn format_amount(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, (cents % 100).abs())
}

/// A calendar date `YYYY-MM-DD`; `Ok("")` for an empty field.
pub fn date(field: &str, raw: &str) -> Result<String, FieldError> {
    let value = raw.trim();
    if value.is_empty() {
        return Ok(String::new());
    }
    chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map(|d| d.format("%Y-%m-%d").to_string())
        .map_err(|_| {
            FieldError::new(
                field,
                format!("`{value}` is not a date; write it as YYYY-MM-DD, e.g. 2026-12-01"),
            )
        })
}

/// A percentage 0–100.
pub fn percent(field: &str, value: i64) -> Result<i64, FieldError> {
    if (0..=100).contains(&value) {
        Ok(value)
    } else {
        Err(FieldError::new(
            field,
            format!("{value} is not a percentage; use 0 to 100"),
        ))
    }
}

/// A required, single-line text of at most `max` characters, trimmed.
pub fn required_text(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(FieldError::new(field, "must not be empty".to_string()));
    }
    optional_text(field, value, max)
}

/// An optional text of at most `max` characters, trimmed.
pub fn optional_text(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    let value = raw.trim();
    let chars = value.chars().count();
    if chars > max {
        return Err(FieldError::new(
            field,
            format!("is {chars} characters long; at most {max} are allowed"),
        ));
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_and_normalized() {
        assert_eq!(
            email("email", " Ada@Example.ORG ").unwrap(),
            "Ada@example.org"
        );
        assert_eq!(email("email", "").unwrap(), "");
        for bad in [
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "a b@example.org",
            "ada@exa..mple.org",
        ] {
            let err = email("email", bad).unwrap_err();
            assert_eq!(err.field, "email", "{bad}");
            assert!(
                err.message.contains("not an email"),
                "{bad}: {}",
                err.message
            );
        }
        assert_eq!(email_key("Ada@Example.org"), "ada@example.org");
    }

    #[test]
    fn phones_are_checked_and_keyed() {
        assert_eq!(
            phone("phone", "+49 30 1234-567").unwrap(),
            "+49 30 1234-567"
        );
        assert_eq!(phone_key("+49 30 1234-567"), "+49301234567");
        assert_eq!(phone_key("0049 30 1234567"), "+49301234567");
        assert_eq!(phone_key("(030) 1234567"), "0301234567");
        for bad in ["12", "call me", "+49 30 12+34", "123456789012345678901"] {
            assert!(phone("phone", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn amounts_parse_to_cents() {
        assert_eq!(amount("value", "12000").unwrap(), 1_200_000);
        assert_eq!(amount("value", "12,000.50").unwrap(), 1_200_050);
        assert_eq!(amount("value", "12k").unwrap(), 1_200_000);
        assert_eq!(amount("value", "1.25k").unwrap(), 125_000);
        assert_eq!(amount("value", "1.2M").unwrap(), 120_000_000);
        assert_eq!(amount("value", "0.5").unwrap(), 50);
        for bad in [
            "",
            "-5",
            "12.345",
            "abc",
            "1e5",
            "12k5",
            "99999999999999999",
        ] {
            let err = amount("value", bad).unwrap_err();
            assert!(err.message.contains("not an amount"), "{bad}");
        }
        assert_eq!(format_amount(1_200_050), "12000.50");
    }

    #[test]
    fn dates_must_be_iso() {
        assert_eq!(date("close_date", "2026-12-01").unwrap(), "2026-12-01");
        assert_eq!(date("close_date", "").unwrap(), "");
        for bad in ["2026-13-01", "01.12.2026", "2026-02-30", "tomorrow"] {
            let err = date("close_date", bad).unwrap_err();
            assert!(err.message.contains("YYYY-MM-DD"), "{bad}");
        }
    }

    #[test]
    fn texts_are_bounded() {
        assert!(required_text("name", "  ", 10).is_err());
        assert!(optional_text("notes", &"x".repeat(11), 10).is_err());
        assert_eq!(required_text("name", " Ada ", 10).unwrap(), "Ada");
        assert!(percent("probability", 101).is_err());
    }
}
