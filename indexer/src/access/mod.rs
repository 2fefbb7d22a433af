//! Access control of the compliance API: staff bearer tokens (stored
//! hashed), three roles, one policy table, per-token rate limits.

pub mod cache;
pub mod guard;
pub mod policy;
pub mod roles;
pub mod tokens;

pub use cache::TokenCache;
pub use guard::{Limiter, RateLimit, Staff};
pub use roles::Role;
pub use tokens::Caller;
