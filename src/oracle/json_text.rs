//! An iterative scanner of JSON text per the RFC 8259 grammar (rule M-JSON-LIMITS).
//!
//! The oracle uses it to classify request bodies and the `CustomJson` string member:
//! [`scan`] says whether bytes are one JSON text, of which kind, and which of the things the
//! grammar allows but parsers may refuse (RFC 8259 sections 4, 6, 8.2 and 9) it contains;
//! [`parse_lenient`] also builds the [`serde_json::Value`] a lenient parser would read.
//!
//! Neither function recurses: nesting is tracked on a heap stack, so a text nested
//! 1,000,000 levels deep is scanned in constant native stack. The scan-only path allocates
//! only the bookkeeping for duplicate member names and the container stack, and reuses those
//! buffers between calls on the same thread.

use std::cell::{Cell, RefCell};
use std::hash::{BuildHasher, RandomState};

use serde_json::{Map, Number, Value};

/// Nesting depth beyond which [`JsonLimits::deeper_than_128`] is set.
pub const DEPTH_LIMIT: usize = 128;

/// The largest `keep_depth` [`parse_lenient`] honours; larger values are clamped to it.
pub const MAX_KEEP_DEPTH: usize = 64;

/// What the grammar allows but parsers may refuse (RFC 8259 sections 4, 6, 8.2, 9): rule M-JSON-LIMITS.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JsonLimits {
    /// A number whose magnitude overflows `f64` (e.g. `1e400`, `-1e309`); underflow such as
    /// `1e-400` is not flagged.
    pub number_out_of_range: bool,
    /// A `\uD800`-`\uDBFF` escape not followed by a `\uDC00`-`\uDFFF` escape, or a lone low
    /// surrogate escape.
    pub unpaired_surrogate: bool,
    /// The same member name twice in one object (names compared after unescaping).
    pub duplicate_names: bool,
    /// Nesting depth greater than 128 (the depth of `[]` is 1, of `[[]]` is 2, of a top-level
    /// scalar 0).
    pub deeper_than_128: bool,
}

impl JsonLimits {
    /// Whether any limit flag is set.
    pub fn any(&self) -> bool {
        self.number_out_of_range
            || self.unpaired_surrogate
            || self.duplicate_names
            || self.deeper_than_128
    }
}

/// The kind of a JSON value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonKind {
    /// `{ ... }`
    Object,
    /// `[ ... ]`
    Array,
    /// `"..."`
    String,
    /// `-1.5e3` and the like.
    Number,
    /// `true` or `false`.
    Bool,
    /// `null`.
    Null,
}

/// The result of scanning one JSON text.
#[derive(Debug, Clone, PartialEq)]
pub struct Scanned {
    /// The kind of the top-level value.
    pub kind: JsonKind,
    /// The limit flags the text triggers.
    pub limits: JsonLimits,
    /// The deepest nesting reached (0 for a top-level scalar, 1 for `[]` or `{"a":1}`).
    pub max_depth: usize,
}

/// Bytes that are not one JSON text per RFC 8259.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not JSON text (RFC 8259) at byte {offset}: expected {expected}")]
pub struct JsonSyntaxError {
    /// Byte offset of the first offending byte (the input length at an unexpected end).
    pub offset: usize,
    /// What the grammar expected there.
    pub expected: &'static str,
}

/// Checks that `bytes` is one JSON text: optional whitespace (only space, tab, LF, CR), one
/// value, optional whitespace, end.
///
/// Bytes must be valid UTF-8 (invalid UTF-8 is a syntax error; a UTF-8 BOM is a syntax error
/// too: the grammar has none. The oracle lets a parser ignore one before the text, RFC 8259
/// section 8.1, as M-JSON-LIMITS, and scans what follows it). Never recurses, whatever the
/// nesting depth.
pub fn scan(bytes: &[u8]) -> Result<Scanned, JsonSyntaxError> {
    with_scratch(|scratch| Parser::new(bytes, scratch, 0, &mut NoSink).run())
}

/// Like [`scan`], and also builds a [`serde_json::Value`] of the text, as a lenient parser
/// would read it.
///
/// - Containers deeper than `keep_depth` are replaced by an empty container of the same kind
///   (so their kind stays visible): with `keep_depth` 0 the top-level `{"a":1}` reads as `{}`,
///   with `keep_depth` 1 `[[1]]` reads as `[[]]`.
/// - `keep_depth` is clamped to at most [`MAX_KEEP_DEPTH`] (64), so the returned value is at
///   most 65 levels deep and dropping it (which `serde_json` does recursively) is safe.
/// - Duplicate member names: the last one wins.
/// - Numbers out of `f64` range read as the Number 0 (and are flagged in the limits).
/// - Strings with unpaired surrogate escapes get U+FFFD in place of each lone surrogate
///   (flagged).
///
/// Numbers otherwise read exactly as `serde_json` reads them, so for ordinary texts without
/// limit flags the value equals `serde_json::from_slice::<Value>(bytes)`.
pub fn parse_lenient(bytes: &[u8], keep_depth: usize) -> Result<(Value, Scanned), JsonSyntaxError> {
    let keep = keep_depth.min(MAX_KEEP_DEPTH);
    with_scratch(|scratch| {
        let mut sink = ValueSink::default();
        let scanned = Parser::new(bytes, scratch, keep, &mut sink).run()?;
        Ok((sink.root.take().unwrap_or(Value::Null), scanned))
    })
}

/// The text read as [`parse_lenient`] reads it, each string replaced by whether it has an
/// unpaired surrogate escape (see [`ValueSink::flags`]); `null` if it is not JSON text.
fn string_flags(bytes: &[u8], keep: usize) -> Value {
    with_scratch(|scratch| {
        let mut sink = ValueSink {
            flags: true,
            ..ValueSink::default()
        };
        match Parser::new(bytes, scratch, keep, &mut sink).run() {
            Ok(_) => sink.root.take().unwrap_or(Value::Null),
            Err(_) => Value::Null,
        }
    })
}

fn err(offset: usize, expected: &'static str) -> JsonSyntaxError {
    JsonSyntaxError { offset, expected }
}

// ---------------------------------------------------------------------------------------------
// Reusable per-thread buffers.

/// Capacity (in bytes) of a buffer kept between calls; larger buffers are freed after use.
/// Big enough for the hostile texts the generators make (nesting 20,000 deep, 200 KiB strings),
/// so that they do not cost an allocation (and page faults) per call.
const KEEP_BYTES: usize = 1 << 20;

/// Empties `v`, and frees it when it holds more than [`KEEP_BYTES`].
fn trim<T>(v: &mut Vec<T>) {
    v.clear();
    if v.capacity().saturating_mul(std::mem::size_of::<T>()) > KEEP_BYTES {
        *v = Vec::new();
    }
}

#[derive(Default)]
struct Scratch {
    /// One frame per open container.
    frames: Vec<Frame>,
    /// Member names of all open objects (each object's names are contiguous).
    keys: Vec<KeyRef>,
    /// Unescaped member names that contained a backslash.
    arena: Vec<u8>,
    /// Hash tables of open objects with many members (innermost last).
    tables: Vec<KeyTable>,
    hasher: RandomState,
}

impl Scratch {
    #[inline]
    fn reset(&mut self) {
        trim(&mut self.frames);
        trim(&mut self.keys);
        trim(&mut self.arena);
        self.tables.clear();
        if self.tables.capacity() > 16 {
            self.tables = Vec::new();
        }
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

fn with_scratch<R>(mut f: impl FnMut(&mut Scratch) -> R) -> R {
    let shared = SCRATCH.try_with(|cell| {
        let mut scratch = cell.try_borrow_mut().ok()?;
        let r = f(&mut scratch);
        scratch.reset();
        Some(r)
    });
    match shared {
        Ok(Some(r)) => r,
        // The thread-local is gone (thread teardown) or busy: use fresh buffers.
        _ => f(&mut Scratch::default()),
    }
}

#[derive(Clone, Copy)]
enum Frame {
    Array,
    Object {
        keys_start: usize,
        arena_start: usize,
    },
}

/// A member name: raw bytes of the input (no backslash) or unescaped bytes in the arena.
#[derive(Clone, Copy)]
struct KeyRef {
    in_arena: bool,
    start: usize,
    end: usize,
}

fn key_bytes<'k>(input: &'k [u8], arena: &'k [u8], key: KeyRef) -> &'k [u8] {
    let src = if key.in_arena { arena } else { input };
    src.get(key.start..key.end).unwrap_or_default()
}

/// Objects with at least this many names use a hash table instead of a linear search.
const LINEAR_NAMES: usize = 12;

const EMPTY_SLOT: usize = usize::MAX;

/// Open-addressing table of (hash, index into `Scratch::keys`) for one large object.
struct KeyTable {
    depth: usize,
    slots: Vec<(u64, usize)>,
    len: usize,
}

impl KeyTable {
    fn new(depth: usize, expected: usize) -> Self {
        let cap = (expected.saturating_mul(2)).next_power_of_two().max(32);
        KeyTable {
            depth,
            slots: vec![(0, EMPTY_SLOT); cap],
            len: 0,
        }
    }

    /// Inserts `idx` unless `eq` finds an equal name with the same hash; returns whether one
    /// was found.
    fn find_or_insert(&mut self, hash: u64, idx: usize, eq: impl Fn(usize) -> bool) -> bool {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut pos = (hash as usize) & mask;
        loop {
            let Some(slot) = self.slots.get_mut(pos) else {
                return false;
            };
            if slot.1 == EMPTY_SLOT {
                *slot = (hash, idx);
                self.len += 1;
                return false;
            }
            if slot.0 == hash && eq(slot.1) {
                return true;
            }
            pos = (pos + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let bigger = vec![(0, EMPTY_SLOT); self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, bigger);
        let mask = self.slots.len() - 1;
        for (hash, idx) in old.into_iter().filter(|s| s.1 != EMPTY_SLOT) {
            let mut pos = (hash as usize) & mask;
            while let Some(slot) = self.slots.get_mut(pos) {
                if slot.1 == EMPTY_SLOT {
                    *slot = (hash, idx);
                    break;
                }
                pos = (pos + 1) & mask;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The parser.

/// What a parser does with the values it reads at depth `<= keep` (besides checking the
/// grammar): nothing ([`NoSink`]), build a [`serde_json::Value`] ([`ValueSink`]), or record a
/// [`Document`] ([`TapeSink`]).
trait Sink {
    /// Whether the sink wants values at all (false: scan only).
    const ACTIVE: bool;
    /// A container opens; `depth` counts it (1 for a top-level container).
    fn open(&mut self, object: bool, depth: usize, keep: usize);
    /// The container at `depth` closes.
    fn close(&mut self, depth: usize, keep: usize);
    /// The decoded name of the next member of the object at `depth` (only inside a container
    /// that is kept). `span` is its place in the input when it has no escape.
    fn name(&mut self, name: &[u8], span: Option<(usize, usize)>, depth: usize);
    /// Where the unescaped content of an escaped string value goes (`None`: nowhere).
    fn buffer(&mut self) -> Option<&mut Vec<u8>>;
    /// A string value: `input[start..end]` when `escaped` is false, else the bytes of
    /// [`buffer`](Sink::buffer) from `mark` on. `unpaired`: it has an unpaired surrogate
    /// escape (each read as U+FFFD).
    fn string(
        &mut self,
        input: &[u8],
        span: (usize, usize),
        escaped: bool,
        mark: usize,
        unpaired: bool,
    );
    /// A number value (its lexeme), and whether its magnitude overflows `f64`.
    fn number(&mut self, text: &str, plain_int: bool, out_of_range: bool);
    /// `true`, `false` or `null`.
    fn literal(&mut self, value: Option<bool>);
}

/// Scan only.
struct NoSink;

impl Sink for NoSink {
    const ACTIVE: bool = false;
    fn open(&mut self, _: bool, _: usize, _: usize) {}
    fn close(&mut self, _: usize, _: usize) {}
    fn name(&mut self, _: &[u8], _: Option<(usize, usize)>, _: usize) {}
    fn buffer(&mut self) -> Option<&mut Vec<u8>> {
        None
    }
    fn string(&mut self, _: &[u8], _: (usize, usize), _: bool, _: usize, _: bool) {}
    fn number(&mut self, _: &str, _: bool, _: bool) {}
    fn literal(&mut self, _: Option<bool>) {}
}

/// A container being built by [`parse_lenient`].
enum Partial {
    Array(Vec<Value>),
    Object(Map<String, Value>, Option<String>),
}

impl Partial {
    fn into_value(self) -> Value {
        match self {
            Partial::Array(items) => Value::Array(items),
            Partial::Object(map, _) => Value::Object(map),
        }
    }
}

/// Builds the [`serde_json::Value`] of [`parse_lenient`].
#[derive(Default)]
struct ValueSink {
    partials: Vec<Partial>,
    root: Option<Value>,
    decoded: Vec<u8>,
    /// Build, in place of each string, `true` when it has an unpaired surrogate escape and
    /// `false` otherwise: the same shape as the value (same names, same winner among duplicate
    /// names), so that [`Tape::record`] can tell which strings had one.
    flags: bool,
}

impl ValueSink {
    fn deliver(&mut self, value: Value) {
        match self.partials.last_mut() {
            None => self.root = Some(value),
            Some(Partial::Array(items)) => items.push(value),
            Some(Partial::Object(map, name)) => {
                map.insert(name.take().unwrap_or_default(), value);
            }
        }
    }
}

impl Sink for ValueSink {
    const ACTIVE: bool = true;

    fn open(&mut self, object: bool, depth: usize, keep: usize) {
        if depth <= keep {
            self.partials.push(if object {
                Partial::Object(Map::new(), None)
            } else {
                Partial::Array(Vec::new())
            });
        } else if depth == keep + 1 {
            self.deliver(if object {
                Value::Object(Map::new())
            } else {
                Value::Array(Vec::new())
            });
        }
    }

    fn close(&mut self, depth: usize, keep: usize) {
        if depth <= keep {
            if let Some(partial) = self.partials.pop() {
                self.deliver(partial.into_value());
            }
        }
    }

    fn name(&mut self, name: &[u8], _: Option<(usize, usize)>, _: usize) {
        let name = String::from_utf8_lossy(name).into_owned();
        if let Some(Partial::Object(_, pending)) = self.partials.last_mut() {
            *pending = Some(name);
        }
    }

    fn buffer(&mut self) -> Option<&mut Vec<u8>> {
        Some(&mut self.decoded)
    }

    fn string(
        &mut self,
        input: &[u8],
        (start, end): (usize, usize),
        escaped: bool,
        _: usize,
        unpaired: bool,
    ) {
        if self.flags {
            // The shape of the value with each string's flag in its place (see `flags`).
            self.decoded.clear();
            self.deliver(Value::Bool(unpaired));
            return;
        }
        let raw = if escaped {
            std::mem::take(&mut self.decoded)
        } else {
            input.get(start..end).unwrap_or_default().to_vec()
        };
        let text = String::from_utf8(raw)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        self.deliver(Value::String(text));
    }

    fn number(&mut self, text: &str, plain_int: bool, out_of_range: bool) {
        let number = if out_of_range {
            Number::from(0u8)
        } else {
            number_value(text, plain_int)
        };
        self.deliver(Value::Number(number));
    }

    fn literal(&mut self, value: Option<bool>) {
        self.deliver(value.map_or(Value::Null, Value::Bool));
    }
}

// ---------------------------------------------------------------------------------------------
// Documents: the lenient reading without `serde_json::Value`s.

/// Where the decoded text of a string (or member name) is: in the input when it has no escape,
/// else in the document's own bytes (or nowhere, when it was not asked for).
#[derive(Debug, Clone, Copy, Default)]
struct Span {
    source: Source,
    start: usize,
    end: usize,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Source {
    #[default]
    Input,
    Owned,
    /// A string with escapes whose content was not decoded.
    NotDecoded,
}

/// One value of a [`Document`], in document order: a container is followed by its members (or
/// elements), `end` is the index after the last of them.
#[derive(Debug, Clone, Copy)]
struct Node {
    kind: JsonKind,
    /// The member name, for a member of an object.
    name: Span,
    /// The content, for a string.
    text: Span,
    end: usize,
    /// A string with an unpaired surrogate escape (read as U+FFFD in `text`).
    unpaired: bool,
}

/// The reusable storage of a [`Document`]; it is also the sink that records one.
#[derive(Default)]
struct Tape {
    nodes: Vec<Node>,
    /// Decoded strings and names that had escapes.
    bytes: Vec<u8>,
    /// The open containers that are kept (indices into `nodes`).
    open: Vec<usize>,
    /// The name of the next member.
    pending: Span,
    /// The top-level members whose strings are not decoded.
    skip: &'static [&'static str],
    /// Whether strings are decoded at this point of the document.
    decoding: bool,
}

impl Tape {
    fn reset(&mut self) {
        trim(&mut self.nodes);
        trim(&mut self.bytes);
        trim(&mut self.open);
        self.pending = Span::default();
        self.decoding = true;
    }

    fn push(&mut self, kind: JsonKind, text: Span) -> usize {
        let name = std::mem::take(&mut self.pending);
        let index = self.nodes.len();
        self.nodes.push(Node {
            kind,
            name,
            text,
            end: index + 1,
            unpaired: false,
        });
        index
    }

    fn owned(&mut self, bytes: &[u8]) -> Span {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(bytes);
        Span {
            source: Source::Owned,
            start,
            end: self.bytes.len(),
        }
    }

    /// Records a value read by [`parse_lenient`] with the same `keep` (so it is at most
    /// `keep + 1` containers deep: the recursion is bounded). `flags` is the same text read
    /// with [`ValueSink::flags`]: where `value` has a string, `true` if it had an unpaired
    /// surrogate escape.
    fn record(&mut self, value: &Value, flags: &Value, depth: usize, keep: usize) {
        match value {
            Value::Null => self.literal(None),
            Value::Bool(flag) => self.literal(Some(*flag)),
            Value::Number(_) => {
                self.push(JsonKind::Number, Span::default());
            }
            Value::String(text) => {
                let span = self.owned(text.as_bytes());
                let index = self.push(JsonKind::String, span);
                if let Some(node) = self.nodes.get_mut(index) {
                    node.unpaired = flags.as_bool() == Some(true);
                }
            }
            Value::Array(items) => {
                self.open(false, depth + 1, keep);
                if depth < keep {
                    for (offset, item) in items.iter().enumerate() {
                        let flag = flags.get(offset).unwrap_or(&Value::Null);
                        self.record(item, flag, depth + 1, keep);
                    }
                }
                self.close(depth + 1, keep);
            }
            Value::Object(members) => {
                self.open(true, depth + 1, keep);
                if depth < keep {
                    for (name, item) in members {
                        self.pending = self.owned(name.as_bytes());
                        let flag = flags.get(name).unwrap_or(&Value::Null);
                        self.record(item, flag, depth + 1, keep);
                    }
                }
                self.close(depth + 1, keep);
            }
        }
    }

    fn document<'d>(&'d self, input: &'d [u8]) -> Document<'d> {
        Document {
            input,
            bytes: &self.bytes,
            nodes: &self.nodes,
        }
    }
}

impl Sink for Tape {
    const ACTIVE: bool = true;

    #[inline]
    fn open(&mut self, object: bool, depth: usize, keep: usize) {
        let kind = if object {
            JsonKind::Object
        } else {
            JsonKind::Array
        };
        if depth <= keep {
            let index = self.push(kind, Span::default());
            self.open.push(index);
        } else if depth == keep + 1 {
            self.push(kind, Span::default());
        }
    }

    #[inline]
    fn close(&mut self, depth: usize, keep: usize) {
        if depth <= keep {
            if let Some(index) = self.open.pop() {
                let end = self.nodes.len();
                if let Some(node) = self.nodes.get_mut(index) {
                    node.end = end;
                }
            }
        }
    }

    fn name(&mut self, name: &[u8], span: Option<(usize, usize)>, depth: usize) {
        if depth == 1 && !self.skip.is_empty() {
            self.decoding = !self.skip.iter().any(|skipped| skipped.as_bytes() == name);
        }
        self.pending = match span {
            Some((start, end)) => Span {
                source: Source::Input,
                start,
                end,
            },
            None => self.owned(name),
        };
    }

    fn buffer(&mut self) -> Option<&mut Vec<u8>> {
        self.decoding.then_some(&mut self.bytes)
    }

    fn string(
        &mut self,
        _: &[u8],
        (start, end): (usize, usize),
        escaped: bool,
        mark: usize,
        unpaired: bool,
    ) {
        let text = match (escaped, self.decoding) {
            (false, _) => Span {
                source: Source::Input,
                start,
                end,
            },
            (true, true) => Span {
                source: Source::Owned,
                start: mark,
                end: self.bytes.len(),
            },
            (true, false) => Span {
                source: Source::NotDecoded,
                start: 0,
                end: 0,
            },
        };
        let index = self.push(JsonKind::String, text);
        if let Some(node) = self.nodes.get_mut(index) {
            node.unpaired = unpaired;
        }
    }

    fn number(&mut self, _: &str, _: bool, _: bool) {
        self.push(JsonKind::Number, Span::default());
    }

    fn literal(&mut self, value: Option<bool>) {
        let kind = if value.is_some() {
            JsonKind::Bool
        } else {
            JsonKind::Null
        };
        self.push(kind, Span::default());
    }
}

thread_local! {
    /// The storage of the last document read on this thread, for reuse.
    static TAPE: Cell<Tape> = Cell::new(Tape::default());
}

/// A JSON text as [`parse_lenient`] reads it (containers deeper than `keep` empty, the last of
/// duplicate member names wins, lone surrogates as U+FFFD), without building
/// [`serde_json::Value`]s: strings without escapes are borrowed from the input.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Document<'d> {
    input: &'d [u8],
    bytes: &'d [u8],
    nodes: &'d [Node],
}

/// The document of `{}`.
const EMPTY_OBJECT: [Node; 1] = [Node {
    kind: JsonKind::Object,
    name: Span {
        source: Source::Input,
        start: 0,
        end: 0,
    },
    text: Span {
        source: Source::Input,
        start: 0,
        end: 0,
    },
    end: 1,
    unpaired: false,
}];

impl<'d> Document<'d> {
    /// The document of `{}`.
    pub(crate) fn empty_object() -> Document<'static> {
        Document {
            input: &[],
            bytes: &[],
            nodes: &EMPTY_OBJECT,
        }
    }

    /// The top-level value.
    pub(crate) fn root(&'d self) -> Item<'d> {
        Item {
            doc: self,
            index: 0,
        }
    }

    fn text(&self, span: Span) -> Option<&'d [u8]> {
        let source = match span.source {
            Source::Input => self.input,
            Source::Owned => self.bytes,
            Source::NotDecoded => return None,
        };
        source.get(span.start..span.end)
    }
}

/// One value of a [`Document`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Item<'d> {
    doc: &'d Document<'d>,
    index: usize,
}

impl<'d> Item<'d> {
    fn node(self) -> Option<&'d Node> {
        self.doc.nodes.get(self.index)
    }

    /// The kind of the value.
    pub(crate) fn kind(self) -> JsonKind {
        self.node().map_or(JsonKind::Null, |node| node.kind)
    }

    /// The decoded content of a string value (`None` for another kind, or a string left
    /// undecoded: see [`read_document`]).
    pub(crate) fn as_bytes(self) -> Option<&'d [u8]> {
        let node = self.node()?;
        if node.kind != JsonKind::String {
            return None;
        }
        self.doc.text(node.text)
    }

    /// The content of a string value (always UTF-8 once read).
    pub(crate) fn as_str(self) -> Option<&'d str> {
        as_utf8(self.as_bytes()?)
    }

    /// Whether this is a string with an unpaired surrogate escape (`"\ud800"`), which its
    /// content shows as U+FFFD: the content is then not the string the text wrote.
    pub(crate) fn has_unpaired_surrogate(self) -> bool {
        self.node()
            .is_some_and(|node| node.kind == JsonKind::String && node.unpaired)
    }

    /// The member name of a member of an object (`""` otherwise).
    pub(crate) fn name(self) -> &'d str {
        as_utf8(self.name_bytes()).unwrap_or_default()
    }

    /// The member name's bytes (UTF-8).
    pub(crate) fn name_bytes(self) -> &'d [u8] {
        self.node()
            .and_then(|node| self.doc.text(node.name))
            .unwrap_or_default()
    }

    /// The members of an object or the elements of an array, in document order (none for a
    /// scalar or a container deeper than the kept depth). A document has no duplicate names.
    pub(crate) fn children(self) -> Children<'d> {
        let (next, end) = match self.node() {
            Some(node) if matches!(node.kind, JsonKind::Object | JsonKind::Array) => {
                (self.index + 1, node.end)
            }
            _ => (0, 0),
        };
        Children {
            doc: self.doc,
            next,
            end,
        }
    }

    /// The member of an object with this name.
    pub(crate) fn get(self, name: &str) -> Option<Item<'d>> {
        self.children()
            .find(|member| member.name_bytes() == name.as_bytes())
    }
}

/// The members or elements of an [`Item`].
#[derive(Debug, Clone)]
pub(crate) struct Children<'d> {
    doc: &'d Document<'d>,
    next: usize,
    end: usize,
}

impl<'d> Iterator for Children<'d> {
    type Item = Item<'d>;

    fn next(&mut self) -> Option<Item<'d>> {
        if self.next >= self.end {
            return None;
        }
        let item = Item {
            doc: self.doc,
            index: self.next,
        };
        // Always moves forward: a node's end is past the node.
        self.next = item
            .node()
            .map_or(self.end, |node| node.end.max(self.next + 1));
        Some(item)
    }
}

/// Reads a JSON text as [`parse_lenient`] with `keep_depth` would, and hands the [`Document`]
/// (or the syntax error) to `f`. The strings under the top-level members named in `skip` are not
/// decoded (the content of such a string with an escape is `None`: only its kind is known).
/// The document's storage is reused between calls on the same thread.
pub(crate) fn read_document<R>(
    bytes: &[u8],
    keep_depth: usize,
    skip: &'static [&'static str],
    f: impl FnOnce(Result<(Document<'_>, Scanned), JsonSyntaxError>) -> R,
) -> R {
    let keep = keep_depth.min(MAX_KEEP_DEPTH);
    // Taken out of the thread-local while in use (a nested call gets fresh storage).
    let mut tape = TAPE.try_with(Cell::take).unwrap_or_default();
    tape.reset();
    tape.skip = skip;
    let scanned = with_scratch(|scratch| Parser::new(bytes, scratch, keep, &mut tape).run());
    let result = match scanned {
        Ok(scanned) if scanned.limits.duplicate_names => {
            // Rare: let the map of `parse_lenient` decide which duplicate wins, and where; a
            // second reading of the same shape says which of its strings had an unpaired
            // surrogate escape.
            tape.reset();
            parse_lenient(bytes, keep).map(|(value, scanned)| {
                let flags = if scanned.limits.unpaired_surrogate {
                    string_flags(bytes, keep)
                } else {
                    Value::Null
                };
                tape.record(&value, &flags, 0, keep);
                scanned
            })
        }
        other => other,
    };
    let r = f(result.map(|scanned| (tape.document(bytes), scanned)));
    tape.reset();
    let _ = TAPE.try_with(|cell| cell.set(tape));
    r
}

/// What the oracle reads from a request body, as the `json_layers` bench compares it between
/// the `Document` reading and a library one: the scan's facts, and for each of the body's
/// members the contract names, its kind and the length of its decoded string content.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BodyFacts {
    /// The top-level kind (`None`: not JSON text).
    pub kind: Option<JsonKind>,
    /// The limit flags.
    pub limits: JsonLimits,
    /// Per name of `names`: the member's kind and decoded string length (0 for another kind,
    /// or a string left undecoded: an escaped `Comment`).
    pub members: [Option<(JsonKind, usize)>; 7],
    /// The length of `Command.Name` when it is a string.
    pub command_name: Option<usize>,
    /// The `Command.Args` entries whose value is an array of strings.
    pub args: usize,
    /// The total length of those strings.
    pub arg_bytes: usize,
}

/// [`BodyFacts`] of a body as the oracle reads it (`oracle/read.rs`: `read_document` with
/// depth 6, `Comment` undecoded). For the `json_layers` bench only.
#[doc(hidden)]
pub fn body_facts(body: &[u8], names: &[&str; 7]) -> BodyFacts {
    read_document(body, 6, &["Comment"], |read| {
        let mut facts = BodyFacts::default();
        let Ok((document, scanned)) = read else {
            return facts;
        };
        facts.kind = Some(scanned.kind);
        facts.limits = scanned.limits;
        let root = document.root();
        for member in root.children() {
            if let Some(at) = names
                .iter()
                .position(|name| name.as_bytes() == member.name_bytes())
            {
                if let Some(slot) = facts.members.get_mut(at) {
                    *slot = Some((member.kind(), member.as_bytes().map_or(0, <[u8]>::len)));
                }
            }
        }
        if let Some(command) = root.get("Command") {
            facts.command_name = command
                .get("Name")
                .and_then(Item::as_bytes)
                .map(<[u8]>::len);
            for entry in command.get("Args").into_iter().flat_map(Item::children) {
                if entry.kind() == JsonKind::Array
                    && entry.children().all(|e| e.kind() == JsonKind::String)
                {
                    facts.args += 1;
                    facts.arg_bytes += entry
                        .children()
                        .filter_map(Item::as_bytes)
                        .map(<[u8]>::len)
                        .sum::<usize>();
                }
            }
        }
        facts
    })
}

struct Parser<'a, 's, 'k, K: Sink> {
    input: &'a [u8],
    s: &'s mut Scratch,
    limits: JsonLimits,
    max_depth: usize,
    /// Containers at depth <= keep are handed to the sink.
    keep: usize,
    sink: &'k mut K,
}

impl<'a, 's, 'k, K: Sink> Parser<'a, 's, 'k, K> {
    fn new(input: &'a [u8], s: &'s mut Scratch, keep: usize, sink: &'k mut K) -> Self {
        Parser {
            input,
            s,
            limits: JsonLimits::default(),
            max_depth: 0,
            keep,
            sink,
        }
    }

    /// Whether values at the current position (inside the innermost open container) are built.
    #[inline]
    fn building(&self) -> bool {
        K::ACTIVE && self.s.frames.len() <= self.keep
    }

    fn run(&mut self) -> Result<Scanned, JsonSyntaxError> {
        let b = self.input;
        let mut i = skip_ws(b, 0);
        let kind = match b.get(i) {
            Some(b'{') => JsonKind::Object,
            Some(b'[') => JsonKind::Array,
            Some(b'"') => JsonKind::String,
            Some(b'-' | b'0'..=b'9') => JsonKind::Number,
            Some(b't' | b'f') => JsonKind::Bool,
            Some(b'n') => JsonKind::Null,
            _ => return Err(err(i, "a JSON value")),
        };
        'value: loop {
            // `i` is at the first byte of a value.
            match b.get(i) {
                Some(b'{') => {
                    self.open(true);
                    i = skip_ws(b, i + 1);
                    if b.get(i) == Some(&b'}') {
                        i += 1;
                        self.close();
                    } else {
                        i = self.member_name(i)?;
                        continue 'value;
                    }
                }
                Some(b'[') => {
                    self.open(false);
                    i = skip_ws(b, i + 1);
                    if b.get(i) == Some(&b']') {
                        i += 1;
                        self.close();
                    } else {
                        continue 'value;
                    }
                }
                Some(b'"') => i = self.string_value(i)?,
                Some(b'-' | b'0'..=b'9') => i = self.number(i)?,
                Some(b't') => {
                    i = literal(b, i, b"true", "`true`")?;
                    self.literal(Some(true));
                }
                Some(b'f') => {
                    i = literal(b, i, b"false", "`false`")?;
                    self.literal(Some(false));
                }
                Some(b'n') => {
                    i = literal(b, i, b"null", "`null`")?;
                    self.literal(None);
                }
                _ => return Err(err(i, "a JSON value")),
            }
            // After a complete value: close containers until one wants another value.
            loop {
                i = skip_ws(b, i);
                match self.s.frames.last() {
                    None => {
                        if i < b.len() {
                            return Err(err(i, "end of input"));
                        }
                        self.limits.deeper_than_128 = self.max_depth > DEPTH_LIMIT;
                        return Ok(Scanned {
                            kind,
                            limits: self.limits,
                            max_depth: self.max_depth,
                        });
                    }
                    Some(Frame::Array) => match b.get(i) {
                        Some(b',') => {
                            i = skip_ws(b, i + 1);
                            continue 'value;
                        }
                        Some(b']') => {
                            i += 1;
                            self.close();
                        }
                        _ => return Err(err(i, "`,` or `]`")),
                    },
                    Some(Frame::Object { .. }) => match b.get(i) {
                        Some(b',') => {
                            i = skip_ws(b, i + 1);
                            i = self.member_name(i)?;
                            continue 'value;
                        }
                        Some(b'}') => {
                            i += 1;
                            self.close();
                        }
                        _ => return Err(err(i, "`,` or `}`")),
                    },
                }
            }
        }
    }

    #[inline]
    fn open(&mut self, object: bool) {
        let s = &mut *self.s;
        s.frames.push(if object {
            Frame::Object {
                keys_start: s.keys.len(),
                arena_start: s.arena.len(),
            }
        } else {
            Frame::Array
        });
        let depth = s.frames.len();
        self.max_depth = self.max_depth.max(depth);
        if K::ACTIVE {
            self.sink.open(object, depth, self.keep);
        }
    }

    #[inline]
    fn close(&mut self) {
        let s = &mut *self.s;
        let depth = s.frames.len();
        if let Some(Frame::Object {
            keys_start,
            arena_start,
        }) = s.frames.pop()
        {
            s.keys.truncate(keys_start);
            s.arena.truncate(arena_start);
            if s.tables.last().is_some_and(|t| t.depth == depth) {
                s.tables.pop();
            }
        }
        if K::ACTIVE {
            self.sink.close(depth, self.keep);
        }
    }

    #[inline]
    fn literal(&mut self, value: Option<bool>) {
        if self.building() {
            self.sink.literal(value);
        }
    }

    /// Scans a member name at `i`, then the `:`; returns the index of the member's value.
    fn member_name(&mut self, i: usize) -> Result<usize, JsonSyntaxError> {
        let b = self.input;
        if b.get(i) != Some(&b'"') {
            return Err(err(i, "a string (object member name)"));
        }
        let building = self.building();
        let track = !self.limits.duplicate_names;
        let arena_before = self.s.arena.len();
        let out = if track || building {
            Some(&mut self.s.arena)
        } else {
            None
        };
        let (end, escaped) = match short_plain_string(b, i) {
            Some(end) => (end, false),
            None => scan_string(b, i, out, &mut self.limits.unpaired_surrogate)?,
        };
        let key = if escaped {
            KeyRef {
                in_arena: true,
                start: arena_before,
                end: self.s.arena.len(),
            }
        } else {
            KeyRef {
                in_arena: false,
                start: i + 1,
                end: end - 1,
            }
        };
        if building {
            let span = (!escaped).then_some((i + 1, end - 1));
            let depth = self.s.frames.len();
            self.sink
                .name(key_bytes(b, &self.s.arena, key), span, depth);
        }
        if !(track && self.remember_name(key)) {
            self.s.arena.truncate(arena_before);
        }
        let j = skip_ws(b, end);
        if b.get(j) != Some(&b':') {
            return Err(err(j, "`:`"));
        }
        Ok(skip_ws(b, j + 1))
    }

    /// Records `key` as a name of the innermost object; returns false (and sets the flag)
    /// when that object already has it.
    fn remember_name(&mut self, key: KeyRef) -> bool {
        let input = self.input;
        let s = &mut *self.s;
        let depth = s.frames.len();
        let Some(&Frame::Object { keys_start, .. }) = s.frames.last() else {
            return false;
        };
        let name = key_bytes(input, &s.arena, key);
        let existing = s.keys.get(keys_start..).unwrap_or_default();
        let duplicate = if existing.len() < LINEAR_NAMES {
            existing
                .iter()
                .any(|k| k.end - k.start == name.len() && key_bytes(input, &s.arena, *k) == name)
        } else {
            if s.tables.last().is_none_or(|t| t.depth != depth) {
                let mut table = KeyTable::new(depth, existing.len());
                for (offset, k) in existing.iter().enumerate() {
                    let hash = s.hasher.hash_one(key_bytes(input, &s.arena, *k));
                    table.find_or_insert(hash, keys_start + offset, |_| false);
                }
                s.tables.push(table);
            }
            let hash = s.hasher.hash_one(name);
            let keys = &s.keys;
            let arena = &s.arena;
            match s.tables.last_mut() {
                Some(table) => table.find_or_insert(hash, keys.len(), |idx| {
                    keys.get(idx)
                        .is_some_and(|k| key_bytes(input, arena, *k) == name)
                }),
                None => false,
            }
        };
        if duplicate {
            self.limits.duplicate_names = true;
            // No need to remember names any more: the flag is set for good.
            s.tables.clear();
            false
        } else {
            s.keys.push(key);
            true
        }
    }

    fn string_value(&mut self, i: usize) -> Result<usize, JsonSyntaxError> {
        let b = self.input;
        if !self.building() {
            let (end, _) = scan_string(b, i, None, &mut self.limits.unpaired_surrogate)?;
            return Ok(end);
        }
        let out = self.sink.buffer();
        let mark = out.as_ref().map_or(0, |out| out.len());
        let mut unpaired = false;
        let (end, escaped) = scan_string(b, i, out, &mut unpaired)?;
        self.limits.unpaired_surrogate |= unpaired;
        self.sink
            .string(b, (i + 1, end - 1), escaped, mark, unpaired);
        Ok(end)
    }

    fn number(&mut self, i: usize) -> Result<usize, JsonSyntaxError> {
        let b = self.input;
        let (end, shape) = scan_number(b, i)?;
        let building = self.building();
        if !(building || shape.may_overflow) {
            return Ok(end);
        }
        // Every byte of a number lexeme is ASCII.
        let text = std::str::from_utf8(b.get(i..end).unwrap_or_default()).unwrap_or_default();
        let out_of_range = shape.may_overflow && text.parse::<f64>().is_ok_and(f64::is_infinite);
        if out_of_range {
            self.limits.number_out_of_range = true;
        }
        if building {
            self.sink.number(text, shape.plain_int, out_of_range);
        }
        Ok(end)
    }
}

/// The Number serde_json reads from an in-range number lexeme.
fn number_value(text: &str, plain_int: bool) -> Number {
    if plain_int && text.len() <= 18 && text != "-0" {
        if let Ok(v) = text.parse::<i64>() {
            return Number::from(v);
        }
    }
    text.parse::<Number>()
        .ok()
        .or_else(|| text.parse::<f64>().ok().and_then(Number::from_f64))
        .unwrap_or_else(|| Number::from(0u8))
}

#[inline]
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(i) {
        i += 1;
    }
    i
}

fn literal(
    b: &[u8],
    i: usize,
    word: &'static [u8],
    expected: &'static str,
) -> Result<usize, JsonSyntaxError> {
    for (k, w) in word.iter().enumerate() {
        if b.get(i + k) != Some(w) {
            return Err(err((i + k).min(b.len()), expected));
        }
    }
    Ok(i + word.len())
}

/// What [`scan_number`] learnt about a number lexeme.
struct NumberShape {
    /// No fraction and no exponent.
    plain_int: bool,
    /// The magnitude may reach 10^308 or more (so it must be parsed to check the range).
    may_overflow: bool,
}

/// Scans `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` at `start`.
#[inline]
fn scan_number(b: &[u8], start: usize) -> Result<(usize, NumberShape), JsonSyntaxError> {
    let digits = |mut i: usize| {
        while let Some(b'0'..=b'9') = b.get(i) {
            i += 1;
        }
        i
    };
    let mut i = start;
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    // Number of integer digits when the integer part is not 0: the magnitude is below
    // 10^(int_digits + exponent).
    let int_digits = match b.get(i) {
        Some(b'0') => {
            i += 1;
            0
        }
        Some(b'1'..=b'9') => {
            let end = digits(i + 1);
            let n = end - i;
            i = end;
            n
        }
        _ => return Err(err(i, "a digit")),
    };
    let mut plain_int = true;
    if b.get(i) == Some(&b'.') {
        plain_int = false;
        i += 1;
        if !matches!(b.get(i), Some(b'0'..=b'9')) {
            return Err(err(i, "a digit after `.`"));
        }
        i = digits(i);
    }
    let mut exponent: i64 = 0;
    if let Some(b'e' | b'E') = b.get(i) {
        plain_int = false;
        i += 1;
        let negative = match b.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        if !matches!(b.get(i), Some(b'0'..=b'9')) {
            return Err(err(i, "a digit in the exponent"));
        }
        while let Some(&d @ b'0'..=b'9') = b.get(i) {
            exponent = exponent
                .saturating_mul(10)
                .saturating_add(i64::from(d - b'0'))
                .min(1 << 40);
            i += 1;
        }
        if negative {
            exponent = -exponent;
        }
    }
    let bound = i64::try_from(int_digits)
        .unwrap_or(i64::MAX)
        .saturating_add(exponent);
    Ok((
        i,
        NumberShape {
            plain_int,
            may_overflow: bound > 308,
        },
    ))
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// A mask of the bytes of `x` that are `"`, `\` or below 0x20: zero when there is none, else its
/// lowest set bit is the high bit of the first such byte (higher bits may be spurious: a borrow
/// only crosses into the byte above a byte that is one of them).
#[inline]
fn special_mask(x: u64) -> u64 {
    #[inline]
    fn zero_bytes(v: u64) -> u64 {
        v.wrapping_sub(LO) & !v & HI
    }
    let control = x.wrapping_sub(LO * 0x20) & !x & HI;
    control | zero_bytes(x ^ (LO * u64::from(b'"'))) | zero_bytes(x ^ (LO * u64::from(b'\\')))
}

/// The index of the special byte in the 8 bytes `x` read at `at`, if any (noting non-ASCII
/// bytes before it, or in the whole word when there is none).
#[inline]
fn in_word(x: u64, at: usize, non_ascii: &mut bool) -> Option<usize> {
    let special = special_mask(x);
    if special == 0 {
        *non_ascii |= x & HI != 0;
        return None;
    }
    let before = (special & special.wrapping_neg()) - 1;
    *non_ascii |= x & HI & before != 0;
    Some(at + (special.trailing_zeros() / 8) as usize)
}

/// The index of the first `"`, `\` or control byte at or after `i` (or `b.len()`); sets
/// `non_ascii` when a byte >= 0x80 is skipped.
#[inline(always)]
fn find_special(b: &[u8], mut i: usize, non_ascii: &mut bool) -> usize {
    #[inline]
    fn word(bytes: &[u8; 32], k: usize) -> u64 {
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[8 * k..8 * k + 8]);
        u64::from_le_bytes(word)
    }
    // 8 bytes first (most strings are short), then 32 at a time (long strings), then 8 at a
    // time, then byte by byte.
    if let Some(chunk) = b.get(i..).and_then(|rest| rest.first_chunk::<8>()) {
        if let Some(at) = in_word(u64::from_le_bytes(*chunk), i, non_ascii) {
            return at;
        }
        i += 8;
    }
    while let Some(block) = b.get(i..).and_then(|rest| rest.first_chunk::<32>()) {
        let words = [
            word(block, 0),
            word(block, 1),
            word(block, 2),
            word(block, 3),
        ];
        let masks = words.map(special_mask);
        if masks[0] | masks[1] | masks[2] | masks[3] == 0 {
            *non_ascii |= (words[0] | words[1] | words[2] | words[3]) & HI != 0;
            i += 32;
            continue;
        }
        for (k, x) in words.into_iter().enumerate() {
            if let Some(at) = in_word(x, i + 8 * k, non_ascii) {
                return at;
            }
        }
    }
    while let Some(chunk) = b.get(i..).and_then(|rest| rest.first_chunk::<8>()) {
        if let Some(at) = in_word(u64::from_le_bytes(*chunk), i, non_ascii) {
            return at;
        }
        i += 8;
    }
    while let Some(&c) = b.get(i) {
        if c < 0x20 || c == b'"' || c == b'\\' {
            break;
        }
        *non_ascii |= c >= 0x80;
        i += 1;
    }
    i
}

/// Text shorter than this is checked by the standard library (no SIMD set-up to pay for).
const SIMD_UTF8_FROM: usize = 64;

/// `bytes` as text, when they are UTF-8: SIMD (`simdutf8`) for long text, the standard library
/// for short.
fn as_utf8(bytes: &[u8]) -> Option<&str> {
    if bytes.len() < SIMD_UTF8_FROM {
        std::str::from_utf8(bytes).ok()
    } else {
        simdutf8::basic::from_utf8(bytes).ok()
    }
}

/// Checks that `b[from..to]` (both ends at ASCII bytes or the end) is valid UTF-8; the error is
/// at the first byte of the first invalid sequence, where `str::from_utf8` puts it. Valid text
/// (nearly all of it) is checked by [`as_utf8`]; invalid text is walked again to find where it
/// goes wrong.
fn check_utf8(b: &[u8], from: usize, to: usize) -> Result<(), JsonSyntaxError> {
    let bytes = b.get(from..to).unwrap_or_default();
    if as_utf8(bytes).is_some() {
        return Ok(());
    }
    first_invalid_utf8(bytes, from)
}

/// The error of [`check_utf8`] for `bytes`, which start at `from` in the document: at the
/// first byte of the first invalid sequence (`Ok` if there is none).
fn first_invalid_utf8(bytes: &[u8], from: usize) -> Result<(), JsonSyntaxError> {
    let invalid = |at: usize| Err(err(from + at, "valid UTF-8"));
    let continuation = |at: usize| bytes.get(at).is_some_and(|byte| byte & 0xc0 == 0x80);
    let mut i = 0;
    while let Some(&lead) = bytes.get(i) {
        if lead < 0x80 {
            // ASCII, 8 bytes at a time where possible.
            match bytes.get(i..).and_then(|rest| rest.first_chunk::<8>()) {
                Some(chunk) if u64::from_le_bytes(*chunk) & HI == 0 => i += 8,
                _ => i += 1,
            }
            continue;
        }
        // The well-formed sequences (Unicode, table 3-7): the second byte's range depends on
        // the first (no overlong forms, no surrogates, nothing above U+10FFFF).
        let (width, second) = match lead {
            0xc2..=0xdf => (2, 0x80..=0xbf),
            0xe0 => (3, 0xa0..=0xbf),
            0xe1..=0xec | 0xee..=0xef => (3, 0x80..=0xbf),
            0xed => (3, 0x80..=0x9f),
            0xf0 => (4, 0x90..=0xbf),
            0xf1..=0xf3 => (4, 0x80..=0xbf),
            0xf4 => (4, 0x80..=0x8f),
            _ => return invalid(i),
        };
        if !bytes.get(i + 1).is_some_and(|byte| second.contains(byte)) {
            return invalid(i);
        }
        if (2..width).any(|k| !continuation(i + k)) {
            return invalid(i);
        }
        i += width;
    }
    Ok(())
}

/// Scans the string whose opening quote is at `open`; returns the index after the closing
/// quote and whether the string contains an escape. When `out` is given and the string
/// contains an escape, its unescaped content is appended to `out`.
#[inline(always)]
fn scan_string(
    b: &[u8],
    open: usize,
    mut out: Option<&mut Vec<u8>>,
    unpaired: &mut bool,
) -> Result<(usize, bool), JsonSyntaxError> {
    let mut i = open + 1;
    let mut seg = i;
    let mut non_ascii = false;
    let mut escaped = false;
    loop {
        i = find_special(b, i, &mut non_ascii);
        let Some(&c) = b.get(i) else {
            if non_ascii {
                check_utf8(b, seg, i)?;
            }
            return Err(err(b.len(), "`\"` (end of string)"));
        };
        match c {
            b'"' => {
                if non_ascii {
                    check_utf8(b, seg, i)?;
                }
                if let (true, Some(out)) = (escaped, out) {
                    out.extend_from_slice(b.get(seg..i).unwrap_or_default());
                }
                return Ok((i + 1, escaped));
            }
            b'\\' => {
                if non_ascii {
                    check_utf8(b, seg, i)?;
                    non_ascii = false;
                }
                if let Some(out) = out.as_deref_mut() {
                    out.extend_from_slice(b.get(seg..i).unwrap_or_default());
                }
                escaped = true;
                i = escape(b, i, out.as_deref_mut(), unpaired)?;
                seg = i;
                // Escapes often come in runs (`\"\"\"`, `\u00e9\u00e8`) or a few plain ASCII
                // bytes apart (`{\"a\":{\"b\":`): those are read here byte by byte; a longer
                // stretch, a non-ASCII byte or the end goes back to the search a word at a time.
                let mut plain = 0;
                while let Some(&next) = b.get(i) {
                    match next {
                        b'\\' => {
                            if let Some(out) = out.as_deref_mut() {
                                out.extend_from_slice(b.get(seg..i).unwrap_or_default());
                            }
                            i = escape(b, i, out.as_deref_mut(), unpaired)?;
                            seg = i;
                            plain = 0;
                        }
                        0x20..=0x7f if next != b'"' && plain < 8 => {
                            i += 1;
                            plain += 1;
                        }
                        _ => break,
                    }
                }
            }
            0x00..=0x1f => {
                if non_ascii {
                    check_utf8(b, seg, i)?;
                }
                return Err(err(
                    i,
                    "a character >= U+0020 (control characters must be escaped)",
                ));
            }
            // Not reached: `find_special` stops only at the bytes above.
            _ => i += 1,
        }
    }
}

/// The index after the string whose opening quote is at `open` when it is short (it ends
/// within the 16 bytes after the quote) and plain (ASCII, no backslash, no control byte), as
/// most member names are; `None` otherwise (then [`scan_string`] reads it). Two words at most,
/// without [`scan_string`]'s bookkeeping.
#[inline(always)]
fn short_plain_string(b: &[u8], open: usize) -> Option<usize> {
    let mut non_ascii = false;
    for word in 0..2 {
        let at = open + 1 + 8 * word;
        let x = u64::from_le_bytes(*b.get(at..)?.first_chunk::<8>()?);
        let special = in_word(x, at, &mut non_ascii);
        if non_ascii {
            // Its UTF-8 must be checked.
            return None;
        }
        if let Some(special) = special {
            return (b.get(special) == Some(&b'"')).then_some(special + 1);
        }
    }
    None
}

/// Scans the escape whose backslash is at `i`; returns the index after it.
#[inline(always)]
fn escape(
    b: &[u8],
    i: usize,
    out: Option<&mut Vec<u8>>,
    unpaired: &mut bool,
) -> Result<usize, JsonSyntaxError> {
    /// The byte each one-character escape stands for; 0 for the others (`u` among them).
    const DECODED: [u8; 256] = {
        let mut table = [0u8; 256];
        table[b'"' as usize] = b'"';
        table[b'\\' as usize] = b'\\';
        table[b'/' as usize] = b'/';
        table[b'b' as usize] = 0x08;
        table[b'f' as usize] = 0x0c;
        table[b'n' as usize] = b'\n';
        table[b'r' as usize] = b'\r';
        table[b't' as usize] = b'\t';
        table
    };
    // A table, not a `match`: the jump table a `match` compiles to costs more than the rest.
    let next = b.get(i + 1).copied();
    let decoded = DECODED[usize::from(next.unwrap_or(0))];
    if decoded == 0 {
        if next == Some(b'u') {
            return unicode_escape(b, i, out, unpaired);
        }
        return Err(err(
            (i + 1).min(b.len()),
            "an escape character (one of \" \\ / b f n r t u)",
        ));
    }
    if let Some(out) = out {
        out.push(decoded);
    }
    Ok(i + 2)
}

/// Scans `\uXXXX` (and a following low surrogate escape) at `i`; returns the index after it.
fn unicode_escape(
    b: &[u8],
    i: usize,
    out: Option<&mut Vec<u8>>,
    unpaired: &mut bool,
) -> Result<usize, JsonSyntaxError> {
    let unit = hex4(b, i + 2)?;
    let mut next = i + 6;
    let ch = match unit {
        0xD800..=0xDBFF => {
            if b.get(next) == Some(&b'\\') && b.get(next + 1) == Some(&b'u') {
                let low = hex4(b, next + 2)?;
                if (0xDC00..=0xDFFF).contains(&low) {
                    next += 6;
                    char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                } else {
                    None
                }
            } else {
                None
            }
        }
        0xDC00..=0xDFFF => None,
        _ => char::from_u32(unit),
    };
    let ch = ch.unwrap_or_else(|| {
        *unpaired = true;
        char::REPLACEMENT_CHARACTER
    });
    if let Some(out) = out {
        out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
    }
    Ok(next)
}

fn hex4(b: &[u8], at: usize) -> Result<u32, JsonSyntaxError> {
    let mut value = 0u32;
    for k in 0..4 {
        let digit = match b.get(at + k) {
            Some(&d @ b'0'..=b'9') => d - b'0',
            Some(&d @ b'a'..=b'f') => d - b'a' + 10,
            Some(&d @ b'A'..=b'F') => d - b'A' + 10,
            _ => return Err(err((at + k).min(b.len()), "a hex digit")),
        };
        value = value * 16 + u32::from(digit);
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    type Case = (&'static [u8], Option<JsonKind>);

    const OBJ: Option<JsonKind> = Some(JsonKind::Object);
    const ARR: Option<JsonKind> = Some(JsonKind::Array);
    const STR: Option<JsonKind> = Some(JsonKind::String);
    const NUM: Option<JsonKind> = Some(JsonKind::Number);
    const BOOL: Option<JsonKind> = Some(JsonKind::Bool);
    const NULL: Option<JsonKind> = Some(JsonKind::Null);
    const BAD: Option<JsonKind> = None;

    /// Grammar points, accepted (with the top-level kind) and refused.
    const CASES: &[Case] = &[
        // Containers and whitespace.
        (b"{}", OBJ),
        (b"[]", ARR),
        (b" \t\n\r[ ] \r\n\t", ARR),
        (b"{ \"a\" : 1 , \"b\" : 2 }", OBJ),
        (b"[ 1 , 2 ]", ARR),
        (b"[[[]]]", ARR),
        (
            b"{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}",
            OBJ,
        ),
        (b"[1,\"2\",[3],{\"4\":5}]", ARR),
        (b"{\"\":0}", OBJ),
        (b"", BAD),
        (b"   ", BAD),
        (b"\t\r\n", BAD),
        (b"{} {}", BAD),
        (b"1 2", BAD),
        (b"[] x", BAD),
        (b"[1,]", BAD),
        (b"{\"a\":1,}", BAD),
        (b"[,1]", BAD),
        (b"{,}", BAD),
        (b"[1 2]", BAD),
        (b"{a:1}", BAD),
        (b"{1:2}", BAD),
        (b"{\"a\" 1}", BAD),
        (b"{\"a\":}", BAD),
        (b"{\"a\"}", BAD),
        (b"[1]]", BAD),
        (b"]", BAD),
        (b"}", BAD),
        (b"[}", BAD),
        (b"{]", BAD),
        (b"[", BAD),
        (b"{\"a\":1", BAD),
        (b"\x0b1", BAD),
        (b"\x0c1", BAD),
        (b"\xc2\xa01", BAD),
        (b"\xef\xbb\xbf{}", BAD),
        // Comments.
        (b"/* c */ 1", BAD),
        (b"// c\n1", BAD),
        (b"[1 /* c */]", BAD),
        (b"1 # c", BAD),
        // Numbers.
        (b"0", NUM),
        (b"-0", NUM),
        (b"123", NUM),
        (b"-123", NUM),
        (b"1.5", NUM),
        (b"-0.0", NUM),
        (b"1e5", NUM),
        (b"1E5", NUM),
        (b"1e+5", NUM),
        (b"1e-5", NUM),
        (b"1.5E-10", NUM),
        (b"0e0", NUM),
        (b"-0.5e+3", NUM),
        (b"1e007", NUM),
        (b"12345678901234567890123", NUM),
        (b"-9223372036854775809", NUM),
        (b"18446744073709551615", NUM),
        (b"+1", BAD),
        (b"01", BAD),
        (b"-01", BAD),
        (b"00", BAD),
        (b".5", BAD),
        (b"-.5", BAD),
        (b"1.", BAD),
        (b"1.e5", BAD),
        (b"1e", BAD),
        (b"1e+", BAD),
        (b"1E-", BAD),
        (b"-", BAD),
        (b"- 1", BAD),
        (b"0x10", BAD),
        (b"NaN", BAD),
        (b"Infinity", BAD),
        (b"-Infinity", BAD),
        (b"1_000", BAD),
        (b"1.5.5", BAD),
        // Literals.
        (b"true", BOOL),
        (b"false", BOOL),
        (b"null", NULL),
        (b"True", BAD),
        (b"FALSE", BAD),
        (b"Null", BAD),
        (b"nul", BAD),
        (b"nulll", BAD),
        (b"tru", BAD),
        (b"truex", BAD),
        (b"undefined", BAD),
        // Strings.
        (b"\"abc\"", STR),
        (b"\"\"", STR),
        (b"\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"", STR),
        (b"\"\\u0041\\u00e9\\u00E9\\uFFFF\\uabcd\"", STR),
        (b"\"\\ud83d\\ude00\"", STR),
        (b"\"\\uD83D\\uDE00\"", STR),
        (b"\"\xc3\xa9\xf0\x9f\x98\x80\"", STR),
        (b"\"\x7f\"", STR),
        (b"\"\\u007f\"", STR),
        (b"\"\\u0000\"", STR),
        (b"\"a/b\"", STR),
        (b"\"abc", BAD),
        (b"\"", BAD),
        (b"\"\x01\"", BAD),
        (b"\"\x1f\"", BAD),
        (b"\"\x00\"", BAD),
        (b"\"a\tb\"", BAD),
        (b"\"a\nb\"", BAD),
        (b"\"\\x41\"", BAD),
        (b"\"\\a\"", BAD),
        (b"\"\\'\"", BAD),
        (b"\"\\u12\"", BAD),
        (b"\"\\u12g4\"", BAD),
        (b"\"\\U0041\"", BAD),
        (b"\"\\\"", BAD),
        (b"\"\\", BAD),
        (b"\"\\ud83d\\u12\"", BAD),
        (b"'a'", BAD),
        // Invalid UTF-8, inside strings and outside.
        (b"\"\xff\"", BAD),
        (b"\"a\xc0\xafb\"", BAD),
        (b"\"\xe2\x82\"", BAD),
        (b"\"\xe2\x82", BAD),
        (b"\"\xed\xa0\x80\"", BAD),
        (b"\"\x80\"", BAD),
        (b"\xff", BAD),
        (b"[\xc0\xaf]", BAD),
        (b"1\xff", BAD),
        (b"[\"a\"\xe2\x82]", BAD),
    ];

    #[test]
    fn grammar_table() {
        for (input, expected) in CASES {
            let got = scan(input);
            let shown = String::from_utf8_lossy(input);
            match expected {
                Some(kind) => {
                    let scanned = got.unwrap_or_else(|e| panic!("{shown:?} refused: {e}"));
                    assert_eq!(scanned.kind, *kind, "{shown:?}");
                    assert!(!scanned.limits.any(), "{shown:?}: {:?}", scanned.limits);
                }
                None => {
                    let e = got.err().unwrap_or_else(|| panic!("{shown:?} accepted"));
                    assert!(e.offset <= input.len(), "{shown:?}: {e}");
                }
            }
            // parse_lenient agrees with scan.
            assert_eq!(
                parse_lenient(input, 64).map(|(_, s)| s),
                scan(input),
                "{shown:?}"
            );
        }
    }

    #[test]
    fn table_agrees_with_serde_json() {
        for (input, expected) in CASES {
            let theirs = serde_json::from_slice::<Value>(input);
            let shown = String::from_utf8_lossy(input);
            assert_eq!(theirs.is_ok(), expected.is_some(), "{shown:?}: {theirs:?}");
            if let Ok(theirs) = theirs {
                let (ours, _) = parse_lenient(input, 64).expect("accepted");
                assert_eq!(ours, theirs, "{shown:?}");
            }
        }
    }

    #[test]
    fn error_offsets_and_expectations() {
        let at = |input: &[u8]| scan(input).err().map(|e| (e.offset, e.expected));
        assert_eq!(at(b""), Some((0, "a JSON value")));
        assert_eq!(at(b"  "), Some((2, "a JSON value")));
        assert_eq!(at(b"{} {}"), Some((3, "end of input")));
        assert_eq!(at(b"[1,]"), Some((3, "a JSON value")));
        assert_eq!(
            at(b"{\"a\":1,}"),
            Some((7, "a string (object member name)"))
        );
        assert_eq!(at(b"{\"a\" 1}"), Some((5, "`:`")));
        assert_eq!(at(b"[1 2]"), Some((3, "`,` or `]`")));
        assert_eq!(at(b"{\"a\":1 2}"), Some((7, "`,` or `}`")));
        assert_eq!(at(b"01"), Some((1, "end of input")));
        assert_eq!(at(b"1."), Some((2, "a digit after `.`")));
        assert_eq!(at(b"1e+"), Some((3, "a digit in the exponent")));
        assert_eq!(at(b"-x"), Some((1, "a digit")));
        assert_eq!(at(b"nul"), Some((3, "`null`")));
        assert_eq!(at(b"trUe"), Some((2, "`true`")));
        assert_eq!(at(b"\"abc"), Some((4, "`\"` (end of string)")));
        assert_eq!(
            at(b"\"a\x01\""),
            Some((
                2,
                "a character >= U+0020 (control characters must be escaped)"
            ))
        );
        assert_eq!(
            at(b"\"\\q\""),
            Some((2, "an escape character (one of \" \\ / b f n r t u)"))
        );
        assert_eq!(at(b"\"\\u00g0\""), Some((5, "a hex digit")));
        assert_eq!(at(b"\"ab\xffcd\""), Some((3, "valid UTF-8")));
        assert_eq!(at(b"\"\\n\xc3\xa9\xc0\xaf\""), Some((5, "valid UTF-8")));
        // Past the 8-byte fast path.
        let mut long = b"\"".to_vec();
        long.extend_from_slice(&[b'a'; 21]);
        long.extend_from_slice(b"\xe2\x82\"");
        assert_eq!(at(&long), Some((22, "valid UTF-8")));
        // An invalid byte before a control character is reported first.
        assert_eq!(at(b"\"\xff\x01\""), Some((1, "valid UTF-8")));
        assert_eq!(at(b"\xef\xbb\xbf{}"), Some((0, "a JSON value")));
        let e = scan(b"[1,]").err();
        assert_eq!(
            e.map(|e| e.to_string()),
            Some("not JSON text (RFC 8259) at byte 3: expected a JSON value".to_owned())
        );
    }

    fn limits(input: &[u8]) -> JsonLimits {
        scan(input)
            .unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(input)))
            .limits
    }

    #[test]
    fn number_out_of_range() {
        let flagged = |input: &str| limits(input.as_bytes()).number_out_of_range;
        for input in [
            "1e400",
            "-1e309",
            "[1.8e308]",
            "{\"a\":1E+999}",
            "123456789e99999999999999999999999",
            "0.5e310",
        ] {
            assert!(flagged(input), "{input}");
            assert_eq!(
                limits(input.as_bytes()),
                JsonLimits {
                    number_out_of_range: true,
                    ..JsonLimits::default()
                }
            );
        }
        for input in [
            "1e-400",
            "-1e-99999999999999999999",
            "1e308",
            "1.7976931348623157e308",
            "-1.7976931348623157e308",
            "0e99999999999999999999",
            "0.000e400",
            "0.01e309",
            "123",
            "4.9e-324",
        ] {
            assert!(!flagged(input), "{input}");
        }
        let nines = |n: usize| "9".repeat(n);
        assert!(!flagged(&nines(308)));
        assert!(flagged(&nines(309)));
        assert!(flagged(&format!("1{}", "0".repeat(309))));
        assert!(flagged(&format!("-{}.5", nines(400))));
        // The lenient reading is 0.
        let (value, scanned) = parse_lenient(b"[1e400, -1e309, 2]", 64).expect("ok");
        assert_eq!(value, json!([0, 0, 2]));
        assert!(scanned.limits.number_out_of_range);
    }

    #[test]
    fn unpaired_surrogate() {
        let read = |input: &str| {
            let (value, scanned) = parse_lenient(input.as_bytes(), 64).expect("ok");
            (value, scanned.limits.unpaired_surrogate)
        };
        let cases: &[(&str, Value, bool)] = &[
            (r#""\ud800""#, json!("\u{FFFD}"), true),
            (r#""\udc00""#, json!("\u{FFFD}"), true),
            (r#""\uDBFFx""#, json!("\u{FFFD}x"), true),
            (r#""\ud800\u0041""#, json!("\u{FFFD}A"), true),
            (r#""\ud800\ud800\udc00""#, json!("\u{FFFD}\u{10000}"), true),
            (r#""\udc00\ud800""#, json!("\u{FFFD}\u{FFFD}"), true),
            (r#""\ude00\ud83d""#, json!("\u{FFFD}\u{FFFD}"), true),
            (r#"{"\ud800":1}"#, json!({"\u{FFFD}": 1}), true),
            (r#""\ud83d\ude00""#, json!("\u{1F600}"), false),
            (r#""\uD83D\uDE00""#, json!("\u{1F600}"), false),
            (r#""\udbff\udfff""#, json!("\u{10FFFF}"), false),
            (r#""\uD7FF\uE000""#, json!("\u{D7FF}\u{E000}"), false),
        ];
        for (input, value, flag) in cases {
            assert_eq!(read(input), (value.clone(), *flag), "{input}");
            assert_eq!(
                limits(input.as_bytes()).unpaired_surrogate,
                *flag,
                "{input}"
            );
        }
    }

    /// A document tells which of its strings had an unpaired surrogate escape (their content
    /// shows U+FFFD), also when duplicate member names make it go through `parse_lenient`.
    #[test]
    fn documents_mark_strings_with_unpaired_surrogates() {
        let marks = |input: &str| -> Vec<(String, bool)> {
            read_document(input.as_bytes(), 6, &[], |read| {
                let (document, _) = read.expect("JSON text");
                let mut seen = Vec::new();
                for member in document.root().children() {
                    let items: Vec<Item<'_>> = if member.kind() == JsonKind::Array {
                        member.children().collect()
                    } else {
                        vec![member]
                    };
                    for item in items {
                        seen.push((
                            format!("{}={}", member.name(), item.as_str().unwrap_or("?")),
                            item.has_unpaired_surrogate(),
                        ));
                    }
                }
                seen
            })
        };
        let mark = |text: &str, flag: bool| (text.to_owned(), flag);
        assert_eq!(
            marks(r#"{"a":"s\ud800","b":"s\ufffd","c":"s\ud83d\ude00","d":["\udc00x","y"]}"#),
            vec![
                mark("a=s\u{fffd}", true),
                mark("b=s\u{fffd}", false),
                mark("c=s\u{1f600}", false),
                mark("d=\u{fffd}x", true),
                mark("d=y", false),
            ]
        );
        // Duplicate names: the last one wins, its mark with it.
        assert_eq!(
            marks(r#"{"a":"s\ufffd","b":["\ud800","z"],"a":"s\ud800","b":["\ufffd"]}"#),
            vec![mark("a=s\u{fffd}", true), mark("b=\u{fffd}", false)]
        );
        assert_eq!(
            marks(r#"{"a":"s\ud800","a":"s\ufffd","c":"\udfff"}"#),
            vec![mark("a=s\u{fffd}", false), mark("c=\u{fffd}", true)]
        );
    }

    fn object_with_names(names: &[String]) -> String {
        let members: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, n)| format!("\"{n}\":{i}"))
            .collect();
        format!("{{{}}}", members.join(","))
    }

    #[test]
    fn duplicate_names() {
        let flagged = |input: &str| limits(input.as_bytes()).duplicate_names;
        for input in [
            r#"{"a":1,"a":2}"#,
            r#"{"a":1,"\u0061":2}"#,
            r#"{"\u0061":1,"a":2}"#,
            r#"{"\u0061":1,"\u0061":2}"#,
            r#"{"\ud83d\ude00":1,"😀":2}"#,
            r#"{"\/":1,"/":2}"#,
            r#"[{"x":{"a":1,"b":2,"a":3}}]"#,
            r#"{"a":{},"b":[],"a":null}"#,
            r#"{"\ud800":1,"\udc00":2}"#,
        ] {
            assert!(flagged(input), "{input}");
        }
        for input in [
            r#"{"a":1,"b":2}"#,
            r#"{"a":{"a":1}}"#,
            r#"[{"a":1},{"a":1}]"#,
            r#"{"a":{"b":1},"b":2}"#,
            r#"{"a":1,"A":2,"a ":3,"":4}"#,
            r#"{"\u0061b":1,"a":2,"ab\n":3}"#,
        ] {
            assert!(!flagged(input), "{input}");
        }
        // Many names: the hash table path.
        let mut names: Vec<String> = (0..1000).map(|i| format!("k{i}")).collect();
        assert!(!flagged(&object_with_names(&names)));
        names.push("k0".to_owned());
        assert!(flagged(&object_with_names(&names)));
        names.pop();
        names.push("\\u006b999".to_owned());
        assert!(flagged(&object_with_names(&names)));
        // Nested large objects keep their own name sets.
        let names: Vec<String> = (0..30).map(|i| format!("k{i}")).collect();
        let inner = object_with_names(&names);
        let outer = |extra: &str| {
            let members: Vec<String> = names
                .iter()
                .map(|n| {
                    if n == "k15" {
                        format!("\"{n}\":{inner}")
                    } else {
                        format!("\"{n}\":[{inner}]")
                    }
                })
                .collect();
            format!("{{{}{extra}}}", members.join(","))
        };
        assert!(!flagged(&outer("")));
        assert!(flagged(&outer(",\"k3\":0")));
        assert!(!flagged(&outer(",\"k30\":0")));
        // Last one wins.
        let (value, scanned) = parse_lenient(br#"{"a":1,"b":2,"a":3}"#, 64).expect("ok");
        assert_eq!(value, json!({"a": 3, "b": 2}));
        assert!(scanned.limits.duplicate_names);
        let (value, _) =
            parse_lenient(br#"{"a":1,"b":{"c":1,"c":[2]},"\u0061":{}}"#, 64).expect("ok");
        assert_eq!(value, json!({"a": {}, "b": {"c": [2]}}));
    }

    fn nested_arrays(depth: usize) -> Vec<u8> {
        let mut v = vec![b'['; depth];
        v.extend(std::iter::repeat_n(b']', depth));
        v
    }

    #[test]
    fn depth_limit_and_max_depth() {
        let depth = |input: &[u8]| scan(input).expect("ok").max_depth;
        assert_eq!(depth(b"1"), 0);
        assert_eq!(depth(b"\"[[[\""), 0);
        assert_eq!(depth(b"[]"), 1);
        assert_eq!(depth(b"{}"), 1);
        assert_eq!(depth(b"[[]]"), 2);
        assert_eq!(depth(b"{\"a\":[{}]}"), 3);
        assert_eq!(depth(b"[1,[2,[3]],4,[5]]"), 3);
        assert_eq!(depth(b"[[],[[],[]],{}]"), 3);
        let s = scan(&nested_arrays(128)).expect("ok");
        assert_eq!((s.max_depth, s.limits.deeper_than_128), (128, false));
        let s = scan(&nested_arrays(129)).expect("ok");
        assert_eq!((s.max_depth, s.limits.deeper_than_128), (129, true));
        assert_eq!(
            s.limits,
            JsonLimits {
                deeper_than_128: true,
                ..JsonLimits::default()
            }
        );
        assert!(s.limits.any());
        assert!(!JsonLimits::default().any());
    }

    const MILLION: usize = 1_000_000;

    #[test]
    fn million_deep_arrays() {
        let input = nested_arrays(MILLION);
        let s = scan(&input).expect("ok");
        assert_eq!(s.kind, JsonKind::Array);
        assert_eq!(s.max_depth, MILLION);
        assert!(s.limits.deeper_than_128);
        // Unterminated.
        let e = scan(&input[..MILLION]).expect_err("unterminated");
        assert_eq!(e.offset, MILLION);
        let e = scan(&input[..input.len() - 1]).expect_err("unterminated");
        assert_eq!((e.offset, e.expected), (input.len() - 1, "`,` or `]`"));
        // The lenient reading keeps at most 64 levels plus one empty container.
        let (value, s) = parse_lenient(&input, 10_000).expect("ok");
        assert_eq!(s.max_depth, MILLION);
        assert_eq!(value_depth(&value), MAX_KEEP_DEPTH + 1);
    }

    #[test]
    fn million_deep_objects() {
        let mut input = b"{\"a\":".repeat(MILLION);
        let open = input.len();
        input.extend_from_slice(b"1");
        input.extend(std::iter::repeat_n(b'}', MILLION));
        let s = scan(&input).expect("ok");
        assert_eq!(s.kind, JsonKind::Object);
        assert_eq!(s.max_depth, MILLION);
        assert_eq!(
            s.limits,
            JsonLimits {
                deeper_than_128: true,
                ..JsonLimits::default()
            }
        );
        let e = scan(&input[..open]).expect_err("unterminated");
        assert_eq!((e.offset, e.expected), (open, "a JSON value"));
        let (value, _) = parse_lenient(&input, 64).expect("ok");
        assert_eq!(value_depth(&value), 65);
        let (value, _) = parse_lenient(&input, 2).expect("ok");
        assert_eq!(value, json!({"a": {"a": {}}}));
        // A duplicate at the innermost level is still seen.
        let mut dup = b"{\"a\":".repeat(MILLION);
        dup.extend_from_slice(b"1,\"a\":2");
        dup.extend(std::iter::repeat_n(b'}', MILLION));
        assert!(scan(&dup).expect("ok").limits.duplicate_names);
    }

    /// Depth of a value, computed without recursion.
    fn value_depth(value: &Value) -> usize {
        let mut deepest = 0;
        let mut todo = vec![(value, 0)];
        while let Some((v, d)) = todo.pop() {
            match v {
                Value::Array(items) => todo.extend(items.iter().map(|i| (i, d + 1))),
                Value::Object(map) => todo.extend(map.values().map(|i| (i, d + 1))),
                _ => {}
            }
            deepest = deepest.max(match v {
                Value::Array(_) | Value::Object(_) => d + 1,
                _ => d,
            });
        }
        deepest
    }

    #[test]
    fn big_strings() {
        let ascii = format!("\"{}\"", "x".repeat(64 * 1024));
        let s = scan(ascii.as_bytes()).expect("ok");
        assert_eq!((s.kind, s.max_depth), (JsonKind::String, 0));
        let (value, _) = parse_lenient(ascii.as_bytes(), 64).expect("ok");
        assert_eq!(value.as_str().map(str::len), Some(64 * 1024));

        let mut mixed = String::from("{\"CustomJson\":\"");
        while mixed.len() < 64 * 1024 {
            mixed.push_str("abc é😀 \\\"q\\\" \\u00e9\\n\\ud83d\\ude00 /\u{7f} ");
        }
        mixed.push_str("\"}");
        let (ours, s) = parse_lenient(mixed.as_bytes(), 64).expect("ok");
        assert!(!s.limits.any());
        let theirs: Value = serde_json::from_str(&mixed).expect("serde_json");
        assert_eq!(ours, theirs);

        let mut bad = ascii.into_bytes();
        let n = bad.len();
        bad[n - 100] = 0x1f;
        assert_eq!(scan(&bad).err().map(|e| e.offset), Some(n - 100));
        bad[n - 100] = 0xc3;
        assert_eq!(scan(&bad).err().map(|e| e.offset), Some(n - 100));
    }

    #[test]
    fn lenient_values() {
        let doc = br#" {"StackId":"s-1","Command":{"Name":"deploy","Args":{"x":["1","2"]}},
            "n":[0,-0,1.5,-2,1e3,18446744073709551615,-9223372036854775808,12345678901234567890123],
            "t":true,"f":false,"z":null,"s":"a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00"} "#;
        let (value, s) = parse_lenient(doc, 64).expect("ok");
        let theirs: Value = serde_json::from_slice(doc).expect("serde_json");
        assert_eq!(value, theirs);
        assert_eq!(value["Command"]["Args"]["x"], json!(["1", "2"]));
        assert_eq!(value["s"], json!("a\"b\\c/d\u{8}\u{c}\n\r\té😀"));
        assert_eq!(s.max_depth, 4);
        assert_eq!(s.kind, JsonKind::Object);

        for (keep, expected) in [
            (0, json!({})),
            (
                1,
                json!({"StackId": "s-1", "Command": {}, "n": [], "t": true, "f": false, "z": null, "s": value["s"]}),
            ),
            (
                2,
                json!({"StackId": "s-1", "Command": {"Name": "deploy", "Args": {}}, "n": value["n"], "t": true, "f": false, "z": null, "s": value["s"]}),
            ),
        ] {
            assert_eq!(parse_lenient(doc, keep).expect("ok").0, expected, "{keep}");
        }
        assert_eq!(
            parse_lenient(b"[[1],{\"a\":[2]}]", 1).expect("ok").0,
            json!([[], {}])
        );
        assert_eq!(
            parse_lenient(b"[[1],{\"a\":[2]}]", 0).expect("ok").0,
            json!([])
        );
        assert_eq!(parse_lenient(b" 7 ", 0).expect("ok").0, json!(7));
        assert_eq!(parse_lenient(b"\"x\"", 0).expect("ok").0, json!("x"));
        assert_eq!(parse_lenient(b"null", 64).expect("ok").0, Value::Null);
        // The clamp.
        let (value, s) = parse_lenient(&nested_arrays(100), usize::MAX).expect("ok");
        assert_eq!((value_depth(&value), s.max_depth), (65, 100));
        let (value, _) = parse_lenient(&nested_arrays(64), 64).expect("ok");
        assert_eq!(value_depth(&value), 64);
        assert!(parse_lenient(b"[1,]", 64).is_err());
    }

    #[test]
    fn body_facts_reads_what_the_oracle_reads() {
        let names = [
            "StackId",
            "AppId",
            "InstanceIds",
            "LayerIds",
            "Command",
            "Comment",
            "CustomJson",
        ];
        let body = br#"{"StackId":"s\u00e9","Command":{"Name":"deploy","Args":{"a":["xy","z"],"b":[1],"c":"no"}},"Comment":"c\n","AppId":null}"#;
        let facts = body_facts(body, &names);
        assert_eq!(facts.kind, Some(JsonKind::Object));
        assert_eq!(facts.members[0], Some((JsonKind::String, 3)));
        assert_eq!(facts.members[1], Some((JsonKind::Null, 0)));
        assert_eq!(facts.members[2], None);
        assert_eq!(facts.members[4], Some((JsonKind::Object, 0)));
        // `Comment` with an escape is not decoded.
        assert_eq!(facts.members[5], Some((JsonKind::String, 0)));
        assert_eq!(
            (facts.command_name, facts.args, facts.arg_bytes),
            (Some(6), 1, 3)
        );
        assert_eq!(body_facts(b"[1", &names), BodyFacts::default());
        let dup = body_facts(br#"{"StackId":"a","StackId":"bc"}"#, &names);
        assert!(dup.limits.duplicate_names);
        assert_eq!(dup.members[0], Some((JsonKind::String, 2)));
    }

    #[test]
    fn buffers_are_reset_between_calls() {
        let names: Vec<String> = (0..40).map(|i| format!("\\u006b{i}")).collect();
        let mut unterminated = object_with_names(&names);
        unterminated.pop();
        unterminated.push_str(",\"k1\"");
        assert!(scan(unterminated.as_bytes()).is_err());
        assert!(scan(b"{\"a\":[{\"b\":1,\"c\":2").is_err());
        assert!(!limits(object_with_names(&names).as_bytes()).duplicate_names);
        assert!(!limits(br#"{"a":1,"c":{"b":1}}"#).duplicate_names);
        assert_eq!(limits(b"[1]"), JsonLimits::default());
    }

    /// A tiny deterministic generator (xorshift) for mutation tests.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn ordinary_documents_match_serde_json() {
        let seeds: &[&[u8]] = &[
            br#"{"a":[1,2.5,-3e2,{"b":null}],"c":"d\u00e9\n","e":true,"f":{}}"#,
            br#"[0,-0.0,1E+2,"\ud83d\ude00",[],[[]],{"":""}]"#,
            br#"{"chef":{"run_list":["recipe[x]"],"attrs":{"port":8080,"ratio":0.25}}}"#,
            b" [ \"\\\\\" , \"\\/\" , 123456789012345678901234567890 , false ] ",
            // Escapes a few plain bytes apart, then a long stretch, then non-ASCII.
            "{\"u\":\"{\\\"a\\\":{\\\"b\\u00e9\\\":1},\\\"cccccccccccccccc\\\"}\\t\u{e9}x\"}"
                .as_bytes(),
            // Runs of escapes, read one after another.
            br#"{"s":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\"x\"\"","t":"\\\\"}"#,
        ];
        const ALPHABET: &[u8] = b"{}[],:\"\\/ 0123456789-+.eEabfnrtu\tx\x01\xc3\xa9\xff";
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut compared = 0;
        for round in 0..20_000 {
            let mut doc = seeds[round % seeds.len()].to_vec();
            for _ in 0..1 + rng.below(3) {
                let pos = rng.below(doc.len() + 1);
                let byte = ALPHABET[rng.below(ALPHABET.len())];
                match rng.below(3) {
                    0 => doc.insert(pos, byte),
                    1 if pos < doc.len() => {
                        doc.remove(pos);
                    }
                    _ if pos < doc.len() => doc[pos] = byte,
                    _ => doc.push(byte),
                }
            }
            let ours = parse_lenient(&doc, 64);
            assert_eq!(ours.as_ref().map(|(_, s)| s.clone()).ok(), scan(&doc).ok());
            let theirs = serde_json::from_slice::<Value>(&doc);
            let shown = String::from_utf8_lossy(&doc);
            match (ours, theirs) {
                (Ok((value, s)), Ok(theirs)) => {
                    if !s.limits.any() {
                        assert_eq!(value, theirs, "{shown:?}");
                        compared += 1;
                    }
                }
                (Ok((_, s)), Err(e)) => {
                    assert!(s.limits.any(), "{shown:?} accepted, serde_json: {e}");
                }
                (Err(e), Ok(_)) => panic!("{shown:?} refused ({e}), serde_json accepts"),
                (Err(_), Err(_)) => {}
            }
        }
        assert!(compared > 1000, "{compared}");
    }

    /// Where the short, plain string reading gives an end, the full scan gives the same one,
    /// unescaped; and it gives one for every short plain name.
    #[test]
    fn short_plain_strings_end_where_scan_string_ends() {
        let mut rng = Rng(0x0DDB_1A5E_5BAD_5EED);
        const BYTES: &[u8] = b"\"\\\x00\x1f\x7f\x80\xc3\xa9 aZ09:{}";
        let mut short = 0;
        for _ in 0..20_000 {
            let len = rng.below(24);
            let mut bytes = vec![b'"'];
            bytes.extend((0..len).map(|_| BYTES[rng.below(BYTES.len())]));
            if rng.below(2) == 0 {
                bytes.push(b'"');
            }
            let mut unpaired = false;
            let full = scan_string(&bytes, 0, None, &mut unpaired).ok();
            if let Some(end) = short_plain_string(&bytes, 0) {
                assert_eq!(full, Some((end, false)), "{bytes:?}");
                short += 1;
            }
        }
        assert!(short > 100, "{short}");
        let name = br#""StackId":1"#;
        assert_eq!(short_plain_string(name, 0), Some(9));
    }

    #[test]
    fn find_special_finds_the_first_special_byte() {
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        const BYTES: &[u8] = b"\x00\x01\x1f\x20\x21\"#\\]\x7f\x80\x9f\xa0\xc3\xff aZ";
        for round in 0..20_000 {
            let len = rng.below(80);
            let rare = round % 3 == 0;
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    if rare && rng.below(10) > 0 {
                        b'a'
                    } else {
                        BYTES[rng.below(BYTES.len())]
                    }
                })
                .collect();
            let from = rng.below(len + 1);
            let expected = bytes[from..]
                .iter()
                .position(|&c| c < 0x20 || c == b'"' || c == b'\\')
                .map_or(len, |at| from + at);
            let mut non_ascii = false;
            assert_eq!(
                find_special(&bytes, from, &mut non_ascii),
                expected,
                "{bytes:?} {from}"
            );
            assert_eq!(
                non_ascii,
                bytes[from..expected].iter().any(|&c| c >= 0x80),
                "{bytes:?} {from}"
            );
        }
    }

    #[test]
    fn check_utf8_agrees_with_the_standard_library() {
        let mut rng = Rng(0x1234_5678_9ABC_DEF1);
        const BYTES: &[u8] = &[
            b'a', b'"', 0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf,
            0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff,
        ];
        let mut samples: Vec<Vec<u8>> = ["é", "中文", "😀", "\u{10ffff}", "\u{d7ff}", "\u{e000}"]
            .iter()
            .map(|text| text.as_bytes().to_vec())
            .collect();
        for _ in 0..200_000 {
            let len = rng.below(12);
            samples.push((0..len).map(|_| BYTES[rng.below(BYTES.len())]).collect());
        }
        for mut bytes in samples {
            // Valid text around it, long enough for the 8-byte steps.
            let mut input = b"0123456789".to_vec();
            input.append(&mut bytes);
            input.extend_from_slice("abcdefgh é".as_bytes());
            let ours = check_utf8(&input, 0, input.len()).map_err(|e| e.offset);
            let std = std::str::from_utf8(&input)
                .map(|_| ())
                .map_err(|e| e.valid_up_to());
            assert_eq!(ours, std, "{input:?}");
        }
    }
}
