//! Writes `web/js/protocol.js` from the protocol crate (run from anywhere in the workspace).

fn main() -> std::io::Result<()> {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(cloudtrial_protocol::js::OUTPUT);
    std::fs::write(&file, cloudtrial_protocol::js::protocol_js())?;
    println!("wrote {}", file.display());
    Ok(())
}
