/**
 * CI runners read commands from a job's log: GitHub Actions executes workflow commands, a line
 * starting with `::name ...::` (`::add-mask::`, `::stop-commands::`, `::set-output::` ...), and
 * Azure Pipelines executes logging commands, `##vso[...]`, and formats `##[...]`, wherever they
 * appear in a line. Whatever the rotation prints comes partly from elsewhere (engine output,
 * Kubernetes events, event payloads, messages echoed in errors), so none of it may be a command:
 * each is broken with a zero-width space, which a reader does not see and neither runner parses
 * as a command.
 *
 * Where a line starts and which blanks lead it are the runners' own definitions
 * ({@link ./ciRunners}), not JavaScript's: .NET's `TrimStart()` also skips U+0085, so
 * `\u0085::add-mask::x` is a command to GitHub's runner though `\s` does not match U+0085.
 *
 * Why a zero-width space is enough even where .NET compares culturally (ICU treats U+200B as
 * ignorable, so `":\u200B:x".StartsWith("::")` may hold): both parsers then take the command's
 * name from a fixed offset (`"::".Length`, `"##vso[".Length`), which the inserted character shifts
 * onto a `:` or a `[`, and no command is named `:add-mask` or `[task`.
 *
 * Every pattern here runs in time linear in its input: the blanks after a line break are a class
 * without the line breaks themselves, so each run of them is scanned from one start only.
 */
import { ANYWHERE_COMMAND_PREFIXES, DOTNET_WHITESPACE, GITHUB_COMMAND_KEY, RUNNER_LINE_BREAKS, characterClassBody } from "./ciRunners";

/** Invisible in a log, and never part of a command's syntax. */
const BREAK = "\u200B";

const escapeRegExp = (text: string): string => text.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");

/** The characters that end a line, for the runner (`\r`, `\n`). */
const LINE_BREAK_CODES = [...new Set(RUNNER_LINE_BREAKS.flatMap((lineBreak) => [...lineBreak].map((char) => char.charCodeAt(0))))];
/** Blanks `TrimStart()` skips at the start of a line, less the line breaks (each is a line start of its own). */
const LEADING_BLANK = `[${characterClassBody(DOTNET_WHITESPACE.filter((point) => !LINE_BREAK_CODES.includes(point)))}]`;

const [KEY_FIRST, KEY_REST] = [GITHUB_COMMAND_KEY[0], GITHUB_COMMAND_KEY.slice(1)];
/** The command key at the start of a line, after any leading blanks (where GitHub Actions looks for a command). */
const GITHUB_COMMAND = new RegExp(
    `(^|[${characterClassBody(LINE_BREAK_CODES)}])(${LEADING_BLANK}*)${escapeRegExp(KEY_FIRST)}(?=${escapeRegExp(KEY_REST)})`,
    "g",
);
/**
 * `##vso[` and `##[`, anywhere in a line, in any case: the agent matches case-sensitively, but a
 * broken command in another case costs nothing.
 */
const ANYWHERE_COMMAND = new RegExp(
    ANYWHERE_COMMAND_PREFIXES.map((prefix) => `${escapeRegExp(prefix[0])}(?=${escapeRegExp(prefix.slice(1))})`).join("|"),
    "gi",
);

/** `text` with every CI command neutralised; applying it twice changes nothing more than once. Linear in `text`. */
export function neutraliseCiCommands(text: string): string {
    return text
        .replace(GITHUB_COMMAND, (_match, start: string, blanks: string) => `${start}${blanks}${KEY_FIRST}${BREAK}`)
        .replace(ANYWHERE_COMMAND, (first: string) => `${first}${BREAK}`);
}

/** Anything text is written to. */
interface Writable {
    write(text: string): unknown;
}

/** A sink that neutralises CI commands in everything written to `sink` (each write is whole lines). */
export function ciSafe<T extends Writable>(sink: T): Writable {
    return { write: (text: string) => sink.write(neutraliseCiCommands(text)) };
}
