import { strict as assert } from "node:assert";
import { AzureCloudSettings, azureCloudEndpoints, resolveAzureCloud } from "../../components/token/cloud";
import { foreignCloud } from "../../rotation/azure/endpoints";

describe("Azure cloud resolution", () => {
    it("defaults to the public cloud", () => {
        assert.deepEqual(resolveAzureCloud(), {
            resourceManagerEndpoint: "https://management.azure.com",
            authorityHost: "https://login.microsoftonline.com",
            wellKnownAuthority: true,
        });
    });

    it("resolves AzureUSGovernment", () => {
        assert.deepEqual(resolveAzureCloud({ name: "AzureUSGovernment" }), {
            resourceManagerEndpoint: "https://management.usgovcloudapi.net",
            authorityHost: "https://login.microsoftonline.us",
            wellKnownAuthority: true,
        });
    });

    it("resolves AzureChinaCloud", () => {
        assert.deepEqual(resolveAzureCloud({ name: "AzureChinaCloud" }), {
            resourceManagerEndpoint: "https://management.chinacloudapi.cn",
            authorityHost: "https://login.chinacloudapi.cn",
            wellKnownAuthority: true,
        });
    });

    it("lets explicit URLs win over the named cloud, without trailing slashes", () => {
        assert.deepEqual(
            resolveAzureCloud({ name: "AzureChinaCloud", resourceManagerEndpoint: "https://management.local.azurestack.external/" }),
            {
                resourceManagerEndpoint: "https://management.local.azurestack.external",
                authorityHost: "https://login.chinacloudapi.cn",
                wellKnownAuthority: true,
            },
        );
    });

    it("drops every trailing slash, keeping a path", () => {
        assert.equal(
            resolveAzureCloud({ resourceManagerEndpoint: "https://arm.example//" }).resourceManagerEndpoint,
            "https://arm.example",
        );
        assert.equal(resolveAzureCloud({ authorityHost: "https://login.example/tenant/" }).authorityHost, "https://login.example/tenant");
    });

    it("marks a private authority as not well known (instance discovery must be off)", () => {
        const resolved = resolveAzureCloud({ authorityHost: "https://adfs.local.azurestack.external" });
        assert.equal(resolved.authorityHost, "https://adfs.local.azurestack.external");
        assert.equal(resolved.wellKnownAuthority, false);
    });

    it("rejects http endpoints, naming the setting", () => {
        assert.throws(
            () => resolveAzureCloud({ resourceManagerEndpoint: "http://127.0.0.1:8080" }),
            /azureCloud\.resourceManagerEndpoint must use https.*http:\/\/127\.0\.0\.1:8080/,
        );
        assert.throws(() => resolveAzureCloud({ authorityHost: "http://login.example" }), {
            message:
                'azureCloud.authorityHost must use https (Azure credentials are only sent over TLS); got "http://login.example". ' +
                "For a local test server, serve https with a trusted test certificate.",
        });
    });

    it("rejects a relative or malformed URL", () => {
        assert.throws(
            () => resolveAzureCloud({ resourceManagerEndpoint: "management.azure.com" }),
            /must be an absolute https URL.*got "management\.azure\.com"/,
        );
    });

    it("rejects URLs with a query or credentials", () => {
        assert.throws(
            () => resolveAzureCloud({ resourceManagerEndpoint: "https://management.azure.com/?x=1" }),
            /without credentials, query or fragment/,
        );
        for (const authorityHost of [
            "https://u:p@login.example",
            "https://u@login.example",
            "https://:p@login.example",
            "https://login.example/#x",
        ]) {
            assert.throws(() => resolveAzureCloud({ authorityHost }), {
                message:
                    "azureCloud.authorityHost must be a plain https base URL without credentials, query or fragment; " +
                    `got "${authorityHost}".`,
            });
        }
    });

    it("rejects an unknown cloud name, listing the known ones", () => {
        assert.throws(() => resolveAzureCloud({ name: "AzureGermanCloud" as never }), {
            message:
                'azureCloud.name "AzureGermanCloud" is not a known cloud: use one of AzureCloud, AzureUSGovernment, AzureChinaCloud, ' +
                "or set azureCloud.resourceManagerEndpoint and azureCloud.authorityHost explicitly.",
        });
    });

    describe("a cloud that differs from a known cloud in one endpoint only is another cloud", () => {
        const PUBLIC = azureCloudEndpoints.AzureCloud;
        const US_GOVERNMENT = azureCloudEndpoints.AzureUSGovernment;
        const FOREIGN_AUTHORITY = "https://login.attacker.example";
        const FOREIGN_ARM = "https://management.attacker.example";
        const cases: [string, AzureCloudSettings, { resourceManagerEndpoint: string; authorityHost: string }][] = [
            ["the public cloud with a foreign authority host", { authorityHost: FOREIGN_AUTHORITY }, PUBLIC],
            ["the public cloud's ARM endpoint with a foreign authority host", { ...PUBLIC, authorityHost: FOREIGN_AUTHORITY }, PUBLIC],
            ["the public cloud with a foreign ARM endpoint", { resourceManagerEndpoint: FOREIGN_ARM }, PUBLIC],
            ["the public cloud's authority host with a foreign ARM endpoint", { ...PUBLIC, resourceManagerEndpoint: FOREIGN_ARM }, PUBLIC],
            [
                "AzureUSGovernment with the public cloud's authority host",
                { name: "AzureUSGovernment", authorityHost: PUBLIC.authorityHost },
                US_GOVERNMENT,
            ],
            [
                "AzureUSGovernment with the public cloud's ARM endpoint",
                { name: "AzureUSGovernment", resourceManagerEndpoint: PUBLIC.resourceManagerEndpoint },
                US_GOVERNMENT,
            ],
        ];
        for (const [name, cloud, known] of cases) {
            it(`${name}: resolves to the endpoints it names, and a rotation at the known cloud's refuses it`, () => {
                const resolved = resolveAzureCloud(cloud);
                const expected = { ...known, ...cloud };
                assert.equal(resolved.resourceManagerEndpoint, expected.resourceManagerEndpoint);
                assert.equal(resolved.authorityHost, expected.authorityHost);
                assert.equal(resolved.wellKnownAuthority, expected.authorityHost !== FOREIGN_AUTHORITY);
                const refusal = foreignCloud(cloud, known) ?? "matched to the known cloud";
                const expectedStart =
                    `its outputs name the Azure cloud at ARM ${expected.resourceManagerEndpoint}, Entra ${expected.authorityHost}, ` +
                    `but this rotation uses ARM ${known.resourceManagerEndpoint}, Entra ${known.authorityHost} `;
                assert.equal(refusal.slice(0, expectedStart.length), expectedStart);
            });
        }

        it("the known cloud itself, by name or by its URLs, is matched", () => {
            assert.equal(foreignCloud(undefined, PUBLIC), undefined);
            assert.equal(foreignCloud({ name: "AzureCloud" }, PUBLIC), undefined);
            assert.equal(foreignCloud({ name: "AzureUSGovernment" }, US_GOVERNMENT), undefined);
            assert.equal(foreignCloud({ ...US_GOVERNMENT }, US_GOVERNMENT), undefined);
        });

        it("an authority host that differs from a known one only in its port is not well known", () => {
            assert.equal(resolveAzureCloud({ authorityHost: `${PUBLIC.authorityHost}:8443` }).wellKnownAuthority, false);
        });
    });
});
