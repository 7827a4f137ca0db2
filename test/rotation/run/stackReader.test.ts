/** Reading and judging one stack (rotation/run/stackReader.ts): what each kind of unreadable stack reports. */
import { strict as assert } from "node:assert";
import { ROTATION_OUTPUT } from "../../../components/contract/rotationContract";
import type { RunMode } from "../../../rotation/model/runReport";
import { ReaderContext, idleReport, judgeStack, readStack, readStackUnits } from "../../../rotation/run/stackReader";
import {
    FakeBackend,
    FakeClock,
    FakeStackSpec,
    GATEWAY_ID,
    PLANTED_TOKEN,
    PUBLIC_CLOUD,
    contractOutputs,
    fakeVerifier,
    memoryLogger,
    plain,
    tokenOutputs,
    tokenUnit,
} from "../fakes";

function reader(stacks: Record<string, FakeStackSpec>, mode: RunMode = "rotate", options: { aborted?: boolean } = {}) {
    const controller = new AbortController();
    if (options.aborted) {
        controller.abort("SIGINT");
    }
    const { log, progress } = memoryLogger();
    const verifier = fakeVerifier((key) => (key === "unsure" ? { state: "unknown", reason: "no Azure credential" } : { state: "valid" }));
    const context: ReaderContext = {
        backend: new FakeBackend(stacks, new FakeClock()),
        clock: new FakeClock(),
        log,
        signal: controller.signal,
        verifyToken: verifier,
        mode,
        force: false,
        azure: PUBLIC_CLOUD,
    };
    return { context, progress, verifier };
}

describe("reading one stack", () => {
    describe("a stack that cannot be read is one stack-level report, its gateways unknown", () => {
        const table: { what: string; spec?: FakeStackSpec; result: string; message: RegExp; aborted?: boolean }[] = [
            { what: "a stack that does not exist", result: "not-found", message: /"dev" was not found/ },
            {
                what: "outputs that cannot be read",
                spec: { outputs: {}, outputsError: new Error("passphrase is wrong") },
                result: "failed",
                message: /^passphrase is wrong$/,
            },
            {
                what: "outputs whose reading was cancelled",
                spec: { outputs: {}, outputsError: new Error("interrupted") },
                aborted: true,
                result: "cancelled",
                message: /^interrupted$/,
            },
            {
                what: "no contract output",
                spec: { outputs: { namespace: plain("apim-gateway") } },
                result: "failed",
                message: new RegExp(
                    `^the stack exports no "${ROTATION_OUTPUT}" output: export it with \`export const ${ROTATION_OUTPUT} = ` +
                        String.raw`rotationOutputs\(gateway\)\` \(from the package's main entry\) and run \`pulumi up\`$`,
                ),
            },
            {
                what: "a secret contract output",
                spec: { outputs: { [ROTATION_OUTPUT]: { secret: true } } },
                result: "failed",
                message: new RegExp(`^the stack output "${ROTATION_OUTPUT}" is a secret; the rotation only reads it in plain text`),
            },
            {
                what: "a contract output that is not an object",
                spec: { outputs: { [ROTATION_OUTPUT]: plain("gateway") } },
                result: "failed",
                message: new RegExp(`stack output "${ROTATION_OUTPUT}" must be an object keyed by gateway`),
            },
        ];
        for (const { what, spec, result, message, aborted } of table) {
            for (const mode of ["rotate", "check"] as const) {
                it(`${what} (${mode})`, async () => {
                    const { context } = reader(spec ? { dev: spec } : {}, mode, { aborted });
                    const read = await readStackUnits(context, "dev");
                    assert.deepEqual(read.units, []);
                    assert.equal(read.problems.length, 1);
                    const [problem] = read.problems;
                    assert.deepEqual(
                        [problem.stack, problem.action, problem.result, problem.forced],
                        ["dev", mode === "check" ? "check" : "none", result, false],
                    );
                    assert.match(problem.message ?? "", message);
                    assert.equal(read.unreadable, problem.message, "its gateways are unknown");
                });
            }
        }

        it("redacts a secret from the error", async () => {
            const { context } = reader({ dev: { outputs: {}, outputsError: new Error(`bad ${PLANTED_TOKEN}`) } });
            assert.equal((await readStackUnits(context, "dev")).problems[0].message, "bad GatewayKey [secret]");
        });
    });

    describe("a stack with nothing to rotate is not applicable, its gateways known", () => {
        for (const [what, outputs, message] of [
            ["never deployed", {}, "the stack has no outputs (never deployed): nothing to rotate"],
            ["a contract output listing no gateway", contractOutputs({}), `the stack's "${ROTATION_OUTPUT}" output lists no gateway`],
        ] as const) {
            it(`${what}: logged when judged`, async () => {
                const { context, progress } = reader({ dev: { outputs } });
                const view = await readStack(context, "dev", true);
                assert.deepEqual(
                    view.problems.map((problem) => [problem.result, problem.message]),
                    [["not-applicable", message]],
                );
                assert.equal(view.unreadable, undefined);
                assert.deepEqual(view.units, []);
                assert.equal(progress.text, `[dev] ${message}\n`);
            });
        }
    });

    it("fails a token unit whose outputs name another cloud, keeping the stack's other units", async () => {
        const foreign = { name: "AzureChinaCloud" as const };
        const { context } = reader({
            dev: {
                outputs: contractOutputs({
                    gateway: tokenUnit(25, "primary", { azureCloud: foreign }),
                    keyless: { gatewayResourceId: GATEWAY_ID, authType: "workloadIdentity", azureCloud: foreign },
                    west: tokenUnit(25, "primary", { key: "west" }),
                }),
            },
        });
        const read = await readStackUnits(context, "dev");
        assert.deepEqual(
            read.units.map((unit) => unit.key),
            ["keyless", "west"],
        );
        assert.equal(read.problems.length, 1);
        assert.equal(read.problems[0].gateway, "gateway");
        assert.equal(read.problems[0].result, "failed");
        assert.match(
            read.problems[0].message ?? "",
            new RegExp(`^${ROTATION_OUTPUT}\\["gateway"\\]: .*chinacloudapi.*but this rotation uses ARM https://management\\.azure\\.com`),
        );
        assert.equal(read.unreadable, undefined);
    });

    describe("judging", () => {
        it("verifies only unexpired tokens, and only when asked, noting a validity it could not verify", async () => {
            const stacks = {
                dev: {
                    outputs: contractOutputs({
                        gateway: tokenUnit(25),
                        expired: tokenUnit(-1, "primary", { key: "expired" }),
                        unsure: tokenUnit(25, "primary", { key: "unsure" }),
                    }),
                },
            };
            const { context, verifier, progress } = reader(stacks);
            const view = await readStack(context, "dev", true);
            assert.deepEqual(verifier.asked.sort(), ["gateway", "unsure"]);
            assert.deepEqual(
                view.units.map((judged) => [judged.unit.key, judged.assessment.status, judged.notes]),
                [
                    ["expired", "expired", []],
                    ["gateway", "fresh", []],
                    ["unsure", "fresh", ["validity not verified: no Azure credential"]],
                ],
            );
            const gateway = tokenUnit(25);
            assert.match(
                progress.text,
                new RegExp(
                    String.raw`^\[dev\/gateway\] token signed with the primary key, renew after ${gateway.tokenRenewAfter}, ` +
                        `expires ${gateway.tokenExpiresAt}: fresh$`,
                    "m",
                ),
            );

            const unverified = reader(stacks);
            await readStack(unverified.context, "dev", false);
            assert.deepEqual(unverified.verifier.asked, []);
        });

        it("logs why a keyless unit has nothing to rotate, and carries an unreadable stack's reason", async () => {
            const { context, progress } = reader({
                wi: { outputs: contractOutputs({ gateway: { gatewayResourceId: GATEWAY_ID, authType: "workloadIdentity" } }) },
            });
            const view = await readStack(context, "wi", true);
            assert.match(progress.text, /^\[wi\/gateway\] .*workloadIdentity, not a token/m);
            assert.deepEqual(await judgeStack(context, { name: "x", units: [], problems: [], unreadable: "gone" }, true), {
                name: "x",
                units: [],
                problems: [],
                unreadable: "gone",
            });
            assert.equal(view.units[0].assessment.status, "not-applicable");
        });
    });

    describe("the report of a unit nothing is done to", () => {
        async function judged(expiresInDays: number, mode: RunMode) {
            const { context } = reader({ dev: { outputs: tokenOutputs(expiresInDays) } }, mode);
            return (await readStack(context, "dev", true)).units[0];
        }

        it("in --check: the status, with the reason unless fresh", async () => {
            const fresh = idleReport(await judged(25, "check"), "check");
            assert.deepEqual([fresh.action, fresh.result, fresh.message], ["check", "fresh", undefined]);
            const due = idleReport(await judged(5, "check"), "check");
            assert.deepEqual([due.action, due.result], ["check", "due"]);
            assert.ok(due.message, "a due token says why");
        });

        it("otherwise: not due, with the reason and the notes", async () => {
            const unit = await judged(25, "rotate");
            const report = idleReport({ ...unit, notes: ["a note"] }, "rotate");
            assert.deepEqual(
                [report.action, report.result, report.message, report.notes, report.before, report.gatewayResourceId],
                ["none", "not-due", unit.assessment.reason, ["a note"], unit.unit.token, GATEWAY_ID],
            );
            assert.equal(idleReport(unit, "rotate").notes, undefined, "no empty notes");
        });

        it("a keyless unit: not applicable, with the mode's idle action", async () => {
            const { context } = reader({
                wi: { outputs: contractOutputs({ gateway: { gatewayResourceId: GATEWAY_ID, authType: "azureAdApp" } }) },
            });
            const [unit] = (await readStack(context, "wi", true)).units;
            for (const [mode, action] of [
                ["check", "check"],
                ["rotate", "none"],
                ["dry-run", "none"],
            ] as const) {
                const report = idleReport(unit, mode);
                assert.deepEqual(
                    [report.action, report.result, report.message, report.before],
                    [action, "not-applicable", unit.assessment.reason, undefined],
                );
            }
        });
    });
});
