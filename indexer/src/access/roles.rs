//! The three roles of the compliance API and what each may do.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads everything but personal data.
    Auditor,
    /// Reads; works cases and remediations; drafts and test-runs rules;
    /// handles KYC subjects.
    ComplianceOfficer,
    /// Reads; manages tokens; activates rules (four eyes); runs retention.
    Admin,
}

pub const ALL: &[Role] = &[Role::Auditor, Role::ComplianceOfficer, Role::Admin];
pub const OFFICER: &[Role] = &[Role::ComplianceOfficer];
pub const ADMIN: &[Role] = &[Role::Admin];
pub const OFFICER_OR_ADMIN: &[Role] = &[Role::ComplianceOfficer, Role::Admin];

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Auditor => "auditor",
            Role::ComplianceOfficer => "compliance_officer",
            Role::Admin => "admin",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auditor" => Ok(Role::Auditor),
            "compliance_officer" => Ok(Role::ComplianceOfficer),
            "admin" => Ok(Role::Admin),
            other => Err(format!("unknown role {other:?} (auditor, compliance_officer or admin)")),
        }
    }
}
