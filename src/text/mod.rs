//! Text utilities shared by readers and the engine.

pub mod fold;
pub mod position;
pub mod uri;
