//! The sequence tasks. Every example's inputs are token ids (as f32), as many as
//! [`Dataset::token_input`] says; the targets are a class index (modular addition, parity) or, for
//! [`Task::Sequence`](layerlab_spec::data::Task::Sequence) tasks, `length` token ids: the tokens the
//! model must output at the last `length` positions of the sequence. All tokens are drawn on the
//! seed's [`Stream::Data`], so the same seed gives the same examples; `noise` does not apply.

use layerlab_spec::data::Dataset;
use layerlab_spec::limits::{MAX_SEQUENCE, MAX_VOCABULARY};
use rand_chacha::ChaCha8Rng;

use super::DataError;
use super::sample::index;
use super::split::Rows;
use crate::rng::{Stream, rng};

/// The examples of a sequence dataset (one whose [`Dataset::token_input`] is some), in the order
/// they were made. `samples` has been checked to lie in 1..=`MAX_SAMPLES`.
pub(crate) fn rows(dataset: &Dataset, samples: u32, seed: u64) -> Result<Rows, DataError> {
    let mut rng = rng(seed, Stream::Data);
    let samples = samples as usize;
    match *dataset {
        Dataset::ModularAddition { modulus } => {
            check(modulus, 2, MAX_VOCABULARY - 1, "modulus", "(MAX_VOCABULARY − 1: the `=` token takes one id)")?;
            Ok(modular_addition(modulus, samples, &mut rng))
        }
        Dataset::Parity { bits } => {
            check(bits, 1, MAX_SEQUENCE, "bits", "bits (MAX_SEQUENCE)")?;
            Ok(parity(bits as usize, samples, &mut rng))
        }
        Dataset::Copy { length, vocabulary } | Dataset::Reverse { length, vocabulary } => {
            check(length, 1, MAX_SEQUENCE / 2, "length", "tokens (MAX_SEQUENCE / 2: the answer doubles it)")?;
            check(
                vocabulary,
                2,
                MAX_VOCABULARY - 1,
                "vocabulary",
                "tokens (MAX_VOCABULARY − 1: the blank takes one id)",
            )?;
            let reverse = matches!(dataset, Dataset::Reverse { .. });
            Ok(copy(length as usize, vocabulary, reverse, samples, &mut rng))
        }
        Dataset::Arithmetic { digits, chain_of_thought } => {
            check(digits, 1, 8, "digits", "digits")?;
            Ok(arithmetic(digits as usize, chain_of_thought, samples, &mut rng))
        }
        _ => Err(DataError::new("data.dataset", "is not a sequence dataset")),
    }
}

/// An error naming `data.dataset.{field}` unless `low <= value <= high`.
fn check(value: u32, low: u32, high: u32, field: &str, unit: &str) -> Result<(), DataError> {
    if (low..=high).contains(&value) {
        return Ok(());
    }
    Err(DataError::new(format!("data.dataset.{field}"), format!("is {value}: use {low} to {high} {unit}")))
}

/// The grokking task: inputs `[a, b, p]` (token `p` stands for "="), the class (a + b) mod p.
/// With `samples` ≥ p² it is all p² pairs, each once, in order (a, then b); with fewer, `samples`
/// distinct pairs drawn uniformly (Floyd's algorithm), in the same order.
fn modular_addition(modulus: u32, samples: usize, rng: &mut ChaCha8Rng) -> Rows {
    let p = modulus as usize;
    let pairs = p * p;
    let mut rows = Rows::new(3);
    let mut push = |pair: usize| {
        let (a, b) = (pair / p, pair % p);
        rows.inputs.extend([a as f32, b as f32, p as f32]);
        rows.targets.push(((a + b) % p) as f32);
    };
    if samples >= pairs {
        (0..pairs).for_each(&mut push);
    } else {
        let mut chosen = vec![false; pairs];
        for j in pairs - samples..pairs {
            let pick = index(rng, j + 1);
            let new = if chosen[pick] { j } else { pick };
            chosen[new] = true;
        }
        (0..pairs).filter(|&pair| chosen[pair]).for_each(&mut push);
    }
    rows
}

/// `+` and `=` in the arithmetic sequences (digits are themselves).
const PLUS: f32 = 10.0;
const EQUALS: f32 = 11.0;

/// `samples` additions of random `digits`-digit numbers (leading zeros allowed), written out as
/// `a + b = [steps] y` (see [`Dataset::Arithmetic`]). The input is the whole sequence but its
/// last token; the targets are every token after `=`, which the last positions predict.
fn arithmetic(digits: usize, chain_of_thought: bool, samples: usize, rng: &mut ChaCha8Rng) -> Rows {
    let steps = layerlab_spec::data::arithmetic_steps(digits as u32, chain_of_thought) as usize;
    let answer = steps + digits + 1;
    let mut rows = Rows::new(2 * digits + 2 + answer - 1);
    rows.target_width = answer;
    let mut full = Vec::with_capacity(2 * digits + 2 + answer);
    for _ in 0..samples {
        // Least significant digit first while drawing and adding.
        let a: Vec<usize> = (0..digits).map(|_| index(rng, 10)).collect();
        let b: Vec<usize> = (0..digits).map(|_| index(rng, 10)).collect();
        full.clear();
        full.extend(a.iter().rev().map(|&d| d as f32));
        full.push(PLUS);
        full.extend(b.iter().rev().map(|&d| d as f32));
        full.push(EQUALS);
        let mut carry = 0;
        let mut sum = Vec::with_capacity(digits + 1);
        for i in 0..digits {
            let total = a[i] + b[i] + carry;
            carry = total / 10;
            sum.push(total % 10);
            if chain_of_thought {
                full.extend([(total % 10) as f32, carry as f32]);
            }
        }
        sum.push(carry);
        full.extend(sum.iter().rev().map(|&d| d as f32));
        rows.inputs.extend_from_slice(&full[..full.len() - 1]);
        rows.targets.extend_from_slice(&full[2 * digits + 2..]);
    }
    rows
}

/// `samples` random strings of `bits` bits (tokens 0 and 1), each labelled with its number of
/// ones mod 2. Strings may repeat (and so be in both train and test) when `samples` nears 2^bits.
fn parity(bits: usize, samples: usize, rng: &mut ChaCha8Rng) -> Rows {
    let mut rows = Rows::new(bits);
    rows.inputs.reserve(samples * bits);
    for _ in 0..samples {
        let mut ones = 0;
        for _ in 0..bits {
            let bit = index(rng, 2);
            ones += bit;
            rows.inputs.push(bit as f32);
        }
        rows.targets.push((ones % 2) as f32);
    }
    rows
}

/// `samples` random strings of `length` tokens from `vocabulary`, each followed by `length`
/// blanks (token `vocabulary`) at which the model answers; the target is the same tokens, or
/// (`reverse`) the tokens in reverse order.
fn copy(length: usize, vocabulary: u32, reverse: bool, samples: usize, rng: &mut ChaCha8Rng) -> Rows {
    let mut rows = Rows::new(2 * length);
    rows.target_width = length;
    rows.inputs.reserve(samples * 2 * length);
    rows.targets.reserve(samples * length);
    for _ in 0..samples {
        let start = rows.inputs.len();
        rows.inputs.extend((0..length).map(|_| index(rng, vocabulary as usize) as f32));
        let tokens = &rows.inputs[start..];
        if reverse {
            rows.targets.extend(tokens.iter().rev());
        } else {
            rows.targets.extend_from_slice(tokens);
        }
        rows.inputs.extend(std::iter::repeat_n(vocabulary as f32, length));
    }
    rows
}
