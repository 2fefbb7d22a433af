//! From voting power to the weight a ballot counts with.

/// Integer square root (floor), for quadratic voting.
pub fn isqrt(n: u128) -> u128 {
    if n < 2 {
        return n;
    }
    // Newton's iteration from a power of two above the root.
    let mut x = 1u128 << (128 - n.leading_zeros()).div_ceil(2);
    loop {
        let y = (x + n / x) / 2;
        if y >= x {
            return x;
        }
        x = y;
    }
}

/// The weight a ballot of `power` counts with: at most `cap` (the anti-whale
/// cap), then the square root for quadratic voting.
pub fn counted_weight(power: u128, cap: Option<u128>, quadratic: bool) -> u128 {
    let capped = cap.map_or(power, |c| power.min(c));
    if quadratic {
        isqrt(capped)
    } else {
        capped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn isqrt_edges() {
        assert_eq!(isqrt(0), 0);
        assert_eq!(isqrt(1), 1);
        assert_eq!(isqrt(3), 1);
        assert_eq!(isqrt(4), 2);
        assert_eq!(isqrt(u128::MAX), u64::MAX as u128);
    }

    proptest! {
        #[test]
        fn isqrt_is_the_floor_root(n in any::<u128>()) {
            let r = isqrt(n);
            prop_assert!(r * r <= n);
            prop_assert!((r + 1).checked_mul(r + 1).is_none_or(|sq| sq > n));
        }
    }

    #[test]
    fn cap_then_root() {
        assert_eq!(counted_weight(1_000, Some(100), false), 100);
        assert_eq!(counted_weight(1_000, None, false), 1_000);
        assert_eq!(counted_weight(1_000_000, Some(10_000), true), 100);
    }
}
