/** The rotation contract from a consumer's side: the public helper, several gateways, the renewal trigger. */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { RENEWAL_TRIGGER_ENV, ROTATION_OUTPUT, SelfHostedGateway, parseRotationOutput, rotationOutputs } from "../../components";
import { BASE_ARGS } from "./support";
import { GATEWAY_TOKEN_TYPE } from "../../components/token/typeToken";
import { installMocks, promiseOf } from "../helpers/pulumiMocks";

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
