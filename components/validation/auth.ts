/** Rules for the auth mode and the access token. */
import { SelfHostedGatewayArgs } from "../args";
import { tokenRuleProblems } from "../token/policy";
import { checkRequiredInput, Problems } from "./checks";

export function checkAuth(args: SelfHostedGatewayArgs, p: Problems): void {
    const auth = args.auth;
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
    for (const rule of tokenRuleProblems(token.validityDays, token.renewBeforeDays)) {
        p.add(`token.${rule.property}`, rule.problem, rule.fix);
    }
}
