//! tactful: a linter for outreach messages.
//!
//! Data flows through the modules in this order:
//! [`input`] (bytes → [`message::Message`] with spans) → [`context`] (stage, channel, consent,
//! language; [`config`] and front matter) → [`rules`] (YAML → compiled packs) → [`engine`]
//! (findings) → [`suppress`] (inline `tactful-disable` comments) → [`report`] (human, short,
//! json, jsonl, sarif, github) or [`fix`] (safe rewrites, atomic writes). [`lint`] drives one
//! file through it; [`cli`] and [`lsp`] are the front ends.

pub mod batch;
pub mod cap;
pub mod cli;
pub mod config;
pub mod context;
pub mod engine;
pub mod error;
pub mod examples;
pub mod finding;
pub mod fix;
#[cfg(any(test, fuzzing, feature = "testing"))]
#[doc(hidden)]
pub mod fuzz;
pub mod input;
pub mod internal;
pub mod lang;
pub mod learned;
pub mod lint;
pub mod lsp;
pub mod message;
pub mod report;
pub mod rules;
pub mod suppress;
pub mod text;
pub mod yaml;
