//! `P-MALFORMED-JSON` (MUST): body is not JSON text (RFC 8259: `NaN`, `Infinity`, comments, trailing commas, single quotes are not JSON), or JSON but not an object.

use super::prelude::*;

/// The catalogue entry of `P-MALFORMED-JSON`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("P-MALFORMED-JSON"),
    severity: Severity::Must,
    group: Group::Protocol,
    summary: "body is not JSON text (RFC 8259: NaN, Infinity, comments, trailing commas, single quotes are not JSON), or JSON but not an object -> 4xx; code SerializationException (preferred) or ValidationException",
    source: "smithy (restJson1 analogy), stance",
    doc: RuleDoc {
        condition: "body is not JSON text (RFC 8259: `NaN`, `Infinity`, comments, trailing commas, single quotes are not JSON), or JSON but not an object",
        expected: "4xx; code `SerializationException` (preferred) or `ValidationException`",
        why: "A body that is not JSON text cannot be a request; an implementation that reads it leniently acts on input no client sent.",
    },
    facts: RuleFacts::USUAL,
};

/// P-MALFORMED-JSON: bodies that are not JSON text, or JSON but not an object. None starts
/// with a byte order mark (a parser may ignore one: M-JSON-LIMITS).
///
/// Sixteen slots drawn uniformly, simplest first: not JSON; a truncated object; a JSON
/// array (or, half the time, the members as a positional array); a JSON string, `null`, or
/// `NaN` / `Infinity` alone; trailing garbage; a byte order mark after the text; the
/// members as a positional array (what serde's derived `Deserialize` reads as the
/// structure); a byte that is not UTF-8 between tokens or in the `Comment`. Then, two
/// slots each (so that the ~50 cases of a
/// default run draw each about six times), what a lenient reader takes for a valid
/// request: `NaN` / `Infinity` as the value of an unknown member; a UTF-8-encoded
/// surrogate (`ED A0 80`) in the `Comment`; an overlong encoding (`C1 81`) in the
/// `Comment`; the JSON text in UTF-16 or UTF-32, with or without its byte order mark
/// (RFC 8259 section 8.1: JSON text exchanged between systems MUST be UTF-8).
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    Some(
        (
            f.valid()?,
            0usize..16,
            any::<prop::sample::Index>(),
            any::<prop::sample::Index>(),
        )
            .prop_map(|(case, kind, index, pick)| {
                let body = case.request.body.clone();
                let input = case.input.unwrap_or_default();
                let (label, bad): (&'static str, Vec<u8>) = match kind {
                    0 => ("not JSON", b"not json".to_vec()),
                    // A strict, non-empty prefix of a JSON object text is never JSON.
                    1 => (
                        "truncated",
                        body[..1 + index.index(body.len().saturating_sub(1).max(1))].to_vec(),
                    ),
                    2 if pick.index(2) == 0 => {
                        ("JSON array", [b"[".as_slice(), &body, b"]"].concat())
                    }
                    3 => match pick.index(3) {
                        0 => ("JSON string", b"\"StackId\"".to_vec()),
                        1 => ("JSON null", b"null".to_vec()),
                        // Not JSON, though JavaScript and Python's `json` know them.
                        _ => (
                            "NaN or Infinity",
                            NOT_JSON_NUMBERS[index.index(NOT_JSON_NUMBERS.len())]
                                .as_bytes()
                                .to_vec(),
                        ),
                    },
                    4 => ("trailing garbage", [body.as_slice(), b" x"].concat()),
                    // After the JSON text it is no byte order mark, and not whitespace.
                    5 => (
                        "byte order mark after the JSON text",
                        [body.as_slice(), b"\xef\xbb\xbf"].concat(),
                    ),
                    // What a derived serde `Deserialize` reads as the structure,
                    // positionally: the members' values in the model's order.
                    2 | 6 => ("members as a positional array", {
                        positional(&body_object(&input))
                    }),
                    7 if pick.index(2) == 0 => ("invalid UTF-8", {
                        let mut bad = body.clone();
                        let at = bad.len().saturating_sub(2);
                        bad.splice(at..at, [0xffu8]);
                        bad
                    }),
                    7 => (
                        "a byte that is not UTF-8 in the Comment",
                        in_comment(&input, NOT_UTF8_BYTES[index.index(NOT_UTF8_BYTES.len())]),
                    ),
                    // An unknown member is ignored by most implementations: one that reads
                    // these numbers accepts the request.
                    8 | 9 => ("NaN or Infinity as a member value", {
                        let number = NOT_JSON_NUMBERS[index.index(NOT_JSON_NUMBERS.len())];
                        let value = match pick.index(3) {
                            0 => number.to_owned(),
                            1 => format!("[{number}]"),
                            _ => format!(r#"{{"weight":{number}}}"#),
                        };
                        let mut bad = format!(r#"{{"Extra":{value},"#).into_bytes();
                        bad.extend_from_slice(body.get(1..).unwrap_or_default());
                        bad
                    }),
                    10 | 11 => (
                        "a UTF-8-encoded surrogate in the Comment",
                        in_comment(
                            &input,
                            ENCODED_SURROGATES[index.index(ENCODED_SURROGATES.len())],
                        ),
                    ),
                    12 | 13 => (
                        "an overlong UTF-8 encoding in the Comment",
                        in_comment(&input, OVERLONG[index.index(OVERLONG.len())]),
                    ),
                    _ => {
                        let (label, encoding) =
                            WIDE_ENCODINGS[index.index(WIDE_ENCODINGS.len())];
                        (label, encoding(&body))
                    }
                };
                Case::raw(
                    RULE.id,
                    label,
                    RawRequest::json(bad),
                    case.signing,
                )
            })
            .boxed(),
    )
}

/// The oracle's part: the body (`detail` says what of it) is not JSON text, or not an object.
pub(crate) fn judge(reading: &mut Reading, detail: String) {
    reading.finding(
        RULE.id,
        codes(&[
            ErrorCode::SerializationException,
            ErrorCode::ValidationException,
        ]),
        Tier::Request,
        detail,
    );
}
