//! Every rule of the catalogue, one module each: a conforming request, a violating request
//! (taken from the rule's own text), and a broken answer that is caught naming the rule.

mod support;

use opsworks_conformance::contract::{ErrorCode, Observation, RawRequest, rules, wire};
use opsworks_conformance::oracle::{
    Behaviour, CallerIdentity, Outcome, Status, judge_request, judge_response,
};
use opsworks_conformance::world::World;
use support::*;

use ErrorCode::{
    AccessDeniedException as ACCESS_DENIED, ResourceNotFoundException as NOT_FOUND,
    SerializationException as SERIALIZATION, ValidationException as VALIDATION,
};

const CONFIGURE: &str = r#"{"StackId":"s1","Command":{"Name":"configure"}}"#;
const DEPLOY: &str = r#"{"StackId":"s1","AppId":"rails3","Command":{"Name":"deploy"}}"#;

mod protocol {
    use super::*;

    #[test]
    fn p_success_shape() {
        let verdict = verdict(CONFIGURE);
        assert_caught(
            &verdict,
            &ok_response(),
            rules::P_SUCCESS_SHAPE,
            Status::Passed,
        );
        for body in [
            r#"{}"#,
            r#"{"DeploymentId":""}"#,
            r#"{"DeploymentId":7}"#,
            "not json",
            r#"["d"]"#,
        ] {
            let response = Ok(Observation::json(200, body));
            assert_caught(&verdict, &response, rules::P_SUCCESS_SHAPE, Status::Failed);
        }
        let created = Ok(Observation::json(201, r#"{"DeploymentId":"d"}"#));
        assert_caught(&verdict, &created, rules::P_SUCCESS_SHAPE, Status::Failed);
    }

    #[test]
    fn p_error_shape_reads_every_smithy_form() {
        let verdict = verdict(r#"{"Command":{"Name":"configure"}}"#);
        let forms: [(Vec<(String, String)>, &str); 6] = [
            (vec![], r#"{"__type":"ValidationException"}"#),
            (
                vec![],
                r#"{"__type":"com.amazonaws.opsworks#ValidationException"}"#,
            ),
            (
                vec![],
                r#"{"__type":"ValidationException:http://internal.amazon.com/"}"#,
            ),
            (vec![], r#"{"code":"ValidationException","__type":"Other"}"#),
            (
                vec![("X-Amzn-Errortype".into(), "ValidationException".into())],
                r#"{"__type":"ResourceNotFoundException"}"#,
            ),
            (
                vec![(
                    "x-amzn-errortype".into(),
                    "aws#ValidationException:http://x".into(),
                )],
                "{}",
            ),
        ];
        for (headers, body) in forms {
            let mut observation = Observation::json(400, body);
            observation.headers.extend(headers);
            let judgement = assert_caught(
                &verdict,
                &Ok(observation),
                rules::P_ERROR_SHAPE,
                Status::Passed,
            );
            assert_eq!(
                judgement.status_of(rules::V_STACK_REQUIRED),
                Some(Status::Passed)
            );
        }
    }

    #[test]
    fn p_error_shape_violations() {
        let verdict = verdict(r#"{"Command":{"Name":"configure"}}"#);
        // No code anywhere; a nested __type does not count.
        for body in [
            "{}",
            r#"{"message":"bad"}"#,
            r#"{"error":{"__type":"ValidationException"}}"#,
            "oops",
        ] {
            let response = Ok(Observation::json(400, body));
            assert_caught(&verdict, &response, rules::P_ERROR_SHAPE, Status::Failed);
        }
        // A status outside 400-499.
        let redirect = Ok(Observation::json(
            302,
            r#"{"__type":"ValidationException"}"#,
        ));
        assert_caught(&verdict, &redirect, rules::P_ERROR_SHAPE, Status::Failed);
    }

    #[test]
    fn p_error_message() {
        let verdict = verdict(r#"{"Command":{"Name":"configure"}}"#);
        for body in [
            r#"{"__type":"ValidationException","message":"m"}"#,
            r#"{"__type":"ValidationException","Message":"m"}"#,
        ] {
            let response = Ok(Observation::json(400, body));
            assert_caught(&verdict, &response, rules::P_ERROR_MESSAGE, Status::Passed);
        }
        for body in [
            r#"{"__type":"ValidationException"}"#,
            r#"{"__type":"ValidationException","message":7}"#,
        ] {
            let response = Ok(Observation::json(400, body));
            assert_caught(&verdict, &response, rules::P_ERROR_MESSAGE, Status::Warned);
        }
    }

    #[test]
    fn p_response_content_type() {
        let verdict = verdict(CONFIGURE);
        assert_caught(
            &verdict,
            &ok_response(),
            rules::P_RESPONSE_CONTENT_TYPE,
            Status::Passed,
        );
        let mut with_params = Observation::json(200, r#"{"DeploymentId":"d"}"#);
        with_params.headers[0].1 = format!("{}; charset=utf-8", wire::CONTENT_TYPE);
        assert_caught(
            &verdict,
            &Ok(with_params),
            rules::P_RESPONSE_CONTENT_TYPE,
            Status::Passed,
        );
        let mut plain_json = Observation::json(200, r#"{"DeploymentId":"d"}"#);
        plain_json.headers[0].1 = "application/json".to_owned();
        assert_caught(
            &verdict,
            &Ok(plain_json),
            rules::P_RESPONSE_CONTENT_TYPE,
            Status::Warned,
        );
        let mut none = Observation::json(200, r#"{"DeploymentId":"d"}"#);
        none.headers.clear();
        assert_caught(
            &verdict,
            &Ok(none),
            rules::P_RESPONSE_CONTENT_TYPE,
            Status::Warned,
        );
    }

    #[test]
    fn p_no_server_error() {
        use opsworks_conformance::contract::{TransportFailure, TransportFailureKind};
        let verdict = verdict(r#"not json"#);
        assert_caught(
            &verdict,
            &error_response("SerializationException"),
            rules::P_NO_SERVER_ERROR,
            Status::Passed,
        );
        let server_error = Ok(Observation::json(500, "<html>boom</html>"));
        assert_caught(
            &verdict,
            &server_error,
            rules::P_NO_SERVER_ERROR,
            Status::Failed,
        );
        for kind in [
            TransportFailureKind::Dropped,
            TransportFailureKind::Timeout,
            TransportFailureKind::Unparsable,
            TransportFailureKind::Refused,
        ] {
            let failure = Err(TransportFailure::new(kind, "seen"));
            assert_caught(&verdict, &failure, rules::P_NO_SERVER_ERROR, Status::Failed);
        }
    }

    #[test]
    fn p_content_type_params() {
        let request = RawRequest::json(CONFIGURE)
            .with_header("Content-Type", "application/x-amz-json-1.1; charset=utf-8");
        let verdict = judge_request(&world(), &request, &CallerIdentity::Unsigned);
        assert!(verdict.allows_strict(&Outcome::Success));
        assert!(verdict.exercised().contains(&rules::P_CONTENT_TYPE_PARAMS));
        assert_caught(
            &verdict,
            &ok_response(),
            rules::P_CONTENT_TYPE_PARAMS,
            Status::Passed,
        );
        // A mock that refuses the parameter is caught naming the rule.
        let refused = error_response("SerializationException");
        assert_caught(
            &verdict,
            &refused,
            rules::P_CONTENT_TYPE_PARAMS,
            Status::Failed,
        );
        // And the same request with a parameter is judged exactly as without it.
        let invalid = RawRequest::json(r#"{"StackId":"s1"}"#)
            .with_header("Content-Type", "application/x-amz-json-1.1;charset=UTF-8");
        let verdict = judge_request(&world(), &invalid, &CallerIdentity::Unsigned);
        assert_breaks(&verdict, rules::V_COMMAND_REQUIRED, &[VALIDATION]);
    }

    #[test]
    fn p_empty_body() {
        let verdict = verdict("");
        assert!(verdict.broken().contains(&rules::P_EMPTY_BODY));
        assert!(verdict.broken().contains(&rules::V_STACK_REQUIRED));
        assert!(verdict.allows_strict(&error(VALIDATION)));
        assert!(!verdict.allows(&error(SERIALIZATION)));
        assert!(!verdict.allows(&Outcome::Success));
        assert_caught(
            &verdict,
            &error_response("ValidationException"),
            rules::P_EMPTY_BODY,
            Status::Passed,
        );
        assert_caught(
            &verdict,
            &error_response("SerializationException"),
            rules::P_EMPTY_BODY,
            Status::Failed,
        );
        // `{}` is not an empty body.
        assert!(!super::verdict("{}").broken().contains(&rules::P_EMPTY_BODY));
    }

    #[test]
    fn p_malformed_json() {
        assert_valid(&verdict(CONFIGURE));
        for body in [
            "not json",
            "{",
            r#"{"StackId":"s1",}"#,
            "[]",
            r#""text""#,
            "42",
            "null",
            "{} {}",
            // Not JSON text (RFC 8259 section 6), though JavaScript and Python know them.
            "NaN",
            "Infinity",
            "-Infinity",
            r#"{"StackId":"s1","Command":{"Name":"configure"},"Comment":NaN}"#,
            r#"{"StackId":"s1","Command":{"Name":"configure"},"Extra":Infinity}"#,
            r#"{"StackId":"s1","Command":{"Name":"configure"},"Extra":-Infinity}"#,
            // A byte order mark is allowed before the JSON text only (M-JSON-LIMITS), not
            // after it, not twice, not after whitespace, and not before nothing.
            "{}\u{feff}",
            "\u{feff}\u{feff}{}",
            " \u{feff}{}",
            "\u{feff}",
            "\u{feff}[]",
            "\u{feff}NaN",
        ] {
            let verdict = verdict(body);
            assert_breaks(
                &verdict,
                rules::P_MALFORMED_JSON,
                &[SERIALIZATION, VALIDATION],
            );
            assert_caught(
                &verdict,
                &ok_response(),
                rules::P_MALFORMED_JSON,
                Status::Failed,
            );
            assert_caught(
                &verdict,
                &error_response("ResourceNotFoundException"),
                rules::P_MALFORMED_JSON,
                Status::Failed,
            );
        }
        // Invalid UTF-8 is not JSON text.
        let request = RawRequest::json(b"{\"StackId\":\"s\xff1\"}".to_vec());
        let verdict = judge_request(&world(), &request, &CallerIdentity::Unsigned);
        assert_breaks(&verdict, rules::P_MALFORMED_JSON, &[SERIALIZATION]);
    }

    #[test]
    fn p_unknown_operation() {
        for request in [
            RawRequest::json(CONFIGURE).without_header(wire::TARGET_HEADER),
            RawRequest::json(CONFIGURE)
                .with_header(wire::TARGET_HEADER, "OpsWorks_20130218.CreateDeployments"),
            RawRequest::json(CONFIGURE)
                .with_header(wire::TARGET_HEADER, "OpsWorks_20130218.Nonexistent"),
            RawRequest::json(CONFIGURE)
                .with_header(wire::TARGET_HEADER, "OpsWorks_20120101.CreateDeployment"),
            RawRequest::json(CONFIGURE)
                .with_header(wire::TARGET_HEADER, "DynamoDB_20120810.CreateDeployment"),
            RawRequest::json(CONFIGURE)
                .with_header(wire::TARGET_HEADER, "opsworks_20130218.createdeployment"),
            // Compared exactly: another casing of an operation of the API names none.
            RawRequest::json(CONFIGURE)
                .with_header(wire::TARGET_HEADER, "opsworks_20130218.describestacks"),
            RawRequest::json(CONFIGURE)
                .add_header(wire::TARGET_HEADER, "OpsWorks_20130218.CreateDeploymentX"),
        ] {
            let verdict = judge_request(&world(), &request, &CallerIdentity::Unsigned);
            assert_eq!(verdict.broken(), vec![rules::P_UNKNOWN_OPERATION]);
            assert!(verdict.allows_strict(&error(ErrorCode::UnknownOperationException)));
            assert!(
                verdict.allows_strict(&error(VALIDATION)),
                "any 4xx is accepted"
            );
            assert!(!verdict.allows(&Outcome::Success));
            assert_caught(
                &verdict,
                &ok_response(),
                rules::P_UNKNOWN_OPERATION,
                Status::Failed,
            );
        }
    }
}

/// RULES.md, "What the suite sends": a request that names another operation of the API is not
/// this contract's to judge.
mod other_operations {
    use super::*;
    use opsworks_conformance::contract::OPSWORKS_OPERATIONS;
    use opsworks_conformance::oracle::{Effect, MayPolicy, NOT_JUDGED, Session};

    fn requests() -> Vec<(&'static str, RawRequest)> {
        let rollback = r#"{"StackId":"s1","AppId":"rails3","Command":{"Name":"rollback"}}"#;
        vec![
            (
                "DescribeStacks",
                RawRequest::json(CONFIGURE)
                    .with_header(wire::TARGET_HEADER, "OpsWorks_20130218.DescribeStacks"),
            ),
            (
                "DeleteStack",
                RawRequest::json(r#"{"StackId":"s1"}"#)
                    .with_header(wire::TARGET_HEADER, "OpsWorks_20130218.DeleteStack"),
            ),
            // A second, different X-Amz-Target naming an operation of the API.
            (
                "DeleteStack",
                RawRequest::json(CONFIGURE)
                    .add_header(wire::TARGET_HEADER, "OpsWorks_20130218.DeleteStack"),
            ),
            // Spaces around the value are not part of it (RFC 9110, 5.5).
            (
                "UpdateApp",
                RawRequest::json(rollback)
                    .with_header(wire::TARGET_HEADER, " OpsWorks_20130218.UpdateApp\t"),
            ),
            // Whatever the body: not JSON, or a rollback.
            (
                "DescribeDeployments",
                RawRequest::json("not json")
                    .with_header(wire::TARGET_HEADER, "OpsWorks_20130218.DescribeDeployments"),
            ),
        ]
    }

    #[test]
    fn another_operation_of_the_api_is_not_judged() {
        for (operation, request) in requests() {
            for (world, caller) in [
                (world(), CallerIdentity::Unsigned),
                // Not even the access rules: the request is not a CreateDeployment.
                (users_world(), CallerIdentity::Unsigned),
            ] {
                let verdict = judge_request(&world, &request, &caller);
                assert_eq!(verdict.other_operation(), Some(operation));
                assert!(!verdict.is_judged());
                assert!(!verdict.is_valid());
                assert!(verdict.broken().is_empty(), "{:?}", verdict.findings());
                assert!(verdict.may_cases().is_empty());
                assert!(verdict.rules().is_empty(), "{:?}", verdict.rules());
                assert_eq!(verdict.effect(), &Effect::None);
                assert!(
                    verdict
                        .allowances()
                        .iter()
                        .all(|allowance| allowance.note == Some(NOT_JUDGED))
                );
                for outcome in [
                    Outcome::Success,
                    error(ErrorCode::UnknownOperationException),
                    error(NOT_FOUND),
                    Outcome::Error(None),
                ] {
                    assert!(verdict.allows_strict(&outcome), "{outcome}");
                }
                // Its answer is not judged: not as a CreateDeployment success, not as an error.
                for response in [
                    Ok(Observation::json(200, r#"{"Stacks":[]}"#)),
                    Ok(Observation::json(200, "")),
                    ok_response(),
                    error_response("UnknownOperationException"),
                    Ok(Observation::json(400, "<html/>")),
                ] {
                    let judgement = judge_response(&verdict, &response);
                    assert!(judgement.checks.is_empty(), "{:?}", judgement.checks);
                    assert!(judgement.conforms(true));
                }
                // The reference implements CreateDeployment only.
                let decision = verdict.preferred(&MayPolicy::reference());
                assert_eq!(
                    decision.expected,
                    opsworks_conformance::oracle::Expectation::Error(
                        ErrorCode::UnknownOperationException
                    )
                );
            }
        }
    }

    /// Every operation of the API besides CreateDeployment, in the exact spelling; names the
    /// API does not have stay P-UNKNOWN-OPERATION.
    #[test]
    fn every_operation_of_the_api_and_nothing_else_is_not_judged() {
        for operation in OPSWORKS_OPERATIONS {
            let target = format!("OpsWorks_20130218.{operation}");
            let verdict = judge_request(
                &world(),
                &RawRequest::json(CONFIGURE).with_header(wire::TARGET_HEADER, &target),
                &CallerIdentity::Unsigned,
            );
            if operation == "CreateDeployment" {
                assert_valid(&verdict);
            } else {
                assert_eq!(verdict.other_operation(), Some(operation));
            }
            for near in [
                format!("{target}s"),
                target.to_lowercase(),
                format!("OpsWorks_20120101.{operation}"),
            ] {
                let verdict = judge_request(
                    &world(),
                    &RawRequest::json(CONFIGURE).with_header(wire::TARGET_HEADER, &near),
                    &CallerIdentity::Unsigned,
                );
                assert!(verdict.is_judged(), "{near}");
                assert_eq!(verdict.broken(), vec![rules::P_UNKNOWN_OPERATION], "{near}");
            }
        }
    }

    /// A session: the answer to another operation changes nothing the contract models and
    /// fails nothing, whatever it is.
    #[test]
    fn a_session_passes_over_another_operation() {
        let mut session = Session::new(world());
        for (_, request) in requests() {
            for response in [
                Ok(Observation::json(200, r#"{"Stacks":[]}"#)),
                error_response("ValidationException"),
            ] {
                let judgement = session.observe(&request, &CallerIdentity::Unsigned, &response);
                assert!(judgement.conforms(true), "{:?}", judgement.checks);
            }
        }
        assert_eq!(session.world(), &world());
    }
}

mod validation {
    use super::*;

    #[test]
    fn v_stack_required() {
        assert_valid(&verdict(CONFIGURE));
        for body in [
            r#"{"Command":{"Name":"configure"}}"#,
            r#"{"StackId":null,"Command":{"Name":"configure"}}"#,
        ] {
            let verdict = verdict(body);
            assert_breaks(&verdict, rules::V_STACK_REQUIRED, &[VALIDATION]);
            assert_caught(
                &verdict,
                &ok_response(),
                rules::V_STACK_REQUIRED,
                Status::Failed,
            );
            assert_caught(
                &verdict,
                &error_response("ResourceNotFoundException"),
                rules::V_STACK_REQUIRED,
                Status::Failed,
            );
        }
    }

    #[test]
    fn v_command_required() {
        for body in [r#"{"StackId":"s1"}"#, r#"{"StackId":"s1","Command":null}"#] {
            let verdict = verdict(body);
            assert_breaks(&verdict, rules::V_COMMAND_REQUIRED, &[VALIDATION]);
            assert_caught(
                &verdict,
                &ok_response(),
                rules::V_COMMAND_REQUIRED,
                Status::Failed,
            );
        }
    }

    #[test]
    fn v_name_required() {
        for body in [
            r#"{"StackId":"s1","Command":{}}"#,
            r#"{"StackId":"s1","Command":{"Name":null}}"#,
            r#"{"StackId":"s1","Command":{"Args":{"recipes":["a"]}}}"#,
        ] {
            let verdict = verdict(body);
            assert_breaks(&verdict, rules::V_NAME_REQUIRED, &[VALIDATION]);
            assert_caught(
                &verdict,
                &ok_response(),
                rules::V_NAME_REQUIRED,
                Status::Failed,
            );
        }
    }

    #[test]
    fn v_name_enum() {
        for name in [
            "configure",
            "setup",
            "install_dependencies",
            "update_custom_cookbooks",
        ] {
            assert_valid(&verdict(&format!(
                r#"{{"StackId":"s1","Command":{{"Name":"{name}"}}}}"#
            )));
        }
        for name in [
            "Configure",
            "CONFIGURE",
            "configure ",
            " configure",
            "configur",
            "reboot",
            "",
            "deploy\u{0}",
        ] {
            let body = serde_json::json!({"StackId": "s1", "Command": {"Name": name}}).to_string();
            let verdict = verdict(&body);
            assert_breaks(&verdict, rules::V_NAME_ENUM, &[VALIDATION]);
            assert_caught(&verdict, &ok_response(), rules::V_NAME_ENUM, Status::Failed);
        }
    }

    #[test]
    fn v_type() {
        let bodies = [
            r#"{"StackId":1,"Command":{"Name":"configure"}}"#,
            r#"{"StackId":["s1"],"Command":{"Name":"configure"}}"#,
            r#"{"StackId":"s1","AppId":true,"Command":{"Name":"deploy"}}"#,
            r#"{"StackId":"s1","Comment":{},"Command":{"Name":"configure"}}"#,
            r#"{"StackId":"s1","CustomJson":{"a":1},"Command":{"Name":"configure"}}"#,
            r#"{"StackId":"s1","Command":{"Name":7}}"#,
            r#"{"StackId":"s1","InstanceIds":"i1","Command":{"Name":"configure"}}"#,
            r#"{"StackId":"s1","InstanceIds":["i1",2],"Command":{"Name":"configure"}}"#,
            r#"{"StackId":"s1","LayerIds":[["l1"]],"Command":{"Name":"configure"}}"#,
            r#"{"StackId":"s1","LayerIds":["l1",null],"Command":{"Name":"configure"}}"#,
            r#"{"StackId":"s1","Command":"configure"}"#,
            r#"{"StackId":"s1","Command":["configure"]}"#,
            r#"{"StackId":"s1","Command":{"Name":"execute_recipes","Args":["recipes"]}}"#,
            r#"{"StackId":"s1","Command":{"Name":"execute_recipes","Args":{"recipes":"a::b"}}}"#,
            r#"{"StackId":"s1","Command":{"Name":"execute_recipes","Args":{"recipes":[1]}}}"#,
            r#"{"StackId":"s1","Command":{"Name":"execute_recipes","Args":{"recipes":null}}}"#,
        ];
        for body in bodies {
            let verdict = verdict(body);
            assert_breaks(&verdict, rules::V_TYPE, &[VALIDATION, SERIALIZATION]);
            assert!(!verdict.allows(&error(NOT_FOUND)), "{body}");
            assert_caught(&verdict, &ok_response(), rules::V_TYPE, Status::Failed);
            assert_caught(
                &verdict,
                &error_response("ResourceNotFoundException"),
                rules::V_TYPE,
                Status::Failed,
            );
        }
    }

    /// The N-* rules apply to string ids only: a number (or boolean, array, object) in an id's
    /// place breaks V-TYPE alone, so ResourceNotFoundException (what an implementation that
    /// coerces `123` into `"123"` and looks it up answers) is not accepted, and neither is the
    /// success of one that coerces `42` into an id of the world.
    #[test]
    fn v_type_ids_are_not_looked_up() {
        let world = World::from_json(
            r#"{"Stacks":[{"StackId":"42","Apps":[{"AppId":"7","Type":"php"}],
                "Layers":[{"LayerId":"8"}],"Instances":[{"InstanceId":"9"}]}]}"#,
        )
        .expect("the world parses");
        let bodies = [
            r#"{"StackId":123,"Command":{"Name":"configure"}}"#,
            r#"{"StackId":42,"Command":{"Name":"configure"}}"#,
            r#"{"StackId":true,"Command":{"Name":"configure"}}"#,
            r#"{"StackId":{"id":"42"},"Command":{"Name":"configure"}}"#,
            r#"{"StackId":"42","AppId":7,"Command":{"Name":"deploy"}}"#,
            r#"{"StackId":"42","AppId":123,"Command":{"Name":"deploy"}}"#,
            r#"{"StackId":"42","AppId":["7"],"Command":{"Name":"deploy"}}"#,
            r#"{"StackId":"42","AppId":123,"Command":{"Name":"configure"}}"#,
            r#"{"StackId":"42","InstanceIds":[9],"Command":{"Name":"configure"}}"#,
            r#"{"StackId":"42","InstanceIds":["9",123],"Command":{"Name":"configure"}}"#,
            r#"{"StackId":"42","LayerIds":[8],"Command":{"Name":"configure"}}"#,
            r#"{"StackId":"42","LayerIds":[false],"Command":{"Name":"configure"}}"#,
            r#"{"StackId":"42","LayerIds":[{"LayerId":"8"}],"Command":{"Name":"configure"}}"#,
        ];
        for body in bodies {
            let verdict = judge_request(&world, &RawRequest::json(body), &CallerIdentity::Unsigned);
            assert_eq!(verdict.broken(), vec![rules::V_TYPE], "{body}");
            assert!(verdict.may_cases().is_empty(), "{body}");
            assert!(!verdict.allows(&error(NOT_FOUND)), "{body}");
            assert!(!verdict.allows(&Outcome::Success), "{body}");
            assert!(verdict.allows_strict(&error(VALIDATION)), "{body}");
            assert!(verdict.allows_strict(&error(SERIALIZATION)), "{body}");
            assert_caught(
                &verdict,
                &error_response("ResourceNotFoundException"),
                rules::V_TYPE,
                Status::Failed,
            );
        }
    }

    #[test]
    fn v_app_required() {
        for name in ["deploy", "rollback", "start", "stop", "restart", "undeploy"] {
            let with_app =
                format!(r#"{{"StackId":"s1","AppId":"node5","Command":{{"Name":"{name}"}}}}"#);
            assert_valid(&verdict(&with_app));
            let without = format!(r#"{{"StackId":"s1","Command":{{"Name":"{name}"}}}}"#);
            let verdict = verdict(&without);
            assert_breaks(&verdict, rules::V_APP_REQUIRED, &[VALIDATION]);
            assert_caught(
                &verdict,
                &ok_response(),
                rules::V_APP_REQUIRED,
                Status::Failed,
            );
        }
    }

    #[test]
    fn v_custom_json() {
        for custom in [
            r#"{"key1": "value1", "key2": "value2"}"#,
            "{}",
            r#"{"a":{"b":{"c":[1,2.5e3,true,null,"é😀\n"]}}}"#,
        ] {
            let body = serde_json::json!({"StackId": "s1", "Command": {"Name": "configure"}, "CustomJson": custom}).to_string();
            assert_valid(&verdict(&body));
        }
        for custom in [
            "",
            "{",
            "{'a': 1}",
            r#"{"a":1,}"#,
            "{a:1}",
            "NaN",
            r#"{"a":01}"#,
        ] {
            let body = serde_json::json!({"StackId": "s1", "Command": {"Name": "configure"}, "CustomJson": custom}).to_string();
            let verdict = verdict(&body);
            assert_breaks(&verdict, rules::V_CUSTOM_JSON, &[VALIDATION]);
            assert_caught(
                &verdict,
                &ok_response(),
                rules::V_CUSTOM_JSON,
                Status::Failed,
            );
        }
    }

    #[test]
    fn v_custom_json_object() {
        for custom in ["[1,2]", r#""text""#, "42", "true", "null"] {
            let body = serde_json::json!({"StackId": "s1", "Command": {"Name": "configure"}, "CustomJson": custom}).to_string();
            let verdict = verdict(&body);
            assert_breaks(&verdict, rules::V_CUSTOM_JSON_OBJECT, &[VALIDATION]);
            assert_caught(
                &verdict,
                &ok_response(),
                rules::V_CUSTOM_JSON_OBJECT,
                Status::Warned,
            );
            assert_caught(
                &verdict,
                &error_response("ValidationException"),
                rules::V_CUSTOM_JSON_OBJECT,
                Status::Passed,
            );
        }
    }

    #[test]
    fn v_recipes_seed_example() {
        // The seed: {"recipes":["phpapp::appsetup"]} for execute_recipes.
        let ok = r#"{"StackId":"s1","Command":{"Name":"execute_recipes","Args":{"recipes":["phpapp::appsetup"]}}}"#;
        assert_valid(&verdict(ok));
        let several = r#"{"StackId":"s1","Command":{"Name":"execute_recipes","Args":{"recipes":["a::b","c"]}}}"#;
        assert_valid(&verdict(several));
        for body in [
            r#"{"StackId":"s1","Command":{"Name":"execute_recipes"}}"#,
            r#"{"StackId":"s1","Command":{"Name":"execute_recipes","Args":{}}}"#,
            r#"{"StackId":"s1","Command":{"Name":"execute_recipes","Args":{"recipes":[]}}}"#,
            r#"{"StackId":"s1","Command":{"Name":"execute_recipes","Args":{"recipes":["a::b",""]}}}"#,
        ] {
            let verdict = verdict(body);
            assert_breaks(&verdict, rules::V_RECIPES, &[VALIDATION]);
            assert_eq!(
                rules::V_RECIPES.severity(),
                opsworks_conformance::contract::Severity::Should
            );
            // SHOULD: accepting is warned, not failed.
            assert_caught(&verdict, &ok_response(), rules::V_RECIPES, Status::Warned);
        }
    }

    #[test]
    fn v_migrate_seed_example() {
        // The seed: {"migrate":["true"]} for deploy (of a rails app).
        for value in ["true", "false"] {
            let body = format!(
                r#"{{"StackId":"s1","AppId":"rails3","Command":{{"Name":"deploy","Args":{{"migrate":["{value}"]}}}}}}"#
            );
            assert_valid(&verdict(&body));
        }
        for value in [
            r#"["yes"]"#,
            r#"["TRUE"]"#,
            r#"["true","false"]"#,
            "[]",
            r#"[""]"#,
        ] {
            let body = format!(
                r#"{{"StackId":"s1","AppId":"rails3","Command":{{"Name":"deploy","Args":{{"migrate":{value}}}}}}}"#
            );
            let verdict = verdict(&body);
            assert_breaks(&verdict, rules::V_MIGRATE, &[VALIDATION]);
            assert_caught(&verdict, &ok_response(), rules::V_MIGRATE, Status::Warned);
        }
    }

    #[test]
    fn v_reboot_seed_example() {
        // The seed: {"upgrade_os_to":["Amazon Linux 2016.09"],"allow_reboot":["true"]}.
        for args in [
            r#"{"upgrade_os_to":["Amazon Linux 2016.09"],"allow_reboot":["true"]}"#,
            r#"{"allow_reboot":["false"]}"#,
            r#"{"allow_reboot":["true"]}"#,
            "{}",
        ] {
            let body = format!(
                r#"{{"StackId":"s1","Command":{{"Name":"update_dependencies","Args":{args}}}}}"#
            );
            assert_valid(&verdict(&body));
        }
        assert_valid(&verdict(
            r#"{"StackId":"s1","Command":{"Name":"update_dependencies"}}"#,
        ));
        for args in [
            r#"{"upgrade_os_to":["Amazon Linux 2016.09"]}"#,
            r#"{"upgrade_os_to":["Amazon Linux 2016.09"],"allow_reboot":["false"]}"#,
            r#"{"upgrade_os_to":[],"allow_reboot":["true"]}"#,
            r#"{"upgrade_os_to":[""],"allow_reboot":["true"]}"#,
            r#"{"upgrade_os_to":["a","b"],"allow_reboot":["true"]}"#,
            r#"{"allow_reboot":["yes"]}"#,
            r#"{"allow_reboot":[]}"#,
        ] {
            let body = format!(
                r#"{{"StackId":"s1","Command":{{"Name":"update_dependencies","Args":{args}}}}}"#
            );
            let verdict = verdict(&body);
            assert_breaks(&verdict, rules::V_REBOOT, &[VALIDATION]);
            assert_caught(&verdict, &ok_response(), rules::V_REBOOT, Status::Warned);
        }
    }

    #[test]
    fn v_rollback_depth() {
        assert_valid(&verdict(
            r#"{"StackId":"s1","AppId":"rails3","Command":{"Name":"rollback"}}"#,
        ));
        let verdict = verdict(r#"{"StackId":"s1","AppId":"php1","Command":{"Name":"rollback"}}"#);
        assert_breaks(&verdict, rules::V_ROLLBACK_DEPTH, &[VALIDATION]);
        assert_caught(
            &verdict,
            &ok_response(),
            rules::V_ROLLBACK_DEPTH,
            Status::Warned,
        );
        assert_caught(
            &verdict,
            &error_response("ValidationException"),
            rules::V_ROLLBACK_DEPTH,
            Status::Passed,
        );
    }
}

mod existence {
    use super::*;

    #[test]
    fn n_stack() {
        for stack in ["s9", "S1", " s1", "s1 ", "s", "s10"] {
            let body =
                serde_json::json!({"StackId": stack, "Command": {"Name": "configure"}}).to_string();
            let verdict = verdict(&body);
            assert_breaks(&verdict, rules::N_STACK, &[NOT_FOUND]);
            assert!(!verdict.allows(&error(VALIDATION)));
            assert_caught(&verdict, &ok_response(), rules::N_STACK, Status::Failed);
            assert_caught(
                &verdict,
                &error_response("ValidationException"),
                rules::N_STACK,
                Status::Failed,
            );
        }
    }

    #[test]
    fn n_app() {
        for app in ["rails", "RAILS3", "rails3 ", "nope"] {
            let body =
                serde_json::json!({"StackId": "s1", "AppId": app, "Command": {"Name": "deploy"}})
                    .to_string();
            let verdict = verdict(&body);
            assert_breaks(&verdict, rules::N_APP, &[NOT_FOUND]);
            assert!(!verdict.allows(&error(VALIDATION)));
            assert_caught(&verdict, &ok_response(), rules::N_APP, Status::Failed);
        }
        // An app of another stack: ResourceNotFoundException or ValidationException.
        let verdict = verdict(r#"{"StackId":"s1","AppId":"java2","Command":{"Name":"deploy"}}"#);
        assert_breaks(&verdict, rules::N_APP, &[NOT_FOUND, VALIDATION]);
        assert_caught(
            &verdict,
            &error_response("AccessDeniedException"),
            rules::N_APP,
            Status::Failed,
        );
    }

    #[test]
    fn n_instance() {
        assert_valid(&verdict(
            r#"{"StackId":"s1","InstanceIds":["i1","i2","i3"],"Command":{"Name":"setup"}}"#,
        ));
        let verdict_missing =
            verdict(r#"{"StackId":"s1","InstanceIds":["i1","i4"],"Command":{"Name":"setup"}}"#);
        assert_breaks(&verdict_missing, rules::N_INSTANCE, &[NOT_FOUND]);
        assert!(!verdict_missing.allows(&error(VALIDATION)));
        assert_caught(
            &verdict_missing,
            &ok_response(),
            rules::N_INSTANCE,
            Status::Failed,
        );
        let other_stack =
            verdict(r#"{"StackId":"s1","InstanceIds":["i9"],"Command":{"Name":"setup"}}"#);
        assert_breaks(&other_stack, rules::N_INSTANCE, &[NOT_FOUND, VALIDATION]);
    }

    #[test]
    fn n_layer() {
        assert_valid(&verdict(
            r#"{"StackId":"s1","LayerIds":["l1","l2"],"Command":{"Name":"setup"}}"#,
        ));
        let verdict_missing =
            verdict(r#"{"StackId":"s1","LayerIds":["L1"],"Command":{"Name":"setup"}}"#);
        assert_breaks(&verdict_missing, rules::N_LAYER, &[NOT_FOUND]);
        assert_caught(
            &verdict_missing,
            &ok_response(),
            rules::N_LAYER,
            Status::Failed,
        );
        let other_stack =
            verdict(r#"{"StackId":"s1","LayerIds":["l9"],"Command":{"Name":"setup"}}"#);
        assert_breaks(&other_stack, rules::N_LAYER, &[NOT_FOUND, VALIDATION]);
    }

    /// An id with an unpaired surrogate escape names nothing, even where a world id is the
    /// text a lenient reading makes of it (U+FFFD in the escape's place): ids are compared
    /// exactly. A target that answers ResourceNotFoundException conforms; one that takes
    /// `"s\ud800"` for `"s\ufffd"` does not. (The oracle used to read it as the world's id and
    /// allow only success: a false alarm against every exact target.)
    #[test]
    fn an_id_with_an_unpaired_surrogate_escape_names_nothing() {
        let world = World::from_json(
            "{\"Stacks\":[{\"StackId\":\"s\u{fffd}\",\
             \"Apps\":[{\"AppId\":\"a\u{fffd}\",\"Type\":\"php\",\"Versions\":3}],\
             \"Layers\":[{\"LayerId\":\"l\u{fffd}\"}],\
             \"Instances\":[{\"InstanceId\":\"i\u{fffd}\"}]}]}",
        )
        .expect("a valid world");
        let judged =
            |body: &str| judge_request(&world, &RawRequest::json(body), &CallerIdentity::Unsigned);
        // The same ids written exactly (an escape of U+FFFD itself is no surrogate) name them.
        for body in [
            r#"{"StackId":"s\ufffd","Command":{"Name":"setup"}}"#,
            r#"{"StackId":"s\ufffd","AppId":"a\ufffd","Command":{"Name":"rollback"}}"#,
            r#"{"StackId":"s\ufffd","InstanceIds":["i\ufffd"],"LayerIds":["l\ufffd"],"Command":{"Name":"setup"}}"#,
        ] {
            assert_valid(&judged(body));
        }
        let cases = [
            (
                r#"{"StackId":"s\ud800","Command":{"Name":"setup"}}"#,
                rules::N_STACK,
            ),
            (
                r#"{"StackId":"s\ufffd","AppId":"a\udc00","Command":{"Name":"deploy"}}"#,
                rules::N_APP,
            ),
            (
                r#"{"StackId":"s\ufffd","AppId":"a\ud800","Command":{"Name":"rollback"}}"#,
                rules::N_APP,
            ),
            (
                r#"{"StackId":"s\ufffd","InstanceIds":["i\udbff"],"Command":{"Name":"setup"}}"#,
                rules::N_INSTANCE,
            ),
            (
                r#"{"StackId":"s\ufffd","LayerIds":["l\ufffd","l\udfff"],"Command":{"Name":"setup"}}"#,
                rules::N_LAYER,
            ),
            // Duplicate member names take the oracle another way through the body: the same.
            (
                r#"{"StackId":"s\ufffd","StackId":"s\ud800","Command":{"Name":"setup"}}"#,
                rules::N_STACK,
            ),
        ];
        for (body, rule) in cases {
            let verdict = judged(body);
            assert_eq!(
                verdict.broken(),
                vec![rule],
                "{body}: {:?}",
                verdict.findings()
            );
            assert!(
                verdict
                    .may_cases()
                    .iter()
                    .any(|c| c.rule == rules::M_JSON_LIMITS),
                "{body}: {:?}",
                verdict.may_cases()
            );
            assert!(!verdict.allows(&Outcome::Success), "{body}");
            assert_eq!(
                verdict.effect(),
                &opsworks_conformance::oracle::Effect::None,
                "{body}"
            );
            let exact = judge_response(&verdict, &error_response("ResourceNotFoundException"));
            assert!(exact.conforms(true), "{body}: {exact}");
            let refused = judge_response(&verdict, &error_response("SerializationException"));
            assert!(refused.conforms(true), "{body}: {refused}");
            assert_caught(&verdict, &ok_response(), rule, Status::Failed);
        }
    }
}

mod access {
    use super::*;

    #[test]
    fn no_users_no_access_rules() {
        let verdict = judge_request(
            &world(),
            &RawRequest::json(CONFIGURE),
            &CallerIdentity::Unsigned,
        );
        assert_valid(&verdict);
        let signed = judge_request(
            &world(),
            &RawRequest::json(CONFIGURE),
            &CallerIdentity::InvalidSignature("x".into()),
        );
        assert_valid(&signed);
    }

    #[test]
    fn a_signature_required() {
        assert_valid(&verdict_as(&verified("deployer"), CONFIGURE));
        let verdict = verdict_as(&CallerIdentity::Unsigned, CONFIGURE);
        assert_eq!(verdict.broken(), vec![rules::A_SIGNATURE_REQUIRED]);
        assert!(verdict.allows_strict(&error(ErrorCode::MissingAuthenticationTokenException)));
        assert!(!verdict.allows(&Outcome::Success));
        assert_caught(
            &verdict,
            &ok_response(),
            rules::A_SIGNATURE_REQUIRED,
            Status::Failed,
        );
        let forbidden = Ok(Observation::json(
            403,
            r#"{"__type":"MissingAuthenticationTokenException","message":"m"}"#,
        ));
        assert_caught(
            &verdict,
            &forbidden,
            rules::A_SIGNATURE_REQUIRED,
            Status::Passed,
        );
    }

    #[test]
    fn a_key_known() {
        for caller in [
            verified("stranger"),
            CallerIdentity::InvalidSignature("stranger".into()),
        ] {
            let verdict = verdict_as(&caller, CONFIGURE);
            assert_eq!(verdict.broken(), vec![rules::A_KEY_KNOWN]);
            assert!(verdict.allows_strict(&error(ErrorCode::UnrecognizedClientException)));
            assert_caught(&verdict, &ok_response(), rules::A_KEY_KNOWN, Status::Failed);
        }
    }

    #[test]
    fn a_signature_valid() {
        let verdict = verdict_as(
            &CallerIdentity::InvalidSignature("deployer".into()),
            CONFIGURE,
        );
        assert_eq!(verdict.broken(), vec![rules::A_SIGNATURE_VALID]);
        assert!(verdict.allows_strict(&error(ErrorCode::InvalidSignatureException)));
        assert_caught(
            &verdict,
            &ok_response(),
            rules::A_SIGNATURE_VALID,
            Status::Failed,
        );
    }

    #[test]
    fn a_permission() {
        for key in ["deployer", "manager", "policy", "star"] {
            assert_valid(&verdict_as(&verified(key), CONFIGURE));
        }
        for key in ["shower", "denied", "iam", "nobody"] {
            let verdict = verdict_as(&verified(key), CONFIGURE);
            assert_breaks(&verdict, rules::A_PERMISSION, &[ACCESS_DENIED]);
            assert!(!verdict.allows(&error(VALIDATION)));
            assert_caught(
                &verdict,
                &ok_response(),
                rules::A_PERMISSION,
                Status::Failed,
            );
        }
        // Permissions are per stack: deployer has none on s2.
        let other = verdict_as(
            &verified("deployer"),
            r#"{"StackId":"s2","Command":{"Name":"configure"}}"#,
        );
        assert_breaks(&other, rules::A_PERMISSION, &[ACCESS_DENIED]);
    }
}

mod behaviour {
    use super::*;
    use opsworks_conformance::oracle::Session;

    #[test]
    fn s_accept_valid() {
        let verdict = verdict(DEPLOY);
        assert_caught(
            &verdict,
            &ok_response(),
            rules::S_ACCEPT_VALID,
            Status::Passed,
        );
        // A mock that refuses valid input (here: with a non-ASCII comment).
        let body = serde_json::json!({"StackId": "s1", "Command": {"Name": "configure"}, "Comment": "déploiement 🚀"}).to_string();
        let verdict = super::verdict(&body);
        assert_valid(&verdict);
        let judgement = assert_caught(
            &verdict,
            &error_response("ValidationException"),
            rules::S_ACCEPT_VALID,
            Status::Failed,
        );
        let failure = judgement.failures().next().expect("a failure");
        assert_eq!(
            failure.to_string(),
            r#"[S-ACCEPT-VALID] expected 200 with a DeploymentId, found 400 {"__type":"ValidationException","message":"m"}"#
        );
    }

    #[test]
    fn s_unique_id() {
        let mut session = Session::new(world());
        let request = RawRequest::json(CONFIGURE);
        let first = session.observe(
            &request,
            &CallerIdentity::Unsigned,
            &Ok(Observation::json(200, r#"{"DeploymentId":"a"}"#)),
        );
        assert_eq!(first.status_of(rules::S_UNIQUE_ID), None);
        let second = session.observe(
            &request,
            &CallerIdentity::Unsigned,
            &Ok(Observation::json(200, r#"{"DeploymentId":"b"}"#)),
        );
        assert_eq!(second.status_of(rules::S_UNIQUE_ID), Some(Status::Passed));
        let repeated = session.observe(
            &request,
            &CallerIdentity::Unsigned,
            &Ok(Observation::json(200, r#"{"DeploymentId":"a"}"#)),
        );
        assert_eq!(repeated.status_of(rules::S_UNIQUE_ID), Some(Status::Failed));
    }

    #[test]
    fn s_error_no_effect() {
        // rails3 has 3 versions: two rollbacks are possible. A rollback rejected for another
        // reason (an unknown instance) must not use one up.
        let rejected = RawRequest::json(
            r#"{"StackId":"s1","AppId":"rails3","InstanceIds":["nope"],"Command":{"Name":"rollback"}}"#,
        );
        let rollback =
            RawRequest::json(r#"{"StackId":"s1","AppId":"rails3","Command":{"Name":"rollback"}}"#);
        let caller = CallerIdentity::Unsigned;

        // A conforming target: the rejection changed nothing, two rollbacks succeed.
        let mut good = Session::new(world());
        good.observe(
            &rejected,
            &caller,
            &error_response("ResourceNotFoundException"),
        );
        let first = good.observe(
            &rollback,
            &caller,
            &Ok(Observation::json(200, r#"{"DeploymentId":"1"}"#)),
        );
        assert!(first.conforms(true), "{:?}", first.checks);
        assert_eq!(
            first.status_of(rules::S_ERROR_NO_EFFECT),
            Some(Status::Passed)
        );
        let second = good.observe(
            &rollback,
            &caller,
            &Ok(Observation::json(200, r#"{"DeploymentId":"2"}"#)),
        );
        assert!(second.conforms(true));

        // A broken target: the rejected rollback used a version up, so the second rollback is
        // refused as if no version were left.
        let mut bad = Session::new(world());
        bad.observe(
            &rejected,
            &caller,
            &error_response("ResourceNotFoundException"),
        );
        bad.observe(
            &rollback,
            &caller,
            &Ok(Observation::json(200, r#"{"DeploymentId":"1"}"#)),
        );
        let refused = bad.observe(&rollback, &caller, &error_response("ValidationException"));
        assert_eq!(
            refused.status_of(rules::S_ERROR_NO_EFFECT),
            Some(Status::Failed),
            "{:#?}",
            refused.checks
        );
        assert_eq!(refused.status_of(rules::S_ACCEPT_VALID), None);
        // The message names the rejected request that took effect (case 1), not only the
        // request whose answer revealed it.
        let found = &refused
            .checks
            .iter()
            .find(|check| check.rule == rules::S_ERROR_NO_EFFECT)
            .expect("an S-ERROR-NO-EFFECT check")
            .found;
        assert!(
            found.contains(r#"case 1 (rejected with ResourceNotFoundException): {"StackId":"s1","AppId":"rails3","InstanceIds":["nope"]"#),
            "{found}"
        );
    }

    /// Stored versions change only through rollback (RULES.md): an accepted deploy, or any other
    /// accepted command of every app, leaves every app's Versions as it was, in the session's
    /// world; and a rollback afterwards still has all of them.
    #[test]
    fn only_rollback_changes_stored_versions() {
        use opsworks_conformance::contract::CommandName;
        use opsworks_conformance::oracle::{Effect, Session};
        let versions = |world: &World| -> Vec<(String, u8)> {
            world
                .stacks
                .iter()
                .flat_map(|stack| {
                    stack
                        .apps
                        .iter()
                        .map(|app| (app.app_id.clone(), app.versions))
                })
                .collect()
        };
        let initial = world();
        let mut session = Session::new(initial.clone());
        // The reference implementation, sent the same requests, keeps its versions too.
        let reference = opsworks_conformance::target::ReferenceTarget::new(initial.clone());
        let mut accepted = 0;
        for stack in &initial.stacks {
            for app in &stack.apps {
                for name in CommandName::ALL {
                    if name == CommandName::Rollback {
                        continue;
                    }
                    let mut input = opsworks_conformance::contract::CreateDeploymentInput::new(
                        &stack.stack_id,
                        name,
                    );
                    if name.needs_app() {
                        input = input.with_app(&app.app_id);
                    }
                    if name == CommandName::ExecuteRecipes {
                        input = input.with_arg("recipes", ["a::b"]);
                    }
                    let request = input.to_raw();
                    let verdict = session.verdict(&request, &CallerIdentity::Unsigned);
                    assert!(verdict.is_valid(), "{name}: {:?}", verdict.findings());
                    assert_eq!(verdict.effect(), &Effect::None, "{name}");
                    let judgement = session.observe(
                        &request,
                        &CallerIdentity::Unsigned,
                        &Ok(Observation::json(
                            200,
                            format!(r#"{{"DeploymentId":"d-{accepted}"}}"#),
                        )),
                    );
                    assert!(judgement.conforms(true), "{name}: {:?}", judgement.checks);
                    accepted += 1;
                    assert_eq!(
                        versions(session.world()),
                        versions(&initial),
                        "after {name}"
                    );
                    let answer = reference.answer(&request, &CallerIdentity::Unsigned);
                    assert_eq!(answer.status, 200, "{name}: {answer:?}");
                    assert_eq!(
                        versions(&reference.world()),
                        versions(&initial),
                        "after {name}"
                    );
                }
            }
        }
        assert!(accepted > 10, "{accepted} commands accepted");
        // rails3 still has its 3 versions: two rollbacks succeed, the third is refused.
        let rollback =
            RawRequest::json(r#"{"StackId":"s1","AppId":"rails3","Command":{"Name":"rollback"}}"#);
        for _ in 0..2 {
            assert!(
                session
                    .verdict(&rollback, &CallerIdentity::Unsigned)
                    .is_valid()
            );
            session.observe(&rollback, &CallerIdentity::Unsigned, &ok_response());
            let answer = reference.answer(&rollback, &CallerIdentity::Unsigned);
            assert_eq!(answer.status, 200, "{answer:?}");
        }
        assert_eq!(
            session
                .verdict(&rollback, &CallerIdentity::Unsigned)
                .broken(),
            vec![rules::V_ROLLBACK_DEPTH]
        );
        assert_eq!(versions(&reference.world()), versions(session.world()));
        let answer = reference.answer(&rollback, &CallerIdentity::Unsigned);
        assert_eq!(answer.status, 400, "{answer:?}");
    }

    /// A rollback refused as if the app had no earlier version, in a session that used none
    /// up: the failure says which state the answer fits (a target that did not start in the
    /// world's state); a failure that fits no such state does not.
    #[test]
    fn a_rollback_answered_from_an_earlier_state_is_named() {
        let rollback =
            RawRequest::json(r#"{"StackId":"s1","AppId":"rails3","Command":{"Name":"rollback"}}"#);
        let caller = CallerIdentity::Unsigned;
        let hint = "has no earlier version left: did the target start in the world's state?";
        // For each code: whether every failure of a refusal with it gives the hint.
        for (code, hinted) in [
            ("ValidationException", true),
            ("ResourceNotFoundException", false),
        ] {
            let judgement =
                Session::new(world()).observe(&rollback, &caller, &error_response(code));
            let found: Vec<&str> = judgement.failures().map(|c| c.found.as_str()).collect();
            assert!(!found.is_empty(), "{code}");
            assert!(
                found.iter().all(|f| f.contains(hint) == hinted),
                "{code}: {found:?}"
            );
        }
    }

    #[test]
    fn o_precedence() {
        // Broken: V-TYPE (validation group) and N-STACK (existence group).
        let verdict = verdict(r#"{"StackId":"nope","Comment":5,"Command":{"Name":"configure"}}"#);
        assert_eq!(verdict.broken(), vec![rules::V_TYPE, rules::N_STACK]);
        assert!(verdict.allows_strict(&error(VALIDATION)));
        assert!(verdict.allows(&error(NOT_FOUND)));
        assert!(!verdict.allows_strict(&error(NOT_FOUND)));
        assert_caught(
            &verdict,
            &error_response("ResourceNotFoundException"),
            rules::O_PRECEDENCE,
            Status::Warned,
        );
        assert_caught(
            &verdict,
            &error_response("ValidationException"),
            rules::V_TYPE,
            Status::Passed,
        );

        // Access before everything; existence before permission; permission before rollback depth.
        let unsigned = verdict_as(&CallerIdentity::Unsigned, r#"{"Command":{}}"#);
        assert_eq!(unsigned.broken()[0], rules::A_SIGNATURE_REQUIRED);
        let missing_stack = verdict_as(
            &verified("shower"),
            r#"{"StackId":"s9","Command":{"Name":"configure"}}"#,
        );
        assert_eq!(
            missing_stack.broken(),
            vec![rules::N_STACK, rules::A_PERMISSION]
        );
        assert!(missing_stack.allows_strict(&error(NOT_FOUND)));
        assert!(!missing_stack.allows_strict(&error(ACCESS_DENIED)));
        assert!(missing_stack.allows(&error(ACCESS_DENIED)));
        let depth = verdict_as(
            &verified("shower"),
            r#"{"StackId":"s1","AppId":"php1","Command":{"Name":"rollback"}}"#,
        );
        assert_eq!(
            depth.broken(),
            vec![rules::A_PERMISSION, rules::V_ROLLBACK_DEPTH]
        );
        assert!(depth.allows_strict(&error(ACCESS_DENIED)));
        assert!(!depth.allows_strict(&error(VALIDATION)));
    }
}

mod implementation_defined {
    use super::*;

    /// The request is a MAY case of `rule`: both success and a rejection with `code` pass, and
    /// the judgement records which behaviour was seen.
    #[track_caller]
    fn assert_may(body: &str, rule: opsworks_conformance::contract::RuleId, code: ErrorCode) {
        let verdict = verdict(body);
        assert!(verdict.broken().is_empty(), "{:?}", verdict.findings());
        assert!(
            verdict.may_cases().iter().any(|case| case.rule == rule),
            "{:?}",
            verdict.may_cases()
        );
        assert!(verdict.allows_strict(&Outcome::Success));
        assert!(verdict.allows_strict(&error(code)));
        let accepted = judge_response(&verdict, &ok_response());
        assert!(
            accepted
                .checks
                .iter()
                .any(|c| c.rule == rule && c.behaviour == Some(Behaviour::Accepted))
        );
        assert!(accepted.conforms(true));
        let rejected = judge_response(&verdict, &error_response(code.as_str()));
        assert!(
            rejected
                .checks
                .iter()
                .any(|c| c.rule == rule && c.behaviour == Some(Behaviour::Rejected(code)))
        );
        assert!(rejected.conforms(true));
        // A third behaviour is not one of the two.
        let wrong = judge_response(&verdict, &error_response("AccessDeniedException"));
        assert_eq!(
            wrong.status_of(rule),
            Some(Status::Failed),
            "{:#?}",
            wrong.checks
        );
    }

    #[test]
    fn m_unknown_args() {
        assert_may(
            r#"{"StackId":"s1","Command":{"Name":"execute_recipes","Args":{"recipes":["a"],"verbose":["true"]}}}"#,
            rules::M_UNKNOWN_ARGS,
            VALIDATION,
        );
    }

    #[test]
    fn m_args_unused() {
        assert_may(
            r#"{"StackId":"s1","Command":{"Name":"configure","Args":{"recipes":["a"]}}}"#,
            rules::M_ARGS_UNUSED,
            VALIDATION,
        );
        // An empty Args object on a command that takes none is no case at all.
        assert_valid(&verdict(
            r#"{"StackId":"s1","Command":{"Name":"configure","Args":{}}}"#,
        ));
    }

    #[test]
    fn m_app_on_stack_command() {
        assert_may(
            r#"{"StackId":"s1","AppId":"rails3","Command":{"Name":"configure"}}"#,
            rules::M_APP_ON_STACK_COMMAND,
            VALIDATION,
        );
        // With an app that does not exist, checking it (ResourceNotFoundException) is allowed too.
        let verdict = verdict(r#"{"StackId":"s1","AppId":"nope","Command":{"Name":"configure"}}"#);
        assert!(verdict.allows_strict(&Outcome::Success));
        assert!(verdict.allows_strict(&error(NOT_FOUND)));
    }

    #[test]
    fn m_empty_string_ids() {
        for body in [
            r#"{"StackId":"","Command":{"Name":"configure"}}"#,
            r#"{"StackId":"s1","AppId":"","Command":{"Name":"deploy"}}"#,
            r#"{"StackId":"s1","InstanceIds":[""],"Command":{"Name":"setup"}}"#,
            r#"{"StackId":"s1","LayerIds":["l1",""],"Command":{"Name":"setup"}}"#,
        ] {
            let verdict = verdict(body);
            assert!(
                verdict
                    .may_cases()
                    .iter()
                    .any(|c| c.rule == rules::M_EMPTY_STRING_IDS),
                "{body}"
            );
            assert!(verdict.allows_strict(&error(VALIDATION)), "{body}");
            assert!(verdict.allows_strict(&error(NOT_FOUND)), "{body}");
            assert!(!verdict.allows(&Outcome::Success), "{body}");
            // Either rejection is the MAY choice, recorded as such: a ResourceNotFoundException
            // is also what N-* asks for, and must not hide the choice (it used to: the rule was
            // reported "no case reached the rule" against targets answering it).
            for code in [VALIDATION, NOT_FOUND] {
                let judgement = judge_response(&verdict, &error_response(code.as_str()));
                let behaviours: Vec<_> = judgement
                    .checks
                    .iter()
                    .filter(|c| c.rule == rules::M_EMPTY_STRING_IDS && c.behaviour.is_some())
                    .map(|c| (c.status, c.behaviour))
                    .collect();
                assert_eq!(
                    behaviours,
                    vec![(Status::Informational, Some(Behaviour::Rejected(code)))],
                    "{body} answered {code}: {:#?}",
                    judgement.checks
                );
                assert!(
                    judgement.conforms(true),
                    "{body} answered {code}: {judgement}"
                );
            }
            assert!(
                judge_response(&verdict, &ok_response())
                    .failures()
                    .next()
                    .is_some()
            );
        }
    }

    #[test]
    fn m_empty_lists() {
        assert_may(
            r#"{"StackId":"s1","InstanceIds":[],"Command":{"Name":"setup"}}"#,
            rules::M_EMPTY_LISTS,
            VALIDATION,
        );
        assert_may(
            r#"{"StackId":"s1","LayerIds":[],"Command":{"Name":"setup"}}"#,
            rules::M_EMPTY_LISTS,
            VALIDATION,
        );
    }

    #[test]
    fn m_null_optional() {
        for member in ["InstanceIds", "LayerIds", "Comment", "CustomJson"] {
            let body =
                format!(r#"{{"StackId":"s1","{member}":null,"Command":{{"Name":"setup"}}}}"#);
            assert_may(&body, rules::M_NULL_OPTIONAL, VALIDATION);
        }
        assert_may(
            r#"{"StackId":"s1","Command":{"Name":"setup","Args":null}}"#,
            rules::M_NULL_OPTIONAL,
            SERIALIZATION,
        );
        // A null AppId on an app command, read as absent, breaks V-APP-REQUIRED: rejected either way.
        let verdict = verdict(r#"{"StackId":"s1","AppId":null,"Command":{"Name":"deploy"}}"#);
        assert_eq!(verdict.broken(), vec![rules::V_APP_REQUIRED]);
        assert!(!verdict.allows(&Outcome::Success));
    }

    #[test]
    fn m_unknown_members() {
        assert_may(
            r#"{"StackId":"s1","Command":{"Name":"setup"},"Extra":1}"#,
            rules::M_UNKNOWN_MEMBERS,
            VALIDATION,
        );
        assert_may(
            r#"{"StackId":"s1","Command":{"Name":"setup","Extra":1}}"#,
            rules::M_UNKNOWN_MEMBERS,
            SERIALIZATION,
        );
        // Member names are case-sensitive: "stackId" is unknown, and StackId is then missing.
        let verdict = verdict(r#"{"stackId":"s1","Command":{"Name":"setup"}}"#);
        assert_eq!(verdict.broken(), vec![rules::V_STACK_REQUIRED]);
    }

    #[test]
    fn m_migrate_non_rails() {
        assert_may(
            r#"{"StackId":"s1","AppId":"node5","Command":{"Name":"deploy","Args":{"migrate":["true"]}}}"#,
            rules::M_MIGRATE_NON_RAILS,
            VALIDATION,
        );
    }

    #[test]
    fn m_duplicate_ids() {
        assert_may(
            r#"{"StackId":"s1","InstanceIds":["i1","i1"],"Command":{"Name":"setup"}}"#,
            rules::M_DUPLICATE_IDS,
            VALIDATION,
        );
        assert_may(
            r#"{"StackId":"s1","LayerIds":["l2","l1","l2"],"Command":{"Name":"setup"}}"#,
            rules::M_DUPLICATE_IDS,
            VALIDATION,
        );
    }

    #[test]
    fn m_policy_vs_deny() {
        let verdict = verdict_as(&verified("denypolicy"), CONFIGURE);
        assert!(verdict.broken().is_empty());
        assert!(
            verdict
                .may_cases()
                .iter()
                .any(|c| c.rule == rules::M_POLICY_VS_DENY)
        );
        assert!(verdict.allows_strict(&Outcome::Success));
        assert!(verdict.allows_strict(&error(ACCESS_DENIED)));
        assert!(!verdict.allows(&error(VALIDATION)));
    }

    #[test]
    fn m_json_limits() {
        for custom in [
            "{\"a\":1e400}",
            "{\"a\":\"\\ud800\"}",
            "{\"a\":1,\"a\":2}",
            &format!(
                "{}{}",
                "{\"a\":".repeat(129),
                "1".to_owned() + &"}".repeat(129)
            ),
        ] {
            let body = serde_json::json!({"StackId": "s1", "Command": {"Name": "setup"}, "CustomJson": custom}).to_string();
            assert_may(&body, rules::M_JSON_LIMITS, VALIDATION);
        }
        // In the body itself.
        assert_may(
            r#"{"StackId":"s1","Command":{"Name":"setup"},"Comment":"a","Comment":"b"}"#,
            rules::M_JSON_LIMITS,
            SERIALIZATION,
        );
        // A UTF-8 byte order mark before the JSON text (RFC 8259 section 8.1: a parser may
        // ignore it), of the body or of CustomJson.
        assert_may(
            "\u{feff}{\"StackId\":\"s1\",\"Command\":{\"Name\":\"setup\"}}",
            rules::M_JSON_LIMITS,
            SERIALIZATION,
        );
        assert_may(
            "\u{feff} \n{\"StackId\":\"s1\",\"Command\":{\"Name\":\"setup\"}}",
            rules::M_JSON_LIMITS,
            VALIDATION,
        );
        let body = serde_json::json!({"StackId": "s1", "Command": {"Name": "setup"}, "CustomJson": "\u{feff}{\"a\":1}"}).to_string();
        assert_may(&body, rules::M_JSON_LIMITS, VALIDATION);
        // Escaped in the body, it is the same character at the start of CustomJson's text.
        assert_may(
            r#"{"StackId":"s1","Command":{"Name":"setup"},"CustomJson":"\ufeff{}"}"#,
            rules::M_JSON_LIMITS,
            VALIDATION,
        );
        // Both: one MAY case.
        let both = format!("\u{feff}{body}");
        assert_may(&both, rules::M_JSON_LIMITS, SERIALIZATION);
        // 1e-400 underflows to 0: within the range of a double, no case.
        let body = serde_json::json!({"StackId": "s1", "Command": {"Name": "setup"}, "CustomJson": "{\"a\":1e-400}"}).to_string();
        assert_valid(&verdict(&body));
    }

    /// After a byte order mark the body is read as any other: its rules apply, and an accepted
    /// rollback has its effect.
    #[test]
    fn the_rest_of_a_marked_body_is_read_normally() {
        let marked = |body: &str| verdict(&format!("\u{feff}{body}"));
        let verdict = marked(r#"{"Command":{"Name":"setup"}}"#);
        assert_eq!(verdict.broken(), vec![rules::V_STACK_REQUIRED]);
        assert!(!verdict.allows(&Outcome::Success));
        let verdict = marked(r#"{"StackId":"nope","Command":{"Name":"setup"}}"#);
        assert_eq!(verdict.broken(), vec![rules::N_STACK]);
        let verdict = marked(r#"{"StackId":"s1","AppId":"php1","Command":{"Name":"rollback"}}"#);
        assert_eq!(verdict.broken(), vec![rules::V_ROLLBACK_DEPTH]);
        let verdict = marked(r#"{"StackId":"s1","AppId":"rails3","Command":{"Name":"rollback"}}"#);
        assert!(verdict.broken().is_empty());
        assert_eq!(
            verdict.effect(),
            &opsworks_conformance::oracle::Effect::RollBack {
                stack_id: "s1".to_owned(),
                app_id: "rails3".to_owned()
            }
        );
        // A session: the accepted marked rollback used a version up (rails3: 3 -> 2).
        let mut session = opsworks_conformance::oracle::Session::new(world());
        let request = RawRequest::json(format!(
            "\u{feff}{}",
            r#"{"StackId":"s1","AppId":"rails3","Command":{"Name":"rollback"}}"#
        ));
        let judgement = session.observe(&request, &CallerIdentity::Unsigned, &ok_response());
        assert!(judgement.conforms(true), "{:?}", judgement.checks);
        let versions = session.world().stacks[0].apps[0].versions;
        assert_eq!(versions, 2);
    }
}
