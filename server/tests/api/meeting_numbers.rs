use std::collections::HashSet;

use cloudtrial_server::booking::{random_meeting_number, unused_meeting_number};
use cloudtrial_server::store::{Store, hearings};

/// Ten thousand hearings booked into a real database, each given its number
/// by the same assignment the booking endpoint uses.
#[test]
fn ten_thousand_assigned_meeting_numbers_are_distinct_and_not_sequential() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db")).unwrap();
    let numbers: Vec<u32> = store
        .call_blocking(|conn| {
            let tx = conn.transaction()?;
            let mut numbers = Vec::new();
            for i in 0..10_000 {
                let number = unused_meeting_number(&tx).unwrap();
                let fields = hearings::HearingFields {
                    case_number: &format!("案{i}"),
                    case_title: "t",
                    courtroom: "r",
                    scheduled_at: "2030-01-01 09:00".parse().unwrap(),
                };
                hearings::insert(&tx, &fields, number, None, 0).unwrap();
                numbers.push(number.as_u32());
            }
            tx.commit()?;
            Ok::<_, rusqlite::Error>(numbers)
        })
        .unwrap();
    let distinct: HashSet<_> = numbers.iter().collect();
    assert_eq!(distinct.len(), numbers.len(), "no duplicates");
    assert!(numbers.iter().all(|n| (10_000_000..100_000_000).contains(n)), "8 digits, no leading zero");
    let steps: Vec<i64> = numbers.windows(2).map(|w| i64::from(w[1]) - i64::from(w[0])).collect();
    assert!(!steps.iter().any(|d| d.abs() <= 1), "no number follows its predecessor");
    let rising = steps.iter().filter(|d| **d > 0).count();
    assert!((4000..6000).contains(&rising), "no trend (time-derived numbers would rise): {rising} rises");
}

/// The raw draws are uniform: every leading digit about equally often.
#[test]
fn meeting_numbers_are_drawn_uniformly() {
    let mut leading = [0u32; 10];
    for _ in 0..9_000 {
        leading[(random_meeting_number().as_u32() / 10_000_000) as usize] += 1;
    }
    assert_eq!(leading[0], 0);
    assert!(leading[1..].iter().all(|c| (750..1250).contains(c)), "{leading:?}");
}
