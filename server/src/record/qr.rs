//! The QR code a PC shows so a phone can open the signing page.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// `url` as an SVG QR code, with its quiet zone.
pub fn svg(url: &str) -> Result<String, qrcode::types::QrError> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)?;
    Ok(code.render::<svg::Color<'_>>().min_dimensions(240, 240).quiet_zone(true).build())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_signing_link_becomes_an_svg_qr_code() {
        let svg = super::svg("https://court.example/sign.html#0123456789abcdefghijklmnopqrstuvwxyzABCDEFG").unwrap();
        assert!(svg.starts_with("<?xml") && svg.contains("<svg") && svg.contains("<path"), "{svg}");
    }
}
