//! The events of the fog contracts, named and shaped once.
//!
//! Every state change of a fog contract emits exactly one custom event whose
//! type is `fog.<contract>.<action>` (the chain reports it as
//! `wasm-fog.<contract>.<action>`) and whose attributes alone are enough to
//! rebuild the indexer's projection. The contracts build their events from
//! the structs declared here and the indexer decodes with the same structs,
//! so the two cannot drift apart. Each event carries a `v` attribute: a change
//! to an event's attributes is a new version, and the decoder refuses
//! versions it does not know instead of misreading them.

mod macros;
mod value;

pub mod audit_anchor;
pub mod governance;
pub mod registry;
pub mod release_gate;
pub mod ve;

pub use value::{without_escaped_nul, AttrValue, DecodeError, Json, Text};

/// Prefix of every fog event type as the contract emits it.
pub const EVENT_PREFIX: &str = "fog.";
/// Prefix wasmd adds to custom contract events.
pub const WASM_PREFIX: &str = "wasm-";
/// The attribute that carries the event's version.
pub const VERSION_ATTR: &str = "v";

/// One kind of contract event.
pub trait FogEvent: Sized {
    /// The contract's short name, e.g. `ve`.
    const CONTRACT: &'static str;
    /// The action, e.g. `lock_created`.
    const ACTION: &'static str;
    /// `fog.<contract>.<action>`.
    const TYPE: &'static str;
    /// Version of the attribute layout.
    const VERSION: u32;

    /// The attributes, `v` first; absent optional values are left out.
    fn attributes(&self) -> Vec<(&'static str, String)>;

    /// Rebuilds the event from its attributes (extra attributes, such as the
    /// `_contract_address` wasmd adds, are ignored).
    fn from_attributes(attrs: &[(&str, &str)]) -> Result<Self, DecodeError>;
}

/// Any fog event, of any contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnyEvent {
    Ve(ve::VeEvent),
    Governance(governance::GovernanceEvent),
    ReleaseGate(release_gate::ReleaseGateEvent),
    AuditAnchor(audit_anchor::AuditAnchorEvent),
    Registry(registry::RegistryEvent),
}

impl AnyEvent {
    /// Decodes an event as the chain reports it (`wasm-fog.…`) or as the
    /// contract emits it (`fog.…`). `None` when it is not a fog event.
    pub fn decode(event_type: &str, attrs: &[(&str, &str)]) -> Option<Result<Self, DecodeError>> {
        let ty = event_type.strip_prefix(WASM_PREFIX).unwrap_or(event_type);
        if !ty.starts_with(EVENT_PREFIX) {
            return None;
        }
        None.or_else(|| ve::VeEvent::decode(ty, attrs).map(|r| r.map(Self::Ve)))
            .or_else(|| governance::GovernanceEvent::decode(ty, attrs).map(|r| r.map(Self::Governance)))
            .or_else(|| release_gate::ReleaseGateEvent::decode(ty, attrs).map(|r| r.map(Self::ReleaseGate)))
            .or_else(|| audit_anchor::AuditAnchorEvent::decode(ty, attrs).map(|r| r.map(Self::AuditAnchor)))
            .or_else(|| registry::RegistryEvent::decode(ty, attrs).map(|r| r.map(Self::Registry)))
    }

    /// The event's type name, e.g. `fog.ve.lock_created`.
    pub fn event_type(&self) -> &'static str {
        match self {
            Self::Ve(e) => e.event_type(),
            Self::Governance(e) => e.event_type(),
            Self::ReleaseGate(e) => e.event_type(),
            Self::AuditAnchor(e) => e.event_type(),
            Self::Registry(e) => e.event_type(),
        }
    }

    /// The event's attributes, `v` first.
    pub fn attributes(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::Ve(e) => e.attributes(),
            Self::Governance(e) => e.attributes(),
            Self::ReleaseGate(e) => e.attributes(),
            Self::AuditAnchor(e) => e.attributes(),
            Self::Registry(e) => e.attributes(),
        }
    }

    /// Every fog event type, as the contracts emit them.
    pub fn all_types() -> impl Iterator<Item = &'static str> {
        ve::VeEvent::TYPES
            .iter()
            .chain(governance::GovernanceEvent::TYPES)
            .chain(release_gate::ReleaseGateEvent::TYPES)
            .chain(audit_anchor::AuditAnchorEvent::TYPES)
            .chain(registry::RegistryEvent::TYPES)
            .copied()
    }
}

/// The event a contract emits for `e`.
#[cfg(feature = "cosmwasm")]
pub fn to_event<E: FogEvent>(e: &E) -> cosmwasm_std::Event {
    cosmwasm_std::Event::new(E::TYPE).add_attributes(e.attributes())
}

#[doc(hidden)]
pub fn check_version(
    event: &'static str,
    decodable: core::ops::RangeInclusive<u32>,
    found: Option<&str>,
) -> Result<(), DecodeError> {
    // Canonical decimal only: "01" or "+1" is not version 1.
    let version = found.and_then(|v| v.parse::<u32>().ok().filter(|n| n.to_string() == v));
    match version {
        Some(n) if decodable.contains(&n) => Ok(()),
        _ => Err(DecodeError::Version {
            event,
            found: found.unwrap_or("<none>").to_string(),
            expected: *decodable.end(),
        }),
    }
}

#[doc(hidden)]
pub fn decode_error(event: &'static str, attribute: &'static str, raw: Option<&str>, reason: String) -> DecodeError {
    match raw {
        None => DecodeError::Missing { event, attribute },
        Some(v) => DecodeError::Invalid {
            event,
            attribute,
            value: v.to_string(),
            reason,
        },
    }
}
