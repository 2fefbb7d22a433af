//! Who may call which route: one table, checked on every request after
//! authentication. A route missing from the table is refused to everyone
//! (and a test fails until it is added).

use axum::http::Method;

use super::roles::{Role, ADMIN, ALL, OFFICER, OFFICER_OR_ADMIN};

/// (method, route template, roles allowed).
pub const POLICY: &[(&str, &str, &[Role])] = &[
    // Chain data, the audit log, lineage: read by every role.
    ("GET", "/proposals", ALL),
    ("GET", "/proposals/{id}", ALL),
    ("GET", "/proposals/{id}/votes", ALL),
    ("GET", "/accounts/{address}", ALL),
    ("GET", "/governance/power-distribution", ALL),
    ("GET", "/releases", ALL),
    ("GET", "/releases/{sha256}", ALL),
    ("GET", "/anchors", ALL),
    ("GET", "/audit/checkpoint", ALL),
    ("GET", "/audit/entries/{seq}", ALL),
    ("GET", "/audit/proof/inclusion", ALL),
    ("GET", "/audit/proof/consistency", ALL),
    ("GET", "/lineage/records/{record_hash}", ALL),
    ("GET", "/lineage/models/{sha256}", ALL),
    ("POST", "/lineage/records", OFFICER_OR_ADMIN),
    // Alerts and rules.
    ("GET", "/alerts", ALL),
    ("GET", "/alerts/{id}", ALL),
    ("GET", "/rules", ALL),
    ("GET", "/rules/{id}", ALL),
    ("POST", "/rules/test-run", OFFICER),
    ("POST", "/rules/reload", ADMIN),
    ("POST", "/rules/{id}/versions/{version}/approval", ADMIN),
    ("POST", "/rules/{id}/versions/{version}/activation", ADMIN),
    // Cases and remediation.
    ("GET", "/cases", ALL),
    ("POST", "/cases", OFFICER),
    ("GET", "/cases/{id}", ALL),
    ("PATCH", "/cases/{id}", OFFICER),
    ("POST", "/cases/{id}/notes", OFFICER),
    ("POST", "/cases/{id}/alerts", OFFICER),
    ("GET", "/cases/{id}/export", ALL),
    ("POST", "/cases/{id}/actions", OFFICER),
    ("GET", "/actions", ALL),
    ("POST", "/actions/{id}/confirmation", OFFICER),
    ("POST", "/actions/{id}/rejection", OFFICER),
    // Personal data: officers only; retention is an admin's.
    ("GET", "/kyc/subjects", OFFICER_OR_ADMIN),
    ("POST", "/kyc/subjects", OFFICER),
    ("GET", "/kyc/subjects/{id}", OFFICER),
    ("POST", "/kyc/subjects/{id}/erasure", OFFICER),
    ("POST", "/kyc/retention", ADMIN),
    // Reports.
    ("GET", "/reports/compliance", ALL),
    // Staff tokens.
    ("GET", "/staff/tokens", ADMIN),
    ("POST", "/staff/tokens", ADMIN),
    ("DELETE", "/staff/tokens/{id}", ADMIN),
    // Operations.
    ("GET", "/healthz", ALL),
    ("GET", "/metrics", ALL),
    ("GET", "/openapi.json", ALL),
];

/// The roles allowed to call `method route`; `None` if the route is not in
/// the table (refused).
pub fn allowed(method: &Method, route: &str) -> Option<&'static [Role]> {
    POLICY
        .iter()
        .find(|(m, r, _)| *m == method.as_str() && *r == route)
        .map(|(_, _, roles)| *roles)
}

/// Whether `route` is in the table under any method.
pub fn known_route(route: &str) -> bool {
    POLICY.iter().any(|(_, r, _)| *r == route)
}
