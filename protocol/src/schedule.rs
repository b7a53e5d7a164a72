use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A date and time on the court's wall clock, to the minute ("2026-11-25 09:30").
///
/// Hearings are scheduled in the court's local time; no time zone travels with it.
/// Ordering is chronological.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CourtDateTime {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("开庭时间格式应为“2026-11-25 09:30”，且须为有效日期")]
pub struct InvalidCourtDateTime;

impl CourtDateTime {
    pub fn new(year: u16, month: u8, day: u8, hour: u8, minute: u8) -> Result<Self, InvalidCourtDateTime> {
        let valid = (2000..=2999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month)
            && hour < 24
            && minute < 60;
        valid.then_some(Self { year, month, day, hour, minute }).ok_or(InvalidCourtDateTime)
    }

    /// "2026-11-25"
    pub fn date(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// "09:30"
    pub fn time(&self) -> String {
        format!("{:02}:{:02}", self.hour, self.minute)
    }

    pub fn year(&self) -> u16 {
        self.year
    }
    pub fn month(&self) -> u8 {
        self.month
    }
    pub fn day(&self) -> u8 {
        self.day
    }
    pub fn hour(&self) -> u8 {
        self.hour
    }
    pub fn minute(&self) -> u8 {
        self.minute
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        _ => 0,
    }
}

impl FromStr for CourtDateTime {
    type Err = InvalidCourtDateTime;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let b = s.trim().as_bytes();
        if b.len() != 16 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b' ' | b'T') || b[13] != b':' {
            return Err(InvalidCourtDateTime);
        }
        let num = |range: std::ops::Range<usize>| -> Result<u16, InvalidCourtDateTime> {
            let part = &b[range];
            if !part.iter().all(u8::is_ascii_digit) {
                return Err(InvalidCourtDateTime);
            }
            Ok(part.iter().fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0')))
        };
        Self::new(
            num(0..4)?,
            num(5..7)? as u8,
            num(8..10)? as u8,
            num(11..13)? as u8,
            num(14..16)? as u8,
        )
    }
}

impl TryFrom<String> for CourtDateTime {
    type Error = InvalidCourtDateTime;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<CourtDateTime> for String {
    fn from(value: CourtDateTime) -> Self {
        value.to_string()
    }
}

impl fmt::Display for CourtDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.date(), self.time())
    }
}

impl fmt::Debug for CourtDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CourtDateTime({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let t: CourtDateTime = "2026-02-28T09:05".parse().unwrap();
        assert_eq!(t.to_string(), "2026-02-28 09:05");
        assert_eq!((t.date().as_str(), t.time().as_str()), ("2026-02-28", "09:05"));
    }

    #[test]
    fn rejects_impossible_dates() {
        for bad in ["2026-02-29 09:00", "2026-13-01 09:00", "2026-01-01 24:00", "2026-1-1 9:00", "tomorrow"] {
            assert!(bad.parse::<CourtDateTime>().is_err(), "{bad} accepted");
        }
        assert!("2028-02-29 09:00".parse::<CourtDateTime>().is_ok());
    }

    #[test]
    fn orders_chronologically() {
        let a: CourtDateTime = "2026-11-25 09:30".parse().unwrap();
        let b: CourtDateTime = "2026-11-25 14:00".parse().unwrap();
        assert!(a < b);
    }
}
