/** Loaded by mocha before any suite (.mocharc.json `require`): stops the run on a missing prerequisite. */
import { spawnSync } from "node:child_process";
import { prerequisiteProblem } from "./prerequisites";

const problem = prerequisiteProblem({
    nodeVersion: process.versions.node,
    opensslOnPath: spawnSync("openssl", ["version"], { stdio: "ignore" }).error === undefined,
});
if (problem !== undefined) {
    process.stderr.write(`error: ${problem}\n`);
    process.exit(1);
}
