/**
 * Issue 17 §1 on the real engine: a stack's outputs rewritten in its state (export, edit, import)
 * to name another HTTPS host — a second pair of ARM/Entra emulators on 127.0.0.1, standing in for
 * an attacker's server, trusted by the rotation like the real ones — receive not one request,
 * neither from `--check` nor from a due rotation. The CLI's endpoints are the operator's flags.
 */
import { strict as assert } from "node:assert";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import type { Deployment } from "@pulumi/pulumi/automation";
import { ROTATION_OUTPUT } from "../../components/contract/rotationContract";
import { AzureEmulators, startAzureEmulators } from "../../localenv/azure";
import { rotateWith } from "./harness/rotateWith";
import { explain, jsonReport, stackReport } from "./harness/rotationReport";
import { TOOLCHAIN_BUILD_TIMEOUT_MS } from "../../localenv/engine/toolchain";
import { GatewayStack, World, createWorld } from "../../localenv/engine/world";

/** Days after issue when the 30-day token is inside its renewal window (renews 10 days before expiry). */
const DUE_DAYS = 25;

/** `state` with every unit of the contract output naming `attacker`'s endpoints. */
function forged(state: Deployment, attacker: AzureEmulators): Deployment {
    const deployment = structuredClone(state.deployment) as { resources: { type: string; outputs?: Record<string, unknown> }[] };
    const stack = deployment.resources.find((resource) => resource.type === "pulumi:pulumi:Stack");
    const units = stack?.outputs?.[ROTATION_OUTPUT] as Record<string, Record<string, unknown>> | undefined;
    assert.ok(units !== undefined && Object.keys(units).length > 0, "the stack exports the rotation contract");
    for (const unit of Object.values(units)) {
        unit.azureCloud = { resourceManagerEndpoint: attacker.armEndpoint, authorityHost: attacker.authorityHost };
    }
    return { ...state, deployment };
}

describe("endpoints from the operator on the real engine: forged outputs receive nothing", function () {
    this.timeout(10 * 60_000);
    let world: World;
    let attacker: AzureEmulators;
    let stack: GatewayStack;
    /** Both CAs: the rotation trusts the attacker's host as much as the real one, so nothing but its own choice keeps requests away. */
    let bothCas: string;

    before(async function () {
        this.timeout(TOOLCHAIN_BUILD_TIMEOUT_MS + 5 * 60_000);
        world = await createWorld();
        attacker = await startAzureEmulators({ trustInProcess: false });
        stack = await world.deployGatewayStack("forged", "gw1");
        bothCas = path.join(path.dirname(world.project.dir), "both-cas.pem");
        writeFileSync(bothCas, `${world.azure.emulators.caPem}\n${attacker.caPem}`);
        await world.importState("forged", forged(await world.exportState("forged"), attacker));
    });

    after(async () => {
        await attacker?.stop();
        await world?.dispose();
    });

    it("--check reports the unit failed, naming both endpoints; the forged host gets no request", async () => {
        attacker.requests.clear();
        const run = await rotateWith(world, ["--stack", "forged", "--check", "--json"], { env: { NODE_EXTRA_CA_CERTS: bothCas } });
        assert.equal(run.code, 1, explain(run));
        const report = stackReport(jsonReport(run), "forged");
        assert.equal(report.result, "failed");
        assert.ok(report.message?.includes(`ARM ${attacker.armEndpoint}, Entra ${attacker.authorityHost}`), report.message);
        assert.ok(
            report.message?.includes(
                `this rotation uses ARM ${world.azure.emulators.armEndpoint}, Entra ${world.azure.emulators.authorityHost}`,
            ),
            report.message,
        );
        assert.deepEqual(attacker.requests.entries, [], "not one request to the forged endpoints");
    });

    it("a due rotation reports the unit failed and changes nothing; the forged host gets no request", async () => {
        await stack.age(DUE_DAYS);
        world.setDaysPassed(DUE_DAYS);
        try {
            attacker.requests.clear();
            const issued = world.azure.emulators.arm.issuedTokens.length;
            const run = await rotateWith(world, ["--stack", "forged", "--json"], { env: { NODE_EXTRA_CA_CERTS: bothCas } });
            assert.equal(run.code, 1, explain(run));
            assert.equal(stackReport(jsonReport(run), "forged").result, "failed");
            assert.deepEqual(attacker.requests.entries, [], "not one request to the forged endpoints");
            assert.equal(world.azure.emulators.arm.issuedTokens.length, issued, "no token was issued: nothing was rotated");
        } finally {
            world.setDaysPassed(0);
        }
    });
});
