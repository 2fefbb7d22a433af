//! The periodic compliance report, per framework: alerts by rule and
//! severity, open and overdue cases, time to close, and the concentration
//! of cast voting power per proposal (the governance trend). Rendered as
//! JSON, CSV (long format: section, name, value) and an HTML page.

use std::fmt::Write as _;

use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgPool, Row};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleCount {
    pub rule_id: String,
    pub severity: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseFigures {
    /// Now, among cases with an alert of the framework (all cases without one).
    pub open: i64,
    pub investigating: i64,
    /// Not closed and past their due date.
    pub overdue: i64,
    /// Opened within the period.
    pub opened: i64,
    /// Closed within the period, and how long they took.
    pub closed: i64,
    pub hours_to_close_median: Option<f64>,
    pub hours_to_close_mean: Option<f64>,
    pub hours_to_close_max: Option<f64>,
    /// Outcomes of the cases closed within the period.
    pub outcomes: Vec<(String, i64)>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Concentration {
    pub proposal_id: i64,
    /// Voting end, seconds since the epoch.
    pub end_time: i64,
    pub voters: i64,
    /// Cast power, decimal string.
    pub cast_power: String,
    /// The largest voter's share of the cast power (0 to 1).
    pub top_share: f64,
    /// Fewest voters holding more than half of the cast power.
    pub nakamoto: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComplianceReport {
    pub framework: Option<String>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub generated_at: DateTime<Utc>,
    pub alerts_total: i64,
    pub alerts_by_rule: Vec<RuleCount>,
    pub cases: CaseFigures,
    pub governance_concentration: Vec<Concentration>,
}

pub async fn build(
    pool: &PgPool,
    framework: Option<&str>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<ComplianceReport> {
    let by_rule = sqlx::query(
        "SELECT rule_id, severity, count(*) FROM alerts WHERE time >= $1 AND time < $2 \
         AND ($3::text IS NULL OR $3 = ANY(tags)) GROUP BY rule_id, severity ORDER BY rule_id, severity",
    )
    .bind(from)
    .bind(to)
    .bind(framework)
    .fetch_all(pool)
    .await?;
    let alerts_by_rule: Vec<RuleCount> = by_rule
        .iter()
        .map(|r| RuleCount {
            rule_id: r.get(0),
            severity: r.get(1),
            count: r.get(2),
        })
        .collect();
    // Cases of the framework: those with at least one alert tagged with it.
    let in_scope = "($1::text IS NULL OR EXISTS (SELECT 1 FROM case_alerts ca JOIN alerts a ON a.id = ca.alert_id \
                    WHERE ca.case_id = c.id AND $1 = ANY(a.tags)))";
    let now = sqlx::query(&format!(
        "SELECT count(*) FILTER (WHERE state = 'open'), count(*) FILTER (WHERE state = 'investigating'), \
         count(*) FILTER (WHERE state <> 'closed' AND due_at < now()), \
         count(*) FILTER (WHERE created_at >= $2 AND created_at < $3) FROM cases c WHERE {in_scope}"
    ))
    .bind(framework)
    .bind(from)
    .bind(to)
    .fetch_one(pool)
    .await?;
    let closed = sqlx::query(&format!(
        "SELECT count(*), \
         (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - created_at)) / 3600)::float8, \
         (avg(extract(epoch FROM closed_at - created_at)) / 3600)::float8, \
         (max(extract(epoch FROM closed_at - created_at)) / 3600)::float8 \
         FROM cases c WHERE state = 'closed' AND closed_at >= $2 AND closed_at < $3 AND {in_scope}"
    ))
    .bind(framework)
    .bind(from)
    .bind(to)
    .fetch_one(pool)
    .await?;
    let outcomes = sqlx::query(&format!(
        "SELECT outcome, count(*) FROM cases c WHERE state = 'closed' AND closed_at >= $2 AND closed_at < $3 \
         AND {in_scope} GROUP BY outcome ORDER BY outcome"
    ))
    .bind(framework)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1)))
    .collect();
    let governance_concentration = sqlx::query(
        "SELECT c.proposal_id, p.end_time, c.voters, c.total::text, \
                coalesce((c.top_power / nullif(c.total, 0))::float8, 0), c.nakamoto \
         FROM vote_concentration(ARRAY(SELECT id FROM proposals WHERE end_time >= $1 AND end_time < $2)) c \
         JOIN proposals p ON p.id = c.proposal_id ORDER BY c.proposal_id",
    )
    .bind(from.timestamp())
    .bind(to.timestamp())
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| Concentration {
        proposal_id: r.get(0),
        end_time: r.get(1),
        voters: r.get(2),
        cast_power: r.get(3),
        top_share: r.get(4),
        nakamoto: r.get(5),
    })
    .collect();
    Ok(ComplianceReport {
        framework: framework.map(str::to_string),
        from,
        to,
        generated_at: Utc::now(),
        alerts_total: alerts_by_rule.iter().map(|r| r.count).sum(),
        alerts_by_rule,
        cases: CaseFigures {
            open: now.get(0),
            investigating: now.get(1),
            overdue: now.get(2),
            opened: now.get(3),
            closed: closed.get(0),
            hours_to_close_median: closed.get(1),
            hours_to_close_mean: closed.get(2),
            hours_to_close_max: closed.get(3),
            outcomes,
        },
        governance_concentration,
    })
}

fn csv_row(out: &mut String, section: &str, name: &str, value: &str) {
    let quote = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let _ = writeln!(out, "{},{},{}", quote(section), quote(name), quote(value));
}

fn opt(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2}")).unwrap_or_default()
}

/// Long format: one `section,name,value` row per figure.
pub fn to_csv(r: &ComplianceReport) -> String {
    let mut out = String::from("section,name,value\n");
    csv_row(&mut out, "report", "framework", r.framework.as_deref().unwrap_or("all"));
    csv_row(&mut out, "report", "from", &r.from.to_rfc3339());
    csv_row(&mut out, "report", "to", &r.to.to_rfc3339());
    csv_row(&mut out, "alerts", "total", &r.alerts_total.to_string());
    for a in &r.alerts_by_rule {
        csv_row(
            &mut out,
            "alerts_by_rule",
            &format!("{}/{}", a.rule_id, a.severity),
            &a.count.to_string(),
        );
    }
    let c = &r.cases;
    for (name, v) in [
        ("open", c.open.to_string()),
        ("investigating", c.investigating.to_string()),
        ("overdue", c.overdue.to_string()),
        ("opened", c.opened.to_string()),
        ("closed", c.closed.to_string()),
        ("hours_to_close_median", opt(c.hours_to_close_median)),
        ("hours_to_close_mean", opt(c.hours_to_close_mean)),
        ("hours_to_close_max", opt(c.hours_to_close_max)),
    ] {
        csv_row(&mut out, "cases", name, &v);
    }
    for (outcome, n) in &c.outcomes {
        csv_row(&mut out, "case_outcomes", outcome, &n.to_string());
    }
    for g in &r.governance_concentration {
        let p = format!("proposal/{}", g.proposal_id);
        csv_row(&mut out, "governance", &format!("{p}/voters"), &g.voters.to_string());
        csv_row(
            &mut out,
            "governance",
            &format!("{p}/top_share"),
            &format!("{:.4}", g.top_share),
        );
        csv_row(
            &mut out,
            "governance",
            &format!("{p}/nakamoto"),
            &g.nakamoto.to_string(),
        );
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn table(out: &mut String, head: &[&str], rows: &[Vec<String>]) {
    out.push_str("<table><thead><tr>");
    for h in head {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    if rows.is_empty() {
        let _ = write!(out, "<tr><td colspan=\"{}\">none</td></tr>", head.len());
    }
    for r in rows {
        out.push_str("<tr>");
        for cell in r {
            let _ = write!(out, "<td>{}</td>", esc(cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

/// A page a person can read (no scripts, no external resources).
pub fn to_html(r: &ComplianceReport) -> String {
    let fw = r.framework.as_deref().unwrap_or("all frameworks");
    let mut out = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>fog compliance report: {}</title>\
         <style>body{{font-family:sans-serif;margin:2em;max-width:60em}}table{{border-collapse:collapse;margin:1em 0}}\
         td,th{{border:1px solid #999;padding:.3em .6em;text-align:left}}</style></head><body>\
         <h1>Compliance report: {}</h1><p>{} to {} (generated {})</p>",
        esc(fw),
        esc(fw),
        r.from.to_rfc3339(),
        r.to.to_rfc3339(),
        r.generated_at.to_rfc3339()
    );
    let _ = write!(out, "<h2>Alerts ({})</h2>", r.alerts_total);
    table(
        &mut out,
        &["rule", "severity", "alerts"],
        &r.alerts_by_rule
            .iter()
            .map(|a| vec![a.rule_id.clone(), a.severity.clone(), a.count.to_string()])
            .collect::<Vec<_>>(),
    );
    let c = &r.cases;
    out.push_str("<h2>Cases</h2>");
    table(
        &mut out,
        &[
            "open",
            "investigating",
            "overdue",
            "opened",
            "closed",
            "hours to close (median / mean / max)",
        ],
        &[vec![
            c.open.to_string(),
            c.investigating.to_string(),
            c.overdue.to_string(),
            c.opened.to_string(),
            c.closed.to_string(),
            format!(
                "{} / {} / {}",
                opt(c.hours_to_close_median),
                opt(c.hours_to_close_mean),
                opt(c.hours_to_close_max)
            ),
        ]],
    );
    table(
        &mut out,
        &["outcome", "cases"],
        &c.outcomes
            .iter()
            .map(|(o, n)| vec![o.clone(), n.to_string()])
            .collect::<Vec<_>>(),
    );
    out.push_str("<h2>Governance concentration</h2>");
    table(
        &mut out,
        &[
            "proposal",
            "voters",
            "cast power",
            "largest voter's share",
            "Nakamoto coefficient",
        ],
        &r.governance_concentration
            .iter()
            .map(|g| {
                vec![
                    g.proposal_id.to_string(),
                    g.voters.to_string(),
                    g.cast_power.clone(),
                    format!("{:.1}%", g.top_share * 100.0),
                    g.nakamoto.to_string(),
                ]
            })
            .collect::<Vec<_>>(),
    );
    out.push_str("</body></html>\n");
    out
}
