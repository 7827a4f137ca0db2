/**
 * How the CI runners that read the rotation's output find a command in it: the facts
 * {@link neutraliseCiCommands} is built on, stated once, from the runners' own sources.
 *
 * - GitHub Actions (actions/runner, C#): `ProcessInvoker.StartReadStream` reads a step's output
 *   with .NET `StreamReader.ReadLine`, and `ActionCommandManager.TryProcessCommand` hands each
 *   line to `ActionCommand.TryParseV2`, which does `message.TrimStart()` and then requires the
 *   line to start with `::`; then to `ActionCommand.TryParse`, which looks for `##[` anywhere in
 *   the line (src/Runner.Common/ActionCommand.cs, src/Runner.Worker/ActionCommandManager.cs,
 *   src/Runner.Sdk/ProcessInvoker.cs).
 * - Azure Pipelines (microsoft/azure-pipelines-agent, C#): `Command.TryParse` looks for `##vso[`
 *   anywhere in a line (src/Microsoft.VisualStudio.Services.Agent/Command.cs); the log viewer
 *   formats lines holding `##[section]`, `##[group]` and the like.
 *
 * `TrimStart()` without arguments removes every character for which .NET's `char.IsWhiteSpace`
 * is true. That set is not JavaScript's `\s`: it holds U+0085 (NEXT LINE), which `\s` does not,
 * and lacks U+FEFF (ZERO WIDTH NO-BREAK SPACE), which `\s` holds. `StreamReader.ReadLine` ends a
 * line at `\n`, `\r` or `\r\n` only; U+0085, U+2028 and U+2029 stay inside the line (where
 * `TrimStart` removes them when they lead it).
 */

/**
 * The code points of .NET's `char.IsWhiteSpace` (the `Char.IsWhiteSpace` reference page): the
 * members of Unicode's SpaceSeparator, LineSeparator and ParagraphSeparator categories, and
 * U+0009 to U+000D, U+0085. (U+180E left SpaceSeparator in Unicode 6.3, and .NET with it.)
 */
export const DOTNET_WHITESPACE: readonly number[] = [
    0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009,
    0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
];

/** What `StreamReader.ReadLine` ends a line with; `\r\n` is one break. */
export const RUNNER_LINE_BREAKS: readonly string[] = ["\r\n", "\n", "\r"];

/** A GitHub Actions workflow command: the line, after `TrimStart()`, starts with this. */
export const GITHUB_COMMAND_KEY = "::";

/** What makes a line a command (or a format) anywhere in it: GitHub's `##[`, Azure Pipelines' `##vso[` and `##[`. */
export const ANYWHERE_COMMAND_PREFIXES: readonly string[] = ["##[", "##vso["];

/** `code points` as the body of a regular expression character class. */
export function characterClassBody(codePoints: readonly number[]): string {
    return codePoints.map((point) => `\\u${point.toString(16).padStart(4, "0")}`).join("");
}
