#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aggregation_fuzz::parse::fuzz_logic::structured(data));
