#![no_std]
// The programs live in the `wallarm-oob-ebpf` binary (src/main.rs); this empty library only lets
// the crate be a workspace member.
