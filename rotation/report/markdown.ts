/**
 * Text in a Markdown document (the GitHub job summary) that renders as the text itself: no
 * emphasis, link, image, autolink, HTML tag, entity, table cell break or emoji code. Gateway
 * names, messages and errors come partly from elsewhere (an event, the engine, Azure), and a
 * gateway named `<img src=x>` or `[x](https://…)` must show as those characters.
 */

/** Each character GitHub's Markdown (CommonMark with GFM) could read as markup, and what stands for it. */
function escapeOne(char: string): string {
    switch (char) {
        // Entities, not backslashes: CommonMark keeps a backslash in raw HTML, where `\<` still opens a tag.
        case "&":
            return "&amp;";
        case "<":
            return "&lt;";
        case ">":
            return "&gt;";
        // A line break would end a table row, or the paragraph.
        case "\r\n":
        case "\r":
        case "\n":
        case "\u0085":
        case "\u2028":
        case "\u2029":
            return " ";
        default:
            // Any other ASCII punctuation: CommonMark (spec 2.4) makes a backslash-escaped one literal.
            return `\\${char}`;
    }
}

/** ASCII punctuation (CommonMark's definition), and line breaks. */
const MARKUP = /\r\n|[\r\n\u0085\u2028\u2029]|[!-/:-@[-`{-~]/g;

/** `text` escaped to render as itself in Markdown, on one line; linear in `text`. */
export function markdownText(text: string): string {
    return text.replace(MARKUP, escapeOne);
}
