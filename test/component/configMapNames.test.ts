import { strict as assert } from "node:assert";
import { build, fixture, gatewayContainer, hashedConfigMap, K8S, podSpec, resource } from "./support";

/**
 * The settings and custom CA ConfigMaps are named by their content, like the token Secret: a
 * change is a new name on the same logical resource, which Pulumi replaces create-before-delete.
 */
describe("SelfHostedGateway: ConfigMaps named by content", () => {
    it("gives the settings ConfigMap a new name when a setting changes, under the same logical resource", async () => {
        const a = await build({ configuration: { settings: { "net.server.http.forwarded.proto.enabled": "false" } } });
        const b = await build({ configuration: { settings: { "net.server.http.forwarded.proto.enabled": "true" } } });
        const nameA = hashedConfigMap(a.recorder, "contoso-gw-env").metadata.name;
        const nameB = hashedConfigMap(b.recorder, "contoso-gw-env").metadata.name;
        assert.notEqual(nameA, nameB);
        assert.equal(
            resource(a.recorder, K8S.configMap, nameA).name,
            resource(b.recorder, K8S.configMap, nameB).name,
            "same logical resource: Pulumi replaces it",
        );
        assert.deepEqual(
            gatewayContainer(b.recorder).envFrom,
            [{ configMapRef: { name: nameB } }],
            "the pod template follows the new name",
        );
    });

    it("keeps the name while the settings stay the same, and makes it immutable", async () => {
        const a = await build();
        const b = await build();
        assert.equal(
            hashedConfigMap(a.recorder, "contoso-gw-env").metadata.name,
            hashedConfigMap(b.recorder, "contoso-gw-env").metadata.name,
        );
        assert.equal(hashedConfigMap(a.recorder, "contoso-gw-env").immutable, true);
    });

    it("gives the custom CA ConfigMap a new name when the CAs change", async () => {
        const a = await build({ customCaCertificates: [fixture("private-root-ca.pem")] });
        const b = await build({ customCaCertificates: [fixture("private-root-ca.pem"), fixture("second-ca.pem")] });
        const nameA = hashedConfigMap(a.recorder, "contoso-gw-custom-ca").metadata.name;
        const nameB = hashedConfigMap(b.recorder, "contoso-gw-custom-ca").metadata.name;
        assert.notEqual(nameA, nameB);
        assert.equal(podSpec(b.recorder).volumes.find((v: { name: string }) => v.name === "custom-ca").configMap.name, nameB);
    });
});
