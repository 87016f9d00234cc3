//! Training's speed limit, for watching a run unfold in slow motion: at most `rate` steps a
//! second, as a budget of steps that refills with time (a token bucket). Without a rate,
//! training runs as fast as the machine allows.

/// The speed limit and the steps it allows now.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pace {
    /// Steps a second; `None`: no limit.
    rate: Option<f64>,
    /// Steps that may be taken now (fractions carry over).
    credit: f64,
    /// When the credit was last refilled, in milliseconds.
    at: Option<f64>,
}

impl Pace {
    /// A limit of `rate` steps a second (`None`: none). The first step may go at once.
    pub fn new(rate: Option<f64>) -> Result<Pace, String> {
        match rate {
            Some(r) if !(r.is_finite() && r > 0.0) => {
                Err(format!("the speed must be a positive number of steps a second, or none for full speed, not {r}"))
            }
            _ => Ok(Pace { rate, credit: 1.0, at: None }),
        }
    }

    /// The steps allowed at `now` (`u64::MAX` without a limit), after refilling the credit for
    /// the time since the last call. At most a second's worth is saved up, so time spent paused
    /// or measuring never comes back as a burst.
    pub fn allowed(&mut self, now: f64) -> u64 {
        let Some(rate) = self.rate else { return u64::MAX };
        let elapsed = self.at.map_or(0.0, |at| (now - at).max(0.0));
        self.at = Some(now);
        self.credit = (self.credit + rate * elapsed / 1000.0).min(rate.max(1.0));
        self.credit.floor() as u64
    }

    /// Counts `steps` taken against the credit.
    pub fn spend(&mut self, steps: u64) {
        if self.rate.is_some() {
            self.credit -= steps as f64;
        }
    }

    /// Starts counting time afresh (on play): the time paused earns nothing.
    pub fn restart(&mut self, now: f64) {
        self.at = Some(now);
    }

    /// Milliseconds until the next step is allowed (0: now, or no limit).
    pub fn wait_ms(&self) -> f64 {
        match self.rate {
            Some(rate) if self.credit < 1.0 => (1.0 - self.credit) / rate * 1000.0,
            _ => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Pace;

    /// Steps taken over `ms` milliseconds when every `tick` ms as many as allowed are taken.
    fn steps_over(pace: &mut Pace, ms: f64, tick: f64) -> u64 {
        let (mut t, mut taken) = (0.0, 0);
        pace.restart(0.0);
        while t <= ms {
            let n = pace.allowed(t).min(1_000_000);
            pace.spend(n);
            taken += n;
            t += tick;
        }
        taken
    }

    #[test]
    fn a_rate_is_kept_however_often_it_is_asked() {
        for tick in [1.0, 20.0, 250.0] {
            let mut pace = Pace::new(Some(10.0)).unwrap();
            // The first step at once, then ten a second: 1 + 20 over two seconds.
            let taken = steps_over(&mut pace, 2000.0, tick);
            assert!((20..=21).contains(&taken), "{taken} steps at ticks of {tick} ms");
        }
        let mut fast = Pace::new(None).unwrap();
        assert_eq!(fast.allowed(5.0), u64::MAX);
        assert_eq!(fast.wait_ms(), 0.0);
    }

    #[test]
    fn waiting_says_when_the_next_step_may_go_and_a_pause_banks_nothing() {
        let mut pace = Pace::new(Some(4.0)).unwrap();
        pace.restart(0.0);
        assert_eq!(pace.allowed(0.0), 1);
        pace.spend(1);
        assert!((pace.wait_ms() - 250.0).abs() < 1e-9);
        assert_eq!(pace.allowed(100.0), 0);
        assert_eq!(pace.allowed(250.0), 1);
        pace.spend(1);
        // Paused for a minute: on play, the clock restarts and no burst of 240 steps follows.
        pace.restart(60_250.0);
        assert_eq!(pace.allowed(60_250.0), 0);
        // Idle without a pause, at most a second's worth (4 steps) is saved up.
        assert_eq!(pace.allowed(70_000.0), 4);
    }

    #[test]
    fn a_rate_that_is_not_a_positive_number_is_refused() {
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(Pace::new(Some(bad)).unwrap_err().contains("positive number of steps a second"), "{bad}");
        }
    }
}
