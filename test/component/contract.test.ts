/** The rotation contract from a consumer's side: the public helper, several gateways, the renewal trigger. */
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { RENEWAL_TRIGGER_ENV, ROTATION_OUTPUT, SelfHostedGateway, parseRotationOutput, rotationOutputs } from "../../components";
import { rotationUnitOutput } from "../../components/contract/rotationOutputs";
import { BASE_ARGS } from "./support";
import { GATEWAY_TOKEN_TYPE } from "../../components/token/typeToken";
import { installMocks, promiseOf } from "../helpers/pulumiMocks";

const DAY = 24 * 60 * 60 * 1000;

describe("the rotation contract in the package", () => {
    afterEach(() => {
        delete process.env[RENEWAL_TRIGGER_ENV];
    });

    it("rotationOutputs keys several gateways as given, in plain text, parseable by the CLI", async () => {
        const recorder = await installMocks();
        const west = new SelfHostedGateway("west", { ...BASE_ARGS, gatewayId: "gw-west" });
        const north = new SelfHostedGateway("north", {
            ...BASE_ARGS,
            gatewayId: "gw-north",
            auth: { type: "workloadIdentity", clientId: "c" },
        });
        const output = rotationOutputs({ west, north });
        await recorder.settled();
        assert.equal(await pulumi.isSecret(output), false);
        const value = await promiseOf(output);
        assert.deepEqual(Object.keys(value).sort(), ["north", "west"]);
        const parsed = parseRotationOutput(value);
        assert.deepEqual(
            parsed.map((entry) => ("unit" in entry ? [entry.key, entry.unit.authType] : [entry.key, entry.error])),
            [
                ["north", "workloadIdentity"],
                ["west", "token"],
            ],
        );
        const westUnit = parsed.find((entry) => entry.key === "west");
        assert.ok(westUnit && "unit" in westUnit);
        assert.match(westUnit.unit.gatewayResourceId, /\/gateways\/gw-west$/);
        assert.match(westUnit.unit.targets?.deployment ?? "", /kubernetes:apps\/v1:Deployment::west-/);
        assert.equal(ROTATION_OUTPUT, "apimGatewayRotation");
    });

    it("a token unit carries each of its token's own values: expiry, renewal instant, issue instant, key, checksum, URNs", async () => {
        const recorder = await installMocks();
        const gateway = new SelfHostedGateway("edge", { ...BASE_ARGS, token: { validityDays: 20, renewBeforeDays: 5 } });
        await recorder.settled();
        const token = gateway.token;
        assert.ok(token && gateway.tokenSecret);
        const unit = await promiseOf(gateway.rotation);
        assert.equal(unit.tokenExpiresAt, await promiseOf(token.expiresAt));
        assert.equal(unit.tokenRenewAfter, await promiseOf(token.renewAfter));
        assert.equal(unit.tokenIssuedAt, await promiseOf(token.issuedAt));
        assert.equal(unit.tokenKeyType, await promiseOf(token.keyType));
        // The contract's checksum is the SHA-256 of the whole auth value, `GatewayKey <token>`.
        assert.equal(
            unit.tokenChecksum,
            createHash("sha256")
                .update(await promiseOf(token.token))
                .digest("hex"),
        );
        assert.deepEqual(unit.rotationTargets, {
            token: await promiseOf(token.urn),
            secret: await promiseOf(gateway.tokenSecret.urn),
            deployment: await promiseOf(gateway.deployment.urn),
        });
        // The fake token is valid 20 days from its issue and renewable 5 days before it expires.
        assert.equal(Date.parse(unit.tokenExpiresAt ?? "") - Date.parse(unit.tokenIssuedAt ?? ""), 20 * DAY);
        assert.equal(Date.parse(unit.tokenExpiresAt ?? "") - Date.parse(unit.tokenRenewAfter ?? ""), 5 * DAY);
    });

    it("a unit names its gateway's cloud only when one is set", async () => {
        const cloud = { name: "AzureUSGovernment" as const };
        const id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim/gateways/gw";
        assert.deepEqual(await promiseOf(rotationUnitOutput({ gatewayResourceId: id, authType: "workloadIdentity" })), {
            gatewayResourceId: id,
            authType: "workloadIdentity",
        });
        assert.deepEqual(await promiseOf(rotationUnitOutput({ gatewayResourceId: id, authType: "azureAdApp", azureCloud: cloud })), {
            gatewayResourceId: id,
            authType: "azureAdApp",
            azureCloud: cloud,
        });
    });

    it("keys one gateway by its resource name", async () => {
        const recorder = await installMocks();
        const gateway = new SelfHostedGateway("edge", BASE_ARGS);
        const output = rotationOutputs(gateway);
        await recorder.settled();
        assert.deepEqual(Object.keys(await promiseOf(output)), ["edge"]);
    });

    it("the component reads the renewal trigger itself unless token.renewalTrigger is given", async () => {
        process.env[RENEWAL_TRIGGER_ENV] = "2030-01-05T10:00:00.000Z";
        let recorder = await installMocks();
        new SelfHostedGateway("edge", BASE_ARGS);
        await recorder.settled();
        assert.equal(recorder.one(GATEWAY_TOKEN_TYPE).inputs.renewalTrigger, "2030-01-05T10:00:00.000Z");

        recorder = await installMocks();
        new SelfHostedGateway("edge", { ...BASE_ARGS, token: { renewalTrigger: "explicit" } });
        await recorder.settled();
        assert.equal(recorder.one(GATEWAY_TOKEN_TYPE).inputs.renewalTrigger, "explicit");

        delete process.env[RENEWAL_TRIGGER_ENV];
        recorder = await installMocks();
        new SelfHostedGateway("edge", BASE_ARGS);
        await recorder.settled();
        assert.equal(recorder.one(GATEWAY_TOKEN_TYPE).inputs.renewalTrigger, undefined);
    });
});
