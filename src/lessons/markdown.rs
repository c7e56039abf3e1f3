//! The lessons' restricted Markdown: headings (`###`), paragraphs, emphasis (`*a*`,
//! `**a**`), inline code (`` `a` ``), inline math (`$a$`, shown as text in a math
//! style), bulleted and numbered lists, and fenced code blocks. Nothing else: raw HTML is
//! never interpreted (the page shows text as text), and [`html_like`] lets the validator
//! refuse it outright.

/// A run of inline text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// `*emphasis*`.
    Emph(String),
    /// `**strong**`.
    Strong(String),
    /// `` `code` ``.
    Code(String),
    /// `$math$`, written as text (`w * x + b`), shown in a math style.
    Math(String),
}

/// A block of a lesson's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// A heading: its level (1 to 3) and text.
    Heading(u8, Vec<Inline>),
    /// A paragraph.
    Para(Vec<Inline>),
    /// A list: numbered or not, one inline run per item.
    List(bool, Vec<Vec<Inline>>),
    /// A fenced code block.
    Code(String),
}

/// Splits `line` into inline runs. An opening marker without its closing one is text.
pub fn inline(line: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        let marker = if rest.starts_with("**") {
            Some(("**", 2))
        } else if matches!(c, '*' | '`' | '$') {
            Some((&rest[..1], 1))
        } else {
            None
        };
        if let Some((m, len)) = marker {
            if let Some(end) = rest[len..].find(m).filter(|&e| e > 0) {
                let inner = rest[len..len + end].to_string();
                if !text.is_empty() {
                    out.push(Inline::Text(std::mem::take(&mut text)));
                }
                out.push(match m {
                    "**" => Inline::Strong(inner),
                    "*" => Inline::Emph(inner),
                    "`" => Inline::Code(inner),
                    _ => Inline::Math(inner),
                });
                rest = &rest[len + end + len..];
                continue;
            }
        }
        text.push(c);
        rest = &rest[c.len_utf8()..];
    }
    if !text.is_empty() {
        out.push(Inline::Text(text));
    }
    out
}

/// The item text of a list line (`- a`, `* a`, `1. a`) and whether it is numbered.
fn list_item(line: &str) -> Option<(bool, &str)> {
    let t = line.trim_start();
    if let Some(r) = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
        return Some((false, r));
    }
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 {
        if let Some(r) = t[digits..].strip_prefix(". ") {
            return Some((true, r));
        }
    }
    None
}

/// Parses `text` into blocks. Paragraph lines are joined with a space, except between
/// two CJK characters (Chinese is written without spaces).
pub fn parse(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut list: Option<(bool, Vec<Vec<Inline>>)> = None;
    let mut code: Option<Vec<&str>> = None;
    let flush = |para: &mut Vec<&str>,
                 list: &mut Option<(bool, Vec<Vec<Inline>>)>,
                 blocks: &mut Vec<Block>| {
        if !para.is_empty() {
            blocks.push(Block::Para(inline(&join_lines(para))));
            para.clear();
        }
        if let Some((numbered, items)) = list.take() {
            blocks.push(Block::List(numbered, items));
        }
    };
    for line in text.lines() {
        if let Some(lines) = code.as_mut() {
            if line.trim_start().starts_with("```") {
                blocks.push(Block::Code(lines.join("\n")));
                code = None;
            } else {
                lines.push(line);
            }
            continue;
        }
        let t = line.trim();
        if t.starts_with("```") {
            flush(&mut para, &mut list, &mut blocks);
            code = Some(Vec::new());
        } else if t.is_empty() {
            flush(&mut para, &mut list, &mut blocks);
        } else if let Some(level) = heading_level(t) {
            flush(&mut para, &mut list, &mut blocks);
            let body = t[level as usize..].trim();
            blocks.push(Block::Heading(level, inline(body)));
        } else if let Some((numbered, item)) = list_item(line) {
            if !para.is_empty() || list.as_ref().is_some_and(|(n, _)| *n != numbered) {
                flush(&mut para, &mut list, &mut blocks);
            }
            list.get_or_insert((numbered, Vec::new()))
                .1
                .push(inline(item.trim()));
        } else if let Some((_, items)) = list.as_mut().filter(|_| line.starts_with("  ")) {
            // A continuation line of the last item.
            if let Some(last) = items.last_mut() {
                last.push(Inline::Text(" ".into()));
                last.extend(inline(t));
            }
        } else {
            if list.is_some() {
                flush(&mut para, &mut list, &mut blocks);
            }
            para.push(t);
        }
    }
    if let Some(lines) = code {
        blocks.push(Block::Code(lines.join("\n")));
    }
    flush(&mut para, &mut list, &mut blocks);
    blocks
}

/// `#`, `##` or `###` followed by a space: the heading's level.
fn heading_level(t: &str) -> Option<u8> {
    let hashes = t.chars().take_while(|&c| c == '#').count();
    (1..=3)
        .contains(&hashes)
        .then_some(())
        .filter(|_| t[hashes..].starts_with(' '))
        .map(|_| hashes as u8)
}

/// True for a character of a CJK script (or CJK punctuation).
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xFF00..=0xFFEF)
}

/// Joins paragraph lines: a space between them, none between two CJK characters.
fn join_lines(lines: &[&str]) -> String {
    let mut s = String::new();
    for l in lines {
        let glue = match (s.chars().last(), l.chars().next()) {
            (Some(a), Some(b)) => !(is_cjk(a) || is_cjk(b)),
            _ => false,
        };
        if glue {
            s.push(' ');
        }
        s.push_str(l);
    }
    s
}

/// True when `text` holds something that looks like an HTML tag or entity outside code:
/// lessons never carry raw HTML.
pub fn html_like(text: &str) -> bool {
    let mut in_fence = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        let outside_code: String = line.split('`').step_by(2).collect();
        let bytes = outside_code.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            let next = bytes.get(i + 1).copied().unwrap_or(b' ');
            if b == b'<' && (next.is_ascii_alphabetic() || next == b'/' || next == b'!') {
                return true;
            }
            if b == b'&' && next.is_ascii_alphabetic() && outside_code[i..].contains(';') {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_markers() {
        assert_eq!(
            inline("a *b* **c** `d` $e$ f*"),
            vec![
                Inline::Text("a ".into()),
                Inline::Emph("b".into()),
                Inline::Text(" ".into()),
                Inline::Strong("c".into()),
                Inline::Text(" ".into()),
                Inline::Code("d".into()),
                Inline::Text(" ".into()),
                Inline::Math("e".into()),
                Inline::Text(" f*".into()),
            ]
        );
    }

    #[test]
    fn blocks() {
        let b = parse("### T\n\none\ntwo\n\n- a\n- b\n\n1. c\n\n```\nx < y\n```\n中文\n句子");
        assert_eq!(b[0], Block::Heading(3, vec![Inline::Text("T".into())]));
        assert_eq!(b[1], Block::Para(vec![Inline::Text("one two".into())]));
        assert!(matches!(&b[2], Block::List(false, items) if items.len() == 2));
        assert!(matches!(&b[3], Block::List(true, items) if items.len() == 1));
        assert_eq!(b[4], Block::Code("x < y".into()));
        assert_eq!(b[5], Block::Para(vec![Inline::Text("中文句子".into())]));
    }

    #[test]
    fn html_is_noticed_outside_code_only() {
        assert!(html_like("a <b>bold</b>"));
        assert!(html_like("&amp;"));
        assert!(!html_like("x < 3 and `<b>`"));
        assert!(!html_like("```\n<div>\n```"));
    }
}
