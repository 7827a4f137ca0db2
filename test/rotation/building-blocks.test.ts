/** The rotation program's small modules: retries, the output contract, token status, redaction, logging, work dir. */
import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { createLogger } from "../../rotation/logger";
import { redactSecrets } from "../../rotation/redact";
import { RetryNotice, backoffDelay, withRetries } from "../../rotation/retry";
import {
    readAuthType,
    readAzureCloud,
    readRotationTargets,
    readTokenSnapshot,
} from "../../rotation/stackContract";
import { tokenStatus } from "../../rotation/tokenStatus";
import { WorkDirError, resolveWorkDir } from "../../rotation/workDir";
import { DAY, NOW, PLANTED_RAW, PLANTED_TOKEN, StringSink, TARGETS, tokenOutputs } from "./fakes";

class Transient extends Error {}

describe("rotation building blocks", () => {
    describe("retry", () => {
        const policy = { retries: 3, initialDelayMs: 100, maxDelayMs: 250 };

        it("doubles the delay and caps it", () => {
            assert.deepEqual([1, 2, 3, 4].map((retry) => backoffDelay(policy, retry)), [100, 200, 250, 250]);
        });

        it("retries retryable errors until success", async () => {
            const sleeps: number[] = [];
            const notices: RetryNotice[] = [];
            let attempts = 0;
            const value = await withRetries(
                async () => {
                    attempts++;
                    if (attempts < 3) {
                        throw new Transient("busy");
                    }
                    return "done";
                },
                (error) => error instanceof Transient,
                policy,
                async (ms) => {
                    sleeps.push(ms);
                },
                (notice) => notices.push(notice),
            );
            assert.equal(value, "done");
            assert.deepEqual(sleeps, [100, 200]);
            assert.deepEqual(
                notices.map((notice) => [notice.nextAttempt, notice.totalAttempts]),
                [
                    [2, 4],
                    [3, 4],
                ],
            );
        });

        it("rethrows the last error when the retries are used up", async () => {
            let attempts = 0;
            await assert.rejects(
                withRetries(
                    async () => {
                        attempts++;
                        throw new Transient(`busy ${attempts}`);
                    },
                    () => true,
                    policy,
                    async () => undefined,
                    () => undefined,
                ),
                /busy 4/,
            );
            assert.equal(attempts, 4);
        });

        it("does not retry other errors", async () => {
            let attempts = 0;
            await assert.rejects(
                withRetries(
                    async () => {
                        attempts++;
                        throw new Error("fatal");
                    },
                    (error) => error instanceof Transient,
                    policy,
                    async () => undefined,
                    () => undefined,
                ),
                /fatal/,
            );
            assert.equal(attempts, 1);
        });
    });

    describe("stack output contract", () => {
        it("reads the token snapshot", () => {
            const snapshot = readTokenSnapshot(tokenOutputs(20, "secondary"));
            assert.equal(snapshot.keyType, "secondary");
            assert.equal(snapshot.expiresAt, new Date(NOW.getTime() + 20 * DAY).toISOString());
            assert.equal(snapshot.renewAfter, new Date(NOW.getTime() + 10 * DAY).toISOString());
            assert.equal(typeof snapshot.issuedAt, "string");
        });

        it("refuses secret outputs without revealing them", () => {
            const outputs = tokenOutputs(20, "primary", { tokenKeyType: { secret: true, value: PLANTED_RAW } as never });
            assert.throws(
                () => readTokenSnapshot(outputs),
                (error: Error) => /"tokenKeyType" is a secret/.test(error.message) && !error.message.includes(PLANTED_RAW),
            );
        });

        it("names a malformed output", () => {
            assert.throws(
                () => readTokenSnapshot(tokenOutputs(20, "primary", { tokenRenewAfter: { secret: false, value: "soon" } })),
                /"tokenRenewAfter" is not an ISO 8601 instant/,
            );
            assert.throws(
                () => readTokenSnapshot(tokenOutputs(20, "primary", { tokenKeyType: { secret: false, value: "tertiary" } })),
                /"tokenKeyType" is "tertiary"/,
            );
            assert.throws(() => readAuthType({ authType: { secret: false, value: "basic" } }), /expected one of token/);
            assert.throws(() => readAuthType({ namespace: { secret: false, value: "x" } }), /"authType" is missing/);
            assert.throws(
                () => readRotationTargets({ rotationTargets: { secret: false, value: ["not-a-urn"] } }),
                /non-empty list of URNs/,
            );
            assert.throws(
                () => readAzureCloud({ azureCloud: { secret: false, value: { endpoint: 1 } } }),
                /"azureCloud" must be an object/,
            );
        });

        it("reads targets, the auth type of a never-deployed stack and an absent cloud", () => {
            assert.deepEqual(readRotationTargets(tokenOutputs(20)), TARGETS);
            assert.equal(readAuthType({}), undefined);
            assert.equal(readAzureCloud(tokenOutputs(20)), undefined);
        });
    });

    describe("token status", () => {
        const token = readTokenSnapshot(tokenOutputs(20));
        it("is fresh before the renewal window", () => assert.equal(tokenStatus(token, new Date(NOW.getTime() + 9 * DAY)), "fresh"));
        it("is due inside it", () => assert.equal(tokenStatus(token, new Date(NOW.getTime() + 10 * DAY)), "due"));
        it("is expired from the expiry on", () => assert.equal(tokenStatus(token, new Date(NOW.getTime() + 20 * DAY)), "expired"));
    });

    describe("redaction and logging", () => {
        it("masks gateway tokens with and without the GatewayKey prefix", () => {
            assert.equal(redactSecrets(`auth: ${PLANTED_TOKEN}.`), "auth: GatewayKey [secret].");
            assert.equal(redactSecrets(`raw "${PLANTED_RAW}"`), 'raw "[secret]"');
            assert.equal(redactSecrets("expires 2025-07-15T12:00:00Z & renews 202507151200"), "expires 2025-07-15T12:00:00Z & renews 202507151200");
        });

        it("prefixes whole lines of engine output, joining chunks and flushing the last partial line", () => {
            const progress = new StringSink();
            const problems = new StringSink();
            const engine = createLogger(progress, problems).forStack("dev").engine();
            engine.stdout("Upda");
            engine.stdout("ting (dev)\r\n  + token cre");
            engine.stderr("warning: slow\n");
            engine.stdout(`ated ${PLANTED_RAW}`);
            engine.end();
            assert.equal(progress.text, `[dev] Updating (dev)\n[dev]   + token created [secret]\n`);
            assert.equal(problems.text, "[dev] warning: slow\n");
        });

        it("writes warnings to the problems stream", () => {
            const progress = new StringSink();
            const problems = new StringSink();
            const log = createLogger(progress, problems);
            log.info("one\ntwo");
            log.forStack("prod").warn("locked");
            assert.equal(progress.text, "one\ntwo\n");
            assert.equal(problems.text, "[prod] warning: locked\n");
        });
    });

    describe("work dir", () => {
        let root: string;
        beforeEach(() => {
            root = mkdtempSync(path.join(tmpdir(), "rotation-workdir-"));
            mkdirSync(path.join(root, "project", "sub"), { recursive: true });
            mkdirSync(path.join(root, "elsewhere"));
            writeFileSync(path.join(root, "project", "Pulumi.yaml"), "name: p\nruntime: nodejs\n");
        });
        afterEach(() => rmSync(root, { recursive: true, force: true }));

        it("finds the nearest Pulumi.yaml above the current directory", () => {
            const project = path.join(root, "project");
            assert.equal(resolveWorkDir(undefined, path.join(project, "sub"), [path.join(project, "sub")]), project);
        });

        it("falls back to the program's own location", () => {
            const project = path.join(root, "project");
            const elsewhere = path.join(root, "elsewhere");
            assert.equal(resolveWorkDir(undefined, elsewhere, [elsewhere, path.join(project, "sub")]), project);
        });

        it("resolves --work-dir relative to the current directory and checks it", () => {
            assert.equal(resolveWorkDir("project", root, []), path.join(root, "project"));
            assert.throws(() => resolveWorkDir("elsewhere", root, []), WorkDirError);
            assert.throws(() => resolveWorkDir("elsewhere", root, []), /--work-dir elsewhere: no Pulumi.yaml/);
        });

        it("explains how to name the project when there is none", () => {
            const elsewhere = path.join(root, "elsewhere");
            assert.throws(() => resolveWorkDir(undefined, elsewhere, [elsewhere]), /pass --work-dir DIR/);
        });
    });
});
