//! Output: aligned tables for people, JSON for programs. Secrets appear only where the caller
//! passes one explicitly.

use std::borrow::Cow;
use std::io::Write as _;

use chrono::{DateTime, SecondsFormat, Utc};
use patkit::PatMetadata;
use patkit::azure::Targets;
use serde_json::{Value, json};

/// Writes `text` to stdout. A closed pipe (`patctl list | head`) is not an error.
pub fn out(text: &str) {
    let _ = try_out(text);
}

/// Writes `text` to stdout and says whether it got there (for output that must not be lost).
pub fn try_out(text: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush())
}

/// Pretty JSON and a newline.
pub fn out_json(value: &Value) {
    let _ = try_out_json(value);
}

/// Pretty JSON and a newline, saying whether it got there.
pub fn try_out_json(value: &Value) -> std::io::Result<()> {
    try_out(&format!("{}\n", json_for_terminals(&serde_json::to_string_pretty(value).expect("JSON values serialize"))))
}

/// `json` with the control characters serde_json leaves as they are (DEL, the C1 controls) and
/// the bidirectional-text controls written as `\uXXXX` escapes: the same JSON value, safe to
/// show on a terminal. (Those characters can only occur inside JSON strings, where the escape
/// means the same character.)
fn json_for_terminals(json: &str) -> Cow<'_, str> {
    let needs = |c: char| c.is_control() || is_bidi_control(c);
    if !json.chars().any(needs) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        // serde_json already escaped C0 controls inside strings; the newlines left are its own.
        if needs(c) && !matches!(c, '\n' | '\t' | '\r' | ' ') {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` safe to print on a terminal: control characters (C0, DEL, C1: escape sequences,
/// newlines, bells) and the bidirectional-text controls that reorder what is shown become
/// `\n`, `\t`, `\r` or `\u{…}`. Display names and other text from the server go through it.
pub fn clean(text: &str) -> Cow<'_, str> {
    clean_keeping(text, &[])
}

/// [`clean`], keeping the characters in `keep` (e.g. the newlines of a multi-line message).
pub fn clean_keeping<'a>(text: &'a str, keep: &[char]) -> Cow<'a, str> {
    let unsafe_char = |c: char| !keep.contains(&c) && (c.is_control() || is_bidi_control(c));
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if !unsafe_char(c) => out.push(c),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
        }
    }
    Cow::Owned(out)
}

/// The Unicode controls that change the display order of text (the "Trojan Source" characters).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

pub fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// An expiry, or `never` for a token without one.
pub fn expiry(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(|| "never".to_owned(), time)
}

/// Whether an Azure DevOps token is global (its `targets` extra).
pub fn is_global(m: &PatMetadata) -> bool {
    Targets::of(m).is_some_and(|t| t.is_global())
}

pub fn scopes(m: &PatMetadata) -> String {
    m.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")
}

/// A token as JSON (no secret).
pub fn token_json(m: &PatMetadata, status: &str) -> Value {
    json!({
        "id": m.id.as_str(),
        "display_name": m.display_name,
        "status": status,
        "scopes": scopes(m),
        "valid_from": time(m.valid_from),
        "valid_to": m.valid_to.map(time),
        "global": is_global(m),
        "organizations": match Targets::of(m) {
            Some(Targets::Organizations(ids)) => json!(ids),
            _ => Value::Null,
        },
    })
}

/// Adds what patctl knows beyond the library's report shape (`status`, `global`,
/// `organizations`, as [`token_json`] has them) to a token object of a serialized report. The
/// report schemas allow such extra fields on token objects only.
pub fn annotate_token(token: &mut Value, m: &PatMetadata, status: &str) {
    if let (Value::Object(into), Value::Object(extra)) = (token, token_json(m, status)) {
        for key in ["status", "global", "organizations"] {
            if let Some(v) = extra.get(key) {
                into.insert(key.to_owned(), v.clone());
            }
        }
    }
}

/// A report as the library serializes it (the versioned shape of `schemas/`).
pub fn report_json(report: &impl serde::Serialize) -> Value {
    serde_json::to_value(report).expect("reports serialize")
}

pub const TOKEN_HEADERS: [&str; 5] = ["ID", "NAME", "STATUS", "EXPIRES", "SCOPES"];

/// A token as a table row, matching [`TOKEN_HEADERS`].
pub fn token_row(m: &PatMetadata, status: &str) -> Vec<String> {
    let name = if is_global(m) { format!("{} (global)", m.display_name) } else { m.display_name.clone() };
    vec![m.id.to_string(), name, status.to_owned(), expiry(m.valid_to), scopes(m)]
}

/// Left-aligned columns separated by two spaces; the last column is not padded.
/// Every cell goes through [`clean`], so no cell can break the layout or drive the terminal.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<String>> =
        rows.iter().map(|row| row.iter().map(|cell| clean(cell).into_owned()).collect()).collect();
    let rows = rows.as_slice();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let cells: Vec<&str> = cells.collect();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(cell);
                text.push_str(&" ".repeat(widths[i] - cell.chars().count() + 2));
            }
        }
        text.push('\n');
    };
    line(&mut headers.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    text
}

/// `key: value` lines for one object.
/// Values go through [`clean`].
pub fn fields(pairs: &[(&str, String)]) -> String {
    let width = pairs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    pairs.iter().map(|(k, v)| format!("{k:<width$}  {}\n", clean(v))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns() {
        let t = table(&["A", "BB"], &[vec!["xxx".into(), "y".into()], vec!["z".into(), "w".into()]]);
        assert_eq!(t, "A    BB\nxxx  y\nz    w\n");
    }

    #[test]
    fn json_for_terminals_escapes_what_serde_json_leaves_and_means_the_same() {
        let value = json!({"name": "a\u{9b}31mb\u{7f}\u{202e}\x1b\n"});
        let text = json_for_terminals(&serde_json::to_string_pretty(&value).unwrap()).into_owned();
        assert!(!text.contains(['\u{9b}', '\u{7f}', '\u{202e}', '\x1b']), "{text:?}");
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), value);
    }

    #[test]
    fn clean_escapes_control_and_bidi_characters() {
        assert!(matches!(clean("build agent (CI) é"), Cow::Borrowed(_)));
        assert_eq!(clean("a\x1b[31mb\nc\td\r\x07\x7f\u{9b}"), "a\\u{1b}[31mb\\nc\\td\\r\\u{7}\\u{7f}\\u{9b}");
        assert_eq!(clean("x\u{202e}y\u{2066}"), "x\\u{202e}y\\u{2066}");
        assert_eq!(clean_keeping("one\ntwo\x1b", &['\n']), "one\ntwo\\u{1b}");
        let t = table(&["NAME", "X"], &[vec!["evil\nrow".into(), "1".into()]]);
        assert_eq!(t.lines().count(), 2, "{t}");
    }
}
