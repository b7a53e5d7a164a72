//! The browser client is embedded in the binary (`routes/web.rs`); the embedding
//! macro does not tell cargo which files it read, so a changed page would be
//! served stale until something else made the crate build again.

fn main() {
    println!("cargo:rerun-if-changed=../web");
}
