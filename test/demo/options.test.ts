import * as assert from "node:assert/strict";
import { DemoUsageError, parseDemoArgs } from "../../demo/options";

describe("npm run demo flags", () => {
    const accepted: { argv: string[]; keep: boolean; help: boolean }[] = [
        { argv: [], keep: false, help: false },
        { argv: ["--keep"], keep: true, help: false },
        { argv: ["--help"], keep: false, help: true },
        { argv: ["-h"], keep: false, help: true },
    ];
    for (const { argv, keep, help } of accepted) {
        it(`accepts [${argv.join(" ")}]`, () => assert.deepEqual(parseDemoArgs(argv), { keep, help }));
    }

    for (const argv of [["--kep"], ["prod"], ["--keep=yes"]]) {
        it(`refuses [${argv.join(" ")}] in one line pointing at --help`, () => {
            assert.throws(() => parseDemoArgs(argv), (error: Error) => error instanceof DemoUsageError && /--help\)$/.test(error.message) && !error.message.includes("\n"));
        });
    }
});
