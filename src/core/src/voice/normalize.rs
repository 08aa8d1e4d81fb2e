//! Sentences and names reduced to comparable words: lower case, no punctuation, small numbers
//! spelled out (speech-to-text writes "scene 2" as often as "scene two").

const NUMBERS: &[&str] = &[
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
];

pub fn normalize(text: &str) -> Vec<String> {
    let cleaned: String = text
        .chars()
        .filter(|c| *c != '\'' && *c != '’')
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                ' '
            }
        })
        .collect();
    cleaned
        .split_whitespace()
        .map(|w| match w.parse::<usize>() {
            Ok(n) if n < NUMBERS.len() => NUMBERS[n].to_string(),
            _ => w.to_string(),
        })
        .collect()
}

/// Drops a leading "hey roxy" (as speech-to-text tends to spell it: "hey roxie", "hey, foxy")
/// so a transcript that still holds the wake phrase matches like one without it.
pub fn strip_wake_phrase(words: &[String]) -> &[String] {
    let similar = |w: &str, to: &str| strsim::normalized_levenshtein(w, to) >= 0.5;
    match words {
        [hey, name, rest @ ..]
            if matches!(hey.as_str(), "hey" | "hi" | "okay" | "ok" | "a")
                && similar(name, "roxy") =>
        {
            rest
        }
        [name, rest @ ..] if name == "roxy" || name == "heyroxy" => rest,
        _ => words,
    }
}

/// Drops a trained wake phrase (normalized words) from the start, each word allowed a slip.
pub fn strip_phrase<'a>(words: &'a [String], phrase: &[String]) -> &'a [String] {
    let similar = |w: &str, to: &str| strsim::normalized_levenshtein(w, to) >= 0.5;
    if phrase.is_empty()
        || words.len() < phrase.len()
        || !words.iter().zip(phrase).all(|(w, p)| similar(w, p))
    {
        return words;
    }
    &words[phrase.len()..]
}
