/** Rules for the auth mode and the access token. */
import { SelfHostedGatewayArgs } from "../args";
import { tokenRuleProblems } from "../token/policy";
import { LABEL_KEYS } from "../constants";
import { isConfigMapKey, isDns1123Subdomain } from "../formats";
import { checkAnnotations, checkLabels, checkRequiredInput, Problems } from "./checks";

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
    if (auth?.type === "existingTokenSecret") {
        checkRequiredInput(p, "auth.secretName", auth.secretName);
        if (typeof auth.secretName === "string" && auth.secretName !== "" && !isDns1123Subdomain(auth.secretName)) {
            p.add("auth.secretName", `"${auth.secretName}" is not a Secret name`, "Give the name of the Secret in the gateway's namespace.");
        }
        if (auth.key !== undefined && !isConfigMapKey(auth.key)) {
            p.add("auth.key", `"${auth.key}" is not a valid Secret key`, 'Use the key holding "GatewayKey <token>" (default "value").');
        }
    }
    const account = args.serviceAccount;
    if (account?.existingName !== undefined) {
        if (!isDns1123Subdomain(account.existingName)) {
            p.add("serviceAccount.existingName", `"${account.existingName}" is not a ServiceAccount name`, "Give the name of an existing ServiceAccount in the namespace.");
        }
        for (const key of ["annotations", "labels"] as const) {
            if (account[key] !== undefined) {
                p.add(`serviceAccount.${key}`, "has no effect with serviceAccount.existingName (the component does not modify it)", `Set them on the existing ServiceAccount, or remove ${key}.`);
            }
        }
    }
    checkAnnotations(p, "serviceAccount.annotations", account?.annotations);
    checkLabels(p, "serviceAccount.labels", account?.labels, Object.values(LABEL_KEYS));
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
