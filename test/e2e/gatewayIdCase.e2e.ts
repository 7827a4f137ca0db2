/**
 * Issue 15 §4 on the real Pulumi engine: ARM ids are case-insensitive, so two stacks that adopt one
 * gateway and spell its resource group differently (`rg1`, `RG1`) are one gateway to the rotation.
 * With one of them due, the scheduled command with regeneration on (`--all
 * --regenerate-unused-key`) must rotate both before regenerating the old key: were they taken for
 * two gateways, the fresh stack's live token would be revoked. Also: the repository's Pulumi.yaml
 * runs the stack program without the engine's "Could not find entry point" warning (§5).
 */
import { strict as assert } from "node:assert";
import { ROTATION_OUTPUT } from "../../components/contract/rotationContract";
import { explain, jsonReport } from "./harness/rotationReport";
import { renderedGateway } from "../../localenv/engine/renderedManifests";
import { TOOLCHAIN_BUILD_TIMEOUT_MS } from "../../localenv/engine/toolchain";
import { World, createWorld } from "../../localenv/engine/world";
import { rawGatewayToken } from "../../components/token/authValue";

/** A due token: 25 of its 30 days gone, inside the 10-day renewal window. */
const DUE_DAYS = 25;

const unitOf = (outputs: Record<string, unknown>) => (outputs[ROTATION_OUTPUT] as Record<string, Record<string, unknown>>).gateway;

describe("end to end on the real Pulumi engine: one gateway, its id spelt in two cases", function () {
    this.timeout(10 * 60_000);
    let world: World;

    before(async function () {
        this.timeout(TOOLCHAIN_BUILD_TIMEOUT_MS + 5 * 60_000);
        world = await createWorld();
    });

    after(async () => {
        await world?.dispose();
    });

    it(
        "two stacks adopt gw-case as rg1 and RG1, one due: `--all " +
            "--regenerate-unused-key` rotates both, regenerates once, both tokens valid",
        async () => {
            const lower = await world.deployGatewayStack("lower", "gw-case");
            const upper = await world.deployGatewayStack("upper", "gw-case", { resourceGroupName: "RG1" });
            const lowerId = String(unitOf(await lower.outputs()).gatewayResourceId);
            const upperId = String(unitOf(await upper.outputs()).gatewayResourceId);
            assert.match(lowerId, /\/resourceGroups\/rg1\//);
            assert.match(upperId, /\/resourceGroups\/RG1\//);
            assert.equal(upperId.toLowerCase(), lowerId.toLowerCase(), "one gateway entity, two spellings");

            await lower.age(DUE_DAYS);
            world.setDaysPassed(DUE_DAYS);
            const oldLower = rawGatewayToken(renderedGateway(lower.rendered()).authValue);
            const oldUpper = rawGatewayToken(renderedGateway(upper.rendered()).authValue);
            const arm = world.azure.emulators.arm;
            assert.deepEqual([arm.signingKeyType(oldLower), arm.signingKeyType(oldUpper)], ["primary", "primary"]);

            const run = await world.rotate(["--all", "--regenerate-unused-key", "--json"]);
            assert.equal(run.code, 0, explain(run));
            assert.deepEqual(
                jsonReport(run)
                    .stacks.map((entry) => [entry.stack, entry.result, entry.after?.keyType, entry.keyRegeneration?.status])
                    .sort(),
                [
                    ["lower", "rotated", "secondary", "regenerated"],
                    ["upper", "rotated", "secondary", "regenerated"],
                ],
                "the fresh stack of the same gateway was rotated before the key was regenerated",
            );
            const regenerations = world.azure.emulators.requests.arm("/regenerateKey").filter((request) => request.status < 300);
            assert.equal(regenerations.length, 1, "one gateway, one regeneration");
            for (const stack of [lower, upper]) {
                const token = rawGatewayToken(renderedGateway(stack.rendered()).authValue);
                assert.equal(arm.isTokenValid(token), true, `${stack.name} holds a valid token`);
                assert.equal(arm.signingKeyType(token), "secondary");
            }
            assert.deepEqual(
                [arm.isTokenValid(oldLower), arm.isTokenValid(oldUpper)],
                [false, false],
                "the regenerated primary key's tokens are gone",
            );
        },
    );

    it("no engine run printed the entry point warning (Pulumi.yaml's main names the program file)", () => {
        const engineRuns = world.transcript.filter(
            (entry) => entry.source.startsWith("pulumi up") || entry.source.startsWith("apim-gateway-rotate"),
        );
        assert.ok(engineRuns.length >= 3, `${engineRuns.length} engine runs recorded`);
        for (const entry of engineRuns) {
            assert.doesNotMatch(entry.text, /Could not find entry point/, entry.source);
        }
    });
});
