//! Any bytes as a message file: every reader, the engine, every reporter (src/fuzz.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tactful::fuzz::Harness;

static HARNESS: OnceLock<Harness> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let harness = HARNESS.get_or_init(Harness::new);
    if let Err(e) = harness.message(data) {
        panic!("{e}");
    }
});
