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
    if (args.type === "pulumi-nodejs:dynamic/apim-gateway:ChecksumKey") {
        // Checksums in a render are keyed with this placeholder, not the stack's secret key.
        return { key: Buffer.from("rendered offline").toString("base64") };
    }
    return {};
}

/** Mocks that record every resource and refuse invokes: a render must not depend on the cloud. */
export function recordingMocks(records: RecordedResource[]): pulumi.runtime.Mocks {
    return {
        newResource(args) {
            records.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
            const computed = computedState(args);
            return { id: (computed.id as string | undefined) ?? `${args.name}-id`, state: { ...args.inputs, ...computed } };
        },
        call(args) {
            throw new Error(`Rendering offline cannot run the invoke ${args.token}`);
        },
    };
}
