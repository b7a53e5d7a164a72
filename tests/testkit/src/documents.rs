//! Test documents made on the spot. Shared with the server's tests, which
//! include this file by path.

/// A real PDF of two pages, written by hand with a correct cross-reference
/// table: 200×300 pt with a black box bottom left, then 300×200 pt with a red
/// box top right.
pub fn two_page_pdf() -> Vec<u8> {
    let pages = [(200, 300, "0 0 0 rg 0 0 100 150 re f"), (300, 200, "1 0 0 rg 150 100 150 100 re f")];
    let mut objects = vec!["<< /Type /Catalog /Pages 2 0 R >>".to_owned(), "<< /Type /Pages /Kids [3 0 R 5 0 R] /Count 2 >>".to_owned()];
    for (i, (w, h, content)) in pages.iter().enumerate() {
        objects.push(format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w} {h}] /Contents {} 0 R >>", 4 + 2 * i));
        objects.push(format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()));
    }
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes());
    pdf
}
