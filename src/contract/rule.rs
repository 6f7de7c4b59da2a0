//! What a rule is: a stable id, a severity, a group, a summary and a source.

use std::fmt;

/// The stable identifier of a rule of the catalogue, for example `V-APP-REQUIRED`.
///
/// Ids never change meaning once published; a new rule gets a new id. Every part of the crate
/// (oracle verdicts, reports, generators, docs) refers to rules through these ids; the constants
/// live in [`crate::contract::rules`].
///
/// ```
/// use opsworks_conformance::contract::{rules, Severity};
/// assert_eq!(rules::V_APP_REQUIRED.as_str(), "V-APP-REQUIRED");
/// assert_eq!(rules::V_APP_REQUIRED.rule().severity, Severity::Must);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleId(&'static str);

impl RuleId {
    /// Wraps a rule id. Only the catalogue should call this; use the constants in
    /// [`crate::contract::rules`].
    pub(crate) const fn new(id: &'static str) -> Self {
        RuleId(id)
    }

    /// The id as written in the catalogue (`docs/rules.md`), for example `"P-SUCCESS-SHAPE"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        self.0
    }

    /// The catalogue entry of this id.
    #[must_use]
    pub fn rule(self) -> &'static Rule {
        crate::contract::catalogue::CATALOGUE
            .iter()
            .find(|rule| rule.id == self)
            .expect("every RuleId constant has a catalogue entry (checked by tests)")
    }

    /// The severity of the rule (shortcut for `self.rule().severity`).
    #[must_use]
    pub fn severity(self) -> Severity {
        self.rule().severity
    }

    /// The acceptance rule of `side`: the one rule of that side whose [`RuleFacts::acceptance`]
    /// is set.
    #[must_use]
    pub fn acceptance(side: Side) -> RuleId {
        crate::contract::catalogue::CATALOGUE
            .iter()
            .find(|rule| rule.facts.acceptance && rule.side() == side)
            .map(|rule| rule.id)
            .expect("each side has an acceptance rule (checked by tests)")
    }

    /// Looks an id up by its text, for example from a `--only` filter or a report.
    #[must_use]
    pub fn parse(text: &str) -> Option<RuleId> {
        crate::contract::catalogue::CATALOGUE
            .iter()
            .find(|rule| rule.id.0 == text)
            .map(|rule| rule.id)
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Debug for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl serde::Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

/// How much a rule weighs in the gate's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Severity {
    /// A violation fails the gate.
    #[serde(rename = "MUST")]
    Must,
    /// A violation is reported as `warned`; it fails the gate only with `--strict`.
    #[serde(rename = "SHOULD")]
    Should,
    /// Implementation-defined: both behaviours pass; the report records which one was chosen.
    #[serde(rename = "MAY")]
    May,
}

impl Severity {
    /// The keyword as written in the catalogue (`docs/rules.md`): `MUST`, `SHOULD` or `MAY`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Must => "MUST",
            Severity::Should => "SHOULD",
            Severity::May => "MAY",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The section of the catalogue (`docs/rules.md`) a rule belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Group {
    /// `P-*`: wire protocol (awsJson1_1).
    Protocol,
    /// `V-*`: input validation (`ValidationException`).
    Validation,
    /// `N-*`: existence of the named resources (`ResourceNotFoundException`).
    Existence,
    /// `A-*`: signatures and permissions, only when the world declares users.
    Access,
    /// `S-*` and `O-*`: behaviour across requests and between rules.
    Behaviour,
    /// `M-*`: implementation-defined cases where both behaviours pass.
    ImplementationDefined,
    /// `C-*`: what a client (SDK) must do.
    Client,
}

impl Group {
    /// A short lowercase name, as used in reports and listings.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Group::Protocol => "protocol",
            Group::Validation => "validation",
            Group::Existence => "existence",
            Group::Access => "access",
            Group::Behaviour => "behaviour",
            Group::ImplementationDefined => "implementation_defined",
            Group::Client => "client",
        }
    }
}

/// Which side of the wire a rule constrains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// An implementation of the operation (a server, a mock, an emulator).
    Server,
    /// A client of the operation (an SDK, a hand-written client).
    Client,
}

/// One entry of the rule catalogue (defined by its file under `src/rules/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Rule {
    /// The stable id.
    pub id: RuleId,
    /// MUST, SHOULD or MAY.
    pub severity: Severity,
    /// The section of the catalogue (`docs/rules.md`).
    pub group: Group,
    /// One line: the condition and what is expected.
    pub summary: &'static str,
    /// Where the rule comes from: `seed`, `model`, `smithy`, `stance`, or a combination.
    pub source: &'static str,
    /// The rule's documentation, as the catalogue document (`docs/rules.md`) shows it.
    #[serde(skip)]
    pub doc: RuleDoc,
    /// What the runner, the reports and the snapshots need to know of the rule besides its
    /// text (most rules have [`RuleFacts::USUAL`]).
    #[serde(skip)]
    pub facts: RuleFacts,
}

/// What the runner, the reports and the snapshots need to know of a rule besides its text.
/// A rule file gives those that differ from [`RuleFacts::USUAL`]:
/// `RuleFacts { across_requests: true, ..RuleFacts::USUAL }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RuleFacts {
    /// Whether the rule is judged across several requests (`S-UNIQUE-ID`,
    /// `S-ERROR-NO-EFFECT`): a counterexample of it is a sequence, and a lone request of it
    /// cannot be shrunk.
    pub across_requests: bool,
    /// What the rule judges of an answer's form, if that is all it judges: whether there was an
    /// answer, its shape, or a detail of its form (see [`AnswerForm`]).
    pub form: AnswerForm,
    /// How the snapshots show a case of the rule: alone, or in the short sequence the rule is
    /// about (see [`Exemplar`]).
    pub exemplar: Exemplar,
    /// What a world found by discovery (`provision`) leaves of the rule (see
    /// [`InDiscoveredWorld`]).
    pub discovered: InDiscoveredWorld,
    /// For a MAY rule, whether the bundled reference implementation takes the strict choice
    /// (rejects the request) rather than accepting it.
    pub reference_rejects: bool,
    /// What the world must offer for the rule to apply, said in a report when the rule was not
    /// applicable (`"the world declares no users"`); `None` when any world offers cases.
    pub needs: Option<&'static str>,
    /// Whether the rule is its side's acceptance rule (one per side): the rule whose passing
    /// shows a run was not vacuous: `S-ACCEPT-VALID`, a valid request was accepted, and
    /// `C-SUCCESS`, a client understood a success. On the server side it is also the rule of a
    /// request no other rule applies to, which must succeed (see [`RuleId::acceptance`]).
    pub acceptance: bool,
    /// How often the stateful sequences
    /// ([`DeploymentSequence`](crate::runner::DeploymentSequence)) draw a case of the rule's
    /// family, against 2 for a valid request and 4 for a valid rollback; 0: never.
    pub in_sequences: u32,
}

impl RuleFacts {
    /// The facts of most rules: judged request by request, on more than the answer's form,
    /// shown alone in snapshots, applicable in a discovered world, the reference accepting
    /// (for a MAY rule), applicable in any world, not the acceptance rule, not drawn in
    /// sequences.
    pub const USUAL: RuleFacts = RuleFacts {
        across_requests: false,
        form: AnswerForm::Beyond,
        exemplar: Exemplar::Alone,
        discovered: InDiscoveredWorld::Applies,
        reference_rejects: false,
        needs: None,
        acceptance: false,
        in_sequences: 0,
    };
}

/// What a rule judges of an answer's form, when its form is all the rule judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AnswerForm {
    /// The rule judges more than the answer's form.
    Beyond,
    /// Whether there was an answer at all (a status below 500): of the rules an answer
    /// failed, such a rule is reported first.
    Answered,
    /// Whether the answer has the success or the error shape: an answer failing such a rule is
    /// no OpsWorks answer, and decides only the rules of its form.
    Shape,
    /// A detail of the answer's form (its message, its content type), which even an answer
    /// that is no OpsWorks answer decides.
    Detail,
}

/// How a snapshot shows a case of a rule: the case alone, or the short sequence the rule is
/// about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Exemplar {
    /// The case alone.
    Alone,
    /// The case sent twice: the rule is about what a repeated request is answered.
    Twice,
    /// The case, then the valid rollback of the app it names: the rule is about whether a
    /// rejected request took effect.
    ThenValidRollback,
}

/// What a world found by discovery (`provision`: no users, app versions unknown) leaves of a
/// rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InDiscoveredWorld {
    /// The rule applies as in any world.
    Applies,
    /// The rule needs users, which a discovered world never has: when it was not applicable,
    /// the report says why.
    NeedsUsers,
    /// The rule's warnings need the stored app versions, which a discovered world does not
    /// know: a warning decides nothing.
    WarningsNeedVersions,
}

/// The documentation of a rule: the texts of its row in the catalogue's tables (Markdown) and
/// why the rule is what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RuleDoc {
    /// When the rule applies: the condition column of the catalogue (for `M-*` rules, the
    /// implementation-defined case).
    pub condition: &'static str,
    /// What a conforming answer is (for `V-*` and `N-*` rules, the error code of their table).
    pub expected: &'static str,
    /// Why: what in the sources makes the rule, and what breaks when it is broken.
    pub why: &'static str,
}

impl Rule {
    /// Whether the rule judges if an answer is an OpsWorks answer at all (a status below 500, the
    /// success or the error shape): when an answer fails such a rule and says nothing of the
    /// rule its case was made for, the runner counts the case as undecided for that rule.
    #[must_use]
    pub fn answer_shape(&self) -> bool {
        matches!(self.facts.form, AnswerForm::Answered | AnswerForm::Shape)
    }

    /// Which side of the wire the rule constrains.
    #[must_use]
    pub fn side(&self) -> Side {
        if self.group == Group::Client {
            Side::Client
        } else {
            Side::Server
        }
    }
}
