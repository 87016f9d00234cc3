//! The learning rule: the choice, its parameters (Forward-Forward's threshold), what it does
//! with its paper's title, and the memory a training step of this run holds as the engine
//! counts it, so both sides of the local rules' claim (accuracy, memory) are in view.

use layerlab_protocol::Memory;
use layerlab_spec::Spec;
use layerlab_spec::model::Block;
use layerlab_spec::train::LearningRule;
use leptos::prelude::*;

use super::architecture::bytes;
use super::field::payload_fields;
use crate::run::RunView;

#[component]
pub fn RuleChoice(spec: RwSignal<Spec>, run: RwSignal<RunView>) -> impl IntoView {
    let typed = RwSignal::new(None::<String>);
    let rule = move || spec.with(|s| s.training.rule);
    let choose = move |ev| {
        let name = event_target_value(&ev);
        // Picking the rule already chosen keeps its parameters.
        if spec.with_untracked(|s| s.training.rule.name()) == name {
            return;
        }
        if let Some(&next) = LearningRule::ALL.iter().find(|r| r.name() == name) {
            typed.set(None);
            spec.update(|s| s.training.rule = fitting(next, &s.model));
        }
    };
    let params = move || {
        let current = rule();
        payload_fields(&current, &current.name(), "rule", &[], typed, move |next| {
            spec.update(|s| s.training.rule = next)
        })
    };
    let about = move || {
        let (text, paper) = rule().about();
        view! { {text} " " <cite>{paper}</cite> }
    };
    let memory = move || run.with(|r| r.info.as_ref().map(|i| memory_sentence(&i.memory)));
    view! {
        <div class="rule" data-part="rule">
            <label title="How the hidden layers learn: backpropagation, or a local signal of their own. Changing it starts a new run.">"Learning rule"
                <select id="rule" prop:value=move || rule().name() on:change=choose>
                    {LearningRule::ALL.iter().map(|r| view! { <option value=r.name()>{r.title()}</option> }).collect_view()}
                </select>
            </label>
            {params}
            <span class="typed" role="alert">{move || typed.get().map(|t| format!("⚠ {t}"))}</span>
        </div>
        <p class="rule-about" id="rule-about" data-part="rule">{about} " " <span id="rule-memory" role="status">{memory}</span></p>
    }
}

/// `rule` with parameters that suit `model`: Forward-Forward's usual threshold of 2 is out of
/// reach of bounded outputs (tanh, sigmoid, sine: goodness below 1), so there it starts at 0.5.
pub fn fitting(rule: LearningRule, model: &[Block]) -> LearningRule {
    let bounded = model.iter().any(|b| matches!(b, Block::Dense(d) if d.activation.bound().is_some()));
    match rule {
        LearningRule::ForwardForward { .. } if bounded => LearningRule::ForwardForward { threshold: 0.5 },
        other => other,
    }
}

/// The step's memory in words: the total, then its parts.
pub fn memory_sentence(m: &Memory) -> String {
    let mut parts = vec![
        format!("parameters {}", bytes(m.parameters as u64)),
        format!("gradients {}", bytes(m.gradients as u64)),
        format!("optimizer state {}", bytes(m.optimizer as u64)),
        format!("activations {}", bytes(m.activations as u64)),
    ];
    if m.rule > 0 {
        parts.push(format!("the rule's own {}", bytes(m.rule as u64)));
    }
    format!("A training step of this run holds {}: {}.", bytes(m.peak() as u64), parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_forward_starts_at_a_threshold_the_outputs_can_reach() {
        use layerlab_spec::model::{Activation, Dense};
        let dense = |activation| Block::Dense(Dense { units: 8, activation, bias: true });
        let ff = LearningRule::ForwardForward { threshold: 2.0 };
        assert_eq!(
            fitting(ff, &[dense(Activation::Relu), dense(Activation::Tanh)]),
            LearningRule::ForwardForward { threshold: 0.5 }
        );
        assert_eq!(fitting(ff, &[dense(Activation::Relu)]), ff);
        assert_eq!(fitting(LearningRule::MonoForward, &[dense(Activation::Tanh)]), LearningRule::MonoForward);
    }

    #[test]
    fn the_sentence_adds_up_the_parts_and_names_the_rules_own_only_when_there_is_some() {
        let m = Memory { parameters: 1024, gradients: 1024, optimizer: 2048, activations: 512, rule: 0 };
        let text = memory_sentence(&m);
        assert!(text.starts_with(&format!("A training step of this run holds {}:", bytes(4608))), "{text}");
        assert!(text.contains(&format!("activations {}", bytes(512))), "{text}");
        assert!(!text.contains("the rule's own"), "{text}");
        assert!(memory_sentence(&Memory { rule: 64, ..m }).contains("the rule's own"));
    }
}
