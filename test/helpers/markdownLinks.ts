/**
 * The relative links of a Markdown page and whether each resolves: to a file under a root, and to a
 * heading of that file when it names one. Used on the repository (test/docs/) and on the installed
 * package (test/package/), so a link is judged the same way wherever the page is read.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** GitHub's heading anchor: lower case, punctuation dropped, spaces as hyphens. */
function anchor(heading: string): string {
    return heading
        .trim()
        .toLowerCase()
        .replace(/`/g, "")
        .replace(/[^\p{L}\p{N}\s_-]/gu, "")
        .replace(/\s/g, "-");
}

/** The anchors of a Markdown file's headings (outside code blocks), numbered as GitHub numbers repeats. */
function anchorsOf(text: string): Set<string> {
    const seen = new Map<string, number>();
    const anchors = new Set<string>();
    let fenced = false;
    for (const line of text.split("\n")) {
        if (line.startsWith("```")) {
            fenced = !fenced;
        }
        const heading = fenced ? null : /^#{1,6} (.+)$/.exec(line);
        if (heading !== null) {
            const base = anchor(heading[1]);
            const count = seen.get(base) ?? 0;
            anchors.add(count === 0 ? base : `${base}-${count}`);
            seen.set(base, count + 1);
        }
    }
    return anchors;
}

/** One relative link of a page: the file it names (relative to the root) and its heading, if any. */
export interface RelativeLink {
    readonly target: string;
    readonly file: string;
    readonly fragment?: string;
}

/** The relative links of `page` (relative to `root`); code (fenced blocks, inline spans) shows link syntax rather than linking. */
export function relativeLinks(root: string, page: string): RelativeLink[] {
    const text = fs
        .readFileSync(path.join(root, page), "utf8")
        .replace(/^\s*```[\s\S]*?^\s*```/gm, "")
        .replace(/`[^`\n]*`/g, "");
    return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
        .map(([, target]) => target)
        .filter((target) => !/^[a-z]+:/.test(target))
        .map((target) => {
            const [file, fragment] = target.split("#");
            return {
                target,
                file: file === "" ? page : path.join(path.dirname(page), file),
                ...(fragment !== undefined ? { fragment } : {}),
            };
        });
}

/** Why `link` does not resolve under `root`, or `undefined` when it does. */
export function brokenLink(root: string, link: RelativeLink): string | undefined {
    const file = path.join(root, link.file);
    if (!fs.existsSync(file)) {
        return `${link.target}: no file ${link.file}`;
    }
    if (link.fragment !== undefined && link.file.endsWith(".md") && !anchorsOf(fs.readFileSync(file, "utf8")).has(link.fragment)) {
        return `${link.target}: no heading #${link.fragment} in ${link.file}`;
    }
    return undefined;
}

/** README.md and every page of docs/ under `root`. */
export function markdownPages(root: string): string[] {
    const docs = fs
        .readdirSync(path.join(root, "docs"))
        .filter((file) => file.endsWith(".md"))
        .map((file) => `docs/${file}`);
    return ["README.md", ...docs.sort()];
}
