//! Durations on the command line: `90s`, `15m`, `12h`, `30d`, `2w` (one unit, whole numbers).

use std::time::Duration;

/// Parses `<number><unit>` with unit `s`, `m`, `h`, `d` or `w`.
pub fn parse(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let n: u64 = number.parse().map_err(|_| format!("`{s}` is not a duration such as 90s, 15m, 12h, 30d or 2w"))?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(format!("`{s}` needs a unit: s, m, h, d or w (e.g. 30d)")),
    };
    n.checked_mul(seconds).map(Duration::from_secs).ok_or_else(|| format!("`{s}` is too long"))
}

#[allow(dead_code)] // used by patctl, not by the git helper
/// The shortest exact spelling of `d` in the units [`parse`] reads.
pub fn format(d: Duration) -> String {
    let s = d.as_secs();
    for (unit, size) in [("w", 7 * 86_400), ("d", 86_400), ("h", 3600), ("m", 60)] {
        if s >= size && s.is_multiple_of(size) {
            return format!("{}{unit}", s / size);
        }
    }
    format!("{s}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_errors() {
        assert_eq!(parse("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse("30d"), Ok(Duration::from_secs(30 * 86_400)));
        assert_eq!(parse(" 2w "), Ok(Duration::from_secs(14 * 86_400)));
        assert!(parse("30").unwrap_err().contains("needs a unit"));
        assert!(parse("d").is_err());
        assert!(parse("1y").is_err());
        assert_eq!(format(Duration::from_secs(3 * 86_400)), "3d");
        assert_eq!(format(Duration::from_secs(90)), "90s");
    }
}
