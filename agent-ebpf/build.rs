fn main() {
    // Rebuild the object when bpf-linker changes (a new LLVM changes the code it emits).
    if let Ok(path) = which::which("bpf-linker") {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}
