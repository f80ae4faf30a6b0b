//! The layering rule, checked: nothing outside a provider's module imports it.
//!
//! The lifecycle flows, stores, transport, client core and test doubles are provider-neutral; a
//! provider (`azure/`, `bitbucket/`, `gitea/`, `github/`, `gitlab/`) plugs in through the seams. The check reads the source tree, so it
//! costs no build: any `.rs` file under `src/` outside `src/<provider>/` that mentions
//! `crate::<provider>` or `super::<provider>` (in code, a `use`, or an intra-doc link) fails it.
//! The one allowed mention is the `pub mod <provider>;` declaration in `src/lib.rs`. (This file
//! spells those paths only in pieces, so it does not flag itself.) Doc examples written against the public API
//! (`patkit::azure::…`) are how a user would call the crate and are not imports of the module.

use std::path::{Path, PathBuf};

/// Provider modules: a file inside one may name itself.
const PROVIDERS: [&str; 5] = ["azure", "bitbucket", "gitea", "github", "gitlab"];

/// The mentions in `text` (of the file at `relative`, a path below `src/` with `/` separators)
/// of a provider module that file may not name: `(line number, line)`.
fn forbidden_mentions(relative: &str, text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for provider in PROVIDERS {
        if relative.starts_with(&format!("{provider}/")) {
            continue;
        }
        let patterns = [format!("crate::{provider}"), format!("super::{provider}")];
        for (n, line) in text.lines().enumerate() {
            let declaration = relative == "lib.rs" && line.trim() == format!("pub mod {provider};");
            if !declaration && patterns.iter().any(|p| line.contains(p.as_str())) {
                found.push((n + 1, line.trim().to_owned()));
            }
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every forbidden mention under `src/`, as `path:line: text`.
fn violations() -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(files.len() > 50, "the source tree was found ({} files)", files.len());
    let mut out = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).expect("below src/").to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(&file).expect("a readable source file");
        for (line, mention) in forbidden_mentions(&relative, &text) {
            out.push(format!("src/{relative}:{line}: {mention}"));
        }
    }
    out
}

#[test]
fn no_file_outside_a_provider_module_imports_it() {
    let found = violations();
    assert!(found.is_empty(), "provider modules named outside themselves:\n{}", found.join("\n"));
}

#[test]
fn the_check_flags_imports_and_doc_links_but_not_the_declaration_or_the_provider_itself() {
    let (c, s) = (["crate", "::azure"].concat(), ["super", "::azure"].concat());
    let text = format!("use {c}::PatTokenError;\n/// [`x`]({c}::X)\nuse {s};\nuse crate::transport;\n");
    let text = text.as_str();
    let found: Vec<usize> = forbidden_mentions("lifecycle/offboard.rs", text).into_iter().map(|(n, _)| n).collect();
    assert_eq!(found, [1, 2, 3]);
    assert!(forbidden_mentions("azure/pats/create.rs", text).is_empty(), "a provider may name itself");
    assert!(forbidden_mentions("lib.rs", "pub mod azure;\n").is_empty());
    assert_eq!(forbidden_mentions("lib.rs", &format!("pub mod azure;\npub use {c}::X;\n")).len(), 1);
    assert!(forbidden_mentions("lib.rs", "/// ```\n/// use patkit::azure::AzureDevOpsClient;\n").is_empty());
}
