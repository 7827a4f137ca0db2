import { strict as assert } from "node:assert";
import { GATEWAY_TOKEN_TYPE } from "../../components/token/typeToken";
import { promiseOf } from "../helpers/pulumiMocks";
import { build, expectRejected } from "./support";

const GATEWAY = "azure-native:apimanagement:Gateway";
const API = "azure-native:apimanagement:GatewayApiEntityTag";
const HOSTNAME = "azure-native:apimanagement:GatewayHostnameConfiguration";
const CA = "azure-native:apimanagement:GatewayCertificateAuthority";

describe("SelfHostedGateway: API Management side", () => {
    it("creates the Gateway entity with its id, location and description", async () => {
        const { recorder } = await build({
            location: { name: "Contoso DC West", city: "Seattle", district: "WA", countryOrRegion: "USA" },
            description: "on-premises gateway",
        });
        assert.deepEqual(recorder.one(GATEWAY).inputs, {
            resourceGroupName: "rg-apim",
            serviceName: "contoso-apim",
            gatewayId: "contoso-gw",
            locationData: { name: "Contoso DC West", city: "Seattle", district: "WA", countryOrRegion: "USA" },
            description: "on-premises gateway",
        });
    });

    it("feeds the created gateway's ARM id to the token", async () => {
        const { gateway, recorder } = await build();
        const id = await promiseOf(gateway.gatewayResourceId);
        assert.equal(id, recorder.one(GATEWAY).id);
        assert.equal(recorder.one(GATEWAY_TOKEN_TYPE).inputs.gatewayResourceId, id);
    });

    it("associates each API with the gateway (one GatewayApiEntityTag per api id)", async () => {
        const { recorder } = await build({ apiIds: ["echo-api", "orders"] });
        const tags = recorder.ofType(API);
        assert.deepEqual(
            tags.map((t) => t.inputs),
            ["echo-api", "orders"].map((apiId) => ({
                resourceGroupName: "rg-apim",
                serviceName: "contoso-apim",
                gatewayId: "contoso-gw",
                apiId,
                provisioningState: "created",
            })),
        );
        assert.deepEqual(
            tags.map((t) => t.name),
            ["contoso-api-echo-api", "contoso-api-orders"],
        );
    });

    it("configures hostnames with safe TLS defaults (no TLS 1.0/1.1, HTTP/2 on)", async () => {
        const { recorder } = await build({
            hostnameConfigurations: [
                { hostname: "api.contoso.com", certificateId: "contoso-cert" },
                {
                    hostname: "legacy.contoso.com",
                    certificateId: "legacy-cert",
                    tls11Enabled: true,
                    negotiateClientCertificate: true,
                    http2Enabled: false,
                },
            ],
        });
        assert.deepEqual(
            recorder.ofType(HOSTNAME).map((h) => h.inputs),
            [
                {
                    resourceGroupName: "rg-apim",
                    serviceName: "contoso-apim",
                    gatewayId: "contoso-gw",
                    hcId: "api-contoso-com",
                    hostname: "api.contoso.com",
                    certificateId: "contoso-cert",
                    negotiateClientCertificate: false,
                    tls10Enabled: false,
                    tls11Enabled: false,
                    http2Enabled: true,
                },
                {
                    resourceGroupName: "rg-apim",
                    serviceName: "contoso-apim",
                    gatewayId: "contoso-gw",
                    hcId: "legacy-contoso-com",
                    hostname: "legacy.contoso.com",
                    certificateId: "legacy-cert",
                    negotiateClientCertificate: true,
                    tls10Enabled: false,
                    tls11Enabled: true,
                    http2Enabled: false,
                },
            ],
        );
    });

    it("adds certificate authorities, trusted by default", async () => {
        const { recorder } = await build({
            certificateAuthorities: [{ certificateId: "root-ca" }, { certificateId: "issuing-ca", isTrusted: false }],
        });
        assert.deepEqual(
            recorder.ofType(CA).map((c) => [c.inputs.certificateId, c.inputs.isTrusted, c.inputs.gatewayId]),
            [
                ["root-ca", true, "contoso-gw"],
                ["issuing-ca", false, "contoso-gw"],
            ],
        );
    });

    describe("adopting an existing gateway", () => {
        const adopt = { existingGateway: true, subscriptionId: "11111111-2222-3333-4444-555555555555", location: undefined };

        it("creates no Gateway resource and makes no invoke, building the ARM id from its parts", async () => {
            const { gateway, recorder } = await build({ ...adopt, apiIds: ["echo-api"] });
            assert.deepEqual(recorder.ofType(GATEWAY), []);
            assert.deepEqual(recorder.calls, []);
            const id =
                "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-apim/providers" +
                "/Microsoft.ApiManagement/service/contoso-apim/gateways/contoso-gw";
            assert.equal(await promiseOf(gateway.gatewayResourceId), id);
            assert.equal(recorder.one(GATEWAY_TOKEN_TYPE).inputs.gatewayResourceId, id);
            assert.equal(gateway.gateway, undefined);
            assert.equal(recorder.ofType(API).length, 1, "associations are still managed");
        });

        it("requires subscriptionId", async () => {
            await expectRejected({ existingGateway: true, location: undefined }, "`subscriptionId`", "existingGateway: true");
        });

        it("refuses location and description, which would silently not apply", async () => {
            await expectRejected(
                { ...adopt, location: { name: "x" }, description: "d" },
                "`location` has no effect",
                "`description` has no effect",
            );
        });
    });

    it("requires location when it creates the gateway", async () => {
        await expectRejected({ location: undefined }, "`location` is required", "existingGateway: true");
    });

    it("takes location fields of the API's 256 characters and a description of 1000", async () => {
        const { recorder } = await build({ location: { name: "x".repeat(256), city: "c".repeat(256) }, description: "d".repeat(1000) });
        assert.equal(recorder.one(GATEWAY).inputs.description.length, 1000);
    });

    it("refuses location fields over the API's 256 characters and descriptions over 1000", async () => {
        await expectRejected(
            { location: { name: "x".repeat(257) }, description: "d".repeat(1001) },
            "`location.name` is 257 characters",
            "`description` is 1001 characters",
        );
    });
});
