//! The JSON schema of every fog contract's messages, as cosmwasm-schema
//! renders them (the format ts-codegen and other client generators read).

use cosmwasm_schema::generate_api;

/// `(file name, schema JSON)` for every contract, in a fixed order.
pub fn schemas() -> Vec<(&'static str, String)> {
    let apis = [
        (
            "fog-token",
            generate_api! {
                name: "fog-token",
                instantiate: cw20_base::msg::InstantiateMsg,
                execute: cw20_base::msg::ExecuteMsg,
                query: cw20_base::msg::QueryMsg,
                migrate: cw20_base::msg::MigrateMsg,
            },
        ),
        (
            "fog-ve",
            generate_api! {
                name: "fog-ve",
                instantiate: fog_ve::msg::InstantiateMsg,
                execute: fog_ve::msg::ExecuteMsg,
                query: fog_ve::msg::QueryMsg,
                migrate: fog_ve::msg::MigrateMsg,
            },
        ),
        (
            "fog-governance",
            generate_api! {
                name: "fog-governance",
                instantiate: fog_governance::msg::InstantiateMsg,
                execute: fog_governance::msg::ExecuteMsg,
                query: fog_governance::msg::QueryMsg,
                migrate: fog_governance::msg::MigrateMsg,
            },
        ),
        (
            "fog-release-gate",
            generate_api! {
                name: "fog-release-gate",
                instantiate: fog_release_gate::msg::InstantiateMsg,
                execute: fog_release_gate::msg::ExecuteMsg,
                query: fog_release_gate::msg::QueryMsg,
                migrate: fog_release_gate::msg::MigrateMsg,
            },
        ),
        (
            "fog-audit-anchor",
            generate_api! {
                name: "fog-audit-anchor",
                instantiate: fog_audit_anchor::msg::InstantiateMsg,
                execute: fog_audit_anchor::msg::ExecuteMsg,
                query: fog_audit_anchor::msg::QueryMsg,
                migrate: fog_audit_anchor::msg::MigrateMsg,
            },
        ),
        (
            "fog-registry",
            generate_api! {
                name: "fog-registry",
                instantiate: fog_registry::msg::InstantiateMsg,
                execute: fog_registry::msg::ExecuteMsg,
                query: fog_registry::msg::QueryMsg,
                migrate: fog_registry::msg::MigrateMsg,
            },
        ),
    ];
    apis.into_iter()
        .map(|(name, api)| {
            let json = api.render().to_string().expect("a schema renders to JSON");
            (name, json + "\n")
        })
        .collect()
}

/// Where the schemas are committed: `<workspace>/schema`.
pub fn schema_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../schema")
}
