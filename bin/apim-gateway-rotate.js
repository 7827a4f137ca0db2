#!/usr/bin/env node
/*
 * `apim-gateway-rotate`, the package's bin: the one entry that works in both shapes a schedule
 * runs in, with no build step after `npm ci --ignore-scripts`.
 *   - A clone of this repository (the sources are next to this file): the TypeScript sources run
 *     through ts-node (a dev dependency), so the CLI is never a stale build.
 *   - The installed package (registry, tarball, git URL: the packed files, no sources): the
 *     compiled dist/rotation/cli.js.
 * Plain JavaScript that any Node.js parses, so that an older one gets the one-line reason below
 * (exit 2, a usage error) before anything that needs Node.js 22 is loaded.
 */

var fs = require("node:fs");
var path = require("node:path");

var root = path.join(__dirname, "..");
// The one place the required version is stated: package.json's "engines".
var required = Number(/^>=\s*(\d+)/.exec(require(path.join(root, "package.json")).engines.node)[1]);
var running = Number(process.versions.node.split(".")[0]);
if (running < required) {
    process.stderr.write(
        "apim-gateway-rotate: needs Node.js " +
            required +
            " or later; this is Node.js " +
            process.versions.node +
            " (" +
            process.execPath +
            ")\n",
    );
    process.exit(2);
}

var source = path.join(root, "rotation", "cli.ts");
var built = path.join(root, "dist", "rotation", "cli.js");
if (fs.existsSync(source)) {
    require("ts-node").register({ project: path.join(root, "tsconfig.json"), transpileOnly: true });
    require(source);
} else if (fs.existsSync(built)) {
    require(built);
} else {
    // npm builds a package installed from a git URL with its "prepare" script, which
    // --ignore-scripts skips: the copy has neither the sources nor the build.
    process.stderr.write(
        "apim-gateway-rotate: " +
            root +
            " has no dist/: a package installed from a git URL is built by its prepare script, " +
            "which --ignore-scripts skips; install it from the registry or a tarball (docs/scheduling.md), " +
            "or from the git URL without --ignore-scripts\n",
    );
    process.exit(2);
}
