/**
 * CI runners read commands from a job's log: GitHub Actions executes workflow commands, a line
 * starting with `::name ...::` (`::add-mask::`, `::stop-commands::`, `::set-output::` ...), and
 * Azure Pipelines executes logging commands, `##vso[...]`, and formats `##[...]`, wherever they
 * appear in a line. Whatever the rotation prints comes partly from elsewhere (engine output,
 * Kubernetes events, messages echoed in errors), so none of it may be a command: each is broken
 * with a zero-width space, which a reader does not see and neither runner parses as a command.
 */

/** Invisible in a log, and never part of a command's syntax. */
const BREAK = "\u200B";

/** `::` at the start of a line, after any blanks (where GitHub Actions looks for a command). */
const GITHUB_COMMAND = /(^|[\r\n\u2028\u2029])([^\S\r\n]*):(?=:)/g;
/** `##vso[` and `##[`, anywhere in a line, in any case (where Azure Pipelines looks). */
const AZURE_COMMAND = /#(?=#(?:vso)?\[)/gi;

/** `text` with every CI command neutralised; applying it twice changes nothing more than once. */
export function neutraliseCiCommands(text: string): string {
    return text.replace(GITHUB_COMMAND, `$1$2:${BREAK}`).replace(AZURE_COMMAND, `#${BREAK}`);
}

/** Anything text is written to. */
interface Writable {
    write(text: string): unknown;
}

/** A sink that neutralises CI commands in everything written to `sink` (each write is whole lines). */
export function ciSafe<T extends Writable>(sink: T): Writable {
    return { write: (text: string) => sink.write(neutraliseCiCommands(text)) };
}
