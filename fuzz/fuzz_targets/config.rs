//! Any bytes as a `.tactful.yaml` config file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = tactful::fuzz::config(data) {
        panic!("{e}");
    }
});
