//! The JSON scanner's layers above the RFC 8259 validator (`oracle/json_text.rs`), paired with
//! a library replacement in one run. Run with `cargo bench --bench json_layers` (`BENCH_MS=N`
//! sets the time budget of each figure, 1000 ms by default).
//!
//! - **tape**: what the oracle does with a body: `read_document` (the validator with its limit
//!   flags, recording the document on a tape of nodes), then the member lookups the oracle
//!   makes (the seven top-level members, `Command.Name`, `Command.Args`).
//! - **library**: the validator alone (`json_text::scan`: it must run anyway, serde_json has no
//!   limit flags and keeps the last of duplicate names silently), then
//!   `serde_json::from_slice::<Value>` (`preserve_order`) and the same lookups on the `Value`.
//!   Bodies with a limit flag (which serde_json refuses or reads differently) would go to the
//!   lenient reading, as now; the bodies here have none.
//! - **scan**: the validator alone, so `tape - scan` is what the tape costs.
//! - **oracle**: `judge_request` on the same body, the whole verdict.
//!
//! Both readings must give the same facts: the bench checks that before it times them.
//!
//! The hand hash table of member names serves objects of 12 names and more (fewer are searched
//! linearly); no body the contract describes has one, so the last figure times it on a
//! `CustomJson` text made of one object with many members, next to serde_json reading it.

use std::hint::black_box;

use opsworks_conformance::contract::INPUT_MEMBERS;
use opsworks_conformance::oracle::json_text::{self, BodyFacts, JsonKind};
use opsworks_conformance::oracle::{CallerIdentity, judge_request};
use opsworks_conformance::world::World;

mod common;
use common::{budget, rate, typical_and_worst};
use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

fn kind(value: &Value) -> JsonKind {
    match value {
        Value::Object(_) => JsonKind::Object,
        Value::Array(_) => JsonKind::Array,
        Value::String(_) => JsonKind::String,
        Value::Number(_) => JsonKind::Number,
        Value::Bool(_) => JsonKind::Bool,
        Value::Null => JsonKind::Null,
    }
}

/// The library reading: the validator, then serde_json's `Value`.
fn library_facts(body: &[u8]) -> BodyFacts {
    let mut facts = BodyFacts::default();
    let Ok(scanned) = json_text::scan(body) else {
        return facts;
    };
    if scanned.limits.any() {
        // serde_json refuses these or keeps the last duplicate silently: the lenient reading.
        return json_text::body_facts(body, &INPUT_MEMBERS);
    }
    facts.kind = Some(scanned.kind);
    facts.limits = scanned.limits;
    let Ok(Value::Object(root)) = serde_json::from_slice::<Value>(body) else {
        return facts;
    };
    for (slot, name) in facts.members.iter_mut().zip(INPUT_MEMBERS) {
        *slot = root
            .get(name)
            .map(|v| (kind(v), v.as_str().map_or(0, str::len)));
    }
    if let Some(command) = root.get("Command") {
        facts.command_name = command.get("Name").and_then(Value::as_str).map(str::len);
        if let Some(Value::Object(args)) = command.get("Args") {
            for entry in args.values() {
                if let Value::Array(items) = entry {
                    if items.iter().all(Value::is_string) {
                        facts.args += 1;
                        facts.arg_bytes += items
                            .iter()
                            .filter_map(Value::as_str)
                            .map(str::len)
                            .sum::<usize>();
                    }
                }
            }
        }
    }
    facts
}

/// The library reading without a `Value`: the validator, then serde_json driving
/// `Deserialize` visitors that keep only the facts (kinds, string lengths) of the members the
/// oracle looks at, and skip the rest (`IgnoredAny`).
fn visitor_facts(body: &[u8]) -> BodyFacts {
    let mut facts = BodyFacts::default();
    let Ok(scanned) = json_text::scan(body) else {
        return facts;
    };
    if scanned.limits.any() {
        return json_text::body_facts(body, &INPUT_MEMBERS);
    }
    facts.kind = Some(scanned.kind);
    facts.limits = scanned.limits;
    if let Ok(TopFacts(top)) = serde_json::from_slice::<TopFacts>(body) {
        facts.members = top.members;
        facts.command_name = top.command_name;
        facts.args = top.args;
        facts.arg_bytes = top.arg_bytes;
    }
    facts
}

/// A value's kind, and its length when it is a string; its content is skipped.
struct Shape(JsonKind, usize);

struct ShapeVisitor;

impl<'de> Visitor<'de> for ShapeVisitor {
    type Value = Shape;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Shape, E> {
        Ok(Shape(JsonKind::Bool, 0))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Shape, E> {
        Ok(Shape(JsonKind::Number, 0))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Shape, E> {
        Ok(Shape(JsonKind::Number, 0))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Shape, E> {
        Ok(Shape(JsonKind::Number, 0))
    }
    fn visit_str<E: de::Error>(self, text: &str) -> Result<Shape, E> {
        Ok(Shape(JsonKind::String, text.len()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Shape, E> {
        Ok(Shape(JsonKind::Null, 0))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Shape, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Shape(JsonKind::Array, 0))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Shape(JsonKind::Object, 0))
    }
}

impl<'de> Deserialize<'de> for Shape {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Shape, D::Error> {
        d.deserialize_any(ShapeVisitor)
    }
}

/// The facts of a top-level object.
#[derive(Default)]
struct Top {
    members: [Option<(JsonKind, usize)>; 7],
    command_name: Option<usize>,
    args: usize,
    arg_bytes: usize,
}

struct TopFacts(Top);

/// A member name, borrowed when it has no escape.
struct Name<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Name<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Name<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a name")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(s.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// A value that is read as `Command` (an object: `Name`, `Args`) when it is one.
enum CommandShape {
    Object {
        name: Option<usize>,
        args: (usize, usize),
    },
    Other(Shape),
}

/// A value read as `Args` (an object of lists of strings): the entries that are lists of
/// strings, and their strings' total length.
struct ArgsShape(usize, usize);

/// A value read as an `Args` entry: `Some(length)` for a list of strings.
struct StringsShape(Option<usize>);

macro_rules! forward_scalars {
    ($wrap:expr) => {
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            ShapeVisitor.visit_bool(v).map($wrap)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            ShapeVisitor.visit_i64(v).map($wrap)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            ShapeVisitor.visit_u64(v).map($wrap)
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            ShapeVisitor.visit_f64(v).map($wrap)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            ShapeVisitor.visit_str(v).map($wrap)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            ShapeVisitor.visit_unit().map($wrap)
        }
    };
}

impl<'de> Deserialize<'de> for StringsShape {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StringsShape;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            forward_scalars!(|_| StringsShape(None));
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StringsShape, A::Error> {
                let mut total = Some(0);
                while let Some(Shape(kind, len)) = seq.next_element::<Shape>()? {
                    total = total.filter(|_| kind == JsonKind::String).map(|t| t + len);
                }
                Ok(StringsShape(total))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<StringsShape, A::Error> {
                ShapeVisitor.visit_map(map).map(|_| StringsShape(None))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for ArgsShape {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ArgsShape;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            forward_scalars!(|_| ArgsShape(0, 0));
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<ArgsShape, A::Error> {
                ShapeVisitor.visit_seq(seq).map(|_| ArgsShape(0, 0))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ArgsShape, A::Error> {
                let (mut count, mut bytes) = (0, 0);
                while let Some((_, StringsShape(entry))) =
                    map.next_entry::<IgnoredAny, StringsShape>()?
                {
                    if let Some(len) = entry {
                        count += 1;
                        bytes += len;
                    }
                }
                Ok(ArgsShape(count, bytes))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for CommandShape {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CommandShape;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            forward_scalars!(CommandShape::Other);
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<CommandShape, A::Error> {
                ShapeVisitor.visit_seq(seq).map(CommandShape::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CommandShape, A::Error> {
                let (mut name, mut args) = (None, (0, 0));
                while let Some(Name(key)) = map.next_key::<Name>()? {
                    match &*key {
                        "Name" => {
                            let Shape(kind, len) = map.next_value::<Shape>()?;
                            name = (kind == JsonKind::String).then_some(len);
                        }
                        "Args" => {
                            let ArgsShape(count, bytes) = map.next_value::<ArgsShape>()?;
                            args = (count, bytes);
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(CommandShape::Object { name, args })
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for TopFacts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TopFacts;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopFacts, A::Error> {
                let mut top = Top::default();
                while let Some(Name(key)) = map.next_key::<Name>()? {
                    let Some(at) = INPUT_MEMBERS.iter().position(|n| *n == key) else {
                        map.next_value::<IgnoredAny>()?;
                        continue;
                    };
                    let shape = if key == "Command" {
                        match map.next_value::<CommandShape>()? {
                            CommandShape::Object { name, args } => {
                                top.command_name = name;
                                (top.args, top.arg_bytes) = args;
                                (JsonKind::Object, 0)
                            }
                            CommandShape::Other(Shape(kind, len)) => (kind, len),
                        }
                    } else {
                        let Shape(kind, len) = map.next_value::<Shape>()?;
                        (kind, len)
                    };
                    if let Some(slot) = top.members.get_mut(at) {
                        *slot = Some(shape);
                    }
                }
                Ok(TopFacts(top))
            }
        }
        d.deserialize_map(V)
    }
}

fn main() {
    let budget = budget();
    let world = World::bundled();
    let (typical, worst) = typical_and_worst(&world);

    println!("body reading (one core), calls/s; ratios to the tape reading");
    for (name, request) in [("typical", &typical), ("64 KiB CustomJson", &worst)] {
        let body = &request.body;
        let ours = json_text::body_facts(body, &INPUT_MEMBERS);
        let theirs = library_facts(body);
        assert_eq!(ours, theirs, "{name}: the Value reading disagrees");
        assert_eq!(
            ours,
            visitor_facts(body),
            "{name}: the visitor reading disagrees"
        );
        assert!(
            ours.kind.is_some() && ours.command_name.is_some(),
            "{name}: {ours:?}"
        );
        // Alternately, twice, so that drift shows.
        let mut figures = [0.0f64; 5];
        for _ in 0..2 {
            let tape = rate(budget / 2, || {
                black_box(json_text::body_facts(black_box(body), &INPUT_MEMBERS));
            });
            let library = rate(budget / 2, || {
                black_box(library_facts(black_box(body)));
            });
            let visitor = rate(budget / 2, || {
                black_box(visitor_facts(black_box(body)));
            });
            let scan = rate(budget / 2, || {
                black_box(json_text::scan(black_box(body)).ok());
            });
            let oracle = rate(budget / 2, || {
                black_box(judge_request(
                    &world,
                    black_box(request),
                    &CallerIdentity::Unsigned,
                ));
            });
            for (sum, x) in figures
                .iter_mut()
                .zip([tape, library, visitor, scan, oracle])
            {
                *sum += x / 2.0;
            }
        }
        let [tape, library, visitor, scan, oracle] = figures;
        // Seconds per call, for the shares.
        let (t, s, o) = (1.0 / tape, 1.0 / scan, 1.0 / oracle);
        println!(
            "  {name:<18} tape {tape:>9.0}  Value {library:>9.0} (ratio {:.2})  visitor {visitor:>9.0} (ratio {:.2})  scan alone {scan:>9.0}  oracle {oracle:>9.0}",
            library / tape,
            visitor / tape
        );
        println!(
            "  {:<18} above the scan, in % of a verdict: the tape {:.0}%, the Value {:.0}%, the visitor {:.0}%",
            "",
            100.0 * (t - s) / o,
            100.0 * (1.0 / library - s) / o,
            100.0 * (1.0 / visitor - s) / o
        );
    }

    // The hand hash table: one object of many members, the oracle's scan of a `CustomJson`.
    let mut members = String::from("{");
    let mut n = 0;
    while members.len() < 64 * 1024 {
        if n > 0 {
            members.push(',');
        }
        members.push_str(&format!("\"key{n}\":{n}"));
        n += 1;
    }
    members.push('}');
    let scanned = json_text::scan(members.as_bytes()).expect("JSON text");
    assert!(!scanned.limits.duplicate_names);
    let scan = rate(budget, || {
        black_box(json_text::scan(black_box(members.as_bytes())).ok());
    });
    let library = rate(budget, || {
        black_box(serde_json::from_slice::<Value>(black_box(members.as_bytes())).ok());
    });
    println!(
        "one object of {n} members (64 KiB): scan with the hash table {scan:>8.0}/s   serde_json Value {library:>8.0}/s   ratio {:.2}",
        library / scan
    );
}
