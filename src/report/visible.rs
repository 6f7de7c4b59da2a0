//! Text as the human report shows it: invisible and control characters written as escapes, so
//! that a counterexample whose `AppId` starts with a U+200B shows it. The JSON report and the
//! `curl` lines keep the exact bytes.

use std::fmt::Write as _;

/// Whether a character is shown as an escape: control characters (C0, DEL, C1), separators
/// other than the ASCII space (no-break spaces, the Unicode spaces, line and paragraph
/// separators), format characters (zero-width characters, joiners, bidi controls and
/// isolates, the byte order mark, the soft hyphen, invisible operators, tags, interlinear
/// annotation), variation selectors and the replacement character (which stands for bytes
/// that were not UTF-8 only when the text was read lossily).
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{1f}'
            | '\u{7f}'..='\u{a0}'
            | '\u{ad}'
            | '\u{34f}'
            | '\u{61c}'
            | '\u{115f}'..='\u{1160}'
            | '\u{1680}'
            | '\u{180b}'..='\u{180f}'
            | '\u{2000}'..='\u{200f}'
            | '\u{2028}'..='\u{202f}'
            | '\u{205f}'..='\u{206f}'
            | '\u{3000}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff0}'..='\u{fffd}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e0fff}'
    )
}

/// `text` with every invisible or control character written as an escape: `\t`, `\n`, `\r`
/// for those three, `\uXXXX` for the others of the Basic Multilingual Plane (the JSON form, so
/// that a JSON body reads the same), `\u{XXXXX}` beyond it. Every other character, the
/// backslash included, is kept as it is.
///
/// ```
/// use opsworks_conformance::report::visible;
/// assert_eq!(visible("\u{200b}app-1"), "\\u200bapp-1");
/// assert_eq!(visible("a\tb\nc"), "a\\tb\\nc");
/// assert_eq!(visible("\u{feff}{}"), "\\ufeff{}");
/// assert_eq!(visible("déjà vu"), "déjà vu");
/// ```
#[must_use]
pub fn visible(text: &str) -> String {
    if !text.chars().any(invisible) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if invisible(c) && u32::from(c) <= 0xffff => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c if invisible(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// Bytes as the human report shows them: the UTF-8 text as [`visible`] writes it, and each
/// byte that is not UTF-8 as `\xNN`.
///
/// ```
/// use opsworks_conformance::report::visible_bytes;
/// assert_eq!(visible_bytes(b"{\"a\":\"\xff\"}\x00"), "{\"a\":\"\\xff\"}\\u0000");
/// ```
#[must_use]
pub fn visible_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(&visible(chunk.valid()));
        for byte in chunk.invalid() {
            let _ = write!(out, "\\x{byte:02x}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_characters_are_escaped() {
        for (text, shown) in [
            ("\u{200b}", "\\u200b"),
            ("\u{a0}", "\\u00a0"),
            ("\u{0}", "\\u0000"),
            ("\u{7f}", "\\u007f"),
            ("\u{85}", "\\u0085"),
            ("\u{202e}", "\\u202e"),
            ("\u{2066}", "\\u2066"),
            ("\u{200e}", "\\u200e"),
            ("\u{2028}", "\\u2028"),
            ("\u{feff}", "\\ufeff"),
            ("\u{ad}", "\\u00ad"),
            ("\u{3000}", "\\u3000"),
            ("\u{fe0f}", "\\ufe0f"),
            ("\u{fffd}", "\\ufffd"),
            ("\u{e0041}", "\\u{e0041}"),
            ("\r", "\\r"),
            ("\u{1b}[31m", "\\u001b[31m"),
        ] {
            assert_eq!(visible(text), shown, "{text:?}");
        }
    }

    #[test]
    fn visible_characters_are_kept() {
        let text = "{\"AppId\":\"app-1\",\"Comment\":\"déjà vu \\u200b 中文 😀 \\\\\"}";
        assert_eq!(visible(text), text);
    }

    #[test]
    fn every_invisible_character_becomes_printable_ascii_or_visible_text() {
        for c in (0..=0x10ffffu32).filter_map(char::from_u32) {
            let shown = visible(&c.to_string());
            assert!(
                shown.chars().all(|s| !invisible(s)),
                "{c:?} shown as {shown:?}"
            );
            if invisible(c) {
                assert!(shown.starts_with('\\') && shown.is_ascii(), "{c:?}");
            }
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_are_shown_as_hex() {
        assert_eq!(visible_bytes(b"\xc3\xa9\xc3"), "é\\xc3");
        assert_eq!(visible_bytes(b"\xef\xbb\xbf{}"), "\\ufeff{}");
        assert_eq!(visible_bytes(b""), "");
    }
}
