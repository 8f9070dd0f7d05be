//! From the tree to the text rules read: one rendering per branch, stand-ins for variables.

use super::tree::{Node, Rendered, RenderedPlaceholder, Template};

impl Template {
    /// Renders variant `n` of `text` (the same text that was parsed).
    pub fn render(&self, text: &str, n: usize) -> Rendered {
        let mut out = Rendered::default();
        render_nodes(text, &self.nodes, n, &mut out);
        out
    }
}

pub(super) fn render_nodes(text: &str, nodes: &[Node], n: usize, out: &mut Rendered) {
    for node in nodes {
        match node {
            Node::Text(r) => out.layer.exact(&text[r.clone()], r.start),
            Node::Var(v) => {
                let start = out.layer.len();
                match (&v.fallback, n) {
                    (Some(f), n) if n > 0 => out.layer.exact(&text[f.clone()], f.start),
                    _ => out.layer.whole(stand_in(&v.name), v.tag.clone()),
                }
                out.placeholders.push(RenderedPlaceholder {
                    rendered: start..out.layer.len(),
                    tag: v.tag.clone(),
                    name: v.name.clone(),
                    has_fallback: v.fallback.is_some() || v.guarded,
                    marker: v.marker,
                });
            }
            Node::Cond { branches, .. } => {
                if let Some(b) = branches.get(n.min(branches.len().saturating_sub(1))) {
                    render_nodes(text, b, n, out);
                }
            }
            Node::Spin { tag, options } => {
                if let Some(o) = options.get(n.min(options.len().saturating_sub(1))) {
                    let start = out.layer.len();
                    out.layer.exact(&text[o.clone()], o.start);
                    out.placeholders.push(RenderedPlaceholder {
                        rendered: start..out.layer.len(),
                        tag: tag.clone(),
                        name: "spintax".into(),
                        has_fallback: true,
                        marker: false,
                    });
                }
            }
        }
    }
}

/// A neutral word for a placeholder, chosen by what the variable holds, so that the rendered
/// sentence reads like the real one ("Hi Alex," is a greeting; a calendar link is a link).
pub fn stand_in(name: &str) -> &'static str {
    let n = normalize(name);
    let has = |words: &[&str]| words.iter().any(|w| n.contains(w));
    let link = has(&["url", "link"]);
    if has(&["calendly"]) || link && has(&["calendar", "booking", "meeting", "schedul"]) {
        "https://calendly.com/example"
    } else if link || has(&["unsub", "archive", "website"]) {
        "https://example.com"
    } else if has(&[
        "company",
        "organi",
        "business",
        "account",
        "empresa",
        "azienda",
        "bedrijf",
        "firma",
        "entreprise",
        "societe",
        "employer",
    ]) {
        "Acme"
    } else if has(&[
        "last",
        "surname",
        "apellido",
        "cognome",
        "nazwisko",
        "nachname",
        "achternaam",
    ]) {
        "Lee"
    } else if has(&[
        "city", "location", "ciudad", "citta", "stadt", "ville", "miasto",
    ]) {
        "Lisbon"
    } else {
        "Alex"
    }
}

pub(super) fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}
