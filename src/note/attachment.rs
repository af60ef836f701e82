//! Attachments as documents: the text layer of a PDF and the paragraphs of a DOCX, with the title
//! from the document's own metadata. A file that cannot be read (encrypted, corrupt, a scan
//! without text, a DOCX that is not a zip) yields a problem a person understands, never a panic:
//! PDF parsing runs behind `catch_unwind` because malformed PDFs have panicked parsers before.

use std::io::Read;

/// What an attachment holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extracted {
    pub title: Option<String>,
    pub text: String,
}

/// The kind of attachment, by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Docx,
}

impl Format {
    pub fn of(id: &str) -> Option<Format> {
        let ext = id.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "pdf" => Some(Format::Pdf),
            "docx" => Some(Format::Docx),
            _ => None,
        }
    }
}

/// Extracts text and title; `Err` is the problem to report.
pub fn extract(format: Format, bytes: &[u8]) -> Result<Extracted, String> {
    match format {
        Format::Pdf => pdf(bytes),
        Format::Docx => docx(bytes),
    }
}

fn pdf(bytes: &[u8]) -> Result<Extracted, String> {
    if !bytes.starts_with(b"%PDF") {
        return Err("not a PDF file (it does not start with %PDF): it may be corrupt or misnamed".into());
    }
    let parsed = std::panic::catch_unwind(|| {
        let doc = pdf_extract::Document::load_mem(bytes).map_err(|e| format!("corrupt PDF: {e}"))?;
        if doc.is_encrypted() {
            return Err("encrypted PDF: its text cannot be read without the password".to_string());
        }
        let title = pdf_title(&doc);
        let text = pdf_extract::extract_text_from_mem(bytes).map_err(|e| format!("corrupt PDF: {e}"))?;
        Ok(Extracted { title, text })
    });
    let extracted = parsed.unwrap_or_else(|_| Err("corrupt PDF: the file could not be parsed".into()))?;
    if extracted.text.split_whitespace().next().is_none() {
        return Err("PDF without a text layer (a scan?): nothing to index; run OCR on it to make it searchable".into());
    }
    Ok(extracted)
}

fn pdf_title(doc: &pdf_extract::Document) -> Option<String> {
    let info = doc.trailer.get(b"Info").ok()?;
    let info = match info {
        pdf_extract::Object::Reference(r) => doc.get_object(*r).ok()?,
        other => other,
    };
    let title = info.as_dict().ok()?.get(b"Title").ok()?;
    let raw = title.as_str().ok()?;
    let text = if raw.starts_with(&[0xFE, 0xFF]) {
        // UTF-16BE with a byte-order mark, as PDF text strings often are.
        let units: Vec<u16> = raw[2..].chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        String::from_utf16_lossy(&units)
    } else {
        raw.iter().map(|&b| char::from(b)).collect()
    };
    let text = text.trim().to_string();
    (!text.is_empty()).then_some(text)
}

/// Largest DOCX part read, so a zip bomb cannot exhaust memory.
const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;

fn docx(bytes: &[u8]) -> Result<Extracted, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|_| "not a DOCX file (it is not a zip archive): it may be corrupt or misnamed".to_string())?;
    let document = read_part(&mut archive, "word/document.xml")?
        .ok_or_else(|| "not a DOCX file: it has no word/document.xml".to_string())?;
    let text = docx_text(&document).map_err(|e| format!("corrupt DOCX: {e}"))?;
    let title = read_part(&mut archive, "docProps/core.xml")
        .ok()
        .flatten()
        .and_then(|core| xml_element_text(&core, "title"))
        .filter(|t| !t.trim().is_empty());
    if text.split_whitespace().next().is_none() {
        return Err("DOCX without any text: nothing to index".into());
    }
    Ok(Extracted { title, text })
}

fn read_part<R: Read + std::io::Seek>(archive: &mut zip::ZipArchive<R>, name: &str) -> Result<Option<String>, String> {
    let file = match archive.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(format!("corrupt DOCX: {e}")),
    };
    let mut out = String::new();
    file.take(MAX_PART_BYTES).read_to_string(&mut out).map_err(|e| format!("corrupt DOCX: {e}"))?;
    Ok(Some(out))
}

/// The text of a WordprocessingML body: runs' `w:t`, tabs and breaks, a newline per paragraph.
fn docx_text(xml: &str) -> Result<String, quick_xml::Error> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event()? {
            Event::Start(e) if e.local_name().as_ref() == "t" => in_text = true,
            Event::End(e) if e.local_name().as_ref() == "t" => in_text = false,
            Event::End(e) if e.local_name().as_ref() == "p" => out.push('\n'),
            Event::Empty(e) if matches!(e.local_name().as_ref(), "tab" | "br") => out.push(' '),
            Event::Text(t) if in_text => out.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    out.push(c);
                } else {
                    out.push_str(match r.as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    });
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// The text of the first element with this local name (e.g. `dc:title`).
fn xml_element_text(xml: &str, local: &str) -> Option<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut inside = false;
    let mut out = String::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) if e.local_name().as_ref() == local => inside = true,
            Event::End(e) if e.local_name().as_ref() == local => return Some(out),
            Event::Text(t) if inside => out.push_str(&t.xml10_content()),
            Event::Eof => return None,
            _ => {}
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    /// A one-page PDF whose text layer holds `text` (ASCII), with an optional Info title.
    pub(crate) fn pdf_bytes(text: &str, title: Option<&str>) -> Vec<u8> {
        let stream = format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET");
        let mut objs = vec![
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
            format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
        ];
        if let Some(t) = title {
            objs.push(format!("<< /Title ({t}) >>"));
        }
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, o) in objs.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes());
        for off in offsets {
            out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
        }
        let info = if title.is_some() { format!(" /Info {} 0 R", objs.len()) } else { String::new() };
        out.extend_from_slice(
            format!("trailer\n<< /Size {} /Root 1 0 R{info} >>\nstartxref\n{xref}\n%%EOF\n", objs.len() + 1).as_bytes(),
        );
        out
    }

    /// A minimal DOCX with one paragraph per item and an optional core title.
    pub(crate) fn docx_bytes(paragraphs: &[&str], title: Option<&str>) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            let opts = zip::write::SimpleFileOptions::default();
            let body: String = paragraphs.iter().map(|p| format!("<w:p><w:r><w:t>{p}</w:t></w:r></w:p>")).collect();
            z.start_file("word/document.xml", opts).expect("zip");
            z.write_all(format!("<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>").as_bytes()).expect("zip");
            if let Some(t) = title {
                z.start_file("docProps/core.xml", opts).expect("zip");
                z.write_all(format!("<cp:coreProperties xmlns:cp=\"c\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{t}</dc:title></cp:coreProperties>").as_bytes()).expect("zip");
            }
            z.finish().expect("zip");
        }
        buf.into_inner()
    }

    #[test]
    fn pdf_text_and_title() {
        let got =
            extract(Format::Pdf, &pdf_bytes("cutover rehearsal drumbeat", Some("Cutover checklist"))).expect("pdf");
        assert!(got.text.contains("drumbeat"), "{got:?}");
        assert_eq!(got.title.as_deref(), Some("Cutover checklist"));
        let untitled = extract(Format::Pdf, &pdf_bytes("plain words", None)).expect("pdf");
        assert_eq!(untitled.title, None);
    }

    #[test]
    fn docx_text_and_title() {
        let got = extract(Format::Docx, &docx_bytes(&["Steering &amp; committee", "گزارش پیشرفت"], Some("گزارش")))
            .expect("docx");
        assert_eq!(got.text, "Steering & committee\nگزارش پیشرفت\n");
        assert_eq!(got.title.as_deref(), Some("گزارش"));
    }

    #[test]
    fn unreadable_files_are_problems_not_panics() {
        let cases: Vec<(Format, Vec<u8>, &str)> = vec![
            (Format::Pdf, b"%PDF-1.4\n garbage \x00\xff".to_vec(), "corrupt PDF"),
            (Format::Pdf, b"hello".to_vec(), "not a PDF"),
            (Format::Pdf, pdf_bytes("", None), "without a text layer"),
            (Format::Pdf, pdf_bytes("x", None)[..120].to_vec(), "corrupt PDF"),
            (Format::Docx, b"PK not really a zip".to_vec(), "not a zip"),
            (Format::Docx, b"plain text".to_vec(), "not a zip"),
            (Format::Docx, docx_bytes(&[], None), "without any text"),
        ];
        for (format, bytes, needle) in cases {
            let e = extract(format, &bytes).expect_err(needle);
            assert!(e.contains(needle), "{needle}: {e}");
        }
    }
}
