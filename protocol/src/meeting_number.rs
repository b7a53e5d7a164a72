use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The 8-digit number a participant types to join a hearing (会议号).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MeetingNumber(u32);

impl MeetingNumber {
    pub const DIGITS: usize = 8;
    const MAX: u32 = 99_999_999;

    /// Wraps a number known to be in range (0 ..= 99,999,999).
    pub fn from_u32(value: u32) -> Option<Self> {
        (value <= Self::MAX).then_some(Self(value))
    }

    pub fn as_u32(self) -> u32 {
        self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("会议号应为8位数字")]
pub struct InvalidMeetingNumber;

impl FromStr for MeetingNumber {
    type Err = InvalidMeetingNumber;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.len() != Self::DIGITS || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidMeetingNumber);
        }
        s.parse::<u32>().map(Self).map_err(|_| InvalidMeetingNumber)
    }
}

impl TryFrom<String> for MeetingNumber {
    type Error = InvalidMeetingNumber;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<MeetingNumber> for String {
    fn from(value: MeetingNumber) -> Self {
        value.to_string()
    }
}

impl fmt::Display for MeetingNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08}", self.0)
    }
}

impl fmt::Debug for MeetingNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MeetingNumber({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_leading_zeros() {
        let n: MeetingNumber = "00012345".parse().unwrap();
        assert_eq!(n.to_string(), "00012345");
        assert_eq!(serde_json::to_string(&n).unwrap(), "\"00012345\"");
    }

    #[test]
    fn rejects_anything_but_eight_digits() {
        for bad in ["1234567", "123456789", "1234567a", "", "-1234567", "１２３４５６７８"] {
            assert!(bad.parse::<MeetingNumber>().is_err(), "{bad:?} accepted");
        }
        assert!(serde_json::from_str::<MeetingNumber>("\"12 45678\"").is_err());
    }
}
