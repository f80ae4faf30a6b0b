//! The scope vocabulary of §3.7 and how the service normalizes a requested set on save.
//!
//! The sheet marks the exact normalized output **unverified**; the emulator follows Gitea's
//! model as its source reads: the scopes are joined, split on commas and trimmed (empty pieces
//! dropped); each must be `all`, `public-only`, or `read:`/`write:` + a category; `write:X`
//! implies `read:X`, so an implied read is dropped; what remains comes back in Gitea's order
//! (`public-only`, then per category in §3.7's order the write or the read), and the full set of
//! nine writes becomes `all`.

use super::facts::CATEGORIES;

/// What a scope grants on one category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    None,
    Read,
    Write,
}

/// The normalized scopes of a create, or the first piece outside the vocabulary.
pub(crate) fn normalize(requested: &[String]) -> Result<Vec<String>, String> {
    let mut public_only = false;
    let mut levels = [Level::None; CATEGORIES.len()];
    let joined = requested.join(",");
    for piece in joined.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match piece {
            "all" => levels = [Level::Write; CATEGORIES.len()],
            "public-only" => public_only = true,
            _ => {
                let (level, category) = match piece.split_once(':') {
                    Some(("read", c)) => (Level::Read, c),
                    Some(("write", c)) => (Level::Write, c),
                    _ => return Err(piece.to_owned()),
                };
                let i = CATEGORIES.iter().position(|c| *c == category).ok_or_else(|| piece.to_owned())?;
                levels[i] = levels[i].max(level);
            }
        }
    }
    let mut out = Vec::new();
    if public_only {
        out.push("public-only".to_owned());
    }
    if levels.iter().all(|l| *l == Level::Write) {
        out.push("all".to_owned());
        return Ok(out);
    }
    for (category, level) in CATEGORIES.iter().zip(levels) {
        match level {
            Level::Write => out.push(format!("write:{category}")),
            Level::Read => out.push(format!("read:{category}")),
            Level::None => {}
        }
    }
    Ok(out)
}

/// Whether a token's (normalized) scopes grant `level` (`read` or `write`) on `category`.
pub(crate) fn grants(scopes: &[String], write: bool, category: &str) -> bool {
    scopes.iter().any(|s| {
        s == "all" || s.as_str() == format!("write:{category}") || (!write && s.as_str() == format!("read:{category}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(scopes: &[&str]) -> Result<Vec<String>, String> {
        normalize(&scopes.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn implied_reads_are_dropped_and_gitea_order_is_kept() {
        assert_eq!(
            n(&["read:user", "write:repository", "read:repository"]).unwrap(),
            ["write:repository", "read:user"]
        );
        assert_eq!(n(&["read:user,read:issue", " write:user "]).unwrap(), ["read:issue", "write:user"]);
        assert_eq!(n(&["read:admin", "public-only"]).unwrap(), ["public-only", "read:admin"]);
    }

    #[test]
    fn every_write_becomes_all() {
        let every: Vec<String> = CATEGORIES.iter().map(|c| format!("write:{c}")).collect();
        assert_eq!(normalize(&every).unwrap(), ["all"]);
        assert_eq!(n(&["all", "read:user"]).unwrap(), ["all"]);
        assert_eq!(n(&["public-only", "all"]).unwrap(), ["public-only", "all"]);
    }

    #[test]
    fn unknown_and_legacy_scopes_are_refused_and_empty_pieces_ignored() {
        assert_eq!(n(&["repo"]), Err("repo".to_owned()), "pre-1.20 GitHub-like scopes were migrated, not accepted");
        assert_eq!(n(&["read:user", "delete:user"]), Err("delete:user".to_owned()));
        assert_eq!(n(&["write:everything"]), Err("write:everything".to_owned()));
        assert_eq!(n(&["", " , "]).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn grants_follow_implication() {
        let s = n(&["write:user", "read:admin"]).unwrap();
        assert!(grants(&s, false, "user") && grants(&s, true, "user"));
        assert!(grants(&s, false, "admin") && !grants(&s, true, "admin"));
        assert!(!grants(&s, false, "repository"));
        assert!(grants(&n(&["all"]).unwrap(), true, "repository"));
    }
}
