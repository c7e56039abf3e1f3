//! Lesson Markdown ([`crate::lessons::markdown`]) as page elements. Text is always set
//! as text, never as HTML.

use crate::lessons::markdown::{parse, Block, Inline};
use leptos::prelude::*;

fn inline_view(runs: Vec<Inline>) -> impl IntoView {
    runs.into_iter()
        .map(|r| match r {
            Inline::Text(t) => view! { <span>{t}</span> }.into_any(),
            Inline::Emph(t) => view! { <em>{t}</em> }.into_any(),
            Inline::Strong(t) => view! { <strong>{t}</strong> }.into_any(),
            Inline::Code(t) => view! { <code>{t}</code> }.into_any(),
            Inline::Math(t) => view! { <span class="math">{t}</span> }.into_any(),
        })
        .collect_view()
}

/// The Markdown `source` as elements.
pub fn markdown(source: &str) -> impl IntoView {
    parse(source)
        .into_iter()
        .map(|b| match b {
            // Lesson headings sit under the panel's own title.
            Block::Heading(_, runs) => view! { <h4>{inline_view(runs)}</h4> }.into_any(),
            Block::Para(runs) => view! { <p>{inline_view(runs)}</p> }.into_any(),
            Block::List(true, items) => view! {
                <ol>{items.into_iter().map(|i| view! { <li>{inline_view(i)}</li> }).collect_view()}</ol>
            }
            .into_any(),
            Block::List(false, items) => view! {
                <ul>{items.into_iter().map(|i| view! { <li>{inline_view(i)}</li> }).collect_view()}</ul>
            }
            .into_any(),
            Block::Code(code) => view! { <pre><code>{code}</code></pre> }.into_any(),
        })
        .collect_view()
}
