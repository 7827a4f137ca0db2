/** Rules for the API Management side: service, gateway id, location, associations. */
import { SelfHostedGatewayArgs } from "../args";
import { checkRequiredInput, checkUniqueStrings, Problems } from "./checks";

/** API id characters refused by API Management. */
const API_ID = /^[^*#&+:<>?]{1,256}$/;

export function checkApim(args: SelfHostedGatewayArgs, p: Problems): void {
    checkRequiredInput(p, "resourceGroupName", args.resourceGroupName);
    checkRequiredInput(p, "serviceName", args.serviceName);
    const id = args.gatewayId;
    if (typeof id !== "string" || id.length < 1 || id.length > 80) {
        p.add("gatewayId", `must be 1 to 80 characters, got ${typeof id === "string" ? `${id.length} characters` : String(id)}`, "Choose a shorter gateway id.");
    } else if (id.toLowerCase() === "managed") {
        p.add("gatewayId", `must not be "managed" (reserved for the managed gateway)`, "Choose another gateway id.");
    }
    if (args.existingGateway !== undefined && typeof args.existingGateway !== "boolean") {
        p.add("existingGateway", "must be a boolean", "Use true to adopt an existing gateway.");
    }
    if (args.existingGateway) {
        if (args.subscriptionId === undefined || args.subscriptionId === "") {
            p.add("subscriptionId", "is required with existingGateway: true (the gateway's ARM id is built from it)", "Set subscriptionId to the API Management service's subscription.");
        }
        for (const key of ["location", "description"] as const) {
            if (args[key] !== undefined) {
                p.add(key, "has no effect with existingGateway: true (the adopted gateway is not modified)", `Remove ${key}, or let the component create the gateway.`);
            }
        }
    } else {
        const location = args.location;
        if (location === undefined || location === null || typeof location !== "object") {
            p.add("location", "is required when the component creates the gateway", 'Set location: { name: "…" }, or existingGateway: true to adopt one.');
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
        checkUniqueStrings(p, "hostnameConfigurations[].hostname", args.hostnameConfigurations.map((h) => h?.hostname), (h) => /^[A-Za-z0-9*][A-Za-z0-9.*-]*$/.test(h), "must be a hostname");
        args.hostnameConfigurations.forEach((h, i) => checkRequiredInput(p, `hostnameConfigurations[${i}].certificateId`, h?.certificateId));
    }
    if (args.certificateAuthorities !== undefined) {
        checkUniqueStrings(p, "certificateAuthorities[].certificateId", args.certificateAuthorities.map((c) => c?.certificateId), (c) => c.length > 0, "must not be empty");
    }
}
