/**
 * Where the rotation signs in and calls ARM: decided by the operator (flags and environment),
 * never by a stack's outputs. Anyone who can write one stack's state could otherwise point the
 * authority host at a server of theirs and receive the rotation's client secret or federated
 * token. A unit whose outputs name another cloud is refused, naming both; nothing is sent to it.
 */
import {
    AZURE_CLOUD_NAMES,
    AzureCloudName,
    AzureCloudSettings,
    azureCloudEndpoints,
    httpsBaseUrl,
    resolveAzureCloud,
} from "../../components/token/cloud";

/** The environment variable `@azure/identity` reads for the authority host when none is given. */
export const AUTHORITY_HOST_ENV = "AZURE_AUTHORITY_HOST";

/** The endpoints the rotation uses, both explicit (no default left to a library). */
export interface AzureEndpoints {
    readonly resourceManagerEndpoint: string;
    readonly authorityHost: string;
}

/** What the operator said: `--azure-cloud`, `--arm-endpoint`, `--authority-host`, and the environment. */
export interface EndpointChoice {
    readonly azureCloud?: string;
    readonly armEndpoint?: string;
    readonly authorityHost?: string;
}

/**
 * The operator's endpoints: the public cloud by default; a named cloud's (`--azure-cloud`); or a
 * custom cloud's (`--arm-endpoint` with `--authority-host` or `$AZURE_AUTHORITY_HOST`). The
 * authority host, when not given by flag, is `$AZURE_AUTHORITY_HOST` as `@azure/identity` reads
 * it, else the cloud's. Throws an Error naming the flag and the fix.
 */
export function operatorEndpoints(choice: EndpointChoice, env: NodeJS.ProcessEnv): AzureEndpoints {
    const { azureCloud, armEndpoint, authorityHost } = choice;
    if (azureCloud !== undefined && !(AZURE_CLOUD_NAMES as readonly string[]).includes(azureCloud)) {
        throw new Error(
            `--azure-cloud must be one of ${AZURE_CLOUD_NAMES.join(", ")}, got "${azureCloud}" (for another cloud pass ` +
                `--arm-endpoint and --authority-host)`,
        );
    }
    if (azureCloud !== undefined && armEndpoint !== undefined) {
        throw new Error("use either --azure-cloud or --arm-endpoint (a custom cloud), not both");
    }
    const envAuthority = env[AUTHORITY_HOST_ENV] || undefined;
    if (armEndpoint !== undefined && authorityHost === undefined && envAuthority === undefined) {
        throw new Error(`--arm-endpoint needs the cloud's Entra authority: pass --authority-host URL (or set ${AUTHORITY_HOST_ENV})`);
    }
    if (authorityHost !== undefined && armEndpoint === undefined && azureCloud === undefined) {
        throw new Error(
            "--authority-host is for a custom cloud: pass its ARM endpoint with --arm-endpoint URL too (or name the cloud " +
                "with --azure-cloud)",
        );
    }
    const defaults = azureCloudEndpoints[(azureCloud ?? "AzureCloud") as AzureCloudName];
    return {
        resourceManagerEndpoint: httpsBaseUrl("--arm-endpoint", armEndpoint ?? defaults.resourceManagerEndpoint),
        authorityHost:
            authorityHost !== undefined
                ? httpsBaseUrl("--authority-host", authorityHost)
                : httpsBaseUrl(`$${AUTHORITY_HOST_ENV}`, envAuthority ?? defaults.authorityHost),
    };
}

/** The endpoints as `AzureCloudSettings`, for the ARM client (components/token/arm.ts). */
export function asCloudSettings(endpoints: AzureEndpoints): AzureCloudSettings {
    return { resourceManagerEndpoint: endpoints.resourceManagerEndpoint, authorityHost: endpoints.authorityHost };
}

function describe(endpoints: AzureEndpoints): string {
    return `ARM ${endpoints.resourceManagerEndpoint}, Entra ${endpoints.authorityHost}`;
}

/**
 * Why a unit whose outputs name `unitCloud` (absent: the public cloud) cannot be handled by a
 * rotation signed in at `operator`, or undefined when both are the same endpoints.
 */
export function foreignCloud(unitCloud: AzureCloudSettings | undefined, operator: AzureEndpoints): string | undefined {
    let named: AzureEndpoints;
    try {
        named = resolveAzureCloud(unitCloud);
    } catch (error) {
        return `its outputs name an Azure cloud that is not valid (${(error as Error).message}); no request was sent to it`;
    }
    if (named.resourceManagerEndpoint === operator.resourceManagerEndpoint && named.authorityHost === operator.authorityHost) {
        return undefined;
    }
    return (
        `its outputs name the Azure cloud at ${describe(named)}, but this rotation uses ${describe(operator)} ` +
        "(--azure-cloud, --arm-endpoint and --authority-host choose it, never the outputs): nothing was sent to the outputs' endpoints; " +
        "rotate this stack with its cloud's flags, or find out who changed its state"
    );
}
