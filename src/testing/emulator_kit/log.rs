//! Which requests reached an emulator, by operation name.

use std::collections::HashMap;

/// Counts of requests by operation name; requests the emulator could not name are counted apart.
#[derive(Debug, Clone, Default)]
pub struct RequestLog {
    by_operation: HashMap<&'static str, u64>,
    unclassified: u64,
}

impl RequestLog {
    /// Records one request of the operation named `operation` (`None`: not classified).
    pub fn record(&mut self, operation: Option<&'static str>) {
        match operation {
            Some(name) => *self.by_operation.entry(name).or_default() += 1,
            None => self.unclassified += 1,
        }
    }

    /// Requests of the operation named `name`.
    pub fn count(&self, name: &str) -> u64 {
        self.by_operation.get(name).copied().unwrap_or(0)
    }

    /// Requests the emulator could not name (unknown paths or methods).
    pub fn unclassified(&self) -> u64 {
        self.unclassified
    }

    /// Every request recorded.
    pub fn total(&self) -> u64 {
        self.by_operation.values().sum::<u64>() + self.unclassified
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_name_and_apart() {
        let mut log = RequestLog::default();
        log.record(Some("create"));
        log.record(Some("create"));
        log.record(Some("list"));
        log.record(None);
        assert_eq!((log.count("create"), log.count("list"), log.count("get")), (2, 1, 0));
        assert_eq!((log.unclassified(), log.total()), (1, 4));
    }
}
