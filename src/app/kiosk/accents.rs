//! The keyboard's accent keys: each puts a mark on the letter before it
//! (Spanish á ñ ü, Vietnamese ă â ê ô ơ ư with their five tones, stacked
//! as in ấ or ợ), composed to one precomposed letter.

use unicode_normalization::UnicodeNormalization;

/// The combining marks, in key order: acute, grave, hook above, tilde,
/// dot below, circumflex, breve, horn, diaeresis.
pub const MARKS: [char; 9] = [
    '\u{301}', '\u{300}', '\u{309}', '\u{303}', '\u{323}', '\u{302}', '\u{306}', '\u{31B}',
    '\u{308}',
];

/// What each accent key would make of `last` (the letter before the
/// cursor), or `None` where the mark does not go on it.
pub fn previews(last: Option<char>) -> Vec<Option<char>> {
    MARKS
        .iter()
        .map(|m| last.and_then(|c| compose(c, *m)))
        .collect()
}

/// `c` with `mark`, when that is one precomposed letter.
pub fn compose(c: char, mark: char) -> Option<char> {
    if !c.is_alphabetic() {
        return None;
    }
    let mut s = [c, mark].into_iter().nfc();
    match (s.next(), s.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// Put accent `index` on the last letter of `text`; false when it does not go.
pub fn apply(text: &mut String, index: usize) -> bool {
    let (Some(mark), Some(last)) = (MARKS.get(index), text.chars().last()) else {
        return false;
    };
    match compose(last, *mark) {
        Some(composed) => {
            text.pop();
            text.push(composed);
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_compose_into_spanish_and_vietnamese_letters() {
        let mut s = String::from("Jose");
        assert!(apply(&mut s, 0));
        assert_eq!(s, "José");
        let mut s = String::from("Nguyen");
        // e + circumflex + dot below: ệ
        s.pop();
        s.pop();
        s.push('e');
        assert!(apply(&mut s, 5));
        assert!(apply(&mut s, 4));
        s.push('n');
        assert_eq!(s, "Nguyện");
        let mut s = String::from("o");
        assert!(apply(&mut s, 7)); // horn
        assert!(apply(&mut s, 4)); // dot below
        assert_eq!(s, "ợ");
        let mut s = String::from("n");
        assert!(apply(&mut s, 3));
        assert_eq!(s, "ñ");
        // Nothing to put a mark on: unchanged.
        let mut s = String::from("4");
        assert!(!apply(&mut s, 0));
        assert!(!apply(&mut String::new(), 0));
        assert_eq!(previews(Some('u'))[7], Some('ư'));
        assert_eq!(previews(Some('b'))[0], None);
    }
}
