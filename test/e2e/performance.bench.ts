/**
 * `npm run bench`: what the rotation costs against bare Pulumi, as ratios of medians measured side
 * by side in one run on this machine (absolute times say nothing about another machine). Not a CI
 * gate: it prints one line per figure, `bench <name> ratio <r> goal <g> met|missed`, and fails only
 * when a run itself goes wrong (a wrong exit code or result), never on a ratio.
 *
 * Real engine throughout. `rotate-single` and `rotate-fleet` deploy the production example to the
 * cluster suite's control plane, whose simulated pods take POD_READY_MS to become Ready as a real
 * gateway does, so a rollout's wait weighs as it does in production; `check-fleet` needs no pods
 * and reads stacks in the e2e suite's render mode.
 */
import { strict as assert } from "node:assert";
import { ROTATION_OUTPUT } from "../../components/contract/rotationContract";
import { PROJECT_NAME } from "../../stacks/config";
import { ControlPlane, startControlPlane } from "../../localenv/cluster/controlPlane";
import { clusterStackConfig, createStaticVolume } from "../../localenv/cluster/gatewayOnCluster";
import { Comparison, compare } from "./harness/measurement";
import { explain, jsonReport } from "./harness/rotationReport";
import { renameStackState } from "../../localenv/engine/stackState";
import { TOOLCHAIN_BUILD_TIMEOUT_MS } from "../../localenv/engine/toolchain";
import { GatewayStack, World, createWorld } from "../../localenv/engine/world";

/** Runs of each side; the median discards the slow outliers either way. */
const RUNS = 3;
const DUE_DAYS = 25;
/** The simulated gateway: 5 s from scheduled to Ready. */
const POD_READY_MS = 5000;
/** Stacks in the rotate-fleet figure, and the concurrency measured against one at a time. */
const FLEET_SIZE = 8;
const FLEET_CONCURRENCY = "4";
/** Eight rollouts one at a time on 2 busy cores take minutes: far beyond one engine run's bound. */
const FLEET_RUN_TIMEOUT_MS = 30 * 60_000;

/** The goals, one per figure. */
const GOALS = { "check-fleet": 0.7, "rotate-fleet": 0.4, "rotate-single": 1.3 } as const;

function report(name: keyof typeof GOALS, comparison: Comparison): void {
    const goal = GOALS[name];
    console.log(`bench ${name} ratio ${comparison.ratio.toFixed(2)} goal ${goal} ${comparison.ratio <= goal ? "met" : "missed"}`);
    console.log(`      ${comparison.summary}`);
}

type Units = Record<string, { rotationTargets: { token: string; secret: string; deployment: string }; tokenIssuedAt: string }>;

describe("bench: the rotation against bare Pulumi (real engine)", function () {
    this.timeout(60 * 60_000);
    let world: World;
    let cluster: ControlPlane;
    let perf: GatewayStack;

    /** Stack `name` deployed to the control plane in a namespace of its own. */
    async function deployOnCluster(name: string, gatewayId: string): Promise<GatewayStack> {
        await createStaticVolume(cluster.api, `${name}-backup`);
        return world.deployGatewayStack(
            name,
            gatewayId,
            clusterStackConfig(cluster.kubeconfigFile, {
                namespace: { name, labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
            }),
        );
    }

    before(async function () {
        this.timeout(2 * TOOLCHAIN_BUILD_TIMEOUT_MS + 5 * 60_000);
        world = await createWorld();
        cluster = await startControlPlane({ podStartDelayMs: POD_READY_MS });
        perf = await deployOnCluster("perf", "gw1");
    });

    after(async () => {
        await cluster?.stop();
        await world?.dispose();
    });

    // Days pass for the emulator as for the aged state, as in the e2e suite: otherwise the
    // validity check would compare a token for the aged expiry with the one actually issued.
    beforeEach(() => world.setDaysPassed(DUE_DAYS));
    afterEach(() => world?.setDaysPassed(0));

    it("check-fleet: `--all --check` over 40 stacks / 40 sequential bare `pulumi stack output --json`", async () => {
        // First, while every stack is fresh (the rotations below age them). Copies of a render-mode
        // stack: reading outputs needs no cluster.
        await world.deployGatewayStack("check", "gw-check");
        const state = await world.exportState("check");
        const names = (JSON.parse((await world.pulumi(["stack", "ls", "--json"])).stdout) as { name: string }[]).map((entry) => entry.name);
        for (let index = 0; names.length < 40; index++) {
            const name = `check-copy-${String(index).padStart(2, "0")}`;
            await world.pulumi(["stack", "init", name]);
            await world.importState(name, renameStackState(state, PROJECT_NAME, "check", name));
            names.push(name);
        }
        const checks: number[] = [];
        const bare: number[] = [];
        const check = async () => {
            const run = await world.rotate(["--all", "--check", "--json"]);
            assert.equal(run.code, 0, explain(run));
            assert.equal(jsonReport(run).stacks.length, 40);
            checks.push(run.ms);
        };
        const bareOutputs = async () => {
            let total = 0;
            for (const name of names) {
                const output = await world.pulumi(["stack", "output", "--json", "--stack", name]);
                assert.ok(ROTATION_OUTPUT in JSON.parse(output.stdout));
                total += output.ms;
            }
            bare.push(total);
        };
        for (let run = 0; run < RUNS; run++) {
            for (const measure of run % 2 === 0 ? [check, bareOutputs] : [bareOutputs, check]) {
                await measure();
            }
        }
        report("check-fleet", compare("--all --check over 40 stacks / 40 bare pulumi stack output", checks, bare));
    });

    it("rotate-single: one due rotation (guard preview included) / a bare targeted `pulumi up` of the same change", async () => {
        const unit = () => perf.outputs().then((outputs) => (outputs[ROTATION_OUTPUT] as Units).gateway);
        const { token, secret, deployment } = (await unit()).rotationTargets;
        const rotations: number[] = [];
        const bare: number[] = [];
        const rotate = async () => {
            await perf.age(DUE_DAYS);
            const rotation = await world.rotate(["--stack", "perf"]);
            assert.equal(rotation.code, 0, explain(rotation));
            assert.match(rotation.stdout, /^perf\s.*\srotate\s+rotated$/m);
            rotations.push(rotation.ms);
        };
        const bareUp = async (run: number) => {
            await perf.age(DUE_DAYS);
            const issuedBefore = (await unit()).tokenIssuedAt;
            const up = await world.pulumi(
                [
                    "up",
                    "--yes",
                    "--skip-preview",
                    "--stack",
                    "perf",
                    ...[token, secret, deployment].flatMap((urn) => ["--target", urn]),
                    "--target-dependents",
                    "--color",
                    "never",
                    "--suppress-outputs",
                    "--suppress-progress",
                ],
                { APIM_GATEWAY_RENEWAL_TRIGGER: `bare-up-${run}` },
            );
            bare.push(up.ms);
            assert.notEqual((await unit()).tokenIssuedAt, issuedBefore, "the bare update renewed the token as well");
        };
        // Interleaved, in alternating order, so neither side always runs on a colder or busier machine.
        for (let run = 0; run < RUNS; run++) {
            for (const measure of run % 2 === 0 ? [rotate, bareUp] : [bareUp, rotate]) {
                await measure(run);
            }
        }
        report("rotate-single", compare("due rotation / bare targeted pulumi up", rotations, bare));
    });

    it(`rotate-fleet: ${FLEET_SIZE} due stacks with --concurrency ${FLEET_CONCURRENCY} / with --concurrency 1`, async () => {
        const fleet = [perf];
        for (let index = 1; index < FLEET_SIZE; index++) {
            fleet.push(await deployOnCluster(`fleet-${index}`, `gw-fleet-${index}`));
        }
        const names = fleet.map((stack) => stack.name);
        const times: Record<string, number[]> = { [FLEET_CONCURRENCY]: [], "1": [] };
        const rotateAll = (concurrency: string) => async () => {
            for (const stack of fleet) {
                await stack.age(DUE_DAYS);
            }
            const run = await world.rotate(
                [...names.flatMap((name) => ["--stack", name]), "--concurrency", concurrency, "--json"],
                FLEET_RUN_TIMEOUT_MS,
            );
            assert.equal(run.code, 0, explain(run));
            assert.ok(
                jsonReport(run).stacks.every((entry) => entry.result === "rotated"),
                explain(run),
            );
            times[concurrency].push(run.ms);
        };
        for (let run = 0; run < RUNS; run++) {
            for (const measure of run % 2 === 0
                ? [rotateAll(FLEET_CONCURRENCY), rotateAll("1")]
                : [rotateAll("1"), rotateAll(FLEET_CONCURRENCY)]) {
                await measure();
            }
        }
        report(
            "rotate-fleet",
            compare(`${FLEET_SIZE} due stacks, --concurrency ${FLEET_CONCURRENCY} / --concurrency 1`, times[FLEET_CONCURRENCY], times["1"]),
        );
    });
});
