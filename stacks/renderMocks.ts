import * as pulumi from "@pulumi/pulumi";
import { TOKEN_DEFAULTS } from "../components/token/policy";

/** A resource the program registered, with its inputs as the engine would receive them. */
export interface RecordedResource {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

/** Placeholder ids: rendering never talks to Azure, so nothing here is a real subscription. */
const RENDER_SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000";
const DAY_MS = 24 * 60 * 60 * 1000;
/** Stands in for ids Azure assigns (an identity's client id) in a render. */
const RENDER_PLACEHOLDER_ID = "<assigned-by-azure>";

/**
 * The one invoke a render answers: the keyless set-up's check of the API Management instance. A
 * render cannot read Azure, so it assumes the instance passes (`pulumi preview` and `up` check it
 * for real) and says so in its header.
 */
export const INSTANCE_CHECK_INVOKE = "azure-native:apimanagement:getApiManagementService";

function placeholderInstance(inputs: Record<string, unknown>): Record<string, unknown> {
    return {
        id:
            `/subscriptions/${RENDER_SUBSCRIPTION_ID}/resourceGroups/${String(inputs.resourceGroupName)}` +
            `/providers/Microsoft.ApiManagement/service/${String(inputs.serviceName)}`,
        name: inputs.serviceName,
        identity: { type: "SystemAssigned", principalId: RENDER_PLACEHOLDER_ID, tenantId: RENDER_PLACEHOLDER_ID },
    };
}

/** What the engine would compute for the resources whose outputs the program reads. */
function computedState(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
    const inputs = args.inputs as Record<string, unknown>;
    if (args.type === "azure-native:apimanagement:Gateway") {
        return {
            id:
                `/subscriptions/${RENDER_SUBSCRIPTION_ID}/resourceGroups/${String(inputs.resourceGroupName)}` +
                `/providers/Microsoft.ApiManagement/service/${String(inputs.serviceName)}/gateways/${String(inputs.gatewayId)}`,
        };
    }
    if (args.type === "pulumi-nodejs:dynamic/apim-gateway:GatewayToken") {
        const now = Date.now();
        const validityDays = Number(inputs.validityDays ?? TOKEN_DEFAULTS.validityDays);
        const renewBeforeDays = Number(inputs.renewBeforeDays ?? TOKEN_DEFAULTS.renewBeforeDays);
        return {
            token: "GatewayKey <rendered-offline>",
            keyType: "primary",
            issuedAt: new Date(now).toISOString(),
            expiresAt: new Date(now + validityDays * DAY_MS).toISOString(),
            renewAfter: new Date(now + (validityDays - renewBeforeDays) * DAY_MS).toISOString(),
        };
    }
    if (args.type === "azure-native:managedidentity:UserAssignedIdentity") {
        // The pods' client id is the identity's, known only once Azure creates it.
        return {
            clientId: RENDER_PLACEHOLDER_ID,
            principalId: RENDER_PLACEHOLDER_ID,
            tenantId: RENDER_PLACEHOLDER_ID,
            name: inputs.resourceName,
        };
    }
    if (args.type === "pulumi-nodejs:dynamic/apim-gateway:ChecksumKey") {
        // Checksums in a render are keyed with this placeholder, not the stack's secret key.
        return { key: Buffer.from("rendered offline").toString("base64") };
    }
    return {};
}

/** Mocks that record every resource and refuse invokes but the instance check: a render must not depend on the cloud. */
export function recordingMocks(records: RecordedResource[], invokes: string[] = []): pulumi.runtime.Mocks {
    return {
        newResource(args) {
            records.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
            const computed = computedState(args);
            return { id: (computed.id as string | undefined) ?? `${args.name}-id`, state: { ...args.inputs, ...computed } };
        },
        call(args) {
            invokes.push(args.token);
            if (args.token === INSTANCE_CHECK_INVOKE) {
                return placeholderInstance(args.inputs as Record<string, unknown>);
            }
            throw new Error(`Rendering offline cannot run the invoke ${args.token}`);
        },
    };
}
