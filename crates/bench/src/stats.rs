//! Summaries of timings: medians and percentiles of per-call samples, and the least-squares
//! growth exponent of build time against register size.

/// Median, 99th percentile and count of a set of samples (nanoseconds).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Summary {
    pub median_ns: f64,
    pub p99_ns: f64,
    pub mean_ns: f64,
    pub n: usize,
}

/// The value at quantile `q` (0..=1) of sorted samples, by the nearest-rank method.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn summarise(samples: &[f64]) -> Summary {
    let mut s: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
    s.sort_by(|a, b| a.total_cmp(b));
    let mean = if s.is_empty() {
        f64::NAN
    } else {
        s.iter().sum::<f64>() / s.len() as f64
    };
    Summary {
        median_ns: quantile(&s, 0.5),
        p99_ns: quantile(&s, 0.99),
        mean_ns: mean,
        n: s.len(),
    }
}

/// The exponent `k` in `y = c * x^k` fitted by least squares on logarithms. `None` when
/// fewer than two points have positive coordinates, or all `x` are equal.
pub fn growth_exponent(points: &[(f64, f64)]) -> Option<f64> {
    let logs: Vec<(f64, f64)> = points
        .iter()
        .filter(|(x, y)| *x > 0.0 && *y > 0.0)
        .map(|(x, y)| (x.ln(), y.ln()))
        .collect();
    if logs.len() < 2 {
        return None;
    }
    let n = logs.len() as f64;
    let mx = logs.iter().map(|p| p.0).sum::<f64>() / n;
    let my = logs.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = logs.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = logs.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    (sxx > 0.0).then(|| sxy / sxx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_by_nearest_rank() {
        let s: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(quantile(&s, 0.5), 50.0);
        assert_eq!(quantile(&s, 0.99), 99.0);
        assert_eq!(quantile(&s, 1.0), 100.0);
        let one = summarise(&[7.0]);
        assert_eq!((one.median_ns, one.p99_ns, one.n), (7.0, 7.0, 1));
    }

    #[test]
    fn exponent_of_a_power_law() {
        let lin: Vec<(f64, f64)> = [1e3, 1e4, 1e5, 1e6].iter().map(|&x| (x, 3.0 * x)).collect();
        assert!((growth_exponent(&lin).unwrap_or(0.0) - 1.0).abs() < 1e-9);
        let quad: Vec<(f64, f64)> = [1e3, 1e4, 1e5].iter().map(|&x| (x, x * x)).collect();
        assert!((growth_exponent(&quad).unwrap_or(0.0) - 2.0).abs() < 1e-9);
        assert_eq!(growth_exponent(&[(1.0, 1.0)]), None);
    }
}
