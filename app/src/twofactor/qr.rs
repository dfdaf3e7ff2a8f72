//! The enrollment QR code, rendered on the server as inline SVG.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// An SVG QR code of `data`, ready to inline into HTML.
pub fn svg(data: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M).ok()?;
    let svg = code
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .quiet_zone(true)
        .build();
    // Inline SVG must not carry an XML declaration.
    let start = svg.find("<svg")?;
    Some(svg[start..].replacen(
        "<svg",
        r#"<svg role="img" aria-label="QR code to scan with your authenticator app""#,
        1,
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_inline_svg() {
        let svg = super::svg("otpauth://totp/Portcullis:a@example.com?secret=ABC").unwrap();
        assert!(svg.starts_with("<svg role=\"img\""));
        assert!(svg.ends_with("</svg>"));
    }
}
