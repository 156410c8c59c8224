//! Byte offset ↔ line/column conversion.

/// 1-based line, 1-based column counted in Unicode scalar values, and the
/// 0-based UTF-16 column (what the Language Server Protocol wants).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
    pub utf16_column: u32,
}

/// Start offsets of every line, computed once per file.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<u32>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i as u32 + 1),
        );
        LineIndex { line_starts }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based line containing `offset`.
    pub fn line_of(&self, offset: u32) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    pub fn line_start(&self, line: usize) -> u32 {
        self.line_starts[line]
    }

    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let offset = offset.min(text.len() as u32);
        let line = self.line_of(offset);
        let start = self.line_starts[line] as usize;
        let mut end = offset as usize;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let prefix = &text[start..end];
        LineCol {
            line: line as u32 + 1,
            column: prefix.chars().count() as u32 + 1,
            utf16_column: prefix.encode_utf16().count() as u32,
        }
    }

    /// Byte offset of a 0-based line and UTF-16 column (LSP positions).
    pub fn offset_of_utf16(&self, text: &str, line: u32, utf16_col: u32) -> u32 {
        let Some(&start) = self.line_starts.get(line as usize) else {
            return text.len() as u32;
        };
        let mut units = 0;
        for (i, c) in text[start as usize..].char_indices() {
            if units >= utf16_col || c == '\n' {
                return start + i as u32;
            }
            units += c.len_utf16() as u32;
        }
        text.len() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters() {
        let text = "ab\né x\n";
        let index = LineIndex::new(text);
        let lc = index.line_col(text, 6);
        assert_eq!((lc.line, lc.column, lc.utf16_column), (2, 3, 2));
        assert_eq!(index.offset_of_utf16(text, 1, 2), 6);
    }
}
