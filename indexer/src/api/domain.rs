//! Library errors (typed refusals of bad input or of a state change) as
//! problems: 400 for bad input, 404 for what does not exist, 409 for what
//! the current state does not allow (a unique index refusing a row a
//! concurrent request stored first included); anything else is internal
//! (500).

use super::problem::ApiError;
use crate::access::tokens::TokenError;
use crate::cases::actions::ActionError;
use crate::cases::CaseError;

pub fn problem(e: anyhow::Error) -> ApiError {
    if let Some(c) = e.downcast_ref::<CaseError>() {
        return match c {
            CaseError::NotFound(_) => ApiError::NotFound(c.to_string()),
            CaseError::BadTitle
            | CaseError::BadNote
            | CaseError::OutcomeRequired
            | CaseError::OutcomeWithoutClosing
            | CaseError::AlertNotFound(_)
            | CaseError::BadAssignee
            | CaseError::BadDueAt
            | CaseError::AlertTwice(_)
            | CaseError::TooManyAlerts => ApiError::BadBody(c.to_string()),
            CaseError::BadTransition { .. } | CaseError::AlertInCase { .. } | CaseError::Closed => {
                ApiError::Conflict(c.to_string())
            }
        };
    }
    if let Some(a) = e.downcast_ref::<ActionError>() {
        return match a {
            ActionError::NotFound(_) => ApiError::NotFound(a.to_string()),
            ActionError::BadAddress(_) | ActionError::BadReason | ActionError::BadNote => {
                ApiError::BadBody(a.to_string())
            }
            ActionError::AlreadyOpen { .. } | ActionError::NotProposed { .. } | ActionError::SamePerson(_) => {
                ApiError::Conflict(a.to_string())
            }
        };
    }
    if let Some(t) = e.downcast_ref::<TokenError>() {
        return match t {
            TokenError::NotFound(_) => ApiError::NotFound(t.to_string()),
            TokenError::BadName | TokenError::BadDays => ApiError::BadBody(t.to_string()),
            TokenError::AlreadyRevoked(_) => ApiError::Conflict(t.to_string()),
        };
    }
    // A value the database refused (class 22) or a row another request
    // stored first (23505) was the request's doing, not ours.
    if let Some(problem) = e
        .chain()
        .find_map(|c| c.downcast_ref::<sqlx::Error>())
        .and_then(super::problem::request_error)
    {
        return problem;
    }
    ApiError::Internal(e)
}
