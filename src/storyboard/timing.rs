//! Shot durations: the 0.5 s step of `+`/`-`, the duration a new shot starts with, how the
//! shots compare with the chosen length, and scaling every shot so they fill it exactly.
//!
//! Durations live on a 0.1 s grid, because the prompt text prints them with one decimal
//! (`duration: 3.3sec`): sums are computed in whole tenths so what is checked is what is sent.

/// The shortest shot, in seconds.
pub const MIN_SHOT: f64 = 1.0;
/// What `+` adds and `-` removes, in seconds.
pub const STEP: f64 = 0.5;
/// The longest duration a new shot starts with, in seconds.
pub const NEW_SHOT_MAX: f64 = 5.0;

/// [`MIN_SHOT`] in tenths.
const MIN_TENTHS: i64 = 10;

/// The largest duration in tenths that arithmetic ever sees (about 3 000 years). A hand-edited
/// file or an inline marker may say `1e308`; clamping here keeps every sum and product of
/// durations (totals, balance, scaling) far from `i64` overflow, which would panic.
const MAX_TENTHS: i64 = 1_000_000_000_000;

/// Seconds as whole tenths, rounded and clamped to ±[`MAX_TENTHS`]; a non-finite value counts
/// as zero.
pub fn tenths(secs: f64) -> i64 {
    if secs.is_finite() {
        // In range by the clamp, so the cast is exact.
        (secs * 10.0)
            .round()
            .clamp(-MAX_TENTHS as f64, MAX_TENTHS as f64) as i64
    } else {
        0
    }
}

/// Whole tenths as seconds.
pub fn from_tenths(tenths: i64) -> f64 {
    tenths as f64 / 10.0
}

/// The sum of durations as it is sent: each rounded to the 0.1 s grid first.
pub fn total_tenths(durations: impl IntoIterator<Item = f64>) -> i64 {
    durations.into_iter().map(tenths).sum()
}

/// `duration` moved by `delta` seconds, on the 0.1 s grid, kept between [`MIN_SHOT`] and `max`.
pub fn step(duration: f64, delta: f64, max: f64) -> f64 {
    let max = tenths(max).max(MIN_TENTHS);
    from_tenths((tenths(duration) + tenths(delta)).clamp(MIN_TENTHS, max))
}

/// The duration of a shot added now, given the shots' `total` and the video's `length`: what
/// is left of the length, at least [`MIN_SHOT`] and at most [`NEW_SHOT_MAX`].
pub fn new_shot(total: f64, length: u32) -> f64 {
    let left = i64::from(length) * 10 - tenths(total);
    from_tenths(left.clamp(MIN_TENTHS, tenths(NEW_SHOT_MAX)))
}

/// `n` shots sharing `length` seconds evenly on the 0.1 s grid, the leftover tenths going to
/// the last shots (three in 10 s: 3.3, 3.3, 3.4), so the sum is exact. This is what shots get
/// until someone times them by hand: a storyboard written shot after shot can be sent as it is.
pub fn even_split(n: usize, length: u32) -> Result<Vec<f64>, FitError> {
    if n == 0 {
        return Err(FitError::NoShots);
    }
    let target = i64::from(length) * 10;
    let count = n as i64;
    if count * MIN_TENTHS > target {
        return Err(FitError::TooMany { shots: n, length });
    }
    let base = target / count;
    let extra = target % count;
    Ok((0..count)
        .map(|i| from_tenths(base + i64::from(i >= count - extra)))
        .collect())
}

/// Whether the durations are, in some order, the even split of `length` (see [`even_split`]):
/// no shot was timed by hand since the last one was added. An empty board counts.
pub fn is_even_split(durations: &[f64], length: u32) -> bool {
    if durations.is_empty() {
        return true;
    }
    let Ok(even) = even_split(durations.len(), length) else {
        return false;
    };
    let mut have: Vec<i64> = durations.iter().map(|d| tenths(*d)).collect();
    let mut want: Vec<i64> = even.iter().map(|d| tenths(*d)).collect();
    have.sort_unstable();
    want.sort_unstable();
    have == want
}

/// Whether the durations are all the same, give or take one tenth: an even split of some
/// length (the length changed since), never timed by hand. Fitting such shots spreads them
/// evenly instead of in proportion, which would keep the rounding's unevenness.
pub fn is_untimed(durations: &[f64]) -> bool {
    let t = durations.iter().map(|d| tenths(*d));
    match (t.clone().min(), t.max()) {
        (Some(lo), Some(hi)) => hi - lo <= 1,
        _ => true,
    }
}

/// The durations after inserting a shot at `at` into shots lasting `durations` on a video of
/// `length` seconds: when no shot was timed by hand, all of them share the length evenly
/// (see [`even_split`]); otherwise the others keep theirs and the new one takes what is left
/// (see [`new_shot`]). Returns every shot's duration, the new one at `at`.
pub fn with_new_shot(durations: &[f64], at: usize, length: u32) -> Vec<f64> {
    if is_even_split(durations, length)
        && let Ok(even) = even_split(durations.len() + 1, length)
    {
        return even;
    }
    let mut out = durations.to_vec();
    let total = from_tenths(total_tenths(durations.iter().copied()));
    out.insert(at.min(out.len()), new_shot(total, length));
    out
}

/// How the shots compare with the chosen length.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Balance {
    /// They add up to it exactly.
    Fits,
    /// This many seconds are not covered yet.
    Left(f64),
    /// They are this many seconds too long.
    Over(f64),
}

/// Compares the shots' durations with `length` seconds.
pub fn balance(durations: impl IntoIterator<Item = f64>, length: u32) -> Balance {
    let diff = i64::from(length) * 10 - total_tenths(durations);
    match diff {
        0 => Balance::Fits,
        d if d > 0 => Balance::Left(from_tenths(d)),
        d => Balance::Over(from_tenths(-d)),
    }
}

/// Why the shots cannot be scaled to the length.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    /// There is nothing to scale.
    #[error("there are no shots to fit: add one with its scene first")]
    NoShots,
    /// Even at the shortest duration the shots are longer than the video.
    #[error(
        "{shots} shots need at least {shots}.0 s but the video is {length} s: remove shots or choose a longer length"
    )]
    TooMany {
        /// How many shots there are.
        shots: usize,
        /// The chosen length in seconds.
        length: u32,
    },
}

/// Durations scaled to fill `length` seconds exactly: in proportion to the current ones, on
/// the 0.1 s grid, none shorter than [`MIN_SHOT`]. Shots whose share would fall below the
/// minimum get the minimum and the others share the rest; rounding hands the leftover tenths
/// to the largest remainders, so the sum is exact. All arithmetic is in integers.
pub fn scale_to_fit(durations: &[f64], length: u32) -> Result<Vec<f64>, FitError> {
    let n = durations.len();
    if n == 0 {
        return Err(FitError::NoShots);
    }
    let target = i64::from(length) * 10;
    if n as i64 * MIN_TENTHS > target {
        return Err(FitError::TooMany { shots: n, length });
    }
    let mut weights: Vec<i64> = durations.iter().map(|d| tenths(*d).max(0)).collect();
    if weights.iter().all(|w| *w == 0) {
        // Nothing to be proportional to (a hand-edited file with zeros): share evenly.
        weights.iter_mut().for_each(|w| *w = 1);
    }
    let mut pinned = vec![false; n];
    loop {
        let free_target = target - MIN_TENTHS * pinned.iter().filter(|p| **p).count() as i64;
        let free_weight: i64 = (0..n).filter(|i| !pinned[*i]).map(|i| weights[i]).sum();
        let mut changed = false;
        for i in 0..n {
            // share < MIN  ⇔  weight * free_target < MIN * free_weight
            if !pinned[i] && weights[i] * free_target < MIN_TENTHS * free_weight {
                pinned[i] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let free_target = target - MIN_TENTHS * pinned.iter().filter(|p| **p).count() as i64;
    let free_weight: i64 = (0..n).filter(|i| !pinned[*i]).map(|i| weights[i]).sum();
    let mut out = vec![MIN_TENTHS; n];
    let mut remainders = Vec::with_capacity(n);
    for i in (0..n).filter(|i| !pinned[*i]) {
        let scaled = weights[i] * free_target;
        out[i] = scaled / free_weight.max(1);
        remainders.push((scaled % free_weight.max(1), i));
    }
    let mut leftover = target - out.iter().sum::<i64>();
    // Largest remainder first; ties go to the earlier shot.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in remainders.iter().cycle().take(leftover.max(0) as usize) {
        out[*i] += 1;
        leftover -= 1;
    }
    if leftover > 0
        && let Some(last) = out.last_mut()
    {
        // Only reachable if every shot was pinned, which the count check above rules out.
        *last += leftover;
    }
    Ok(out.into_iter().map(from_tenths).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(v: &[f64]) -> i64 {
        total_tenths(v.iter().copied())
    }

    #[test]
    fn steps_stay_on_the_grid_and_in_bounds() {
        assert_eq!(step(5.0, STEP, 10.0), 5.5);
        assert_eq!(step(1.2, -STEP, 10.0), 1.0);
        assert_eq!(step(1.0, -STEP, 10.0), 1.0);
        assert_eq!(step(9.8, STEP, 10.0), 10.0);
        assert_eq!(step(0.1 + 0.2, STEP, 10.0), 1.0);
        assert_eq!(step(3.3, STEP, 25.0), 3.8);
    }

    #[test]
    fn a_new_shot_takes_what_is_left() {
        assert_eq!(new_shot(0.0, 10), 5.0);
        assert_eq!(new_shot(5.0, 10), 5.0);
        assert_eq!(new_shot(8.0, 10), 2.0);
        assert_eq!(new_shot(9.5, 10), 1.0);
        assert_eq!(new_shot(12.0, 10), 1.0);
    }

    #[test]
    fn new_shots_share_the_length_evenly_until_timed_by_hand() {
        assert_eq!(even_split(3, 10).unwrap(), [3.3, 3.3, 3.4]);
        assert_eq!(even_split(1, 10).unwrap(), [10.0]);
        assert_eq!(even_split(4, 15).unwrap(), [3.7, 3.7, 3.8, 3.8]);
        assert_eq!(
            even_split(11, 10),
            Err(FitError::TooMany {
                shots: 11,
                length: 10
            })
        );
        assert_eq!(even_split(0, 10), Err(FitError::NoShots));
        // Added one after another on an empty 10 s board.
        let one = with_new_shot(&[], 0, 10);
        assert_eq!(one, [10.0]);
        let two = with_new_shot(&one, 1, 10);
        assert_eq!(two, [5.0, 5.0]);
        let three = with_new_shot(&two, 1, 10);
        assert_eq!(three, [3.3, 3.3, 3.4]);
        assert_eq!(sum(&three), 100);
        // Moved around, still untimed.
        assert_eq!(with_new_shot(&[3.4, 3.3, 3.3], 0, 10), [2.5; 4]);
        // Timed by hand: the others keep theirs, the new one takes what is left.
        assert_eq!(with_new_shot(&[6.0, 2.0], 2, 10), [6.0, 2.0, 2.0]);
        assert_eq!(with_new_shot(&[6.0], 0, 10), [4.0, 6.0]);
        // No room for an even share: the old rule, at least the minimum.
        assert_eq!(with_new_shot(&[1.0; 10], 10, 10), [1.0; 11]);
        assert!(is_untimed(&[3.3, 3.4, 3.3]));
        assert!(!is_untimed(&[5.0, 5.0, 1.0]));
    }

    #[test]
    fn balance_in_tenths() {
        assert_eq!(balance([3.3, 3.3, 3.4], 10), Balance::Fits);
        assert_eq!(balance([5.0, 2.5], 10), Balance::Left(2.5));
        assert_eq!(balance([5.0, 6.5], 10), Balance::Over(1.5));
        assert_eq!(balance([], 15), Balance::Left(15.0));
    }

    #[test]
    fn scaling_is_proportional_exact_and_respects_the_minimum() {
        assert_eq!(scale_to_fit(&[5.0, 5.0, 5.0], 10).unwrap(), [3.4, 3.3, 3.3]);
        assert_eq!(scale_to_fit(&[2.0, 3.0], 10).unwrap(), [4.0, 6.0]);
        assert_eq!(scale_to_fit(&[5.0, 5.0], 15).unwrap(), [7.5, 7.5]);
        let v = scale_to_fit(&[20.0, 1.0, 1.0], 10).unwrap();
        assert_eq!(v, [8.0, 1.0, 1.0]);
        let v = scale_to_fit(&[0.0, 0.0, 0.0], 25).unwrap();
        assert_eq!(sum(&v), 250);
        assert_eq!(scale_to_fit(&[], 10), Err(FitError::NoShots));
        assert_eq!(
            scale_to_fit(&[1.0; 11], 10),
            Err(FitError::TooMany {
                shots: 11,
                length: 10
            })
        );
        assert_eq!(scale_to_fit(&[1.0; 10], 10).unwrap(), [1.0; 10]);
    }

    #[test]
    fn scaling_random_durations_always_fits() {
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..2000 {
            let length = [10, 15, 25][rng.usize(0..3)];
            let n = rng.usize(1..=(length as usize).min(12));
            let durations: Vec<f64> = (0..n).map(|_| rng.u32(0..400) as f64 / 10.0).collect();
            let v = scale_to_fit(&durations, length).unwrap();
            assert_eq!(sum(&v), i64::from(length) * 10, "{durations:?} -> {v:?}");
            assert!(v.iter().all(|d| *d >= MIN_SHOT), "{durations:?} -> {v:?}");
            assert!(
                v.iter()
                    .all(|d| (d * 10.0 - (d * 10.0).round()).abs() < 1e-9)
            );
            assert_eq!(balance(v.iter().copied(), length), Balance::Fits);
        }
    }
}
