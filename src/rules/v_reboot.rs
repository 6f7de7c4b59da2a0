//! `V-REBOOT` (SHOULD): `update_dependencies` whose `Args.allow_reboot` is present and not exactly `["true"]` or `["false"]`; or whose `Args.upgrade_os_to` is present and is not exactly one non-empty string, or comes without `allow_reboot: ["true"]`.

use super::prelude::*;

/// The catalogue entry of `V-REBOOT`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("V-REBOOT"),
    severity: Severity::Should,
    group: Group::Validation,
    summary: "update_dependencies whose Args.allow_reboot is present and not exactly [\"true\"] or [\"false\"]; or whose Args.upgrade_os_to is present and is not exactly one non-empty string, or comes without allow_reboot: [\"true\"] -> ValidationException",
    source: "seed (\"You must also set the allow_reboot argument to true\")",
    doc: RuleDoc {
        condition: "`update_dependencies` whose `Args.allow_reboot` is present and not exactly `[\"true\"]` or `[\"false\"]`; or whose `Args.upgrade_os_to` is present and is not exactly one non-empty string, or comes without `allow_reboot: [\"true\"]`",
        expected: "`ValidationException`",
        why: "The documentation: `allow_reboot` is `true` or `false`, and `upgrade_os_to` needs `allow_reboot` set to true.",
    },
    across_requests: false,
    needs: None,
};

/// `update_dependencies` with a bad `allow_reboot` or `upgrade_os_to`.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.stack_args(
        CommandName::UpdateDependencies,
        bad_reboot().boxed(),
        "bad reboot",
    )
}
