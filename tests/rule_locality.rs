//! One rule, one place: over the catalogue, in how many files of `src/` a rule id appears
//! (its text `V-APP-REQUIRED` or its constant `V_APP_REQUIRED`, outside comments).
//!
//! The bound: at most 2 files in the median and 4 at most (the rule's file and the registry
//! line, plus a few places that must name a rule: another rule's tests, a runner test). The
//! calls from the oracle's reading pass into a rule file (`v_app_required::judge`) name the
//! file, not the id, and are not counted: that pass is the one place that dispatches to every
//! rule's part, as Ruff's checker does.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use opsworks_conformance::contract::CATALOGUE;

/// The median number of files a rule id appears in, at most.
const MEDIAN_AT_MOST: usize = 2;
/// The number of files any rule id appears in, at most.
const MAX_AT_MOST: usize = 4;

/// The `.rs` files under `dir`, recursively.
fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
}

/// Rust source without its comments (line, doc and block comments); string and character
/// literals are kept (a rule id in a string is a reference to the rule).
fn strip_comments(source: &str) -> String {
    let bytes = source.as_bytes();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while i < bytes.len() {
        let rest = &source[i..];
        if rest.starts_with("//") {
            i += rest.find('\n').unwrap_or(rest.len());
        } else if rest.starts_with("/*") {
            let mut depth = 0usize;
            while i < bytes.len() {
                if source[i..].starts_with("/*") {
                    depth += 1;
                    i += 2;
                } else if source[i..].starts_with("*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if let Some(hashes) = raw_string_start(rest) {
            // r"..." or r#"..."#: up to the closing quote and as many hashes.
            let close = format!("\"{}", "#".repeat(hashes));
            let body = 2 + hashes;
            let end = rest[body..]
                .find(&close)
                .map_or(rest.len(), |at| body + at + close.len());
            out.push_str(&rest[..end]);
            i += end;
        } else if bytes[i] == b'"' {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] != b'"' {
                j += if bytes[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(bytes.len());
            out.push_str(&source[i..end]);
            i = end;
        } else if bytes[i] == b'\'' && char_literal_len(rest).is_some() {
            let len = char_literal_len(rest).unwrap_or(1);
            out.push_str(&rest[..len]);
            i += len;
        } else {
            let len = rest.chars().next().map_or(1, char::len_utf8);
            out.push_str(&rest[..len]);
            i += len;
        }
    }
    out
}

/// The number of `#` of a raw string literal starting `text` (`r"`, `r#"`, `br"`), if one does.
fn raw_string_start(text: &str) -> Option<usize> {
    let text = text.strip_prefix('b').unwrap_or(text);
    let rest = text.strip_prefix('r')?;
    let hashes = rest.len() - rest.trim_start_matches('#').len();
    rest[hashes..].starts_with('"').then_some(hashes)
}

/// The length of a character literal starting `text` (`'a'`, `'\n'`, `'\''`, `'\u{..}'`), or
/// `None` for a lifetime.
fn char_literal_len(text: &str) -> Option<usize> {
    let mut chars = text.char_indices().skip(1);
    let (_, first) = chars.next()?;
    if first == '\\' {
        let close = text[2..].find('\'')?;
        let close = if text[2..].starts_with('\'') {
            text[3..].find('\'')? + 1
        } else {
            close
        };
        return Some(2 + close + 1);
    }
    let (at, second) = chars.next()?;
    (second == '\'').then_some(at + 1)
}

/// Whether `needle` occurs in `text` as a whole id (not inside a longer id such as
/// `V-CUSTOM-JSON` inside `V-CUSTOM-JSON-OBJECT`).
fn occurs(text: &str, needle: &str) -> bool {
    let is_id = |c: char| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-' || c == '_';
    text.match_indices(needle).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + needle.len()..].chars().next();
        !before.is_some_and(is_id) && !after.is_some_and(is_id)
    })
}

/// For every rule of the catalogue, the files of `src/` that name it.
fn files_per_rule() -> BTreeMap<&'static str, Vec<String>> {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    rust_files(&src, &mut paths);
    assert!(
        paths.len() > 50,
        "only {} files under {}",
        paths.len(),
        src.display()
    );
    let sources: Vec<(String, String)> = paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path)
                .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
            let name = path
                .strip_prefix(&src)
                .unwrap_or(path)
                .display()
                .to_string();
            (name, strip_comments(&text))
        })
        .collect();
    CATALOGUE
        .iter()
        .map(|rule| {
            let id = rule.id.as_str();
            let constant = id.replace('-', "_");
            let mut files: Vec<String> = sources
                .iter()
                .filter(|(_, text)| occurs(text, id) || occurs(text, &constant))
                .map(|(name, _)| name.clone())
                .collect();
            files.sort();
            (id, files)
        })
        .collect()
}

#[test]
fn comments_are_stripped_and_literals_kept() {
    let source = "let a = \"V-TYPE\"; // V-APP-REQUIRED\n/* N-APP /* nested */ N-STACK */ \
                  let b: &'static str = r#\"// not a comment\"#; let c = '\"'; // \"\nV_TYPE";
    let stripped = strip_comments(source);
    assert!(occurs(&stripped, "V-TYPE"));
    assert!(occurs(&stripped, "V_TYPE"));
    assert!(!occurs(&stripped, "V-APP-REQUIRED"), "{stripped}");
    assert!(!occurs(&stripped, "N-APP"), "{stripped}");
    assert!(!occurs(&stripped, "N-STACK"), "{stripped}");
    assert!(stripped.contains("// not a comment"), "{stripped}");
    assert!(!occurs("V-CUSTOM-JSON-OBJECT", "V-CUSTOM-JSON"));
    assert!(!occurs("XV_TYPE", "V_TYPE"));
}

#[test]
fn every_rule_has_its_file_and_registry_line() {
    for (id, files) in files_per_rule() {
        let own = format!("rules/{}.rs", id.to_ascii_lowercase().replace('-', "_"));
        assert!(
            files.iter().any(|file| file.ends_with(&own)),
            "{id}: not in its file src/{own}: {files:?}"
        );
        assert!(
            files.iter().any(|file| file.ends_with("rules/mod.rs")),
            "{id}: no registry line in src/rules/mod.rs"
        );
    }
}

#[test]
fn a_rule_id_appears_in_few_files() {
    let per_rule = files_per_rule();
    let mut counts: Vec<usize> = per_rule.values().map(Vec::len).collect();
    counts.sort_unstable();
    let median = counts[counts.len() / 2];
    let max = counts.last().copied().unwrap_or_default();
    let widest: Vec<String> = per_rule
        .iter()
        .filter(|(_, files)| files.len() > MEDIAN_AT_MOST)
        .map(|(id, files)| format!("  {id} ({}): {}", files.len(), files.join(", ")))
        .collect();
    println!(
        "rule ids per file of src/: median {median}, max {max} (issue's aim: 2 and 4)\n{}",
        widest.join("\n")
    );
    assert!(
        median <= MEDIAN_AT_MOST && max <= MAX_AT_MOST,
        "a rule id appears in {median} files of src/ in the median (at most {MEDIAN_AT_MOST}) \
         and {max} at most (at most {MAX_AT_MOST}): move what names a rule into its file \
         (src/rules/)\n{}",
        widest.join("\n")
    );
}
