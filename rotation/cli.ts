#!/usr/bin/env node
/**
 * `apim-gateway-rotate`: wires the process (argv, streams, environment, signals) and the real
 * services (Automation API backend, ARM key regeneration) to {@link runCli}.
 */
import { appendFile } from "node:fs/promises";
import { enableCompileCache } from "node:module";
import { neutraliseCiCommands } from "./report/ciCommands";
import { armClientPool, generateGatewayToken, regenerateGatewayKey } from "../components/token/arm";
import { systemClock } from "./run/clock";
import { EXIT_FAILED, EXIT_SIGINT, EXIT_SIGTERM } from "./command/exitCodes";
import { MAX_REPORT_FIELD_CHARS, redactAndCut } from "./report/textBounds";
import { replaceFileAtomically } from "./command/atomicFile";
import { readEventInput } from "./command/eventInput";
import { compileCacheDir } from "./command/compileCache";
import { privateDirectory } from "./evidence/privateFiles";
import { runCli } from "./command/runCli";
import { PLUGIN_LINES_COMMAND, runPluginLines } from "./command/pluginLinesCommand";
import { armTokenVerifier } from "./evidence/tokenValidity";
import { createProcessProbe, markerDir } from "./evidence/updateMarkers";

// A scheduled job starts afresh each time: Node's on-disk code cache saves a third of the
// Automation API's and Azure SDKs' load time on every later run, and the engine's Node.js
// processes (the stack program, the token's provider) use it too. It is kept in a directory of
// this user's closed to others (not the shared temporary directory, where another user could plant it).
const compileCache = privateDirectory(compileCacheDir(process.env));
if (compileCache !== undefined) {
    enableCompileCache(compileCache);
}

const controller = new AbortController();
/** One ARM client per subscription for the whole run (always at the operator's endpoints): one sign-in, shared connections. */
const arm = armClientPool();

function onSignal(signal: NodeJS.Signals): void {
    if (controller.signal.aborted) {
        process.exit(signal === "SIGTERM" ? EXIT_SIGTERM : EXIT_SIGINT);
    }
    process.stderr.write(
        `\napim-gateway-rotate: ${signal} received: cancelling the running operation, no further stack starts ` +
            `(send it again to exit at once)\n`,
    );
    controller.abort(signal);
}
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

const argv = process.argv.slice(2);
const io = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
// The Automation API is loaded on first use, so --help and usage errors answer at once (the
// Azure SDKs behind regenerateGatewayKey are likewise loaded by it only when called).
(argv[0] === PLUGIN_LINES_COMMAND
    ? runPluginLines(argv.slice(1), io)
    : runCli(argv, io, {
          programDir: __dirname,
          createBackend: (options) => {
              const automation: typeof import("./pulumi/automationBackend") = require("./pulumi/automationBackend");
              return automation.createAutomationBackend({ ...options, nodeCompileCache: compileCache });
          },
          regenerateKey: (gatewayResourceId, keyType, cloud) => regenerateGatewayKey(gatewayResourceId, keyType, cloud, arm),
          verifyToken: armTokenVerifier((gatewayResourceId, keyType, expiry, cloud) =>
              generateGatewayToken(gatewayResourceId, keyType, expiry, cloud, arm),
          ),
          clock: systemClock,
          signal: controller.signal,
          appendFile: (file, text) => appendFile(file, text, "utf8"),
          processes: createProcessProbe(markerDir(process.env)),
          readEventFile: (file) => readEventInput(file, process.stdin),
          replaceFile: replaceFileAtomically,
      })
).then(
    (code) => {
        process.exitCode = code;
    },
    (error: unknown) => {
        process.stderr.write(
            neutraliseCiCommands(
                `apim-gateway-rotate: ${redactAndCut(error instanceof Error ? (error.stack ?? error.message) : String(error), MAX_REPORT_FIELD_CHARS)}\n`,
            ),
        );
        process.exitCode = EXIT_FAILED;
    },
);
