//! The detectors: each one SQL statement over the indexed tables for the
//! events of a height range. Windowed detectors read their window from the
//! same tables (inside the block's transaction, so the batch being written is
//! visible) instead of keeping state in memory: a restart loses nothing and
//! a replayed range finds the same hits.
//!
//! Window detectors flag the event that *crosses* the limit (the n-th
//! transfer, the one that takes the sum over), so one pattern is one alert.
//! Crossing is judged against the window of the sender's previous transfer,
//! not only against this window without this transfer: a sender steadily
//! at the limit (one transfer leaving the sliding window as the next comes
//! in) is at it, not crossing it again each time. What left the window
//! since the previous transfer (`DROPPED`) was in that one; until stop 19
//! such a sender raised an alert on every transfer.
//! A window holds one sender's transfers of one asset: amounts of different
//! assets are in different units (a FOG transfer's window never counts the
//! sender's INJ fee payments).

use anyhow::Result;
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgConnection, Row};

use super::spec::Detector;

/// One event a detector flagged.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Identifies the event: the same event always gives the same key.
    pub event_key: String,
    pub height: i64,
    pub tx_hash: Option<String>,
    pub time: DateTime<Utc>,
    /// `account/<address>`, `proposal/<id>` or `release/<id>`.
    pub subject: String,
    pub evidence: Value,
}

/// Transfers of the range with their block time.
// The windows below are bounded by time only: their first block is found
// by the block-time index (migration 0017). Until stop 16 they were also
// cut at 100,000 blocks, which on a 0.65 s chain is under 18 hours, so a
// 24-hour structuring window silently lost its first hours.
const TRANSFERS: &str = "transfers t JOIN blocks b ON b.height = t.height";
const TRANSFER_KEY: &str = "'transfer/' || t.height || '/' || t.seq || '/' || t.part";
const TRANSFER_EVIDENCE: &str = "'asset', t.asset, 'action', t.action, 'sender', t.sender, \
     'recipient', t.recipient, 'amount', t.amount::text";

/// The transfers of the velocity window of the sender's previous transfer
/// (at `w.prev_time`) that have left this transfer's window (window `$3`):
/// with this window less this transfer, they make up the previous window.
/// The caller ends the clause with the limit's own test, which refers only
/// to the outer row: PostgreSQL then skips the scan when it is false
/// (a one-time filter), so only a transfer at or over a limit pays for it.
/// (As subqueries of the `WHERE` clause instead, the velocity rule ran at
/// less than half the speed on the benchmark.)
const DROPPED: &str = "SELECT count(*) AS n, coalesce(sum(s.amount), 0) AS total \
     FROM transfers s JOIN blocks sb ON sb.height = s.height \
     WHERE s.sender = t.sender AND s.asset = t.asset AND s.height < t.height \
       AND s.height >= (SELECT wb.height FROM blocks wb \
         WHERE wb.time > w.prev_time - make_interval(secs => $3::int) ORDER BY wb.time, wb.height LIMIT 1) \
       AND sb.time > w.prev_time - make_interval(secs => $3::int) \
       AND sb.time <= b.time - make_interval(secs => $3::int)";

/// As [`DROPPED`] for the structuring window (`$6`), amounts in the band.
const DROPPED_IN_BAND: &str = "SELECT count(*) AS n \
     FROM transfers s JOIN blocks sb ON sb.height = s.height \
     WHERE s.sender = t.sender AND s.asset = t.asset AND s.height < t.height \
       AND s.amount >= p.lo AND s.amount < p.hi \
       AND s.height >= (SELECT wb.height FROM blocks wb \
         WHERE wb.time > w.prev_time - make_interval(secs => $6::int) ORDER BY wb.time, wb.height LIMIT 1) \
       AND sb.time > w.prev_time - make_interval(secs => $6::int) \
       AND sb.time <= b.time - make_interval(secs => $6::int)";

fn hits(rows: Vec<sqlx::postgres::PgRow>) -> Vec<Hit> {
    rows.into_iter()
        .map(|r| Hit {
            event_key: r.get(0),
            height: r.get(1),
            tx_hash: r.get(2),
            time: r.get(3),
            subject: r.get(4),
            evidence: r.get(5),
        })
        .collect()
}

/// Runs `detector` over the events of heights `from..=to`. `listed` holds
/// the addresses of a sanctions list file.
pub async fn run(
    conn: &mut PgConnection,
    detector: &Detector,
    listed: &[String],
    from: i64,
    to: i64,
) -> Result<Vec<Hit>> {
    let rows = match detector {
        Detector::LargeTransfer { threshold, asset } => {
            sqlx::query(&format!(
                "SELECT {TRANSFER_KEY}, t.height, t.tx_hash, b.time, 'account/' || t.sender, \
                 jsonb_build_object({TRANSFER_EVIDENCE}, 'threshold', $3::text) \
                 FROM {TRANSFERS} WHERE t.height BETWEEN $1 AND $2 AND t.sender IS NOT NULL \
                 AND t.amount >= $3::numeric AND ($4::text IS NULL OR t.asset = $4) ORDER BY t.height, t.seq, t.part"
            ))
            .bind(from)
            .bind(to)
            .bind(threshold)
            .bind(asset)
            .fetch_all(&mut *conn)
            .await?
        }
        Detector::Structuring {
            threshold,
            margin_bps,
            min_count,
            window_seconds,
            asset,
        } => {
            // Just under the threshold: [threshold x (1 - margin), threshold).
            sqlx::query(&format!(
                "WITH p AS (SELECT $3::numeric AS hi, floor($3::numeric * (10000 - $4) / 10000) AS lo) \
                 SELECT {TRANSFER_KEY}, t.height, t.tx_hash, b.time, 'account/' || t.sender, \
                 jsonb_build_object({TRANSFER_EVIDENCE}, 'count', w.n, 'window_total', w.total::text, \
                   'window_seconds', $6::int, 'threshold', $3::text, 'lower_bound', p.lo::text) \
                 FROM {TRANSFERS} CROSS JOIN p \
                 CROSS JOIN LATERAL ( \
                   SELECT count(*) AS n, sum(s.amount) AS total, \
                     max(sb.time) FILTER (WHERE (s.height, s.seq, s.part) < (t.height, t.seq, t.part)) AS prev_time \
                   FROM transfers s JOIN blocks sb ON sb.height = s.height \
                   WHERE s.sender = t.sender AND s.asset = t.asset AND s.amount >= p.lo AND s.amount < p.hi \
                     AND s.height <= t.height AND s.height >= (SELECT wb.height FROM blocks wb \
                       WHERE wb.time > b.time - make_interval(secs => $6::int) ORDER BY wb.time, wb.height LIMIT 1) \
                     AND sb.time > b.time - make_interval(secs => $6::int) \
                     AND (s.height, s.seq, s.part) <= (t.height, t.seq, t.part)) w \
                 CROSS JOIN LATERAL ({DROPPED_IN_BAND} AND w.n = $5) d \
                 WHERE t.height BETWEEN $1 AND $2 AND t.sender IS NOT NULL AND t.amount >= p.lo AND t.amount < p.hi \
                   AND ($7::text IS NULL OR t.asset = $7) AND w.n = $5 AND d.n = 0 ORDER BY t.height, t.seq, t.part"
            ))
            .bind(from)
            .bind(to)
            .bind(threshold)
            .bind(*margin_bps as i32)
            .bind(*min_count as i64)
            .bind(*window_seconds as i32)
            .bind(asset)
            .fetch_all(&mut *conn)
            .await?
        }
        Detector::Velocity {
            window_seconds,
            max_count,
            max_sum,
            asset,
        } => {
            sqlx::query(&format!(
                "SELECT {TRANSFER_KEY}, t.height, t.tx_hash, b.time, 'account/' || t.sender, \
                 jsonb_build_object({TRANSFER_EVIDENCE}, 'count', w.n, 'window_total', w.total::text, \
                   'window_seconds', $3::int, 'max_count', $4::bigint, 'max_sum', $5::text) \
                 FROM {TRANSFERS} CROSS JOIN LATERAL ( \
                   SELECT count(*) AS n, sum(s.amount) AS total, \
                     max(sb.time) FILTER (WHERE (s.height, s.seq, s.part) < (t.height, t.seq, t.part)) AS prev_time \
                   FROM transfers s JOIN blocks sb ON sb.height = s.height \
                   WHERE s.sender = t.sender AND s.asset = t.asset \
                     AND s.height <= t.height AND s.height >= (SELECT wb.height FROM blocks wb \
                       WHERE wb.time > b.time - make_interval(secs => $3::int) ORDER BY wb.time, wb.height LIMIT 1) \
                     AND sb.time > b.time - make_interval(secs => $3::int) \
                     AND (s.height, s.seq, s.part) <= (t.height, t.seq, t.part)) w \
                 CROSS JOIN LATERAL ({DROPPED} AND (w.n = $4 OR w.total >= $5::numeric)) d \
                 WHERE t.height BETWEEN $1 AND $2 AND t.sender IS NOT NULL AND ($6::text IS NULL OR t.asset = $6) \
                   AND ((w.n = $4 AND d.n = 0) \
                     OR (w.total >= $5::numeric AND w.total - t.amount + d.total < $5::numeric)) \
                 ORDER BY t.height, t.seq, t.part"
            ))
            .bind(from)
            .bind(to)
            .bind(*window_seconds as i32)
            .bind(max_count.map(i64::from))
            .bind(max_sum)
            .bind(asset)
            .fetch_all(&mut *conn)
            .await?
        }
        Detector::SanctionedCounterparty { .. } => {
            // The list joins as a set (hashed), not an array scanned per row,
            // and only its addresses that the batch's transfers name are kept
            // (a 10,000-address list otherwise builds two 10,000-entry hash
            // tables per batch, most of this detector's time).
            // The registry's flag is the one that held at the transfer
            // (`registry_at`), looked up only for the batch's addresses that
            // were ever flagged.
            sqlx::query(&format!(
                "WITH t AS MATERIALIZED (SELECT * FROM transfers WHERE height BETWEEN $1 AND $2), \
                 named AS (SELECT sender AS a FROM t UNION SELECT recipient FROM t), \
                 listed AS (SELECT DISTINCT a FROM unnest($3::text[]) a WHERE a IN (SELECT a FROM named)), \
                 ever_flagged AS (SELECT DISTINCT address AS a FROM registry_history \
                   WHERE sanctioned AND address IN (SELECT a FROM named)), \
                 f AS MATERIALIZED (SELECT t.*, \
                   CASE WHEN fs.a IS NOT NULL AND (SELECT sanctioned FROM registry_at(t.sender, t.height, t.seq)) \
                     THEN t.sender END AS rs, \
                   CASE WHEN fr.a IS NOT NULL AND (SELECT sanctioned FROM registry_at(t.recipient, t.height, t.seq)) \
                     THEN t.recipient END AS rr \
                   FROM t LEFT JOIN ever_flagged fs ON fs.a = t.sender LEFT JOIN ever_flagged fr ON fr.a = t.recipient) \
                 SELECT {TRANSFER_KEY}, t.height, t.tx_hash, b.time, \
                   'account/' || CASE WHEN ls.a IS NOT NULL OR t.rs IS NOT NULL THEN t.sender ELSE t.recipient END, \
                 jsonb_build_object({TRANSFER_EVIDENCE}, \
                   'listed', to_jsonb(ARRAY(SELECT x FROM unnest(ARRAY[ls.a, lr.a]) x WHERE x IS NOT NULL)), \
                   'registry_flagged', to_jsonb(ARRAY(SELECT x FROM unnest(ARRAY[t.rs, t.rr]) x WHERE x IS NOT NULL))) \
                 FROM f t JOIN blocks b ON b.height = t.height \
                 LEFT JOIN listed ls ON ls.a = t.sender \
                 LEFT JOIN listed lr ON lr.a = t.recipient \
                 WHERE (ls.a IS NOT NULL OR lr.a IS NOT NULL OR t.rs IS NOT NULL OR t.rr IS NOT NULL) \
                 ORDER BY t.height, t.seq, t.part"
            ))
            .bind(from)
            .bind(to)
            .bind(listed)
            .fetch_all(&mut *conn)
            .await?
        }
        Detector::KycTierLimit { limits } => {
            // Tier above the list: the last limit applies. The tier is the
            // one that held at the move (`registry_at`), 0 once its
            // verification had expired at the block's time, as the registry
            // counts it (so the block is joined before the filter). The
            // limits are cast once, not per move; a hit's key and evidence
            // are built for the hits only, after the filter.
            sqlx::query(&format!(
                "WITH lim AS MATERIALIZED (SELECT $3::numeric[] AS a, cardinality($3::text[]) AS n), \
                 moves AS ( \
                   SELECT height, seq, part, tx_hash, sender, amount, action, asset, recipient, true AS transfer \
                   FROM transfers WHERE height BETWEEN $1 AND $2 AND sender IS NOT NULL \
                   UNION ALL \
                   SELECT height, seq, NULL, NULL, owner, amount, action, NULL, NULL, false \
                   FROM lock_history WHERE height BETWEEN $1 AND $2 AND action IN ('lock', 'increase')) \
                 SELECT CASE WHEN t.transfer THEN {TRANSFER_KEY} \
                          ELSE 'lock/' || t.sender || '/' || t.height || '/' || t.seq END, \
                   t.height, t.tx_hash, b.time, 'account/' || t.sender, \
                   CASE WHEN t.transfer THEN jsonb_build_object({TRANSFER_EVIDENCE}) \
                     ELSE jsonb_build_object('action', t.action, 'owner', t.sender, 'amount', t.amount::text) END \
                   || jsonb_build_object('kyc_tier', c.tier, 'tier_limit', c.cap::text) \
                 FROM moves t CROSS JOIN lim JOIN blocks b ON b.height = t.height \
                 LEFT JOIN LATERAL registry_at(t.sender, t.height, t.seq) r ON true \
                 CROSS JOIN LATERAL (SELECT CASE WHEN r.expires_at_ns <= extract(epoch FROM b.time) * 1000000000 \
                   THEN 0 ELSE coalesce(r.kyc_tier, 0) END AS tier) e \
                 CROSS JOIN LATERAL (SELECT e.tier, lim.a[least(e.tier, lim.n - 1) + 1] AS cap) c \
                 WHERE t.amount > c.cap \
                 ORDER BY 2, 1"
            ))
            .bind(from)
            .bind(to)
            .bind(limits)
            .fetch_all(&mut *conn)
            .await?
        }
        Detector::GovernanceConcentration {
            max_share_bps,
            min_voters,
            min_nakamoto,
        } => {
            // A ballot's share is judged against the cast power right after
            // it (the projection stores it with the ballot): O(1) a ballot,
            // and the same alerts whether its block came alone or in a
            // backfill batch of hundreds (rows from before migration 0013
            // fall back to the proposal's figures). The Nakamoto check runs
            // once per proposal the batch touched, over its ballots as of the
            // batch, alerted once per proposal. It only asks whether fewer
            // than N ballots hold a majority, so it reads the N - 1 largest
            // (a top-N sort) instead of ranking every ballot as the
            // report's `vote_concentration` does; the proposal's turnout is
            // the sum of its ballots' powers (the projection keeps both).
            sqlx::query(
                "SELECT 'vote/' || v.proposal_id || '/' || v.voter || '/' || v.height, v.height, v.tx_hash, b.time, \
                   'proposal/' || v.proposal_id, \
                 jsonb_build_object('proposal_id', v.proposal_id, 'voter', v.voter, 'power', c.power::text, \
                   'cast_power', c.turnout::text, 'voters', c.voters, \
                   'share_bps', (c.power * 10000 / c.turnout)::bigint, 'delegate', v.delegate) \
                 FROM votes v JOIN blocks b ON b.height = v.height JOIN proposals p ON p.id = v.proposal_id \
                 CROSS JOIN LATERAL (SELECT coalesce(v.cast_power, v.power) AS power, \
                   coalesce(v.turnout_after, p.turnout) AS turnout, coalesce(v.voters_after, p.voters) AS voters) c \
                 WHERE v.height BETWEEN $1 AND $2 AND c.turnout > 0 AND c.voters >= $4 \
                   AND c.power * 10000 > $3::numeric * c.turnout \
                 UNION ALL \
                 SELECT 'proposal/' || p.id || '/nakamoto', t.height, NULL, b.time, 'proposal/' || p.id, \
                   jsonb_build_object('proposal_id', p.id, 'nakamoto', k.nakamoto, 'voters', p.voters, \
                     'cast_power', p.turnout::text, 'min_nakamoto', $5::bigint) \
                 FROM (SELECT proposal_id, max(height) AS height FROM votes \
                       WHERE $5::bigint IS NOT NULL AND height BETWEEN $1 AND $2 GROUP BY proposal_id) t \
                 JOIN proposals p ON p.id = t.proposal_id JOIN blocks b ON b.height = t.height \
                 CROSS JOIN LATERAL (SELECT min(r.rank) AS nakamoto FROM ( \
                     SELECT row_number() OVER w AS rank, sum(top.power) OVER w AS running \
                     FROM (SELECT power FROM votes WHERE proposal_id = p.id \
                           ORDER BY power DESC LIMIT greatest($5::bigint - 1, 0)) top \
                     WINDOW w AS (ORDER BY top.power DESC ROWS UNBOUNDED PRECEDING)) r \
                   WHERE r.running * 2 > p.turnout) k \
                 WHERE p.turnout > 0 AND p.voters >= $4 AND k.nakamoto IS NOT NULL \
                 ORDER BY 2, 1",
            )
            .bind(from)
            .bind(to)
            .bind(*max_share_bps as i64)
            .bind(*min_voters as i64)
            .bind(min_nakamoto.map(i64::from))
            .fetch_all(&mut *conn)
            .await?
        }
        // A ballot is judged by what it carried when cast (`cast_power`): a
        // delegator voting directly later lowers `power`, and within a
        // backfill batch that came before the detector ran, unlike live.
        Detector::GovernanceAnomaly {
            min_delegated,
            new_seconds,
            dormant_seconds,
        } => {
            sqlx::query(
                "SELECT 'vote/' || v.proposal_id || '/' || v.voter || '/' || v.height, v.height, v.tx_hash, b.time, \
                   'account/' || v.voter, \
                 jsonb_build_object('proposal_id', v.proposal_id, 'voter', v.voter, 'power', v.carried::text, \
                   'delegated', (v.carried - v.own)::text, 'first_seen', h.first_seen, 'previous_activity', h.previous, \
                   'reason', CASE WHEN h.first_seen IS NULL OR b.time - h.first_seen < make_interval(secs => $4::int) \
                     THEN 'new_account' ELSE 'dormant_account' END) \
                 FROM (SELECT *, coalesce(cast_power, power) AS carried FROM votes) v JOIN blocks b ON b.height = v.height \
                 CROSS JOIN LATERAL (SELECT \
                     (SELECT min(tb.time) FROM txs x JOIN blocks tb ON tb.height = x.height WHERE x.signer = v.voter) AS first_seen, \
                     (SELECT max(tb.time) FROM txs x JOIN blocks tb ON tb.height = x.height \
                        WHERE x.signer = v.voter AND x.height < v.height) AS previous) h \
                 WHERE v.height BETWEEN $1 AND $2 AND v.carried - v.own >= $3::numeric \
                   AND (h.first_seen IS NULL OR b.time - h.first_seen < make_interval(secs => $4::int) \
                     OR h.previous IS NULL OR b.time - h.previous > make_interval(secs => $5::int)) \
                 ORDER BY v.height, v.proposal_id, v.voter",
            )
            .bind(from)
            .bind(to)
            .bind(min_delegated)
            .bind(*new_seconds as i32)
            .bind(*dormant_seconds as i32)
            .fetch_all(&mut *conn)
            .await?
        }
        // Groups and funding as they stood at the approval
        // (`release_group_history`, transfers before it): what came later
        // is in the table during a backfill but was not live, and an alert
        // must not depend on the batch size (until stop 19 the funders were
        // read from every transfer ever stored).
        Detector::ReleaseGateAnomaly {} => {
            sqlx::query(
                "SELECT 'release_vote/' || rv.request_id || '/' || rv.voter || '/' || rv.height, rv.height, NULL::text, b.time, \
                   'release/' || rv.request_id, \
                 jsonb_build_object('request_id', rv.request_id, 'approver', rv.voter, 'requester', rr.requester, \
                   'approver_funded_by_requester', x.funded_by_requester, 'common_funder', x.common_funder, \
                   'shared_groups', x.shared_groups) \
                 FROM release_votes rv JOIN release_requests rr ON rr.id = rv.request_id \
                 JOIN blocks b ON b.height = rv.height \
                 CROSS JOIN LATERAL (SELECT \
                   EXISTS (SELECT 1 FROM transfers t WHERE t.sender = rr.requester AND t.recipient = rv.voter \
                     AND (t.height, t.seq) < (rv.height, coalesce(rv.seq, 2147483647))) AS funded_by_requester, \
                   (SELECT fa.sender FROM \
                     (SELECT sender FROM transfers WHERE recipient = rv.voter AND sender IS NOT NULL \
                       AND (height, seq) < (rv.height, coalesce(rv.seq, 2147483647)) \
                       ORDER BY height, seq, part LIMIT 1) fa \
                     JOIN (SELECT sender FROM transfers WHERE recipient = rr.requester AND sender IS NOT NULL \
                       AND (height, seq) < (rv.height, coalesce(rv.seq, 2147483647)) \
                       ORDER BY height, seq, part LIMIT 1) fb ON fb.sender = fa.sender) AS common_funder, \
                   to_jsonb(ARRAY(SELECT g.name FROM ( \
                       SELECT DISTINCT ON (h.name) h.name, h.members FROM release_group_history h \
                       WHERE (h.height, h.seq) < (rv.height, coalesce(rv.seq, 2147483647)) \
                       ORDER BY h.name, h.height DESC, h.seq DESC) g \
                     WHERE g.members ? rv.voter AND g.members ? rr.requester ORDER BY g.name)) AS shared_groups) x \
                 WHERE rv.height BETWEEN $1 AND $2 AND rv.approve \
                   AND (x.funded_by_requester OR x.common_funder IS NOT NULL OR jsonb_array_length(x.shared_groups) > 0) \
                 ORDER BY rv.height, rv.request_id, rv.voter",
            )
            .bind(from)
            .bind(to)
            .fetch_all(&mut *conn)
            .await?
        }
    };
    Ok(hits(rows))
}
