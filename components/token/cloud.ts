/** Azure clouds with well-known endpoints. */
export const AZURE_CLOUD_NAMES = ["AzureCloud", "AzureUSGovernment", "AzureChinaCloud"] as const;
export type AzureCloudName = (typeof AZURE_CLOUD_NAMES)[number];

/**
 * Which Azure cloud the ARM calls (generate-token, regenerate-key) go to. Explicit URLs win over
 * the cloud's defaults; tests point both at a local HTTPS emulator.
 */
export interface AzureCloudSettings {
    /** Default `AzureCloud`. */
    name?: AzureCloudName;
    /** ARM endpoint, e.g. `https://management.usgovcloudapi.net`. Default: the cloud's. */
    resourceManagerEndpoint?: string;
    /** Entra authority host, e.g. `https://login.microsoftonline.us`. Default: the cloud's. */
    authorityHost?: string;
}

/** The endpoints a cloud setting resolves to, without trailing slashes. */
export interface ResolvedAzureCloud {
    resourceManagerEndpoint: string;
    authorityHost: string;
    /**
     * Whether `authorityHost` is one of the public clouds' login hosts. Entra instance discovery
     * only knows those; any other authority (Azure Stack, a private cloud, a test emulator) must
     * be used with instance discovery disabled or the credential refuses it.
     */
    wellKnownAuthority: boolean;
}

/** Endpoints of the clouds `az cloud list` names. */
export const azureCloudEndpoints: Readonly<Record<AzureCloudName, { resourceManagerEndpoint: string; authorityHost: string }>> = {
    AzureCloud: {
        resourceManagerEndpoint: "https://management.azure.com",
        authorityHost: "https://login.microsoftonline.com",
    },
    AzureUSGovernment: {
        resourceManagerEndpoint: "https://management.usgovcloudapi.net",
        authorityHost: "https://login.microsoftonline.us",
    },
    AzureChinaCloud: {
        resourceManagerEndpoint: "https://management.chinacloudapi.cn",
        authorityHost: "https://login.chinacloudapi.cn",
    },
};

/** Resolves a cloud setting to endpoints: explicit URLs win over the named cloud (default `AzureCloud`). */
export function resolveAzureCloud(settings?: AzureCloudSettings): ResolvedAzureCloud {
    const name = settings?.name ?? "AzureCloud";
    const defaults = azureCloudEndpoints[name];
    if (!defaults) {
        throw new Error(
            `azureCloud.name "${String(name)}" is not a known cloud: use one of ${Object.keys(azureCloudEndpoints).join(", ")}, ` +
                "or set azureCloud.resourceManagerEndpoint and azureCloud.authorityHost explicitly.",
        );
    }
    const authorityHost = httpsBaseUrl("azureCloud.authorityHost", settings?.authorityHost ?? defaults.authorityHost);
    const wellKnownHosts = Object.values(azureCloudEndpoints).map((cloud) => new URL(cloud.authorityHost).host);
    return {
        resourceManagerEndpoint: httpsBaseUrl(
            "azureCloud.resourceManagerEndpoint",
            settings?.resourceManagerEndpoint ?? defaults.resourceManagerEndpoint,
        ),
        authorityHost,
        wellKnownAuthority: wellKnownHosts.includes(new URL(authorityHost).host),
    };
}

/** Validates an endpoint URL (`input` names where it came from) and returns it without a trailing slash. */
export function httpsBaseUrl(input: string, value: string): string {
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        throw new Error(`${input} must be an absolute https URL such as https://management.usgovcloudapi.net; got "${value}".`);
    }
    if (url.protocol !== "https:") {
        throw new Error(
            `${input} must use https (Azure credentials are only sent over TLS); got "${value}". ` +
                "For a local test server, serve https with a trusted test certificate.",
        );
    }
    if (url.username || url.password || url.search || url.hash) {
        throw new Error(`${input} must be a plain https base URL without credentials, query or fragment; got "${value}".`);
    }
    return url.href.replace(/\/+$/, "");
}
