//! Helpers shared by the benchmarks: percentiles and a large store.
#![allow(dead_code)]

use chrono::{Duration, TimeZone, Utc};
use threshold::domain::language::Language;
use threshold::store::events::{CheckinRecorded, EventKind};
use threshold::store::Store;

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

pub fn summary(mut samples: Vec<f64>) -> (f64, f64) {
    samples.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (percentile(&samples, 0.5), percentile(&samples, 0.99))
}

/// Fill a store with `rows` check-ins in batches, spread over time.
pub fn fill(dir: &std::path::Path, rows: usize) -> Store {
    let mut store = Store::open(dir, "sj-demo-branch").unwrap();
    let start = Utc.with_ymd_and_hms(2026, 1, 1, 16, 0, 0).unwrap();
    let batch = 1_000;
    let purposes = [
        "appointment",
        "program",
        "meeting-room",
        "services",
        "other",
    ];
    for b in 0..rows.div_ceil(batch) {
        let at = start + Duration::minutes(60 * b as i64);
        store
            .write(at, |w| -> Result<(), threshold::store::StoreError> {
                for i in 0..batch.min(rows - b * batch) {
                    let id = w.fresh_ordered_id("V", "checkins")?;
                    let body = CheckinRecorded {
                        purpose: purposes[(b + i) % purposes.len()].into(),
                        language: Language::ALL[i % 5],
                        entrance: "main".into(),
                        name: if i % 3 == 0 {
                            Some(w.seal("Lan")?)
                        } else {
                            None
                        },
                        host: None,
                    };
                    w.append(EventKind::CheckinRecorded, &id, &body)?;
                }
                Ok(())
            })
            .unwrap();
    }
    store
}
