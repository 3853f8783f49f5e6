//! Does every piece of text on the screen have room? Walks the items of a
//! shown window and measures each visible text with the renderer's own
//! fonts: a text whose box is smaller than its words need spills over its
//! neighbours (or is clipped), and two texts whose drawn areas cross
//! overlap. `threshold screenshot --check-fit` and the screen tests use it;
//! the layout's minimum size alone misses both, because a layout squeezed
//! below its minimum still hands every child a box, just too small a one.
//!
//! Reads Slint's item tree through `i-slint-core` (pinned with Slint).

use i_slint_core::api::Window;
use i_slint_core::item_tree::{ItemRc, ParentItemTraversalMode};
use i_slint_core::items::{
    BasicBorderRectangle, BorderRectangle, ComplexText, Flickable, Item, Orientation, Rectangle,
    SimpleText, TextHorizontalAlignment, TextVerticalAlignment,
};
use i_slint_core::window::{WindowAdapter, WindowInner};
use std::ops::ControlFlow;
use std::rc::Rc;

/// Slack for rounding: layouts place items on whole pixels.
const SLACK: f32 = 1.5;

/// A rectangle in window coordinates (logical pixels).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

impl Rect {
    /// Whether both rectangles cover more than a sliver in common.
    fn crosses(&self, other: &Rect) -> bool {
        self.intersection(other)
            .is_some_and(|r| r.width > SLACK && r.height > SLACK)
    }

    fn intersection(&self, other: &Rect) -> Option<Rect> {
        let x = self.x.max(other.x);
        let y = self.y.max(other.y);
        let width = (self.x + self.width).min(other.x + other.width) - x;
        let height = (self.y + self.height).min(other.y + other.height) - y;
        (width > 0.0 && height > 0.0).then_some(Rect {
            x,
            y,
            width,
            height,
        })
    }
}

/// One visible text: what it says, its box, and where its glyphs go.
#[derive(Debug, Clone)]
pub struct Placed {
    pub text: String,
    /// The box the layout gave it.
    pub bounds: Rect,
    /// Where it draws: the box grown to what the words need, following
    /// the text's alignment.
    pub drawn: Rect,
    /// The part of `drawn` that shows: a scrolling area or another
    /// clipping parent cuts off the rest. None when nothing shows.
    pub shown: Option<Rect>,
    /// The nearest box around it that is drawn (a card, a button, a
    /// banner: a background or a border), inside the same scrolling area.
    pub frame: Option<Rect>,
    /// The whole content of the scrolling area it is in, scrolled or not:
    /// text beyond it can never be scrolled to.
    pub scrollable: Option<Rect>,
}

impl Placed {
    fn spills(&self) -> bool {
        self.drawn.width > self.bounds.width + SLACK
            || self.drawn.height > self.bounds.height + SLACK
    }

    fn cut_off(&self) -> bool {
        self.scrollable.is_some_and(|a| {
            self.drawn.y + self.drawn.height > a.y + a.height + SLACK
                || self.drawn.x + self.drawn.width > a.x + a.width + SLACK
        })
    }

    fn out_of_frame(&self) -> bool {
        let (Some(f), Some(d)) = (self.frame, self.shown) else {
            return false;
        };
        d.x < f.x - SLACK
            || d.y < f.y - SLACK
            || d.x + d.width > f.x + f.width + SLACK
            || d.y + d.height > f.y + f.height + SLACK
    }
}

/// What the check found wrong.
#[derive(Debug, Clone)]
pub enum Misfit {
    /// The text needs more room than its box: it runs over what is next
    /// to it or is cut off.
    Spills(Placed),
    /// Two texts draw over each other.
    Overlap(Placed, Placed),
    /// The text runs out of the card, button or banner it is in, over
    /// whatever is next to it.
    OutOfFrame(Placed),
    /// The text runs past the end of its scrolling area: no scrolling
    /// reaches it.
    CutOff(Placed),
}

impl std::fmt::Display for Misfit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Misfit::Spills(p) => write!(
                f,
                "“{}” needs {:.0}x{:.0} px but has {:.0}x{:.0} at ({:.0}, {:.0})",
                short(&p.text),
                p.drawn.width,
                p.drawn.height,
                p.bounds.width,
                p.bounds.height,
                p.bounds.x,
                p.bounds.y
            ),
            Misfit::OutOfFrame(p) => {
                let frame = p.frame.unwrap_or(p.bounds);
                write!(
                    f,
                    "“{}” is drawn from y {:.0} to {:.0}, x {:.0} to {:.0}, out of its box ({:.0}..{:.0}, {:.0}..{:.0})",
                    short(&p.text),
                    p.drawn.y,
                    p.drawn.y + p.drawn.height,
                    p.drawn.x,
                    p.drawn.x + p.drawn.width,
                    frame.y,
                    frame.y + frame.height,
                    frame.x,
                    frame.x + frame.width
                )
            }
            Misfit::CutOff(p) => {
                let area = p.scrollable.unwrap_or(p.bounds);
                write!(
                    f,
                    "“{}” is drawn to y {:.0} but the screen's content ends at {:.0}: it is cut off",
                    short(&p.text),
                    p.drawn.y + p.drawn.height,
                    area.y + area.height
                )
            }
            Misfit::Overlap(a, b) => write!(
                f,
                "“{}” at ({:.0}, {:.0}) is drawn over “{}” at ({:.0}, {:.0})",
                short(&a.text),
                a.drawn.x,
                a.drawn.y,
                short(&b.text),
                b.drawn.x,
                b.drawn.y
            ),
        }
    }
}

fn short(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    let mut s: String = line.chars().take(40).collect();
    if s.chars().count() < text.chars().count() {
        s.push('…');
    }
    s
}

/// Every visible, non-empty text in the window, measured.
pub fn texts(window: &Window) -> Vec<Placed> {
    let inner = WindowInner::from_pub(window);
    let adapter = inner.window_adapter();
    let root = ItemRc::new_root(inner.component());
    let mut found = Vec::new();
    root.visit_descendants(|item| {
        if item.is_visible() {
            if let Some(p) = measure(item, &adapter) {
                found.push(p);
            }
        }
        ControlFlow::<()>::Continue(())
    });
    found
}

/// Everything that does not fit: texts that spill out of their box, then
/// pairs of texts drawn over each other.
pub fn misfits(window: &Window) -> Vec<Misfit> {
    check(&texts(window))
}

/// The check on already measured texts.
pub fn check(texts: &[Placed]) -> Vec<Misfit> {
    let mut found: Vec<Misfit> = Vec::new();
    for p in texts {
        if p.spills() {
            found.push(Misfit::Spills(p.clone()));
        } else if p.cut_off() {
            found.push(Misfit::CutOff(p.clone()));
        } else if p.out_of_frame() {
            found.push(Misfit::OutOfFrame(p.clone()));
        }
    }
    for (i, a) in texts.iter().enumerate() {
        for b in &texts[i + 1..] {
            if let (Some(sa), Some(sb)) = (a.shown, b.shown) {
                if !sa.crosses(&sb) {
                    continue;
                }
                found.push(Misfit::Overlap(a.clone(), b.clone()));
            }
        }
    }
    found
}

/// The nearest ancestor that draws a box (a background or a border), up to
/// the scrolling area the item is in.
fn frame_of(item: &ItemRc) -> Option<Rect> {
    let mut cur = item.parent_item(ParentItemTraversalMode::StopAtPopups);
    while let Some(ancestor) = cur {
        if ancestor.downcast::<Flickable>().is_some() {
            return None;
        }
        let drawn = if let Some(r) = ancestor.downcast::<Rectangle>() {
            !r.as_pin_ref().background().is_transparent()
        } else if let Some(r) = ancestor.downcast::<BasicBorderRectangle>() {
            let r = r.as_pin_ref();
            !r.background().is_transparent() || r.border_width().get() > 0.0
        } else if let Some(r) = ancestor.downcast::<BorderRectangle>() {
            let r = r.as_pin_ref();
            !r.background().is_transparent() || r.border_width().get() > 0.0
        } else {
            false
        };
        if drawn {
            let g = ancestor.geometry();
            let at = ancestor.map_to_window(g.origin);
            return Some(Rect {
                x: at.x,
                y: at.y,
                width: g.size.width,
                height: g.size.height,
            });
        }
        cur = ancestor.parent_item(ParentItemTraversalMode::StopAtPopups);
    }
    None
}

/// The content of the nearest scrolling area around `item`, in window
/// coordinates (where it is scrolled to now).
fn scrollable_of(item: &ItemRc) -> Option<Rect> {
    let mut cur = item.parent_item(ParentItemTraversalMode::StopAtPopups);
    while let Some(ancestor) = cur {
        if let Some(f) = ancestor.downcast::<Flickable>() {
            let f = f.as_pin_ref();
            let g = ancestor.geometry();
            let at = ancestor.map_to_window(g.origin);
            return Some(Rect {
                x: at.x + f.content_x().get(),
                y: at.y + f.content_y().get(),
                width: f.content_width().get(),
                height: f.content_height().get(),
            });
        }
        cur = ancestor.parent_item(ParentItemTraversalMode::StopAtPopups);
    }
    None
}

/// The window area an item's clipping ancestors (scrolling areas, clipped
/// rectangles) leave it.
fn clip_of(item: &ItemRc) -> Option<Rect> {
    let mut clip: Option<Rect> = None;
    let mut cur = item.parent_item(ParentItemTraversalMode::StopAtPopups);
    while let Some(ancestor) = cur {
        if ancestor.borrow().as_ref().clips_children() {
            let g = ancestor.geometry();
            let at = ancestor.map_to_window(g.origin);
            let r = Rect {
                x: at.x,
                y: at.y,
                width: g.size.width,
                height: g.size.height,
            };
            clip = Some(match clip {
                None => r,
                Some(c) => c.intersection(&r)?,
            });
        }
        cur = ancestor.parent_item(ParentItemTraversalMode::StopAtPopups);
    }
    clip
}

struct Shape {
    text: String,
    halign: TextHorizontalAlignment,
    valign: TextVerticalAlignment,
    min_width: f32,
    height_at_width: f32,
}

fn shape<T: Item>(
    item: std::pin::Pin<&T>,
    rc: &ItemRc,
    adapter: &Rc<dyn WindowAdapter>,
    text: String,
    halign: TextHorizontalAlignment,
    valign: TextVerticalAlignment,
) -> Shape {
    let width = rc.geometry().size.width;
    let min_width = item
        .layout_info(Orientation::Horizontal, -1.0, adapter, rc)
        .min;
    let height_at_width = item
        .layout_info(Orientation::Vertical, width.max(min_width), adapter, rc)
        .min;
    Shape {
        text,
        halign,
        valign,
        min_width,
        height_at_width,
    }
}

fn measure(item: &ItemRc, adapter: &Rc<dyn WindowAdapter>) -> Option<Placed> {
    // Slint draws text with two item types; both are measured alike.
    macro_rules! shape_of {
        ($t:ty) => {
            item.downcast::<$t>().map(|t| {
                let t = t.as_pin_ref();
                shape(
                    t,
                    item,
                    adapter,
                    t.text().to_string(),
                    t.horizontal_alignment(),
                    t.vertical_alignment(),
                )
            })
        };
    }
    let shape = shape_of!(SimpleText).or_else(|| shape_of!(ComplexText))?;
    if shape.text.trim().is_empty() {
        return None;
    }
    let g = item.geometry();
    let at = item.map_to_window(g.origin);
    let bounds = Rect {
        x: at.x,
        y: at.y,
        width: g.size.width,
        height: g.size.height,
    };
    let width = bounds.width.max(shape.min_width);
    let height = bounds.height.max(shape.height_at_width);
    let (extra_w, extra_h) = (width - bounds.width, height - bounds.height);
    let x = match shape.halign {
        TextHorizontalAlignment::Center => bounds.x - extra_w / 2.0,
        TextHorizontalAlignment::Right => bounds.x - extra_w,
        _ => bounds.x,
    };
    let y = match shape.valign {
        TextVerticalAlignment::Center => bounds.y - extra_h / 2.0,
        TextVerticalAlignment::Bottom => bounds.y - extra_h,
        _ => bounds.y,
    };
    let drawn = Rect {
        x,
        y,
        width,
        height,
    };
    let shown = match clip_of(item) {
        None => Some(drawn),
        Some(clip) => drawn.intersection(&clip),
    };
    Some(Placed {
        text: shape.text,
        bounds,
        drawn,
        shown,
        frame: frame_of(item),
        scrollable: scrollable_of(item),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placed(text: &str, bounds: Rect, drawn: Rect) -> Placed {
        Placed {
            text: text.into(),
            bounds,
            drawn,
            shown: Some(drawn),
            frame: None,
            scrollable: None,
        }
    }

    fn r(x: f32, y: f32, width: f32, height: f32) -> Rect {
        Rect {
            x,
            y,
            width,
            height,
        }
    }

    #[test]
    fn side_by_side_texts_fit_and_crossing_ones_do_not() {
        let a = placed("Acknowledge", r(0., 0., 100., 40.), r(0., 0., 100., 40.));
        let b = placed("Counsel", r(0., 40., 100., 40.), r(0., 40., 100., 40.));
        assert!(check(&[a.clone(), b]).is_empty());
        // The first text needs 70 px of height in a 40 px box: it spills
        // into the second.
        let tall = placed("Acknowledge", r(0., 0., 100., 40.), r(0., 0., 100., 70.));
        let b = placed("Counsel", r(0., 40., 100., 40.), r(0., 40., 100., 40.));
        let found = check(&[tall, b]);
        assert!(matches!(found[0], Misfit::Spills(_)), "{found:?}");
        assert!(matches!(found[1], Misfit::Overlap(_, _)), "{found:?}");
        assert!(found[1].to_string().contains("is drawn over “Counsel”"));
        // Touching edges are not an overlap.
        let c = placed("x", r(100., 0., 50., 40.), r(100., 0., 50., 40.));
        assert!(check(&[a, c]).is_empty());
    }
}
