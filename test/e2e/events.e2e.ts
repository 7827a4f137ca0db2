/**
 * Issue 16 §2 on the real Pulumi engine: Azure's `GatewayTokenNearExpiry` event for the gateway of
 * one of two fresh stacks, written to a file as Event Grid delivers it, renews exactly that stack
 * through `apim-gateway-rotate --all --event FILE` (the built program, the HTTPS ARM emulator). An
 * event for a gateway no stack holds changes nothing and exits 1. Issue 23 §3: an event renews a
 * fresh token at most once per cooldown, read from the token's issue time in the stack: an event
 * right after the deploy, and the same event replayed after its renewal, are folded and change
 * nothing. Also (§3 of issue 16): the token Secret carries the token's facts as annotations, and
 * `--check --metrics-file` writes what Prometheus reads.
 */
import { strict as assert } from "node:assert";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { parse } from "yaml";
import { ROTATION_OUTPUT } from "../../components/contract/rotationContract";
import { renderedGateway } from "../../localenv/engine/renderedManifests";
import { explain, jsonReport, stackReport } from "./harness/rotationReport";
import { TOOLCHAIN_BUILD_TIMEOUT_MS } from "../../localenv/engine/toolchain";
import { GatewayStack, World, createWorld } from "../../localenv/engine/world";
import { GATEWAY_TOKEN_TYPE } from "../../components/token/typeToken";
import { STACK_TYPE, resourceOfType } from "../../localenv/engine/stackState";
import type { Deployment } from "@pulumi/pulumi/automation";

const unitOf = (outputs: Record<string, unknown>) => (outputs[ROTATION_OUTPUT] as Record<string, Record<string, string>>).gateway;

/**
 * The state as if its token had been issued `days` earlier, and nothing else: the GatewayToken's
 * `issuedAt` and the output repeating it move back; its expiry (and so the token ARM verifies) stays.
 */
function issuedEarlier(state: Deployment, days: number): Deployment {
    const moved = structuredClone(state);
    const earlier = (value: unknown) => new Date(Date.parse(String(value)) - days * 86_400_000).toISOString();
    const token = resourceOfType(moved, GATEWAY_TOKEN_TYPE).outputs as Record<string, unknown>;
    token.issuedAt = earlier(token.issuedAt);
    const unit = unitOf(resourceOfType(moved, STACK_TYPE).outputs as Record<string, unknown>);
    unit.tokenIssuedAt = earlier(unit.tokenIssuedAt);
    return moved;
}

/**
 * A near-expiry event as the Event Grid schema has it, one per gateway instance; the topic in upper
 * case (ARM ids are case-insensitive).
 */
function nearExpiryEvent(gatewayResourceId: string, instance: string, expiresAtUtc: string) {
    const service = gatewayResourceId.slice(0, gatewayResourceId.toLowerCase().lastIndexOf("/gateways/"));
    const gateway = gatewayResourceId.split("/").pop() ?? "";
    return {
        id: `near-expiry-${instance}`,
        topic: service.toUpperCase().replace("/SUBSCRIPTIONS/", "/subscriptions/"),
        subject: `/gateways/${gateway}/${instance}`,
        data: { gatewayInfo: { gatewayId: gateway, instanceId: instance }, tokenInfo: { expiresAtUtc } },
        eventType: "Microsoft.ApiManagement.GatewayTokenNearExpiry",
        dataVersion: "1",
        metadataVersion: "1",
        eventTime: new Date().toISOString(),
    };
}

describe("Azure's expiry events and the expiry metrics on the real Pulumi engine", function () {
    this.timeout(5 * 60_000);
    let world: World;
    let echo: GatewayStack;
    let foxtrot: GatewayStack;

    before(async function () {
        this.timeout(TOOLCHAIN_BUILD_TIMEOUT_MS + 10 * 60_000);
        world = await createWorld();
        echo = await world.deployGatewayStack("echo", "gw-events-1");
        foxtrot = await world.deployGatewayStack("foxtrot", "gw-events-2");
    });

    after(async () => {
        await world?.dispose();
    });

    const eventFile = (name: string, events: unknown[]) => {
        const file = path.join(world.project.dir, name);
        writeFileSync(file, JSON.stringify(events));
        return file;
    };

    it("annotates each token Secret with the token's expiry, renew-after and key type", async () => {
        const files = echo.rendered();
        const gateway = renderedGateway(files);
        const secret = parse(files.get(gateway.secretFile) ?? "") as { metadata: { annotations?: Record<string, string> } };
        const unit = unitOf(await echo.outputs());
        assert.deepEqual(secret.metadata.annotations, {
            "apim-gateway.pulumi.com/token-expires-at": unit.tokenExpiresAt,
            "apim-gateway.pulumi.com/token-renew-after": unit.tokenRenewAfter,
            "apim-gateway.pulumi.com/token-key-type": unit.tokenKeyType,
        });
    });

    it("an event for a token issued minutes ago (the deploy) is folded into that issuance: nothing changes, exit 0", async () => {
        const before = [unitOf(await echo.outputs()), unitOf(await foxtrot.outputs())];
        const issuedBefore = new Set(world.azure.emulators.arm.issuedTokens);
        const file = eventFile("just-deployed.json", [
            nearExpiryEvent(echo.gatewayResourceId, "gw-events-1-abc", before[0].tokenExpiresAt),
        ]);
        const run = await world.rotate(["--all", "--event", file, "--json"]);
        assert.equal(run.code, 0, explain(run));
        const report = jsonReport(run);
        assert.deepEqual(
            report.stacks.map((line) => [line.stack, line.result, line.forced]),
            [["echo", "not-due", false]],
        );
        assert.deepEqual(
            report.events?.map((event) => [event.result, event.foldedInto]),
            [["folded", [{ unit: "echo/gateway", issuedAt: before[0].tokenIssuedAt }]]],
        );
        assert.equal([...new Set(world.azure.emulators.arm.issuedTokens)].filter((token) => !issuedBefore.has(token)).length, 0);
        assert.deepEqual([unitOf(await echo.outputs()), unitOf(await foxtrot.outputs())], before);
    });

    it("a near-expiry event for echo's gateway (two instances) renews echo alone, although its token is fresh", async () => {
        // Issued two days ago, past the event cooldown; the same token, expiry and key (still valid, far from due).
        await world.importState(echo.name, issuedEarlier(await world.exportState(echo.name), 2));
        const echoBefore = unitOf(await echo.outputs());
        assert.equal(stackReport(jsonReport(await world.rotate(["--stack", "echo", "--check", "--json"])), "echo").result, "fresh");
        const foxtrotBefore = unitOf(await foxtrot.outputs());
        // Token checks regenerate each live token itself (the same value): count distinct values.
        const issuedBefore = new Set(world.azure.emulators.arm.issuedTokens);
        const file = eventFile("near-expiry.json", [
            nearExpiryEvent(echo.gatewayResourceId, "gw-events-1-abc", echoBefore.tokenExpiresAt),
            nearExpiryEvent(echo.gatewayResourceId, "gw-events-1-def", echoBefore.tokenExpiresAt),
        ]);

        const run = await world.rotate(["--all", "--event", file, "--json"]);
        assert.equal(run.code, 0, explain(run));
        const report = jsonReport(run);
        assert.deepEqual(
            report.stacks.map((line) => [line.stack, line.result, line.forced]),
            [["echo", "rotated", true]],
            "only the stack holding the event's gateway is renewed (and reported)",
        );
        assert.deepEqual(
            report.events?.map((event) => [event.result, event.stacks, event.instances]),
            [["matched", ["echo/gateway"], ["gw-events-1-abc", "gw-events-1-def"]]],
        );
        assert.match(stackReport(report, "echo").notes?.join() ?? "", /renewed on Azure's GatewayTokenNearExpiry event from 2 instance/);
        const issued = [...new Set(world.azure.emulators.arm.issuedTokens)].filter((token) => !issuedBefore.has(token));
        assert.equal(issued.length, 1, "one new token, for echo's gateway");

        const echoAfter = unitOf(await echo.outputs());
        assert.notEqual(echoAfter.tokenIssuedAt, echoBefore.tokenIssuedAt);
        assert.equal(echoAfter.tokenKeyType, echoBefore.tokenKeyType === "primary" ? "secondary" : "primary", "the other key");
        assert.deepEqual(unitOf(await foxtrot.outputs()), foxtrotBefore, "foxtrot untouched");
        const secret = parse(echo.rendered().get(renderedGateway(echo.rendered()).secretFile) ?? "") as {
            metadata: { annotations: Record<string, string> };
        };
        assert.equal(
            secret.metadata.annotations["apim-gateway.pulumi.com/token-expires-at"],
            echoAfter.tokenExpiresAt,
            "the new Secret carries the new token's facts",
        );
    });

    it("the same event replayed is folded into the renewal it caused: nothing changes, exit 0", async () => {
        const echoBefore = unitOf(await echo.outputs());
        const run = await world.rotate(["--all", "--event", path.join(world.project.dir, "near-expiry.json"), "--json"]);
        assert.equal(run.code, 0, explain(run));
        const report = jsonReport(run);
        assert.deepEqual(
            report.events?.map((event) => [event.result, event.foldedInto]),
            [["folded", [{ unit: "echo/gateway", issuedAt: echoBefore.tokenIssuedAt }]]],
        );
        assert.match(stackReport(report, "echo").notes?.join() ?? "", /folded into the renewal issued at/);
        assert.deepEqual(unitOf(await echo.outputs()), echoBefore);
    });

    it(
        "an event for a gateway no selected stack holds (foxtrot's, " + "with only echo selected) changes nothing and exits 1, naming it",
        async () => {
            const before = [unitOf(await echo.outputs()), unitOf(await foxtrot.outputs())];
            const file = eventFile("other-gateway.json", [
                nearExpiryEvent(foxtrot.gatewayResourceId, "gw-events-2-abc", new Date().toISOString()),
            ]);
            const run = await world.rotate(["--stack", "echo", "--event", file, "--json"]);
            assert.equal(run.code, 1, explain(run));
            const report = jsonReport(run);
            assert.deepEqual(report.stacks, []);
            assert.deepEqual(
                report.events?.map((event) => [event.result, event.gateway]),
                [["not-found", "gw-events-2"]],
            );
            assert.deepEqual([unitOf(await echo.outputs()), unitOf(await foxtrot.outputs())], before);
        },
    );

    it("`--check --metrics-file` writes one series per stack that Prometheus's text format parser reads", async () => {
        const file = path.join(world.project.dir, "apim-gateway-token.prom");
        const run = await world.rotate(["--all", "--check", "--metrics-file", file]);
        assert.equal(run.code, 0, explain(run));
        const families = parsePrometheusTextFormat(readFileSync(file, "utf8"));
        const expiration = families.find((family) => family.name === "apim_gateway_token_expiration_timestamp_seconds");
        const series = Object.fromEntries((expiration?.metrics ?? []).map((sample) => [sample.labels?.stack, Number(sample.value)]));
        assert.deepEqual(series, {
            echo: Date.parse(unitOf(await echo.outputs()).tokenExpiresAt) / 1000,
            foxtrot: Date.parse(unitOf(await foxtrot.outputs()).tokenExpiresAt) / 1000,
        });
        const status = families
            .find((family) => family.name === "apim_gateway_token_status")
            ?.metrics.filter((sample) => sample.value === "1");
        assert.deepEqual(status?.map((sample) => [sample.labels?.stack, sample.labels?.status]).sort(), [
            ["echo", "fresh"],
            ["foxtrot", "fresh"],
        ]);
    });
});
