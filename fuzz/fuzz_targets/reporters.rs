//! Findings with arbitrary (valid) spans and text, through every reporter.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = tactful::fuzz::reporters(data) {
        panic!("{e}");
    }
});
