/** Azure clouds with well-known endpoints. */
export type AzureCloudName = "AzureCloud" | "AzureUSGovernment" | "AzureChinaCloud";

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
