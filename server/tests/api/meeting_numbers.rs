use std::collections::HashSet;

use cloudtrial_server::booking::random_meeting_number;

#[test]
fn ten_thousand_meeting_numbers_are_distinct_and_not_sequential() {
    let numbers: Vec<u32> = (0..10_000).map(|_| random_meeting_number().as_u32()).collect();
    let distinct: HashSet<_> = numbers.iter().collect();
    assert_eq!(distinct.len(), numbers.len(), "no duplicates");
    assert!(numbers.iter().all(|n| (10_000_000..100_000_000).contains(n)), "8 digits, no leading zero");
    let steps: Vec<i64> = numbers.windows(2).map(|w| i64::from(w[1]) - i64::from(w[0])).collect();
    assert!(!steps.iter().any(|d| d.abs() <= 1), "no number follows its predecessor");
    let rising = steps.iter().filter(|d| **d > 0).count();
    assert!((4000..6000).contains(&rising), "no trend (time-derived numbers would rise): {rising} rises");
    // Every leading digit 1-9 occurs roughly equally often (uniform, not clustered).
    let mut leading = [0u32; 10];
    for n in &numbers {
        leading[(n / 10_000_000) as usize] += 1;
    }
    assert!(leading[1..].iter().all(|c| (800..1450).contains(c)), "{leading:?}");
}
