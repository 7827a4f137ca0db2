import { strict as assert } from "node:assert";
import { resolveAzureCloud } from "../../components/token/cloud";

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
        assert.throws(() => resolveAzureCloud({ authorityHost: "http://login.example" }), /azureCloud\.authorityHost must use https/);
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
        assert.throws(() => resolveAzureCloud({ authorityHost: "https://u:p@login.example" }), /without credentials, query or fragment/);
    });

    it("rejects an unknown cloud name, listing the known ones", () => {
        assert.throws(
            () => resolveAzureCloud({ name: "AzureGermanCloud" as never }),
            /azureCloud\.name "AzureGermanCloud" is not a known cloud: use one of AzureCloud, AzureUSGovernment, AzureChinaCloud/,
        );
    });
});
