//! World files: the bundled worlds, the INTERFACES.md example, refusals that name the member,
//! robustness on hostile input, round trips and the state that requests change.

use std::collections::HashSet;

use opsworks_conformance::world::*;

const STACK_1: &str = "6f2c3a1e-0000-4000-8000-000000000001";
const STACK_2: &str = "6f2c3a1e-0000-4000-8000-000000000002";
const STACK_3: &str = "6f2c3a1e-0000-4000-8000-000000000003";

/// The example world of INTERFACES.md, "World file".
const INTERFACES_EXAMPLE: &str = r#"{
  "Stacks": [
    {
      "StackId": "6f2c3a1e-0000-4000-8000-000000000001",
      "Apps": [
        { "AppId": "a1d2c3e4-0000-4000-8000-000000000011", "Type": "rails", "Versions": 3 }
      ],
      "Layers": [ { "LayerId": "1a7e0c55-0000-4000-8000-000000000021" } ],
      "Instances": [
        { "InstanceId": "9b0f3d21-0000-4000-8000-000000000031",
          "LayerIds": [ "1a7e0c55-0000-4000-8000-000000000021" ] }
      ]
    }
  ],
  "Users": [
    {
      "AccessKeyId": "AKIDDEPLOYER0000001",
      "SecretAccessKey": "deployer-secret",
      "Permissions": [ { "StackId": "6f2c3a1e-0000-4000-8000-000000000001", "Level": "deploy" } ],
      "PolicyAllowsCreateDeployment": [ ]
    }
  ]
}"#;

/// Parses `text`, expecting a refusal whose message names `member`; returns the error.
fn refused(text: &str, member: &str) -> WorldError {
    let error = match World::from_json(text) {
        Ok(world) => panic!("accepted {world:?}, expected a refusal naming {member}"),
        Err(error) => error,
    };
    let message = error.to_string();
    assert!(
        message.starts_with("world file: "),
        "message {message:?} does not start with `world file: `"
    );
    assert!(
        message.contains(&format!(": {member}: expected ")),
        "message {message:?} does not name the member {member}"
    );
    assert!(message.contains(", found "), "message {message:?}");
    assert_eq!(error.member(), Some(member), "{message}");
    error
}

/// A one-stack world with the given stack members.
fn with_stack(members: &str) -> String {
    format!(r#"{{"Stacks":[{{"StackId":"s1",{members}}}]}}"#)
}

/// A world with stack `s1` (layer `l1`) and one user with the given members.
fn with_user(members: &str) -> String {
    format!(
        r#"{{"Stacks":[{{"StackId":"s1","Layers":[{{"LayerId":"l1"}}]}}],
            "Users":[{{"AccessKeyId":"AKID1","SecretAccessKey":"secret-1",{members}}}]}}"#
    )
}

// ---------------------------------------------------------------------------------------------
// Bundled worlds

#[test]
fn default_world_parses_and_covers_what_the_gate_needs() {
    let world = World::bundled();
    assert_eq!(world, World::from_json(DEFAULT_WORLD_JSON).unwrap());
    world.validate().unwrap();
    assert!(!world.has_users());
    assert_eq!(world.stacks.len(), 3);
    let ids: Vec<&str> = world.stacks.iter().map(|s| s.stack_id.as_str()).collect();
    assert_eq!(ids, [STACK_1, STACK_2, STACK_3]);

    let apps: Vec<&App> = world.stacks.iter().flat_map(|s| &s.apps).collect();
    let types: HashSet<AppType> = apps.iter().map(|a| a.app_type).collect();
    for wanted in [
        AppType::Rails,
        AppType::Php,
        AppType::Nodejs,
        AppType::Static,
    ] {
        assert!(types.contains(&wanted), "no {wanted:?} app");
    }
    let versions: HashSet<u8> = apps.iter().map(|a| a.versions).collect();
    for wanted in [1, 2, 3, 5] {
        assert!(versions.contains(&wanted), "no app with Versions {wanted}");
    }
    assert!(
        world.stacks.iter().any(|s| s.apps.is_empty()),
        "no stack without apps"
    );
    for stack in &world.stacks {
        assert!(
            stack.layers.len() >= 2,
            "stack {} has < 2 layers",
            stack.stack_id
        );
        assert!(!stack.instances.is_empty());
    }
    let instances: Vec<&Instance> = world.stacks.iter().flat_map(|s| &s.instances).collect();
    assert_eq!(
        instances.iter().filter(|i| i.layer_ids.is_empty()).count(),
        1,
        "exactly one instance in no layer"
    );
    assert!(instances.iter().any(|i| i.layer_ids.len() == 1));
    assert!(instances.iter().any(|i| i.layer_ids.len() >= 2));
}

#[test]
fn default_world_contains_the_interfaces_example() {
    let example = World::from_json(INTERFACES_EXAMPLE).unwrap();
    let world = World::bundled();
    let example_stack = &example.stacks[0];
    let stack = world.stack(&example_stack.stack_id).unwrap();
    for app in &example_stack.apps {
        assert_eq!(stack.app(&app.app_id), Some(app));
    }
    for layer in &example_stack.layers {
        assert_eq!(stack.layer(&layer.layer_id), Some(layer));
    }
    for instance in &example_stack.instances {
        assert_eq!(stack.instance(&instance.instance_id), Some(instance));
    }
    let with_users = World::bundled_with_users();
    let deployer = with_users.user("AKIDDEPLOYER0000001").unwrap();
    let example_user = &example.users[0];
    assert_eq!(deployer.secret_access_key, example_user.secret_access_key);
    for permission in &example_user.permissions {
        assert_eq!(
            deployer.level_on(&permission.stack_id),
            Some(permission.level)
        );
    }
}

#[test]
fn world_with_users_parses_and_covers_every_permission_case() {
    let world = World::bundled_with_users();
    assert_eq!(world, World::from_json(WITH_USERS_WORLD_JSON).unwrap());
    world.validate().unwrap();
    assert_eq!(world.stacks, World::bundled().stacks, "not the same stacks");
    assert!(world.has_users());

    let levels: HashSet<PermissionLevel> = world
        .users
        .iter()
        .flat_map(|u| &u.permissions)
        .map(|p| p.level)
        .collect();
    for level in PermissionLevel::ALL {
        assert!(levels.contains(&level), "no user with level {level:?}");
    }
    assert!(
        world
            .users
            .iter()
            .any(|u| u.permissions.len() < world.stacks.len() && !u.permissions.is_empty()),
        "no user missing an entry for some stack"
    );
    assert!(
        world
            .users
            .iter()
            .any(|u| u.policy_allows_create_deployment.len() == 1
                && u.policy_allows_create_deployment[0] != "*"),
        "no user with a policy on one stack"
    );
    assert!(
        world
            .users
            .iter()
            .any(|u| u.policy_allows_create_deployment.iter().any(|g| g == "*")),
        "no user with a policy on *"
    );
    assert!(
        world.users.iter().any(|u| u.permissions.iter().any(|p| {
            p.level == PermissionLevel::Deny
                && u.policy_allows_create_deployment.contains(&p.stack_id)
        })),
        "no user with level deny and a policy on the same stack (M-POLICY-VS-DENY)"
    );

    let deployer = world.user("AKIDDEPLOYER0000001").unwrap();
    assert_eq!(deployer.secret_access_key, "deployer-secret");
    assert_eq!(deployer.level_on(STACK_1), Some(PermissionLevel::Deploy));
    assert_eq!(deployer.level_on(STACK_3), None);
    for user in &world.users {
        assert!(user.access_key_id.starts_with("AKID"));
        assert!(user.secret_access_key.ends_with("-secret"));
        assert!(!format!("{user:?}").contains(&user.secret_access_key));
    }
}

#[test]
fn bundled_texts_have_no_users_in_the_default() {
    assert!(!DEFAULT_WORLD_JSON.contains("Users"));
    assert!(WITH_USERS_WORLD_JSON.contains("Users"));
}

// ---------------------------------------------------------------------------------------------
// Valid variations

#[test]
fn interfaces_example_parses() {
    let world = World::from_json(INTERFACES_EXAMPLE).unwrap();
    let app = world.stacks[0]
        .app("a1d2c3e4-0000-4000-8000-000000000011")
        .unwrap();
    assert_eq!(app.app_type, AppType::Rails);
    assert_eq!(app.versions, 3);
    assert_eq!(
        world.users[0].level_on(STACK_1),
        Some(PermissionLevel::Deploy)
    );
}

#[test]
fn omitted_members_take_their_defaults() {
    let world =
        World::from_json(r#"{"Stacks":[{"StackId":"s","Apps":[{"AppId":"a","Type":"java"}]}]}"#)
            .unwrap();
    assert_eq!(world.stacks[0].apps[0].versions, 1);
    assert!(world.stacks[0].layers.is_empty() && world.stacks[0].instances.is_empty());
    assert!(!world.has_users());
    assert_eq!(World::from_json("{}").unwrap(), World::default());
    assert_eq!(
        World::from_json(r#"{"Users":[]}"#).unwrap(),
        World::default()
    );
    let world = World::from_json(&with_stack(
        r#""Layers":[{"LayerId":"l"}],"Instances":[{"InstanceId":"i"}]"#,
    ))
    .unwrap();
    assert!(world.stacks[0].instances[0].layer_ids.is_empty());
}

#[test]
fn every_app_type_and_level_is_accepted() {
    for (n, name) in [
        "aws-flow-ruby",
        "java",
        "rails",
        "php",
        "nodejs",
        "static",
        "other",
    ]
    .iter()
    .enumerate()
    {
        let world = World::from_json(&with_stack(&format!(
            r#""Apps":[{{"AppId":"a","Type":"{name}"}}]"#
        )))
        .unwrap();
        assert_eq!(world.stacks[0].apps[0].app_type, AppType::ALL[n]);
    }
    for (n, name) in ["deny", "show", "deploy", "manage", "iam_only"]
        .iter()
        .enumerate()
    {
        let world = World::from_json(&with_user(&format!(
            r#""Permissions":[{{"StackId":"s1","Level":"{name}"}}]"#
        )))
        .unwrap();
        assert_eq!(world.users[0].permissions[0].level, PermissionLevel::ALL[n]);
    }
}

#[test]
fn byte_order_mark_and_whitespace_are_accepted() {
    let world = World::from_json(&format!("\u{feff} \n{DEFAULT_WORLD_JSON}\n\t")).unwrap();
    assert_eq!(world, World::bundled());
    let world = World::from_slice(format!("\u{feff}{DEFAULT_WORLD_JSON}").as_bytes()).unwrap();
    assert_eq!(world, World::bundled());
}

#[test]
fn from_str_reads_a_world() {
    let world: World = DEFAULT_WORLD_JSON.parse().unwrap();
    assert_eq!(world, World::bundled());
}

#[test]
fn policy_entries_may_be_star_or_a_stack() {
    let world =
        World::from_json(&with_user(r#""PolicyAllowsCreateDeployment":["*","s1"]"#)).unwrap();
    assert!(world.users[0].policy_allows("anything"));
}

// ---------------------------------------------------------------------------------------------
// Refusals

#[test]
fn unknown_level_is_refused() {
    let error = refused(
        &with_user(r#""Permissions":[{"StackId":"s1","Level":"admin"}]"#),
        "Users[0].Permissions[0].Level",
    );
    assert!(matches!(error, WorldError::UnknownLevel { ref found, .. } if found == "admin"));
    let message = error.to_string();
    for level in [
        "`deny`",
        "`show`",
        "`deploy`",
        "`manage`",
        "`iam_only`",
        "\"admin\"",
    ] {
        assert!(message.contains(level), "{message}");
    }
    // Case matters.
    refused(
        &with_user(r#""Permissions":[{"StackId":"s1","Level":"Deploy"}]"#),
        "Users[0].Permissions[0].Level",
    );
}

#[test]
fn unknown_app_type_is_refused() {
    let error = refused(
        r#"{"Stacks":[{"StackId":"s0"},
                      {"StackId":"s1","Apps":[{"AppId":"a0","Type":"rails"},{"AppId":"a1","Type":"python"}]}]}"#,
        "Stacks[1].Apps[1].Type",
    );
    assert!(matches!(error, WorldError::UnknownAppType { ref found, .. } if found == "python"));
    let message = error.to_string();
    assert!(
        message.contains("`aws-flow-ruby`") && message.contains("\"python\""),
        "{message}"
    );
}

#[test]
fn duplicate_stack_id_is_refused() {
    let error = refused(
        r#"{"Stacks":[{"StackId":"s1"},{"StackId":"s2"},{"StackId":"s1"}]}"#,
        "Stacks[2].StackId",
    );
    assert_eq!(
        error,
        WorldError::DuplicateId {
            member: "Stacks[2].StackId".to_owned(),
            id: "s1".to_owned(),
            first: "Stacks[0].StackId".to_owned(),
        }
    );
    assert!(error.to_string().contains("Stacks[0].StackId"));
}

#[test]
fn duplicate_app_id_across_stacks_is_refused() {
    let error = refused(
        r#"{"Stacks":[{"StackId":"s1","Apps":[{"AppId":"a1","Type":"php"}]},
                      {"StackId":"s2","Apps":[{"AppId":"a2","Type":"php"},{"AppId":"a1","Type":"java"}]}]}"#,
        "Stacks[1].Apps[1].AppId",
    );
    assert!(
        matches!(error, WorldError::DuplicateId { ref first, .. } if first == "Stacks[0].Apps[0].AppId")
    );
}

#[test]
fn duplicate_layer_and_instance_ids_are_refused() {
    refused(
        r#"{"Stacks":[{"StackId":"s1","Layers":[{"LayerId":"l1"}]},
                      {"StackId":"s2","Layers":[{"LayerId":"l1"}]}]}"#,
        "Stacks[1].Layers[0].LayerId",
    );
    refused(
        r#"{"Stacks":[{"StackId":"s1","Instances":[{"InstanceId":"i1"}]},
                      {"StackId":"s2","Instances":[{"InstanceId":"i1"}]}]}"#,
        "Stacks[1].Instances[0].InstanceId",
    );
    refused(
        &with_stack(
            r#""Layers":[{"LayerId":"l1"}],"Instances":[{"InstanceId":"i1","LayerIds":["l1","l1"]}]"#,
        ),
        "Stacks[0].Instances[0].LayerIds[1]",
    );
}

#[test]
fn duplicate_access_key_id_is_refused() {
    let error = refused(
        r#"{"Stacks":[],"Users":[
            {"AccessKeyId":"AKID1","SecretAccessKey":"one"},
            {"AccessKeyId":"AKID2","SecretAccessKey":"two"},
            {"AccessKeyId":"AKID1","SecretAccessKey":"three"}]}"#,
        "Users[2].AccessKeyId",
    );
    assert!(matches!(error, WorldError::DuplicateId { ref id, .. } if id == "AKID1"));
    assert!(!error.to_string().contains("three"), "a secret in {error}");
}

#[test]
fn two_permissions_for_one_stack_are_refused() {
    refused(
        &with_user(
            r#""Permissions":[{"StackId":"s1","Level":"deploy"},{"StackId":"s1","Level":"deny"}]"#,
        ),
        "Users[0].Permissions[1].StackId",
    );
}

#[test]
fn versions_out_of_range_are_refused() {
    for (versions, found) in [
        ("0", "0"),
        ("6", "6"),
        ("255", "255"),
        ("256", "256"),
        ("-1", "-1"),
        ("2.5", "2.5"),
        ("18446744073709551616", "1.8446744073709552e+19"),
    ] {
        let error = refused(
            &with_stack(&format!(
                r#""Apps":[{{"AppId":"a1","Type":"rails","Versions":{versions}}}]"#
            )),
            "Stacks[0].Apps[0].Versions",
        );
        assert!(
            matches!(error, WorldError::VersionsOutOfRange { found: ref f, .. } if f == found),
            "{versions}: {error:?}"
        );
        assert!(
            error
                .to_string()
                .contains("expected an integer from 1 to 5")
        );
    }
    refused(
        &with_stack(r#""Apps":[{"AppId":"a1","Type":"rails","Versions":"3"}]"#),
        "Stacks[0].Apps[0].Versions",
    );
    refused(
        &with_stack(r#""Apps":[{"AppId":"a1","Type":"rails","Versions":null}]"#),
        "Stacks[0].Apps[0].Versions",
    );
}

#[test]
fn versions_out_of_range_in_code_are_refused_by_validate() {
    let mut world = World::bundled();
    world.stacks[1].apps[0].versions = 0;
    let error = world.validate().unwrap_err();
    assert_eq!(error.member(), Some("Stacks[1].Apps[0].Versions"));
    world.stacks[1].apps[0].versions = 6;
    assert!(
        world
            .validate()
            .unwrap_err()
            .to_string()
            .contains("found 6")
    );
}

#[test]
fn instance_in_a_layer_of_another_stack_is_refused() {
    let error = refused(
        r#"{"Stacks":[
            {"StackId":"s1","Layers":[{"LayerId":"l1"}],
             "Instances":[{"InstanceId":"i1","LayerIds":["l1","l2"]}]},
            {"StackId":"s2","Layers":[{"LayerId":"l2"}]}]}"#,
        "Stacks[0].Instances[0].LayerIds[1]",
    );
    assert_eq!(
        error,
        WorldError::InstanceLayerOfOtherStack {
            member: "Stacks[0].Instances[0].LayerIds[1]".to_owned(),
            instance_id: "i1".to_owned(),
            stack_id: "s1".to_owned(),
            layer_id: "l2".to_owned(),
            layer_stack_id: "s2".to_owned(),
        }
    );
}

#[test]
fn unknown_layer_is_refused() {
    let error = refused(
        &with_stack(
            r#""Layers":[{"LayerId":"l1"}],"Instances":[{"InstanceId":"i1"},{"InstanceId":"i2","LayerIds":["l9"]}]"#,
        ),
        "Stacks[0].Instances[1].LayerIds[0]",
    );
    assert!(matches!(error, WorldError::UnknownLayer { ref layer_id, .. } if layer_id == "l9"));
}

#[test]
fn permission_on_an_unknown_stack_is_refused() {
    let error = refused(
        &with_user(
            r#""Permissions":[{"StackId":"s1","Level":"show"},{"StackId":"s9","Level":"show"}]"#,
        ),
        "Users[0].Permissions[1].StackId",
    );
    assert!(
        matches!(error, WorldError::UnknownStackInPermission { ref stack_id, .. } if stack_id == "s9")
    );
}

#[test]
fn policy_on_an_unknown_stack_is_refused() {
    let error = refused(
        &with_user(r#""PolicyAllowsCreateDeployment":["*","s9"]"#),
        "Users[0].PolicyAllowsCreateDeployment[1]",
    );
    assert!(
        matches!(error, WorldError::UnknownStackInPolicy { ref stack_id, .. } if stack_id == "s9")
    );
    refused(
        &with_user(r#""PolicyAllowsCreateDeployment":["**"]"#),
        "Users[0].PolicyAllowsCreateDeployment[0]",
    );
    refused(
        &with_user(r#""PolicyAllowsCreateDeployment":[""]"#),
        "Users[0].PolicyAllowsCreateDeployment[0]",
    );
}

#[test]
fn unknown_member_is_refused() {
    let error = refused(
        &with_stack(r#""Apps":[{"AppId":"a1","Type":"php","Version":2}]"#),
        "Stacks[0].Apps[0].Version",
    );
    assert!(error.to_string().contains("`Versions`"), "{error}");
    refused(r#"{"Stacks":[],"Extra":1}"#, "Extra");
    let error = refused(r#"{"stacks":[]}"#, "stacks");
    assert!(error.to_string().contains("case-sensitive"), "{error}");
    refused(
        &with_user(r#""Permissions":[{"StackId":"s1","Level":"show","Region":"x"}]"#),
        "Users[0].Permissions[0].Region",
    );
    // A member name that is not a plain word is quoted.
    refused(r#"{"a.b c":1}"#, "[\"a.b c\"]");
}

#[test]
fn member_given_twice_is_refused() {
    refused(r#"{"Stacks":[],"Stacks":[]}"#, "Stacks");
    refused(
        r#"{"Stacks":[{"StackId":"s1","StackId":"s2"}]}"#,
        "Stacks[0].StackId",
    );
}

#[test]
fn missing_member_is_refused() {
    refused(r#"{"Stacks":[{"Apps":[]}]}"#, "Stacks[0].StackId");
    refused(
        &with_stack(r#""Apps":[{"AppId":"a1"}]"#),
        "Stacks[0].Apps[0].Type",
    );
    refused(
        r#"{"Users":[{"AccessKeyId":"AKID1"}]}"#,
        "Users[0].SecretAccessKey",
    );
}

#[test]
fn wrong_type_is_refused() {
    refused(r#"{"Stacks":{}}"#, "Stacks");
    refused(r#"{"Stacks":[1]}"#, "Stacks[0]");
    refused(r#"{"Stacks":[{"StackId":7}]}"#, "Stacks[0].StackId");
    refused(
        &with_stack(
            r#""Layers":[{"LayerId":"l1"}],"Instances":[{"InstanceId":"i1","LayerIds":"l1"}]"#,
        ),
        "Stacks[0].Instances[0].LayerIds",
    );
    refused(
        &with_stack(
            r#""Layers":[{"LayerId":"l1"}],"Instances":[{"InstanceId":"i1","LayerIds":[["l1"]]}]"#,
        ),
        "Stacks[0].Instances[0].LayerIds[0]",
    );
    refused(r#"{"Stacks":null}"#, "Stacks");
    refused(
        &with_user(r#""Permissions":[{"StackId":"s1","Level":1}]"#),
        "Users[0].Permissions[0].Level",
    );
    refused("[]", "(top level)");
    refused("null", "(top level)");
    refused("\"world\"", "(top level)");
    // A secret of the wrong type is described, not shown.
    let error = refused(
        r#"{"Users":[{"AccessKeyId":"AKID1","SecretAccessKey":123456789}]}"#,
        "Users[0].SecretAccessKey",
    );
    assert!(!error.to_string().contains("123456789"), "{error}");
}

#[test]
fn empty_ids_are_refused() {
    refused(r#"{"Stacks":[{"StackId":""}]}"#, "Stacks[0].StackId");
    refused(
        &with_stack(r#""Apps":[{"AppId":"","Type":"php"}]"#),
        "Stacks[0].Apps[0].AppId",
    );
    refused(
        &with_stack(r#""Layers":[{"LayerId":""}]"#),
        "Stacks[0].Layers[0].LayerId",
    );
    refused(
        &with_stack(r#""Instances":[{"InstanceId":""}]"#),
        "Stacks[0].Instances[0].InstanceId",
    );
    refused(
        &with_stack(r#""Instances":[{"InstanceId":"i","LayerIds":[""]}]"#),
        "Stacks[0].Instances[0].LayerIds[0]",
    );
    refused(
        r#"{"Users":[{"AccessKeyId":"","SecretAccessKey":"x"}]}"#,
        "Users[0].AccessKeyId",
    );
    refused(
        r#"{"Users":[{"AccessKeyId":"AKID1","SecretAccessKey":""}]}"#,
        "Users[0].SecretAccessKey",
    );
    let error = refused(
        &with_user(r#""Permissions":[{"StackId":"","Level":"show"}]"#),
        "Users[0].Permissions[0].StackId",
    );
    assert!(matches!(error, WorldError::EmptyId { .. }));
}

#[test]
fn syntax_errors_are_refused_with_their_position() {
    let error = World::from_json("{\n  \"Stacks\": [,]\n}").unwrap_err();
    assert!(matches!(error, WorldError::Json { .. }));
    assert_eq!(error.member(), Some("line 2 column 14"));
    let message = error.to_string();
    assert!(
        message.starts_with("world file: line 2 column 14: expected valid JSON, found "),
        "{message}"
    );
    let error = World::from_json(r#"{"Stacks":[]} x"#).unwrap_err();
    assert!(error.to_string().contains("trailing characters"), "{error}");
    let error = World::from_json(
        r#"{"Stacks":[{"StackId":"s1","Apps":[{"AppId":"a","Type":"php","Versions":1e999}]}]}"#,
    )
    .unwrap_err();
    assert!(matches!(error, WorldError::Json { .. }), "{error:?}");
}

#[test]
fn unreadable_files_are_refused() {
    let missing = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-such-world.json");
    let error = World::from_file(&missing).unwrap_err();
    assert!(matches!(error, WorldError::Io { .. }));
    assert_eq!(error.member(), None);
    let message = error.to_string();
    assert!(
        message.starts_with("world file: ") && message.contains("no-such-world.json"),
        "{message}"
    );
    let error = World::from_file(env!("CARGO_TARGET_TMPDIR")).unwrap_err();
    assert!(matches!(error, WorldError::Io { .. }), "{error:?}");
}

#[test]
fn files_are_read() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join(format!("world-{}.json", std::process::id()));
    std::fs::write(&path, WITH_USERS_WORLD_JSON).unwrap();
    assert_eq!(
        World::from_file(&path).unwrap(),
        World::bundled_with_users()
    );
    std::fs::write(&path, b"{\"Stacks\":[{\"StackId\":\"\xff\"}]}").unwrap();
    let error = World::from_file(&path).unwrap_err();
    assert!(
        error.to_string().contains("not UTF-8 at offset 23"),
        "{error}"
    );
    std::fs::remove_file(&path).unwrap();
}

// ---------------------------------------------------------------------------------------------
// Robustness: hostile input is refused, never a panic.

#[test]
fn invalid_utf8_is_refused() {
    for bytes in [
        &b"\xff\xfe{}"[..],
        b"{\"Stacks\":[{\"StackId\":\"\xc3\x28\"}]}",
        b"\xed\xa0\x80",
        b"{\"Stacks\":[]}\x80",
    ] {
        let error = World::from_slice(bytes).unwrap_err();
        assert!(error.to_string().contains("expected UTF-8 text"), "{error}");
    }
}

#[test]
fn empty_input_is_refused() {
    for text in ["", " ", "\n\t\r ", "\u{feff}"] {
        let error = World::from_json(text).unwrap_err();
        assert_eq!(
            error.to_string(),
            "world file: (top level): expected a JSON object, found no text"
        );
    }
    assert!(World::from_slice(b"").is_err());
}

#[test]
fn deep_nesting_is_refused() {
    let depth = 100_000;
    let texts = [
        "[".repeat(depth),
        format!("{}{}", "[".repeat(depth), "]".repeat(depth)),
        format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth)),
        format!("{{\"Stacks\":{}", "[".repeat(depth)),
        format!(
            "{{\"Stacks\":[{{\"StackId\":\"s\",\"Apps\":{}{}}}]}}",
            "[".repeat(depth),
            "]".repeat(depth)
        ),
        format!(
            "{{\"Users\":[{{\"AccessKeyId\":\"a\",\"SecretAccessKey\":\"b\",\"Permissions\":[{}null{}]}}]}}",
            "{\"x\":".repeat(depth),
            "}".repeat(depth)
        ),
    ];
    for text in &texts {
        let error = World::from_json(text).unwrap_err();
        assert!(matches!(error, WorldError::Json { .. }), "{error:?}");
        assert!(error.to_string().len() < 300, "{error}");
    }
}

#[test]
fn huge_strings_are_accepted_or_refused_with_short_messages() {
    let huge = "x".repeat(10 * 1024 * 1024);
    let world = World::from_json(&format!(r#"{{"Stacks":[{{"StackId":"{huge}"}}]}}"#)).unwrap();
    assert_eq!(world.stacks[0].stack_id.len(), huge.len());

    let cases = [
        (
            format!(r#"{{"Stacks":[{{"StackId":"{huge}"}},{{"StackId":"{huge}"}}]}}"#),
            "Stacks[1].StackId".to_owned(),
        ),
        (
            format!(r#"{{"Stacks":[{{"StackId":"s","Apps":[{{"AppId":"a","Type":"{huge}"}}]}}]}}"#),
            "Stacks[0].Apps[0].Type".to_owned(),
        ),
        (
            format!(r#"{{"Stacks":[{{"StackId":"s","Extra{huge}":1}}]}}"#),
            "Stacks[0][\"Extrax".to_owned(),
        ),
        (
            format!(r#"{{"Stacks":[{{"StackId":{{"{huge}":1}}}}]}}"#),
            "Stacks[0].StackId".to_owned(),
        ),
        (
            format!(
                r#"{{"Stacks":[{{"StackId":"s","Instances":[{{"InstanceId":"i","LayerIds":["{huge}"]}}]}}]}}"#
            ),
            "Stacks[0].Instances[0].LayerIds[0]".to_owned(),
        ),
    ];
    for (text, member) in &cases {
        let error = World::from_json(text).unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains(member.as_str()),
            "{}",
            &message[..200.min(message.len())]
        );
        assert!(message.len() < 500, "message of {} bytes", message.len());
    }
    // Multi-byte characters are shortened on a character boundary.
    let wide = "é".repeat(1000);
    let error = World::from_json(&format!(
        r#"{{"Stacks":[{{"StackId":"s","Apps":[{{"AppId":"a","Type":"{wide}"}}]}}]}}"#
    ))
    .unwrap_err();
    assert!(error.to_string().contains("(2000 bytes)"), "{error}");
}

#[test]
fn control_characters_are_escaped_in_messages() {
    let error = World::from_json(&with_stack(
        r#""Apps":[{"AppId":"a","Type":"\u001b[31mred"}]"#,
    ))
    .unwrap_err();
    assert!(!error.to_string().contains('\u{1b}'), "{error:?}");
}

#[test]
fn wide_arrays_are_handled() {
    let layers: Vec<String> = (0..20_000)
        .map(|n| format!(r#"{{"LayerId":"l{n}"}}"#))
        .collect();
    let layer_ids: Vec<String> = (0..20_000).map(|n| format!(r#""l{n}""#)).collect();
    let text = with_stack(&format!(
        r#""Layers":[{}],"Instances":[{{"InstanceId":"i","LayerIds":[{}]}}]"#,
        layers.join(","),
        layer_ids.join(",")
    ));
    let world = World::from_json(&text).unwrap();
    assert_eq!(world.stacks[0].instances[0].layer_ids.len(), 20_000);
}

// ---------------------------------------------------------------------------------------------
// Writing and state

#[test]
fn to_json_pretty_round_trips() {
    for world in [
        World::bundled(),
        World::bundled_with_users(),
        World::from_json(INTERFACES_EXAMPLE).unwrap(),
        World::default(),
    ] {
        let text = world.to_json_pretty();
        assert_eq!(World::from_json(&text).unwrap(), world, "{text}");
        assert!(text.contains("\n  "), "not pretty: {text}");
    }
    assert!(!World::bundled().to_json_pretty().contains("Users"));
}

#[test]
fn roll_back_uses_up_versions_down_to_one() {
    let mut world = World::bundled();
    let (stack_id, app_id) = world
        .stacks
        .iter()
        .flat_map(|s| s.apps.iter().map(move |a| (s, a)))
        .find(|(_, a)| a.versions == 5)
        .map(|(s, a)| (s.stack_id.clone(), a.app_id.clone()))
        .unwrap();
    for left in (1..5).rev() {
        assert!(world.roll_back(&stack_id, &app_id));
        assert_eq!(
            world
                .stack(&stack_id)
                .unwrap()
                .app(&app_id)
                .unwrap()
                .versions,
            left
        );
    }
    assert!(!world.roll_back(&stack_id, &app_id));
    assert!(!world.roll_back(&stack_id, &app_id));
    assert_eq!(
        world
            .stack(&stack_id)
            .unwrap()
            .app(&app_id)
            .unwrap()
            .versions,
        1
    );
    world.validate().unwrap();
    // An app of another stack, or no app, is not rolled back.
    assert!(!world.roll_back(STACK_2, &app_id));
    assert!(!world.roll_back(&stack_id, "no-such-app"));
}
