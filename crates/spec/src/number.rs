//! Numbers as people type them (a form's field, a CSV cell): short decimals exactly by Clinger's
//! fast path, the rest by the JSON reader that reads the spec's own numbers, so the page's module
//! carries one full decimal reader rather than two (Rust's `str::parse::<f64>` brings its own,
//! with a 10 KB table).

/// The decimal number `text` writes, spaces around it ignored: what JSON writes (`1.5`, `-0.25`,
/// `3e-4`) and also `+2`, `.5`, `5.` and `007`. None for anything else (`nan`, `inf`, `1,5`,
/// `0x10`, an empty text) and for a number beyond f64's range.
///
/// The value is the nearest f64 wherever the digits without the point fit 53 bits and the power
/// of ten is within ±22 (every number a person types into a field or a table); beyond that it is
/// within one unit in the last place, as JSON numbers are read.
pub fn number(text: &str) -> Option<f64> {
    let text = text.trim();
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (mantissa, exponent) = match rest.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (rest, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return None;
    }
    let value = exact(whole, fraction, exponent).or_else(|| json(whole, fraction, exponent))?;
    Some(if negative { -value } else { value })
}

/// Clinger's fast path: where the digits (`whole` then `fraction`) fit 53 bits and the power of
/// ten is within ±22, both are exact f64s and one multiplication or division rounds once, to the
/// nearest. None elsewhere (and for an exponent that is not 1 to 4 digits after a sign).
fn exact(whole: &str, fraction: &str, exponent: Option<&str>) -> Option<f64> {
    const POWERS: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ];
    let exponent = match exponent {
        None => 0,
        Some(text) => {
            let (negative, digits) = match text.as_bytes().first() {
                Some(b'-') => (true, &text[1..]),
                Some(b'+') => (false, &text[1..]),
                _ => (false, text),
            };
            if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let value = digits.bytes().fold(0i32, |n, b| n * 10 + i32::from(b - b'0'));
            if negative { -value } else { value }
        }
    };
    let mut mantissa = 0u64;
    for b in whole.bytes().chain(fraction.bytes()) {
        mantissa = mantissa.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    if mantissa > 1 << 53 || fraction.len() > 22 {
        return None;
    }
    let power = exponent - fraction.len() as i32;
    let scale = *POWERS.get(power.unsigned_abs() as usize)?;
    Some(if power >= 0 { mantissa as f64 * scale } else { mantissa as f64 / scale })
}

/// The value the JSON reader gives the same digits, rewritten in JSON's form: a digit before
/// the point and after it, no leading zeros. None beyond f64's range or for a malformed exponent.
fn json(whole: &str, fraction: &str, exponent: Option<&str>) -> Option<f64> {
    let whole = whole.trim_start_matches('0');
    let mut json = String::with_capacity(whole.len() + fraction.len() + 8);
    json.push_str(if whole.is_empty() { "0" } else { whole });
    if !fraction.is_empty() {
        json.push('.');
        json.push_str(fraction);
    }
    if let Some(exponent) = exponent {
        json.push('e');
        json.push_str(exponent);
    }
    serde_json::from_str(&json).ok()
}

/// The f32 nearest [`number`]'s f64 (infinite beyond f32's range): a decimal's nearest f32,
/// except for one within 2⁻²⁹ of a unit in the last place of the halfway point between two f32s.
pub fn number_f32(text: &str) -> Option<f32> {
    number(text).map(|v| v as f32)
}

/// Whether `text` names a value that is not a finite number (`nan`, `-inf`, `Infinity`, in any
/// case), so a message can say that rather than "not a number".
pub fn names_non_finite(text: &str) -> bool {
    let word = text.trim().trim_start_matches(['+', '-']);
    ["nan", "inf", "infinity"].iter().any(|name| word.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_people_type() {
        let cases: &[(&str, Option<f64>)] = &[
            ("1.5", Some(1.5)),
            ("  -0.25 ", Some(-0.25)),
            ("+2", Some(2.0)),
            (".5", Some(0.5)),
            ("-.5", Some(-0.5)),
            ("5.", Some(5.0)),
            ("007", Some(7.0)),
            ("0", Some(0.0)),
            ("3e-4", Some(3e-4)),
            ("1E+5", Some(1e5)),
            ("0.1", Some(0.1)),
            ("0.03", Some(0.03)),
            ("1e39", Some(1e39)),
            ("123456789012345", Some(123_456_789_012_345.0)),
            ("1e400", None),
            ("", None),
            ("-", None),
            (".", None),
            ("+-1", None),
            ("1,5", None),
            ("0x10", None),
            ("1e", None),
            ("1e+", None),
            ("e5", None),
            ("nan", None),
            ("inf", None),
            ("1 2", None),
            ("١", None),
        ];
        for &(text, want) in cases {
            assert_eq!(number(text), want, "{text:?}");
        }
        assert!(number("-0").is_some_and(|v| v == 0.0 && v.is_sign_negative()));
    }

    #[test]
    fn short_decimals_read_as_rust_reads_them() {
        // Clinger's fast path: up to 15 digits and powers of ten within ±22 are exact, for every
        // value a person types; compared with Rust's correctly rounded reader.
        for text in ["0.7", "0.29", "3.14159", "2.5e-3", "1e-22", "9.999999e21", "0.000123", "65504.0"] {
            assert_eq!(number(text), Some(text.parse::<f64>().unwrap()), "{text}");
        }
        // Beyond it, within one unit in the last place.
        for text in ["1.17549435e-38", "3.4028235e38", "6.02214076e23", "1.602176634e-19"] {
            let (got, exact) = (number(text).unwrap(), text.parse::<f64>().unwrap());
            assert!(got.to_bits().abs_diff(exact.to_bits()) <= 1, "{text}: {got:e} against {exact:e}");
        }
    }

    proptest::proptest! {
        /// Any decimal with up to 17 digits, a point anywhere in them and an exponent within
        /// ±40: exact where the fast path's conditions hold, else within one unit in the last
        /// place, of Rust's correctly rounded reader.
        #[test]
        fn any_decimal_reads_as_rust_reads_it(
            digits in "[0-9]{1,17}",
            point in 0usize..=17,
            exponent in proptest::option::of(-40i32..=40),
            negative in proptest::bool::ANY,
        ) {
            let point = point.min(digits.len());
            let (whole, fraction) = digits.split_at(point);
            let text = format!(
                "{}{whole}.{fraction}{}",
                if negative { "-" } else { "" },
                exponent.map(|e| format!("e{e}")).unwrap_or_default()
            );
            let (got, want) = (number(&text).unwrap(), text.parse::<f64>().unwrap());
            let power = exponent.unwrap_or(0) - fraction.len() as i32;
            if digits.parse::<u64>().unwrap() <= 1 << 53 && power.abs() <= 22 {
                proptest::prop_assert_eq!(got.to_bits(), want.to_bits(), "{}", text);
            } else {
                proptest::prop_assert!(got.to_bits().abs_diff(want.to_bits()) <= 1, "{}: {:e} against {:e}", text, got, want);
            }
        }
    }

    #[test]
    fn names_the_non_finite() {
        for text in ["nan", "NaN", "-inf", "+Infinity", " inf "] {
            assert!(names_non_finite(text), "{text}");
        }
        for text in ["1.5", "", "infinite", "nano"] {
            assert!(!names_non_finite(text), "{text}");
        }
    }
}
