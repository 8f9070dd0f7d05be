//! Any bytes as a user rule file: loaded, compiled, and run on its own examples.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = tactful::fuzz::rules(data) {
        panic!("{e}");
    }
});
