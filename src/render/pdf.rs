//! A small PDF writer for reports: pages of wrapped text in the kiosk's
//! fonts (subset and embedded, with a ToUnicode map so text can be searched
//! and copied in every language) and full-page images, written as PDF/A-2u
//! (archival: fonts and colour profile embedded, XMP metadata) and tagged
//! (a structure tree of title, headings, paragraphs and figures with their
//! text alternatives, in reading order; footers and rules are artifacts), so
//! it archives and reads aloud. The archival parts are in `pdfa.rs`.

use super::pdfa;
use super::text::{self, Face};
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str};
use std::collections::BTreeMap;

/// The paper a report is laid out for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    /// US Letter, 8.5 × 11 in: what US courts take.
    #[default]
    Letter,
    /// ISO A4.
    A4,
}

impl Paper {
    /// Width and height in points.
    pub fn size(self) -> (f32, f32) {
        match self {
            Paper::Letter => (612.0, 792.0),
            Paper::A4 => (595.0, 842.0),
        }
    }
}
const MARGIN: f32 = 50.0;

/// Why an image could not be placed.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("page image: {0}")]
    Image(#[from] image::ImageError),
    #[error("the report font could not be subset: {0}")]
    Font(String),
}

enum Item {
    /// Glyphs of one font at a baseline, part of structure block `block`
    /// (none: an artifact, such as a page footer).
    Run {
        x: f32,
        y: f32,
        size: f32,
        font: usize,
        glyphs: Vec<(u16, char)>,
        block: Option<usize>,
    },
    Image {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        image: usize,
        block: usize,
    },
    /// A rule: decoration, an artifact.
    Rule { y: f32 },
}

impl Item {
    fn block(&self) -> Option<usize> {
        match self {
            Item::Run { block, .. } => *block,
            Item::Image { block, .. } => Some(*block),
            Item::Rule { .. } => None,
        }
    }
}

/// What a block of the report is, for its structure tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Title,
    Heading,
    Paragraph,
    Figure,
}

/// One element of the structure tree: a title, heading, paragraph or
/// figure (with its text alternative), in reading order.
pub(super) struct Block {
    pub role: Role,
    pub alt: Option<String>,
}

struct Image {
    jpeg: Vec<u8>,
    width: u32,
    height: u32,
    gray: bool,
}

/// A document being laid out top to bottom.
pub struct Document {
    page_w: f32,
    page_h: f32,
    pages: Vec<Vec<Item>>,
    images: Vec<Image>,
    y: f32,
    footer: String,
    blocks: Vec<Block>,
    block: Option<usize>,
    meta: pdfa::Meta,
}

impl Document {
    /// An empty document; `footer` is printed at the foot of every page
    /// with the page number.
    pub fn new(footer: &str, paper: Paper) -> Document {
        let (page_w, page_h) = paper.size();
        Document {
            page_w,
            page_h,
            pages: vec![Vec::new()],
            images: Vec::new(),
            y: page_h - MARGIN,
            footer: footer.to_string(),
            blocks: Vec::new(),
            block: None,
            meta: pdfa::Meta::default(),
        }
    }

    /// The document's title (drawn as its first heading, and its title in
    /// the archive metadata), its language code (`vi`, `zh-Hans`) and when
    /// it was made (RFC 3339).
    pub fn title(&mut self, title: &str, lang: &str, created: &str) {
        self.meta = pdfa::Meta {
            title: title.to_string(),
            lang: lang.to_string(),
            created: created.to_string(),
        };
        self.begin(Role::Title, None);
        self.lines(Face::Bold, 18.0, 0.0, title);
    }

    /// Start the next block of the structure tree.
    fn begin(&mut self, role: Role, alt: Option<String>) {
        self.blocks.push(Block { role, alt });
        self.block = Some(self.blocks.len() - 1);
    }

    fn items(&mut self) -> &mut Vec<Item> {
        self.pages.last_mut().expect("a document has a page")
    }

    /// Start a new page.
    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.page_h - MARGIN;
    }

    fn need(&mut self, h: f32) {
        if self.y - h < MARGIN + 20.0 {
            self.new_page();
        }
    }

    /// One line of text at `x` on the current baseline.
    fn run(&mut self, x: f32, face: Face, size: f32, line: &str) {
        let items = runs(x, self.y, face, size, line, self.block);
        self.items().extend(items);
    }

    /// A paragraph wrapped to the text width, indented by `indent`.
    pub fn text(&mut self, face: Face, size: f32, indent: f32, s: &str) {
        self.begin(Role::Paragraph, None);
        self.lines(face, size, indent, s);
    }

    /// `s` wrapped to the text width, in the current block.
    fn lines(&mut self, face: Face, size: f32, indent: f32, s: &str) {
        let width = self.page_w - 2.0 * MARGIN - indent;
        for para in s.split('\n') {
            let lines = wrap(face, size, para, width);
            for line in if lines.is_empty() {
                vec![String::new()]
            } else {
                lines
            } {
                self.need(size * 1.4);
                self.y -= size * 1.25;
                self.run(MARGIN + indent, face, size, &line);
                self.y -= size * 0.15;
            }
        }
    }

    /// A heading with space above it.
    pub fn heading(&mut self, s: &str) {
        self.need(60.0);
        self.y -= 10.0;
        self.begin(Role::Heading, None);
        self.lines(Face::Bold, 13.0, 0.0, s);
        self.y -= 2.0;
    }

    /// `label: value` with the value wrapped beside the label column.
    pub fn fact(&mut self, label: &str, value: &str) {
        let size = 10.0;
        let col = 150.0;
        let lines = wrap(Face::Regular, size, value, self.page_w - 2.0 * MARGIN - col);
        let label_lines = wrap(Face::Bold, size, label, col - 8.0);
        let n = lines.len().max(label_lines.len()).max(1);
        self.need(size * 1.4 * n as f32);
        self.begin(Role::Paragraph, None);
        for i in 0..n {
            self.y -= size * 1.25;
            if let Some(l) = label_lines.get(i) {
                // A space after the label, so text read aloud or copied
                // does not run the label into its value.
                let l = if i + 1 == label_lines.len() {
                    format!("{l} ")
                } else {
                    l.clone()
                };
                self.run(MARGIN, Face::Bold, size, &l);
            }
            if let Some(v) = lines.get(i) {
                self.run(MARGIN + col, Face::Regular, size, v);
            }
            self.y -= size * 0.15;
        }
    }

    /// A thin line across the page.
    pub fn rule(&mut self) {
        self.need(10.0);
        self.y -= 6.0;
        let y = self.y;
        self.items().push(Item::Rule { y });
    }

    /// An image (PNG or JPEG) scaled to fit what is left of the page, on a
    /// new page when less than half a page is left; `alt` says what it is.
    pub fn image(&mut self, bytes: &[u8], alt: &str) -> Result<(), PdfError> {
        let decoded = image::load_from_memory(bytes)?;
        let (width, height) = (decoded.width(), decoded.height());
        let is_jpeg = image::guess_format(bytes).ok() == Some(image::ImageFormat::Jpeg);
        let gray = matches!(decoded.color(), image::ColorType::L8);
        let rgb_like = matches!(
            decoded.color(),
            image::ColorType::Rgb8 | image::ColorType::L8
        );
        // JPEGs go in as they are; anything else is re-encoded as JPEG.
        let jpeg = if is_jpeg && rgb_like {
            bytes.to_vec()
        } else {
            let mut out = Vec::new();
            let rgb = image::DynamicImage::ImageRgb8(decoded.to_rgb8());
            rgb.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
                &mut out, 88,
            ))?;
            out
        };
        let gray = gray && is_jpeg;
        if self.y - MARGIN < (self.page_h - 2.0 * MARGIN) / 2.0 {
            self.new_page();
        }
        let (max_w, max_h) = (self.page_w - 2.0 * MARGIN, self.y - MARGIN - 24.0);
        let scale = (max_w / width as f32).min(max_h / height as f32);
        let (w, h) = (width as f32 * scale, height as f32 * scale);
        self.images.push(Image {
            jpeg,
            width,
            height,
            gray,
        });
        let image = self.images.len() - 1;
        self.y -= h;
        let (x, y) = (MARGIN + (max_w - w) / 2.0, self.y);
        self.begin(Role::Figure, Some(alt.to_string()));
        let block = self.blocks.len() - 1;
        self.items().push(Item::Image {
            x,
            y,
            w,
            h,
            image,
            block,
        });
        Ok(())
    }

    /// The finished PDF.
    pub fn finish(mut self) -> Result<Vec<u8>, PdfError> {
        self.pages.retain(|p| !p.is_empty());
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        // Page footers.
        let total = self.pages.len();
        for (i, page) in self.pages.iter_mut().enumerate() {
            let line = format!("{} · {}/{total}", self.footer, i + 1);
            page.extend(runs(MARGIN, MARGIN - 20.0, Face::Regular, 8.0, &line, None));
        }
        // Glyphs used per font, renumbered for the subsets.
        let mut remappers: BTreeMap<usize, subsetter::GlyphRemapper> = BTreeMap::new();
        let mut chars: BTreeMap<usize, BTreeMap<u16, char>> = BTreeMap::new();
        for item in self.pages.iter().flatten() {
            if let Item::Run { font, glyphs, .. } = item {
                let r = remappers.entry(*font).or_default();
                let c = chars.entry(*font).or_default();
                for (gid, ch) in glyphs {
                    let new = r.remap(*gid);
                    c.entry(new).or_insert(*ch);
                }
            }
        }
        let mut pdf = Pdf::new();
        let mut next = 1;
        let mut alloc = || {
            let r = Ref::new(next);
            next += 1;
            r
        };
        let catalog = alloc();
        let tree = alloc();
        let page_refs: Vec<(Ref, Ref)> = self.pages.iter().map(|_| (alloc(), alloc())).collect();
        let mut font_refs: BTreeMap<usize, Ref> = BTreeMap::new();
        for (&font, remapper) in &remappers {
            let (data, ascent, descent) = text::font_file(font);
            let subset = subsetter::subset(data, 0, remapper)
                .map_err(|e| PdfError::Font(format!("{e:?}")))?;
            let (type0, cid, descriptor, file, cmap) =
                (alloc(), alloc(), alloc(), alloc(), alloc());
            font_refs.insert(font, type0);
            // A subset's name: a six-letter tag, `+`, the font's name.
            let name = format!(
                "THRSA{}+{}",
                char::from(b'A' + font as u8),
                text::font_name(font)
            );
            let base = Name(name.as_bytes());
            pdf.type0_font(type0)
                .base_font(base)
                .encoding_predefined(Name(b"Identity-H"))
                .descendant_font(cid)
                .to_unicode(cmap);
            let mut widths = Vec::new();
            for old in remapper.remapped_gids() {
                widths.push(text::advance(font, old) * 1000.0);
            }
            let mut cidf = pdf.cid_font(cid);
            cidf.subtype(CidFontType::Type2)
                .base_font(base)
                .system_info(SystemInfo {
                    registry: Str(b"Adobe"),
                    ordering: Str(b"Identity"),
                    supplement: 0,
                })
                .font_descriptor(descriptor)
                .default_width(0.0)
                .cid_to_gid_map_predefined(Name(b"Identity"));
            cidf.widths().consecutive(0, widths);
            cidf.finish();
            pdf.font_descriptor(descriptor)
                .name(base)
                .flags(FontFlags::NON_SYMBOLIC)
                .bbox(Rect::new(-300.0, descent * 1000.0, 1300.0, ascent * 1000.0))
                .italic_angle(0.0)
                .ascent(ascent * 1000.0)
                .descent(descent * 1000.0)
                .cap_height(ascent * 700.0)
                .stem_v(80.0)
                .font_file2(file);
            pdf.stream(file, &subset)
                .pair(Name(b"Length1"), subset.len() as i32);
            let mut map = UnicodeCmap::new(
                Name(b"Threshold-UCS"),
                SystemInfo {
                    registry: Str(b"Adobe"),
                    ordering: Str(b"UCS"),
                    supplement: 0,
                },
            );
            for (new, ch) in &chars[&font] {
                map.pair(*new, *ch);
            }
            let map = map.finish();
            pdf.cmap(cmap, map.as_slice());
        }
        let mut image_refs = Vec::new();
        for img in &self.images {
            let r = alloc();
            let mut x = pdf.image_xobject(r, &img.jpeg);
            x.filter(Filter::DctDecode);
            x.width(img.width as i32)
                .height(img.height as i32)
                .bits_per_component(8);
            if img.gray {
                x.color_space().device_gray();
            } else {
                x.color_space().device_rgb();
            }
            x.finish();
            image_refs.push(r);
        }
        // Where each block's marked content is: (page, MCID), in order.
        let mut marks: Vec<Vec<(usize, i32)>> = self.blocks.iter().map(|_| Vec::new()).collect();
        for (index, page) in self.pages.iter().enumerate() {
            let (page_ref, content_ref) = page_refs[index];
            let mut c = Content::new();
            let mut open: Option<Option<usize>> = None;
            let mut mcid = 0;
            for item in page {
                let block = item.block();
                if open != Some(block) {
                    if open.is_some() {
                        c.end_marked_content();
                    }
                    match block {
                        Some(b) => {
                            c.begin_marked_content_with_properties(
                                pdfa::struct_role(self.blocks[b].role).to_name(),
                            )
                            .properties()
                            .identify(mcid);
                            marks[b].push((index, mcid));
                            mcid += 1;
                        }
                        None => {
                            c.begin_marked_content(Name(b"Artifact"));
                        }
                    }
                    open = Some(block);
                }
                match item {
                    Item::Run {
                        x,
                        y,
                        size,
                        font,
                        glyphs,
                        ..
                    } => {
                        let r = &remappers[font];
                        let bytes: Vec<u8> = glyphs
                            .iter()
                            .flat_map(|(gid, _)| r.get(*gid).unwrap_or(0).to_be_bytes())
                            .collect();
                        c.begin_text();
                        c.set_font(Name(format!("F{font}").as_bytes()), *size);
                        c.next_line(*x, *y);
                        c.show(Str(&bytes));
                        c.end_text();
                    }
                    Item::Image {
                        x, y, w, h, image, ..
                    } => {
                        c.save_state();
                        c.transform([*w, 0.0, 0.0, *h, *x, *y]);
                        c.x_object(Name(format!("Im{image}").as_bytes()));
                        c.restore_state();
                    }
                    Item::Rule { y } => {
                        c.set_line_width(0.5);
                        c.move_to(MARGIN, *y);
                        c.line_to(self.page_w - MARGIN, *y);
                        c.stroke();
                    }
                }
            }
            if open.is_some() {
                c.end_marked_content();
            }
            let content = c.finish();
            let mut p = pdf.page(page_ref);
            p.media_box(Rect::new(0.0, 0.0, self.page_w, self.page_h))
                .parent(tree)
                .contents(content_ref)
                .struct_parents(index as i32);
            let mut res = p.resources();
            let mut fonts = res.fonts();
            for (font, r) in &font_refs {
                fonts.pair(Name(format!("F{font}").as_bytes()), *r);
            }
            fonts.finish();
            let mut xo = res.x_objects();
            for (i, r) in image_refs.iter().enumerate() {
                xo.pair(Name(format!("Im{i}").as_bytes()), *r);
            }
            xo.finish();
            res.finish();
            p.finish();
            pdf.stream(content_ref, content.as_slice());
        }
        pdf.pages(tree)
            .kids(page_refs.iter().map(|p| p.0))
            .count(page_refs.len() as i32);
        let pages: Vec<Ref> = page_refs.iter().map(|p| p.0).collect();
        let archive = pdfa::write(
            &mut pdf,
            &mut alloc,
            &self.meta,
            &self.blocks,
            &marks,
            &pages,
        );
        let mut cat = pdf.catalog(catalog);
        cat.pages(tree);
        archive.catalog(&mut cat, &self.meta);
        cat.finish();
        Ok(pdf.finish())
    }
}

/// `s` in points at `size` (advances per em, as the PDF draws them).
fn width(face: Face, size: f32, s: &str) -> f32 {
    s.chars().map(|c| text::glyph(face, c).2 * size).sum()
}

fn wrap(face: Face, size: f32, s: &str, max: f32) -> Vec<String> {
    text::wrap_with(s, max, |t| width(face, size, t))
}

/// The text items drawing `line` from `(x, y)`, one per font run.
fn runs(x: f32, y: f32, face: Face, size: f32, line: &str, block: Option<usize>) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::new();
    let mut pen = x;
    for c in line.chars() {
        let (mut font, mut gid, mut adv) = text::glyph(face, c);
        // A character no bundled font has prints as "?": PDF/A forbids
        // drawing the missing-glyph box.
        let c = if gid == 0 && !c.is_whitespace() {
            (font, gid, adv) = text::glyph(face, '?');
            '?'
        } else {
            c
        };
        match out.last_mut() {
            Some(Item::Run {
                font: f, glyphs, ..
            }) if *f == font => glyphs.push((gid, c)),
            _ => out.push(Item::Run {
                x: pen,
                y,
                size,
                font,
                glyphs: vec![(gid, c)],
                block,
            }),
        }
        pen += adv * size;
    }
    out
}
