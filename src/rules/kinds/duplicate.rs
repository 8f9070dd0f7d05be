//! `kind: duplicate` — the same text sent to several people in one run.
//!
//! Drafts are compared across a run, not one message at a time: the pipeline fingerprints each
//! draft's body (names, companies and numbers masked; templates and drafts under 12 words left
//! out) and clusters near-copies (`batch.rs`); this kind only carries the setting. `similarity`
//! (0–1, default 0.8, an option) is the Jaccard similarity of word shingles two drafts need.
//! Language files give only examples: the bad ones must all be near-copies of one another, the
//! good ones none.

use super::scan::{Hit, Scan};
use super::{only_reads, Compile, Kind};
use crate::rules::load::Compiler;
use crate::rules::pattern::Pattern;
use crate::rules::schema::RuleDef;
use serde::Deserialize;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    pub similarity: Option<f64>,
}

impl Compile for Settings {
    fn compile(
        &self,
        r: &RuleDef,
        cx: &mut Compiler,
        _patterns: &mut Vec<Pattern>,
    ) -> Option<Box<dyn Kind>> {
        only_reads(cx, r, "duplicate", &[]).then(|| {
            Box::new(DuplicateKind {
                similarity: self.similarity.unwrap_or(0.8),
            }) as Box<dyn Kind>
        })
    }
}

#[derive(Debug, Clone)]
pub struct DuplicateKind {
    pub similarity: f64,
}

impl Kind for DuplicateKind {
    fn name(&self) -> &'static str {
        "duplicate"
    }

    /// Nothing to do message by message: the run compares its drafts.
    fn run(&self, _scan: &Scan, _hits: &mut Vec<Hit>) {}

    fn options(&self) -> Vec<(&'static str, f64)> {
        vec![("similarity", self.similarity)]
    }

    fn option_mut(&mut self, key: &str) -> Option<&mut f64> {
        (key == "similarity").then_some(&mut self.similarity)
    }

    fn batch_similarity(&self) -> Option<f64> {
        Some(self.similarity)
    }
}
