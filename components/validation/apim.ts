/** Rules for the API Management side: service, gateway id, location, associations. */
import { SelfHostedGatewayArgs } from "../args";
import { checkRequiredInput, checkUniqueStrings, Problems } from "./checks";

/** API id characters refused by API Management. */
const API_ID = /^[^*#&+:<>?]{1,256}$/;

/**
 * API Management service names: 1 to 50 characters, letters, digits and hyphens, starting with a
 * letter and not ending with a hyphen (they become the host names `<name>.azure-api.net`).
 */
const SERVICE_NAME = /^[a-zA-Z](?:[a-zA-Z0-9-]{0,48}[a-zA-Z0-9])?$/;

/** API Management entity ids (gatewayId among them) refuse these characters and surrounding spaces. */
const ENTITY_ID = /^[^*#&+:<>?/\\%\s](?:[^*#&+:<>?/\\%]*[^*#&+:<>?/\\%\s])?$/;

/** A subscription id is a UUID. */
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function checkApim(args: SelfHostedGatewayArgs, p: Problems): void {
    checkRequiredInput(p, "resourceGroupName", args.resourceGroupName);
    checkRequiredInput(p, "serviceName", args.serviceName);
    if (typeof args.serviceName === "string" && args.serviceName !== "" && !SERVICE_NAME.test(args.serviceName)) {
        p.add(
            "serviceName",
            `"${args.serviceName}" is not an API Management service name (1 to 50 ` +
                `letters, digits and '-', starting with a letter, not ending with '-')`,
            "Give the service's name as the portal shows it, not its URL.",
        );
    }
    const id = args.gatewayId;
    if (id.length < 1 || id.length > 80) {
        p.add(
            "gatewayId",
            `must be 1 to 80 characters, got ${id.length}`,
            id.length === 0 ? "Set gatewayId to the gateway's name in API Management." : "Choose a shorter gateway id.",
        );
    } else if (id.toLowerCase() === "managed") {
        p.add("gatewayId", `must not be "managed" (reserved for the managed gateway)`, "Choose another gateway id.");
    } else if (!ENTITY_ID.test(id)) {
        p.add(
            "gatewayId",
            `"${id}" is not an API Management id: it must not contain * # & + : < > ? / \\ % or start or end with a space`,
            "Choose an id without these characters.",
        );
    }
    if (typeof args.subscriptionId === "string" && args.subscriptionId !== "" && !UUID.test(args.subscriptionId)) {
        p.add(
            "subscriptionId",
            `"${args.subscriptionId}" is not a subscription id (a UUID such as 00000000-0000-0000-0000-000000000000)`,
            "Copy the subscription id from the portal or `az account show --query id`.",
        );
    }
    if (args.existingGateway) {
        if (args.subscriptionId === undefined || args.subscriptionId === "") {
            p.add(
                "subscriptionId",
                "is required with existingGateway: true (the gateway's ARM id is built from it)",
                "Set subscriptionId to the API Management service's subscription.",
            );
        }
        for (const key of ["location", "description"] as const) {
            if (args[key] !== undefined) {
                p.add(
                    key,
                    "has no effect with existingGateway: true (the adopted gateway is not modified)",
                    `Remove ${key}, or let the component create the gateway.`,
                );
            }
        }
    } else {
        const location = args.location;
        if (location === undefined || location === null || typeof location !== "object") {
            p.add(
                "location",
                "is required when the component creates the gateway",
                'Set location: { name: "…" }, or existingGateway: true to adopt one.',
            );
        } else {
            checkRequiredInput(p, "location.name", location.name);
            for (const key of ["name", "city", "district", "countryOrRegion"] as const) {
                const value = location[key];
                if (typeof value === "string" && value.length > 256) {
                    p.add(`location.${key}`, `is ${value.length} characters; the API allows 256`, "Shorten it.");
                }
            }
        }
        if (typeof args.description === "string" && args.description.length > 1000) {
            p.add("description", `is ${args.description.length} characters; the API allows 1000`, "Shorten it.");
        }
    }
    checkUniqueStrings(p, "apiIds", args.apiIds, (id) => API_ID.test(id), "must be 1 to 256 characters without * # & + : < > ?");
    if (args.hostnameConfigurations !== undefined) {
        checkUniqueStrings(
            p,
            "hostnameConfigurations[].hostname",
            args.hostnameConfigurations.map((h) => h?.hostname),
            (h) => /^[A-Za-z0-9*][A-Za-z0-9.*-]*$/.test(h),
            "must be a hostname",
        );
        args.hostnameConfigurations.forEach((h, i) =>
            checkRequiredInput(p, `hostnameConfigurations[${i}].certificateId`, h?.certificateId),
        );
    }
    if (args.certificateAuthorities !== undefined) {
        checkUniqueStrings(
            p,
            "certificateAuthorities[].certificateId",
            args.certificateAuthorities.map((c) => c?.certificateId),
            (c) => c.length > 0,
            "must not be empty",
        );
    }
}
