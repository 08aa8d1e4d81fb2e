// espeak-rs-sys builds espeak-ng against the system's libsonic (libsonic-dev) but does not
// link it.
fn main() {
    println!("cargo:rustc-link-lib=dylib=sonic");
}
