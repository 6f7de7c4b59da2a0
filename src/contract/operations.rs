//! The operations of the OpsWorks API (`OpsWorks_20130218`), for the suite's promise never to
//! send one besides `CreateDeployment` (docs/rules.md, "What the suite sends").
//!
//! A full implementation carries out any operation of its API: a `DeleteStack` with the world's
//! ids in its body would destroy the world the run depends on, and the answer to it is not this
//! contract's to judge. So the P-UNKNOWN-OPERATION family names only what the API does not have
//! (`OpsWorks_20130218.CreateDeployments`, another API version, another service's prefix, no
//! header), and the oracle does not judge a request that names another operation of the API
//! (see [`api_operation`] and [`could_be_taken_for_operation`]).

/// The `X-Amz-Target` prefix of the OpsWorks API (the service model's `targetPrefix`).
pub const OPSWORKS_TARGET_PREFIX: &str = "OpsWorks_20130218";

/// Every operation of the OpsWorks API, in the order of the service model.
///
/// Source: the service model of botocore 1.40.18 (`botocore/data/opsworks/2013-02-18/
/// service-2.json`), read as `botocore.session.get_session().get_service_model('opsworks')
/// .operation_names`; `tests/catalogue.rs` checks that this list equals it (through the Python
/// of `OPSWORKS_CONFORMANCE_PYTHON`).
pub const OPSWORKS_OPERATIONS: [&str; 74] = [
    "AssignInstance",
    "AssignVolume",
    "AssociateElasticIp",
    "AttachElasticLoadBalancer",
    "CloneStack",
    "CreateApp",
    "CreateDeployment",
    "CreateInstance",
    "CreateLayer",
    "CreateStack",
    "CreateUserProfile",
    "DeleteApp",
    "DeleteInstance",
    "DeleteLayer",
    "DeleteStack",
    "DeleteUserProfile",
    "DeregisterEcsCluster",
    "DeregisterElasticIp",
    "DeregisterInstance",
    "DeregisterRdsDbInstance",
    "DeregisterVolume",
    "DescribeAgentVersions",
    "DescribeApps",
    "DescribeCommands",
    "DescribeDeployments",
    "DescribeEcsClusters",
    "DescribeElasticIps",
    "DescribeElasticLoadBalancers",
    "DescribeInstances",
    "DescribeLayers",
    "DescribeLoadBasedAutoScaling",
    "DescribeMyUserProfile",
    "DescribeOperatingSystems",
    "DescribePermissions",
    "DescribeRaidArrays",
    "DescribeRdsDbInstances",
    "DescribeServiceErrors",
    "DescribeStackProvisioningParameters",
    "DescribeStackSummary",
    "DescribeStacks",
    "DescribeTimeBasedAutoScaling",
    "DescribeUserProfiles",
    "DescribeVolumes",
    "DetachElasticLoadBalancer",
    "DisassociateElasticIp",
    "GetHostnameSuggestion",
    "GrantAccess",
    "ListTags",
    "RebootInstance",
    "RegisterEcsCluster",
    "RegisterElasticIp",
    "RegisterInstance",
    "RegisterRdsDbInstance",
    "RegisterVolume",
    "SetLoadBasedAutoScaling",
    "SetPermission",
    "SetTimeBasedAutoScaling",
    "StartInstance",
    "StartStack",
    "StopInstance",
    "StopStack",
    "TagResource",
    "UnassignInstance",
    "UnassignVolume",
    "UntagResource",
    "UpdateApp",
    "UpdateElasticIp",
    "UpdateInstance",
    "UpdateLayer",
    "UpdateMyUserProfile",
    "UpdateRdsDbInstance",
    "UpdateStack",
    "UpdateUserProfile",
    "UpdateVolume",
];

/// The operation of the OpsWorks API that an `X-Amz-Target` value names, compared exactly (as
/// the catalogue compares it): `OpsWorks_20130218.<operation>`, leading and trailing spaces and
/// tabs aside (they are not part of a field value, RFC 9110 section 5.5).
///
/// ```
/// use opsworks_conformance::contract::api_operation;
/// assert_eq!(api_operation("OpsWorks_20130218.DeleteStack"), Some("DeleteStack"));
/// assert_eq!(api_operation("OpsWorks_20130218.CreateDeployment"), Some("CreateDeployment"));
/// assert_eq!(api_operation("OpsWorks_20130218.CreateDeployments"), None);
/// assert_eq!(api_operation("opsworks_20130218.deletestack"), None); // compared exactly
/// assert_eq!(api_operation("OpsWorks_20120101.DeleteStack"), None); // another API version
/// ```
#[must_use]
pub fn api_operation(target: &str) -> Option<&'static str> {
    let name = target
        .trim_matches([' ', '\t'])
        .strip_prefix(OPSWORKS_TARGET_PREFIX)?
        .strip_prefix('.')?;
    OPSWORKS_OPERATIONS
        .iter()
        .copied()
        .find(|operation| *operation == name)
}

/// The operation of the OpsWorks API that a lenient server could take an `X-Amz-Target` value
/// for: the value, or the part after its last `.` (servers such as moto route by that part
/// alone), compared with `OpsWorks_20130218.<operation>` and with `<operation>` after trimming
/// whitespace and folding ASCII case. The suite sends no value for which this names an
/// operation other than `CreateDeployment`.
///
/// ```
/// use opsworks_conformance::contract::could_be_taken_for_operation as taken;
/// assert_eq!(taken(" opsworks_20130218.DESCRIBESTACKS "), Some("DescribeStacks"));
/// assert_eq!(taken("OpsWorks_20120101.DeleteStack"), Some("DeleteStack"));
/// assert_eq!(taken("deletestack"), Some("DeleteStack"));
/// assert_eq!(taken("DynamoDB_20120810.CreateDeployment"), Some("CreateDeployment"));
/// assert_eq!(taken("OpsWorks_20130218.CreateDeploymentX"), None);
/// assert_eq!(taken("OpsWorks_20130218.Nonexistent"), None);
/// ```
#[must_use]
pub fn could_be_taken_for_operation(target: &str) -> Option<&'static str> {
    let value = target.trim();
    let last = value
        .rsplit_once('.')
        .map_or(value, |(_, last)| last)
        .trim();
    OPSWORKS_OPERATIONS.iter().copied().find(|operation| {
        last.eq_ignore_ascii_case(operation)
            || value.split_once('.').is_some_and(|(prefix, name)| {
                prefix.trim().eq_ignore_ascii_case(OPSWORKS_TARGET_PREFIX)
                    && name.trim().eq_ignore_ascii_case(operation)
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_deployment_is_an_operation_of_the_api() {
        assert!(OPSWORKS_OPERATIONS.contains(&"CreateDeployment"));
        assert_eq!(
            format!("{OPSWORKS_TARGET_PREFIX}.CreateDeployment"),
            crate::contract::wire::TARGET_VALUE
        );
    }

    #[test]
    fn names_are_unique_and_sorted_as_in_the_model() {
        let mut sorted = OPSWORKS_OPERATIONS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, OPSWORKS_OPERATIONS.to_vec());
    }

    #[test]
    fn every_operation_is_named_exactly_and_taken_leniently() {
        for operation in OPSWORKS_OPERATIONS {
            let exact = format!("{OPSWORKS_TARGET_PREFIX}.{operation}");
            assert_eq!(api_operation(&exact), Some(operation));
            assert_eq!(api_operation(&format!(" {exact}\t")), Some(operation));
            assert_eq!(api_operation(&exact.to_uppercase()), None);
            assert_eq!(api_operation(&format!("{exact}X")), None);
            for lenient in [
                exact.to_uppercase(),
                exact.to_lowercase(),
                format!("\n{exact} "),
                operation.to_lowercase(),
                format!("OpsWorks_20120101.{operation}"),
                format!("DynamoDB_20120810.{}", operation.to_uppercase()),
            ] {
                assert_eq!(could_be_taken_for_operation(&lenient), Some(operation));
            }
            assert_eq!(could_be_taken_for_operation(&format!("{exact}s")), None);
        }
        assert_eq!(could_be_taken_for_operation(""), None);
        assert_eq!(could_be_taken_for_operation("OpsWorks_20130218."), None);
    }
}
