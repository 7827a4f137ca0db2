/** Rules for the auth mode and the access token. */
import { SelfHostedGatewayArgs } from "../args";
import { MAX_TOKEN_VALIDITY_DAYS } from "../constants";
import { DEFAULTS } from "../defaults";
import { isIntegerInRange } from "../formats";
import { checkEnum, checkRequiredInput, Problems } from "./checks";

export function checkAuth(args: SelfHostedGatewayArgs, p: Problems): void {
    const auth = args.auth;
    checkEnum(p, "auth.type", auth?.type, ["token", "workloadIdentity", "azureAdApp"]);
    const type = auth?.type ?? "token";
    if (auth?.type === "workloadIdentity") {
        checkRequiredInput(p, "auth.clientId", auth.clientId);
    }
    if (auth?.type === "azureAdApp") {
        checkRequiredInput(p, "auth.tenantId", auth.tenantId);
        checkRequiredInput(p, "auth.clientId", auth.clientId);
        checkRequiredInput(p, "auth.clientSecret", auth.clientSecret);
        if (typeof auth.authority === "string" && !auth.authority.startsWith("https://")) {
            p.add("auth.authority", `"${auth.authority}" is not an https URL`, 'Use e.g. "https://login.microsoftonline.com".');
        }
    }
    const token = args.token;
    if (token === undefined) {
        return;
    }
    if (type !== "token") {
        // renewalTrigger is an operational signal (the rotation program's environment), not
        // configuration, so a stack may pass it whatever the auth mode.
        const set = (["validityDays", "renewBeforeDays"] as const).filter((k) => token[k] !== undefined);
        if (set.length > 0) {
            p.add("token", `(${set.join(", ")}) applies only to token auth, but auth.type is "${type}"`, "Remove token, or use token auth.");
        }
        return;
    }
    if (token.validityDays !== undefined && !isIntegerInRange(token.validityDays, 1, MAX_TOKEN_VALIDITY_DAYS)) {
        p.add("token.validityDays", `must be a whole number of days from 1 to ${MAX_TOKEN_VALIDITY_DAYS} (the API's maximum), got ${String(token.validityDays)}`, `Use ${MAX_TOKEN_VALIDITY_DAYS} or less.`);
    }
    const validity = token.validityDays ?? DEFAULTS.token.validityDays;
    if (token.renewBeforeDays !== undefined) {
        if (!isIntegerInRange(token.renewBeforeDays, 0)) {
            p.add("token.renewBeforeDays", `must be a whole number of days of at least 0, got ${String(token.renewBeforeDays)}`, "Use e.g. 10.");
        } else if (token.renewBeforeDays >= validity) {
            p.add("token.renewBeforeDays", `(${token.renewBeforeDays}) must be less than token.validityDays (${validity}), or every token would be due at once`, "Lower renewBeforeDays.");
        }
    }
}
