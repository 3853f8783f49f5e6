//! The wire forms: signatures, chains, vault values.
use super::*;
use ed25519_dalek::{Signer, SigningKey};

fn entries(facility: &str, n: i64) -> (Vec<WireEntry>, [u8; 32]) {
    let mut prev = GENESIS;
    let mut out = Vec::new();
    for seq in 1..=n {
        let body = format!("{{\"n\":{seq}}}");
        let h = chain_hash(
            &prev,
            seq,
            "2026-12-05T00:00:00.000Z",
            facility,
            "k",
            "s",
            &body,
        );
        out.push(WireEntry {
            seq,
            at: "2026-12-05T00:00:00.000Z".into(),
            facility: facility.into(),
            kind: "k".into(),
            subject: "s".into(),
            body,
            hash: hex::encode(h),
        });
        prev = h;
    }
    (out, prev)
}

fn signer(key: &SigningKey) -> impl FnOnce(&str) -> String + '_ {
    move |s| hex::encode(key.sign(s.as_bytes()).to_bytes())
}

#[test]
fn a_signed_batch_checks_and_any_change_is_caught() {
    let key = SigningKey::from_bytes(&[7; 32]);
    let other = SigningKey::from_bytes(&[8; 32]);
    let (all, head) = entries("f", 5);
    let b = Batch::signed("f", GENESIS, all.clone(), signer(&key));
    let c = b.check().unwrap();
    assert_eq!((c.from, c.to, c.head()), (1, 5, head));
    assert_eq!(c.hash_of(3), Some(hash_from_hex(&all[2].hash).unwrap()));
    assert!(b.verify(key.verifying_key().as_bytes()).is_ok());
    assert_eq!(
        b.verify(other.verifying_key().as_bytes()),
        Err(ShipError::Signature("f".into()))
    );
    let mut edited = b.clone();
    edited.entries[2].body = "{\"n\":99}".into();
    assert_eq!(edited.check(), Err(ShipError::Chain(3)));
    let mut dropped = b.clone();
    dropped.entries.remove(1);
    assert!(matches!(
        dropped.check(),
        Err(ShipError::Gap { after: 1, found: 3 })
    ));
    let mut stamped = b.clone();
    stamped.facility = "g".into();
    assert!(matches!(
        stamped.check(),
        Err(ShipError::Facility { seq: 1, .. })
    ));
    let tail = Batch::signed("f", GENESIS, all[2..].to_vec(), signer(&key));
    assert_eq!(tail.check(), Err(ShipError::Chain(3)));
    let empty = Batch::signed("f", GENESIS, vec![], signer(&key));
    assert_eq!(empty.check(), Err(ShipError::Empty));
}

#[test]
fn only_encounters_values_that_match_their_commitment_go() {
    let key = SigningKey::from_bytes(&[7; 32]);
    let salt = [5u8; 16];
    let commit = |v: &str| {
        let mut h = Sha256::new();
        h.update(salt);
        h.update(v.as_bytes());
        hex::encode(h.finalize())
    };
    let mut prev = GENESIS;
    let mut all = Vec::new();
    for (seq, kind, value) in [
        (1, "checkin.recorded", "Lan"),
        (2, "encounter.note-added", "Waited by the door"),
    ] {
        let body = format!(
            "{{\"text\":{{\"vault\":{},\"commit\":\"{}\"}}}}",
            seq * VAULT_PER_ENTRY,
            commit(value)
        );
        let h = chain_hash(&prev, seq, "t", "f", kind, "E-1", &body);
        all.push(WireEntry {
            seq,
            at: "t".into(),
            facility: "f".into(),
            kind: kind.into(),
            subject: "E-1".into(),
            body,
            hash: hex::encode(h),
        });
        prev = h;
    }
    let value = |id: i64, v: &str| VaultValue {
        id,
        salt: hex::encode(salt),
        value: v.into(),
    };
    let mut b = Batch::signed("f", GENESIS, all, signer(&key));
    b.vault = vec![value(2 * VAULT_PER_ENTRY, "Waited by the door")];
    assert_eq!(b.check_vault(), Ok(()));
    b.vault = vec![value(2 * VAULT_PER_ENTRY, "Entered the office")];
    assert!(
        matches!(b.check_vault(), Err(ShipError::Vault { why, .. }) if why.contains("commitment"))
    );
    b.vault = vec![value(VAULT_PER_ENTRY, "Lan")];
    assert!(
        matches!(b.check_vault(), Err(ShipError::Vault { why, .. }) if why.contains("visitor data never leaves"))
    );
    b.vault = vec![value(9 * VAULT_PER_ENTRY, "x")];
    assert!(matches!(b.check_vault(), Err(ShipError::Vault { .. })));
}

#[test]
fn receipts_and_heartbeats_verify_only_under_their_key() {
    let hub = SigningKey::from_bytes(&[1; 32]);
    let r = Receipt::signed("f", 9, &[3; 32], "2026-12-05T00:00:00Z", signer(&hub));
    assert!(r.verify(hub.verifying_key().as_bytes()));
    let mut moved = r.clone();
    moved.seq = 10;
    assert!(!moved.verify(hub.verifying_key().as_bytes()));
    let kiosk = SigningKey::from_bytes(&[2; 32]);
    let h = Heartbeat::signed("f", "t", "{\"backlog\":0}".into(), signer(&kiosk));
    assert!(h.verify(kiosk.verifying_key().as_bytes()).is_ok());
    assert!(h.verify(hub.verifying_key().as_bytes()).is_err());
}

#[test]
fn answers_are_tagged_for_the_wire() {
    let a = Answer::Gap {
        hub_head: 4,
        error: "x".into(),
    };
    let s = serde_json::to_string(&a).unwrap();
    assert!(s.starts_with("{\"result\":\"gap\""), "{s}");
    assert_eq!(serde_json::from_str::<Answer>(&s).unwrap(), a);
}

#[test]
fn clip_cuts_at_a_character_boundary() {
    let mut s = "Đã từ chối".to_string();
    super::clip(&mut s, 2);
    assert_eq!(s, "Đ");
    let mut s = "ok".to_string();
    super::clip(&mut s, 300);
    assert_eq!(s, "ok");
}
