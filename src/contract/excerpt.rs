//! Text cut short for failure messages.

/// `text` cut to `limit` characters, with `…` when cut.
pub(crate) fn cut(text: &str, limit: usize) -> String {
    let mut out: String = text.chars().take(limit).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

/// The first `limit` characters of `bytes` as text (invalid UTF-8 replaced), with `…` when
/// there is more: `cut(&String::from_utf8_lossy(bytes), limit)`, reading only the start of
/// `bytes`.
pub(crate) fn excerpt(bytes: &[u8], limit: usize) -> String {
    // A character takes at most 4 bytes, so these hold the first `limit` characters whole,
    // and one more character when `bytes` goes on.
    let head = bytes
        .get(..limit.saturating_mul(4).saturating_add(1))
        .unwrap_or(bytes);
    cut(&String::from_utf8_lossy(head), limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_is_the_whole_text_cut() {
        const BYTES: &[u8] = b"aZ \"\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\x80\xff\xc3";
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for _ in 0..20_000 {
            let bytes: Vec<u8> = (0..next(40)).map(|_| BYTES[next(BYTES.len())]).collect();
            let limit = next(12);
            assert_eq!(
                excerpt(&bytes, limit),
                cut(&String::from_utf8_lossy(&bytes), limit),
                "{bytes:?} {limit}"
            );
        }
    }
}
