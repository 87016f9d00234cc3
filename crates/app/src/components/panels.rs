//! The three areas of the playground, as in TensorFlow Playground: the data on the left, the
//! architecture in the middle, the output on the right. Their contents arrive with later work
//! (datasets, the block editor, plots); each already says what it will hold.

use leptos::prelude::*;

/// The dataset, its features and the train/test split.
#[component]
pub fn DataPanel() -> impl IntoView {
    view! {
        <section class="panel data" aria-labelledby="data-heading">
            <h2 id="data-heading">"Data"</h2>
            <p class="placeholder">
                "Pick a dataset — circle, xor, gaussian, spiral, two moons, digits, your own CSV — \
                 and the input features the network sees."
            </p>
        </section>
    }
}

/// The network as blocks: dense layers, residual and parallel stacks, and the blocks of the papers.
#[component]
pub fn ArchitecturePanel() -> impl IntoView {
    view! {
        <section class="panel architecture" aria-labelledby="architecture-heading">
            <h2 id="architecture-heading">"Architecture"</h2>
            <p class="placeholder">
                "Assemble the network from blocks: dense layers, residual and parallel stacks, \
                 Hourglass MLPs, KAN layers, MLP-Mixer, mixture of experts, attention."
            </p>
        </section>
    }
}

/// Loss and accuracy curves, the decision surface and the per-layer metrics.
#[component]
pub fn OutputPanel() -> impl IntoView {
    view! {
        <section class="panel output" aria-labelledby="output-heading">
            <h2 id="output-heading">"Output"</h2>
            <p class="placeholder">
                "Train and test loss, accuracy, the decision surface, and what happens inside each \
                 layer: rank, sparsity, gradient flow."
            </p>
        </section>
    }
}
