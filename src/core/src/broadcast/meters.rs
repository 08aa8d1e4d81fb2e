//! Audio meters with peak hold, from OBS' per-channel levels (linear multipliers, 20 per
//! second). Kept in roxyd so every client sees the same peaks.

/// How long a peak stays before it falls to the current level.
pub const PEAK_HOLD_MS: i64 = 1500;
/// Silence, in dBFS.
pub const FLOOR_DB: f64 = -100.0;

pub fn mul_to_db(mul: f64) -> f64 {
    if mul <= 0.0 {
        FLOOR_DB
    } else {
        (20.0 * mul.log10()).max(FLOOR_DB)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Meter {
    pub input: String,
    pub level_db: f64,
    pub peak_db: f64,
    peak_at_ms: i64,
}

#[derive(Debug, Default)]
pub struct Meters {
    meters: Vec<Meter>,
    changed: bool,
}

impl Meters {
    /// One reading: each input with its channels' peak levels (multipliers). Inputs that are
    /// no longer reported are dropped.
    pub fn update<'a>(&mut self, now_ms: i64, inputs: impl IntoIterator<Item = (&'a str, f64)>) {
        let mut next = Vec::new();
        for (name, peak_mul) in inputs {
            let level_db = mul_to_db(peak_mul);
            let meter = match self.meters.iter().find(|m| m.input == name) {
                Some(old) if old.peak_db > level_db && now_ms - old.peak_at_ms < PEAK_HOLD_MS => {
                    Meter {
                        level_db,
                        ..old.clone()
                    }
                }
                _ => Meter {
                    input: name.to_owned(),
                    level_db,
                    peak_db: level_db,
                    peak_at_ms: now_ms,
                },
            };
            next.push(meter);
        }
        self.changed |= next != self.meters;
        self.meters = next;
    }

    /// The meters, if they changed since the last call.
    pub fn take_changed(&mut self) -> Option<&[Meter]> {
        std::mem::take(&mut self.changed).then_some(self.meters.as_slice())
    }

    pub fn clear(&mut self) {
        self.changed = !self.meters.is_empty();
        self.meters.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decibels_from_multipliers() {
        assert_eq!(mul_to_db(1.0), 0.0);
        assert!((mul_to_db(0.5) + 6.0206).abs() < 1e-3);
        assert_eq!(mul_to_db(0.0), FLOOR_DB);
        assert_eq!(mul_to_db(1e-9), FLOOR_DB);
    }

    #[test]
    fn peaks_hold_then_fall() {
        let mut meters = Meters::default();
        meters.update(0, [("Mic", 1.0)]);
        meters.update(100, [("Mic", 0.1)]);
        let m = &meters.take_changed().unwrap()[0];
        assert_eq!((m.level_db, m.peak_db), (-20.0, 0.0));
        assert!(meters.take_changed().is_none(), "nothing new");
        meters.update(1600, [("Mic", 0.1)]);
        let m = &meters.take_changed().unwrap()[0];
        assert_eq!(m.peak_db, -20.0, "held for 1.5 s, then the level");
        meters.update(1700, [("Mic", 0.5), ("Music", 1.0)]);
        assert_eq!(meters.take_changed().unwrap().len(), 2);
        meters.update(1800, [("Music", 1.0)]);
        assert_eq!(meters.take_changed().unwrap()[0].input, "Music");
    }
}
