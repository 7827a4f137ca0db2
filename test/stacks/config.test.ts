import * as assert from "node:assert/strict";
import { parseStackConfig, StackConfigError } from "../../stacks/config";

const required = { resourceGroupName: "rg", serviceName: "svc", gatewayId: "gw" };

function problems(raw: Record<string, string>): string {
    try {
        parseStackConfig(raw);
    } catch (err) {
        assert.ok(err instanceof StackConfigError, `expected a StackConfigError, got ${String(err)}`);
        return err.message;
    }
    assert.fail("the configuration was accepted");
}

describe("stack config", () => {
    it("takes strings as they are and structured values as JSON, the way the Pulumi CLI passes them", () => {
        const config = parseStackConfig({
            ...required,
            gatewayId: "12345",
            replicas: "3",
            existingGateway: "true",
            image: JSON.stringify({ tag: "2.11.1" }),
            resources: JSON.stringify({ requests: { cpu: 2, memory: "2Gi" } }),
        });
        assert.equal(config.gatewayId, "12345");
        assert.equal(config.replicas, 3);
        assert.equal(config.existingGateway, true);
        assert.deepEqual(config.image, { tag: "2.11.1" });
        assert.equal(config.resources?.requests?.cpu, "2", "a YAML number becomes a Kubernetes quantity string");
    });

    it("rejects a value of the wrong type, naming the key and the expected type", () => {
        const message = problems({ ...required, replicas: "three" });
        assert.match(message, /'apim-gateway:replicas'/);
        assert.match(message, /expected number/i);
    });

    it("rejects unknown keys at the top level and inside objects, naming each", () => {
        const message = problems({ ...required, replica: "3", image: JSON.stringify({ tagg: "2.11.1" }) });
        assert.match(message, /unknown key 'apim-gateway:replica'/);
        assert.match(message, /unknown key 'apim-gateway:image\.tagg'/);
    });

    it("reports every problem at once, including missing required keys", () => {
        const message = problems({ serviceName: "svc", profile: "staging", service: JSON.stringify({ type: "Ingress" }) });
        assert.match(message, /'apim-gateway:resourceGroupName'/);
        assert.match(message, /'apim-gateway:gatewayId'/);
        assert.match(message, /'apim-gateway:profile'/);
        assert.match(message, /'apim-gateway:service\.type'/);
        assert.match(message, /stacks\/Pulumi\.<stack>\.yaml/, "the message says where to fix it");
    });

    it("checks the auth mode's own keys", () => {
        const message = problems({ ...required, auth: JSON.stringify({ type: "workloadIdentity" }) });
        assert.match(message, /'apim-gateway:auth\.clientId'/);
    });
});
