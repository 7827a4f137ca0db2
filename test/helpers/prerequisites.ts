/**
 * What the suites need that no `npm ci` installs, as a pure rule: checkPrerequisites.ts applies it
 * once before any suite, so a missing piece is one line naming the fix instead of a failure in
 * every test or a process that never exits.
 */

import { readFileSync } from "node:fs";
import * as path from "node:path";

/**
 * The oldest Node.js the project runs on, from package.json's `engines` (the suites need
 * `tls.setDefaultCACertificates` to trust the emulators' CA).
 */
export const MINIMUM_NODE_MAJOR = Number(
    /\d+/.exec(
        (JSON.parse(readFileSync(path.resolve(__dirname, "..", "..", "package.json"), "utf8")) as { engines: { node: string } }).engines
            .node,
    )?.[0],
);

export interface Machine {
    /** `process.versions.node`. */
    readonly nodeVersion: string;
    /** Whether the openssl CLI runs (the emulators make their certificates with it). */
    readonly opensslOnPath: boolean;
}

/** The first missing prerequisite as one line naming the fix, or undefined. */
export function prerequisiteProblem(machine: Machine): string | undefined {
    const major = Number(machine.nodeVersion.split(".")[0]);
    if (!(major >= MINIMUM_NODE_MAJOR)) {
        return (
            `Node.js ${machine.nodeVersion} is too old for the tests: run them through \`npm ` +
            `test\` (it brings Node.js 22 into .tools/) or \`source scripts/node22.sh\` first`
        );
    }
    if (!machine.opensslOnPath) {
        return (
            "the test emulators make their TLS certificates with the openssl " +
            "CLI, which is not on PATH: install it (e.g. apt-get install openssl)"
        );
    }
    return undefined;
}
