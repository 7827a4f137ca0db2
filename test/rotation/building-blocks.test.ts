/** The rotation program's small modules: retries, the output contract, token status, redaction, logging, work dir. */
import { strict as assert } from "node:assert";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { createLogger } from "../../rotation/report/logger";
import { redactSecrets } from "../../rotation/report/redaction";
import { RetryNotice, backoffDelay, withRetries } from "../../rotation/model/retry";
import { parseRotationOutput } from "../../components/contract/rotationContract";
import { tokenStatus } from "../../components/token/status";
import { WorkDirError, resolveWorkDir } from "../../rotation/command/workDir";
import { DAY, GATEWAY_ID, NOW, PLANTED_RAW, PLANTED_TOKEN, StringSink, targetsOf, tokenUnit } from "./fakes";

class Transient extends Error {}

describe("rotation building blocks", () => {
    describe("retry", () => {
        const policy = { retries: 3, initialDelayMs: 100, maxDelayMs: 250 };

        it("doubles the delay and caps it", () => {
            assert.deepEqual(
                [1, 2, 3, 4].map((retry) => backoffDelay(policy, retry)),
                [100, 200, 250, 250],
            );
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

    describe("rotation contract (components/contract/rotationContract.ts)", () => {
        const parse = (units: Record<string, unknown>) => parseRotationOutput(units);
        const only = (units: Record<string, unknown>) => {
            const [entry] = parse(units);
            if ("error" in entry) {
                throw new Error(entry.error);
            }
            return entry.unit;
        };

        it("reads a token unit: snapshot, targets, no cloud", () => {
            const unit = only({ west: tokenUnit(20, "secondary", { key: "west" }) });
            assert.equal(unit.key, "west");
            assert.equal(unit.token?.keyType, "secondary");
            assert.equal(unit.token?.expiresAt, new Date(NOW.getTime() + 20 * DAY).toISOString());
            assert.equal(unit.token?.renewAfter, new Date(NOW.getTime() + 10 * DAY).toISOString());
            assert.equal(typeof unit.token?.issuedAt, "string");
            assert.deepEqual(unit.targets, targetsOf("west"));
            assert.equal(unit.azureCloud, undefined);
        });

        it("reads several gateways, sorted by key, a malformed one reported alone", () => {
            const entries = parse({
                north: tokenUnit(20, "primary", { key: "north" }),
                west: { ...tokenUnit(20), tokenKeyType: "tertiary" },
                aad: { gatewayResourceId: GATEWAY_ID, authType: "azureAdApp" },
            });
            assert.deepEqual(
                entries.map((entry) => entry.key),
                ["aad", "north", "west"],
            );
            assert.ok("unit" in entries[0] && entries[0].unit.token === undefined);
            assert.ok("unit" in entries[1]);
            assert.ok("error" in entries[2] && /apimGatewayRotation\["west"\]\.tokenKeyType is "tertiary"/.test(entries[2].error));
        });

        it("names a malformed field and the fix, without revealing values beyond it", () => {
            const error = (unit: unknown) => {
                const [entry] = parse({ gw: unit });
                return "error" in entry ? entry.error : "";
            };
            assert.match(error({ ...tokenUnit(20), tokenRenewAfter: "soon" }), /\.tokenRenewAfter is not an ISO 8601 instant/);
            assert.match(error({ ...tokenUnit(20), authType: "basic" }), /expected one of token/);
            assert.match(error({ ...tokenUnit(20), tokenExpiresAt: undefined }), /\.tokenExpiresAt is missing: run `pulumi up`/);
            assert.match(
                error({ ...tokenUnit(20), rotationTargets: ["not-a-urn"] }),
                /rotationTargets must be an object with the URNs token, secret, deployment/,
            );
            assert.match(error({ ...tokenUnit(20), azureCloud: { endpoint: 1 } }), /azureCloud must be an object/);
            assert.throws(() => parse([] as never), /must be an object keyed by gateway/);
        });
    });

    describe("token status (components/token/status.ts)", () => {
        const token = {
            expiresAt: new Date(NOW.getTime() + 20 * DAY).toISOString(),
            renewAfter: new Date(NOW.getTime() + 10 * DAY).toISOString(),
        };
        it("is fresh before the renewal window", () => assert.equal(tokenStatus(token, new Date(NOW.getTime() + 9 * DAY)), "fresh"));
        it("is due inside it", () => assert.equal(tokenStatus(token, new Date(NOW.getTime() + 10 * DAY)), "due"));
        it("is expired from the expiry on", () => assert.equal(tokenStatus(token, new Date(NOW.getTime() + 20 * DAY)), "expired"));
    });

    describe("redaction and logging", () => {
        it("masks gateway tokens with and without the GatewayKey prefix", () => {
            assert.equal(redactSecrets(`auth: ${PLANTED_TOKEN}.`), "auth: GatewayKey [secret].");
            assert.equal(redactSecrets(`raw "${PLANTED_RAW}"`), 'raw "[secret]"');
            assert.equal(
                redactSecrets("expires 2025-07-15T12:00:00Z & renews 202507151200"),
                "expires 2025-07-15T12:00:00Z & renews 202507151200",
            );
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

        it("stops at the repository's root: a Pulumi.yaml above it is never used", () => {
            const repo = path.join(root, "project", "sub", "repo");
            mkdirSync(path.join(repo, ".git"), { recursive: true });
            mkdirSync(path.join(repo, "deep"));
            assert.throws(
                () => resolveWorkDir(undefined, path.join(repo, "deep"), [path.join(repo, "deep")]),
                /stops at a repository's root/,
            );
            writeFileSync(path.join(repo, "Pulumi.yaml"), "name: r\nruntime: nodejs\n");
            assert.equal(
                resolveWorkDir(undefined, path.join(repo, "deep"), [path.join(repo, "deep")]),
                repo,
                "the repository's own is found",
            );
        });

        it("stops at the home directory", () => {
            const home = path.join(root, "project", "sub");
            mkdirSync(path.join(home, "work"));
            assert.throws(() => resolveWorkDir(undefined, path.join(home, "work"), [path.join(home, "work")], home), WorkDirError);
            assert.equal(
                resolveWorkDir(undefined, path.join(home, "work"), [path.join(home, "work")], path.join(root, "elsewhere")),
                path.join(root, "project"),
            );
        });

        it("never enters a directory others can write to (a Pulumi.yaml planted there is ignored)", () => {
            const shared = path.join(root, "shared");
            mkdirSync(path.join(shared, "mine"), { recursive: true });
            chmodSync(shared, 0o1777);
            writeFileSync(path.join(shared, "Pulumi.yaml"), "name: planted\nruntime: nodejs\n");
            assert.throws(() => resolveWorkDir(undefined, path.join(shared, "mine"), [path.join(shared, "mine")]), WorkDirError);
        });

        it("explains how to name the project when there is none", () => {
            const elsewhere = path.join(root, "elsewhere");
            assert.throws(() => resolveWorkDir(undefined, elsewhere, [elsewhere]), /pass --work-dir DIR/);
        });
    });
});
