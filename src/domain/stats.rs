//! The numbers a city council asks for, without personal data: encounters
//! by month, facility, document kind and outcome; how long until the first
//! acknowledgement and until counsel's (median and 90th percentile); drills
//! counted apart; visitors counted by purpose. Pure: the facts go in (no
//! names, no words anyone said), the counts come out, and a CSV of them.
//! The city's web (issue #17) reads the facts from the hub and shows these.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// What the statistics need of one encounter, and nothing more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncounterFacts {
    pub facility: String,
    pub opened_at: DateTime<Utc>,
    pub drill: bool,
    /// The document kind's token, when recorded.
    pub document: Option<String>,
    /// The outcome's token, when decided.
    pub outcome: Option<String>,
    pub first_ack_at: Option<DateTime<Utc>>,
    pub counsel_ack_at: Option<DateTime<Utc>>,
}

/// One row of the counts: a month (in the city's time zone), a facility, a
/// document kind and an outcome (`-` when not recorded or not decided).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cell {
    pub month: String,
    pub facility: String,
    pub document: String,
    pub outcome: String,
}

/// Times to an acknowledgement, in seconds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Durations {
    /// Encounters acknowledged.
    pub answered: usize,
    /// Encounters never acknowledged.
    pub unanswered: usize,
    pub median_s: Option<i64>,
    pub p90_s: Option<i64>,
}

/// The statistics of a period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Encounters (drills left out) per cell.
    pub encounters: BTreeMap<Cell, u64>,
    /// Drills per month and facility.
    pub drills: BTreeMap<(String, String), u64>,
    /// Arrival to the first acknowledgement (drills left out).
    pub first_ack: Durations,
    /// Arrival to counsel's acknowledgement (drills left out).
    pub counsel_ack: Durations,
    /// Visitors' check-ins per month, facility and purpose (counts only).
    pub visitors: BTreeMap<(String, String, String), u64>,
}

const NONE: &str = "-";

/// The value at rank `ceil(p × n)` of `sorted` (the nearest-rank
/// percentile; the median is p = 0.5).
pub fn percentile(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

fn durations(mut secs: Vec<i64>, unanswered: usize) -> Durations {
    secs.sort_unstable();
    Durations {
        answered: secs.len(),
        unanswered,
        median_s: percentile(&secs, 0.5),
        p90_s: percentile(&secs, 0.9),
    }
}

fn month(at: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m").to_string()
}

/// The statistics of `facts`, months in `tz`.
pub fn compute(facts: &[EncounterFacts], tz: chrono_tz::Tz) -> Stats {
    let mut s = Stats::default();
    let (mut first, mut first_none) = (Vec::new(), 0);
    let (mut counsel, mut counsel_none) = (Vec::new(), 0);
    for f in facts {
        let m = month(f.opened_at, tz);
        if f.drill {
            *s.drills.entry((m, f.facility.clone())).or_default() += 1;
            continue;
        }
        let cell = Cell {
            month: m,
            facility: f.facility.clone(),
            document: f.document.clone().unwrap_or_else(|| NONE.into()),
            outcome: f.outcome.clone().unwrap_or_else(|| NONE.into()),
        };
        *s.encounters.entry(cell).or_default() += 1;
        match f.first_ack_at {
            Some(at) => first.push((at - f.opened_at).num_seconds().max(0)),
            None => first_none += 1,
        }
        match f.counsel_ack_at {
            Some(at) => counsel.push((at - f.opened_at).num_seconds().max(0)),
            None => counsel_none += 1,
        }
    }
    s.first_ack = durations(first, first_none);
    s.counsel_ack = durations(counsel, counsel_none);
    s
}

/// Visitors' check-ins counted by month, facility and purpose (counts
/// only): `(facility, at, purpose)` in.
pub fn visitors<'a>(
    checkins: impl IntoIterator<Item = (&'a str, DateTime<Utc>, &'a str)>,
    tz: chrono_tz::Tz,
) -> BTreeMap<(String, String, String), u64> {
    let mut out = BTreeMap::new();
    for (facility, at, purpose) in checkins {
        *out.entry((month(at, tz), facility.to_string(), purpose.to_string()))
            .or_default() += 1;
    }
    out
}

impl Stats {
    /// The counts as CSV (RFC 4180): one row per month, facility, document
    /// kind and outcome, then the drills, then visitors by purpose; tokens,
    /// not names.
    pub fn csv(&self) -> String {
        let mut out = String::from("month,facility,kind,document,outcome,purpose,count\r\n");
        for (c, n) in &self.encounters {
            out.push_str(&format!(
                "{},{},encounter,{},{},-,{n}\r\n",
                c.month,
                quote(&c.facility),
                quote(&c.document),
                quote(&c.outcome)
            ));
        }
        for ((m, f), n) in &self.drills {
            out.push_str(&format!("{m},{},drill,-,-,-,{n}\r\n", quote(f)));
        }
        for ((m, f, p), n) in &self.visitors {
            out.push_str(&format!(
                "{m},{},visitors,-,-,{},{n}\r\n",
                quote(f),
                quote(p)
            ));
        }
        out
    }

    /// Encounters (drills left out) summed by `key` of their cell.
    pub fn by(&self, key: impl Fn(&Cell) -> &str) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for (c, n) in &self.encounters {
            *out.entry(key(c).to_string()).or_default() += n;
        }
        out
    }

    /// Encounters in all (drills left out).
    pub fn total(&self) -> u64 {
        self.encounters.values().sum()
    }
}

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap()
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(percentile(&[7], 0.9), Some(7));
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&v, 0.5), Some(5));
        assert_eq!(percentile(&v, 0.9), Some(9));
    }

    /// A generated month in five facilities, counted by hand beside it.
    #[test]
    fn the_counts_equal_a_hand_count() {
        let tz: chrono_tz::Tz = "America/Los_Angeles".parse().unwrap();
        let mut facts = Vec::new();
        let mut hand: BTreeMap<(String, String, String), u64> = BTreeMap::new();
        let (mut drills, mut acked, mut waits) = (0u64, 0usize, Vec::new());
        for i in 0..200u32 {
            let facility = format!("f{}", i % 5);
            let opened = at(1 + i % 28, 12 + i % 6);
            let drill = i % 11 == 0;
            let document = ["administrative-warrant", "judicial-search-warrant"][(i % 2) as usize];
            let outcome = (i % 3 != 0).then_some("left");
            let ack = (i % 4 != 0).then(|| opened + chrono::Duration::seconds(i64::from(i)));
            facts.push(EncounterFacts {
                facility: facility.clone(),
                opened_at: opened,
                drill,
                document: Some(document.into()),
                outcome: outcome.map(String::from),
                first_ack_at: ack,
                counsel_ack_at: ack.map(|a| a + chrono::Duration::seconds(60)),
            });
            if drill {
                drills += 1;
                continue;
            }
            *hand
                .entry((facility, document.into(), outcome.unwrap_or("-").into()))
                .or_default() += 1;
            if ack.is_some() {
                acked += 1;
                waits.push(i64::from(i));
            }
        }
        let s = compute(&facts, tz);
        let counted: BTreeMap<(String, String, String), u64> = s
            .encounters
            .iter()
            .map(|(c, n)| {
                (
                    (c.facility.clone(), c.document.clone(), c.outcome.clone()),
                    *n,
                )
            })
            .fold(BTreeMap::new(), |mut m, (k, n)| {
                *m.entry(k).or_default() += n;
                m
            });
        assert_eq!(counted, hand);
        assert_eq!(s.drills.values().sum::<u64>(), drills);
        assert_eq!(s.first_ack.answered, acked);
        assert_eq!(
            s.first_ack.answered + s.first_ack.unanswered,
            200 - drills as usize
        );
        waits.sort_unstable();
        assert_eq!(s.first_ack.median_s, percentile(&waits, 0.5));
        assert_eq!(s.counsel_ack.p90_s, percentile(&waits, 0.9).map(|w| w + 60));
        // Every arrival (12:00 to 17:00 UTC, November 1 to 28) is in
        // November in Los Angeles too.
        assert!(s.encounters.keys().all(|c| c.month == "2026-11"));
        let csv = s.csv();
        assert!(csv.starts_with("month,facility,kind,document,outcome,purpose,count\r\n"));
        assert_eq!(csv.lines().count(), 1 + s.encounters.len() + s.drills.len());
    }

    #[test]
    fn the_month_is_the_city_s() {
        let tz: chrono_tz::Tz = "America/Los_Angeles".parse().unwrap();
        let late = Utc.with_ymd_and_hms(2026, 12, 1, 3, 0, 0).unwrap();
        let f = EncounterFacts {
            facility: "f, \"east\"".into(),
            opened_at: late,
            drill: false,
            document: None,
            outcome: None,
            first_ack_at: None,
            counsel_ack_at: None,
        };
        let s = compute(&[f], tz);
        let cell = s.encounters.keys().next().unwrap();
        assert_eq!(
            (cell.month.as_str(), cell.outcome.as_str()),
            ("2026-11", "-")
        );
        assert_eq!(s.first_ack.unanswered, 1);
        assert!(s
            .csv()
            .contains("2026-11,\"f, \"\"east\"\"\",encounter,-,-,-,1"));
        let v = visitors([("f1", late, "program"), ("f1", late, "program")], tz);
        assert_eq!(v.values().sum::<u64>(), 2);
    }
}
