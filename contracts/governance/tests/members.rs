//! Roles and the participation score.

mod common;
use common::*;
use fog_governance::msg::{ParticipationResponse, RolesResponse};

#[test]
fn roles_are_what_the_address_holds() {
    let (mut s, [alice, _, _, dave]) = setup();
    s.ve_exec(&dave, fog_ve::msg::ExecuteMsg::RegisterDelegate { profile: None })
        .unwrap();
    let roles = |s: &Suite, who: &cosmwasm_std::Addr| -> RolesResponse {
        s.query(
            &s.governance,
            &QueryMsg::Roles {
                address: who.to_string(),
            },
        )
    };
    let r = roles(&s, &alice);
    assert!(r.member && !r.delegate && !r.validator && !r.admin);
    let r = roles(&s, &dave);
    assert!(r.member && r.delegate);
    let r = roles(&s, &s.admin.clone());
    assert!(!r.member && r.validator && r.admin);
    let r = roles(&s, &s.addr("nobody"));
    assert!(!r.member && !r.delegate && !r.validator && !r.admin);
}

#[test]
fn participation_counts_votes_over_eligible_proposals() {
    let (mut s, [alice, bob, ..]) = setup();
    for i in 0..4 {
        let id = s.propose_text(&alice, &format!("p{i}")).unwrap();
        if i % 2 == 0 {
            s.vote(&bob, id, Ballot::Yes).unwrap();
        }
        s.advance(1);
    }
    // Eve locks after these four: only later proposals count for her.
    let eve = s.addr("eve");
    let (admin, token) = (s.admin.clone(), s.token.clone());
    s.execute(
        &admin,
        &token,
        &cw20::Cw20ExecuteMsg::Transfer {
            recipient: eve.to_string(),
            amount: fog(10),
        },
    )
    .unwrap();
    s.lock(&eve, fog(10), 10 * WEEK).unwrap();
    s.advance(1);
    let id = s.propose_text(&alice, "p4").unwrap();
    s.vote(&eve, id, Ballot::Yes).unwrap();
    let p = |s: &Suite, who: &cosmwasm_std::Addr| -> ParticipationResponse {
        s.query(
            &s.governance,
            &QueryMsg::Participation {
                address: who.to_string(),
            },
        )
    };
    let bob_p = p(&s, &bob);
    assert_eq!((bob_p.votes_cast, bob_p.eligible, bob_p.score_bps), (2, 5, 4_000));
    let eve_p = p(&s, &eve);
    assert_eq!((eve_p.votes_cast, eve_p.eligible, eve_p.score_bps), (1, 1, 10_000));
    assert_eq!(p(&s, &s.addr("nobody")).eligible, 0);
}
