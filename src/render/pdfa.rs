//! What makes a report archival and readable aloud: PDF/A-2u (XMP metadata
//! naming the conformance, the sRGB output intent, a file identifier; the
//! fonts are embedded with Unicode maps by `pdf.rs`) and Tagged PDF (a
//! structure tree: a document of a title, headings, paragraphs and figures
//! with their text alternatives, in reading order, each tied to its marked
//! content on the pages; the catalogue's language and title).

use super::pdf::{Block, Role};
use pdf_writer::types::{OutputIntentSubtype, StructRole};
use pdf_writer::writers::{Catalog, StructTreeRoot};
use pdf_writer::{Finish, Name, Pdf, Ref, TextStr};
use sha2::{Digest, Sha256};

/// The sRGB colour profile (IEC 61966-2.1) the pages' colours mean.
static SRGB: &[u8] = include_bytes!("../../assets/color/sRGB.icc");

/// A report's title, language code and creation time (RFC 3339).
#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub title: String,
    pub lang: String,
    pub created: String,
}

/// A block's structure type (also its marked-content tag).
pub(super) fn struct_role(role: Role) -> StructRole {
    match role {
        Role::Title => StructRole::H1,
        Role::Heading => StructRole::H2,
        Role::Paragraph => StructRole::P,
        Role::Figure => StructRole::Figure,
    }
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The XMP packet: PDF/A-2u, the title, language and dates.
pub fn xmp(meta: &Meta) -> String {
    format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n\
<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
<rdf:Description rdf:about=\"\" \
xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\" \
xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" \
xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n\
<pdfaid:part>2</pdfaid:part>\n\
<pdfaid:conformance>U</pdfaid:conformance>\n\
<dc:format>application/pdf</dc:format>\n\
<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{title}</rdf:li></rdf:Alt></dc:title>\n\
<dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>\n\
<xmp:CreateDate>{created}</xmp:CreateDate>\n\
<xmp:ModifyDate>{created}</xmp:ModifyDate>\n\
<xmp:MetadataDate>{created}</xmp:MetadataDate>\n\
<xmp:CreatorTool>Threshold {version}</xmp:CreatorTool>\n\
<pdf:Producer>Threshold {version}</pdf:Producer>\n\
</rdf:Description>\n\
</rdf:RDF>\n\
</x:xmpmeta>\n\
<?xpacket end=\"r\"?>",
        title = xml(&meta.title),
        lang = xml(&meta.lang),
        created = xml(&meta.created),
        version = env!("CARGO_PKG_VERSION"),
    )
}

/// The objects written for the archive, for the catalogue to point at.
pub(super) struct Archive {
    metadata: Ref,
    icc: Ref,
    root: Ref,
}

/// Write the metadata, the colour profile and the structure tree. `marks`
/// holds, for each block, where its marked content is: (page index, MCID)
/// in reading order; `pages` the page objects.
pub(super) fn write(
    pdf: &mut Pdf,
    alloc: &mut impl FnMut() -> Ref,
    meta: &Meta,
    blocks: &[Block],
    marks: &[Vec<(usize, i32)>],
    pages: &[Ref],
) -> Archive {
    let (metadata, icc, root, document) = (alloc(), alloc(), alloc(), alloc());
    let packet = xmp(meta);
    pdf.metadata(metadata, packet.as_bytes());
    pdf.icc_profile(icc, SRGB).n(3);
    let id = Sha256::digest(format!("{}\n{}", meta.title, meta.created).as_bytes())[..16].to_vec();
    pdf.set_file_id((id.clone(), id));

    // One element per block that drew anything.
    let elements: Vec<Option<Ref>> = marks
        .iter()
        .map(|m| (!m.is_empty()).then(&mut *alloc))
        .collect();
    // Per page, the element of each MCID (they are numbered from 0).
    let mut per_page: Vec<Vec<(i32, Ref)>> = vec![Vec::new(); pages.len()];
    for (b, m) in marks.iter().enumerate() {
        for &(page, mcid) in m {
            if let Some(e) = elements[b] {
                per_page[page].push((mcid, e));
            }
        }
    }
    let arrays: Vec<Ref> = pages.iter().map(|_| alloc()).collect();
    for (refs, array) in per_page.iter_mut().zip(&arrays) {
        refs.sort_by_key(|(mcid, _)| *mcid);
        pdf.indirect(*array)
            .array()
            .items(refs.iter().map(|(_, e)| *e));
    }
    let mut tree = pdf.indirect(root).start::<StructTreeRoot>();
    tree.child(document);
    {
        let mut parents = tree.parent_tree();
        let mut nums = parents.nums();
        for (i, array) in arrays.iter().enumerate() {
            nums.insert(i as i32, *array);
        }
    }
    tree.parent_tree_next_key(pages.len() as i32);
    tree.finish();

    let mut doc = pdf.struct_element(document);
    doc.kind(StructRole::Document).parent(root);
    doc.lang(TextStr(&meta.lang));
    {
        let mut kids = doc.children();
        for e in elements.iter().flatten() {
            kids.struct_element(*e);
        }
    }
    doc.finish();
    for ((block, m), e) in blocks.iter().zip(marks).zip(&elements) {
        let Some(e) = e else { continue };
        let first = m[0].0;
        let mut el = pdf.struct_element(*e);
        el.kind(struct_role(block.role))
            .parent(document)
            .page(pages[first]);
        if let Some(alt) = &block.alt {
            el.alt(TextStr(alt));
        }
        let mut kids = el.children();
        for &(page, mcid) in m {
            if page == first {
                kids.marked_content_id(mcid);
            } else {
                kids.marked_content_ref()
                    .marked_content_id(mcid)
                    .page(pages[page]);
            }
        }
    }
    Archive {
        metadata,
        icc,
        root,
    }
}

impl Archive {
    /// The catalogue's archival and accessibility entries.
    pub(super) fn catalog(&self, cat: &mut Catalog<'_>, meta: &Meta) {
        cat.pair(Name(b"StructTreeRoot"), self.root);
        cat.mark_info().marked(true);
        cat.lang(TextStr(&meta.lang));
        cat.metadata(self.metadata);
        cat.viewer_preferences().display_doc_title(true);
        cat.output_intents()
            .push()
            .subtype(OutputIntentSubtype::PDFA)
            .output_condition_identifier(TextStr("sRGB IEC61966-2.1"))
            .registry_name(TextStr("http://www.color.org"))
            .info(TextStr("sRGB IEC61966-2.1"))
            .dest_output_profile(self.icc);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_metadata_names_pdfa_2u_and_escapes_the_title() {
        let x = xmp(&Meta {
            title: "Report <E-1> & more".into(),
            lang: "vi".into(),
            created: "2026-12-05T10:00:00Z".into(),
        });
        assert!(x.contains("<pdfaid:part>2</pdfaid:part>"));
        assert!(x.contains("<pdfaid:conformance>U</pdfaid:conformance>"));
        assert!(x.contains("Report &lt;E-1&gt; &amp; more"));
        assert!(x.contains("<rdf:li>vi</rdf:li>"));
    }
}
