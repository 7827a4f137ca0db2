/** Rules for the auth mode and the access token. */
import { AzureAdAppAuthArgs, SelfHostedGatewayArgs, WorkloadIdentityAuthArgs } from "../args";
import { tokenRuleProblems } from "../token/policy";
import { LABEL_KEYS, NAMESPACE_DEFAULT_SERVICE_ACCOUNT } from "../constants";
import { isConfigMapKey, isDns1123Subdomain } from "../formats";
import { checkAnnotations, checkLabels, checkRequiredInput, Problems } from "./checks";

export function checkAuth(args: SelfHostedGatewayArgs, p: Problems): void {
    const auth = args.auth;
    const type = auth?.type ?? "token";
    if (auth?.type === "workloadIdentity") {
        checkWorkloadIdentity(auth, p);
        checkWorkloadIdentityAccount(args, p);
    }
    if (auth?.type === "azureAdApp") {
        checkRequiredInput(p, "auth.tenantId", auth.tenantId);
        checkRequiredInput(p, "auth.clientId", auth.clientId);
        checkAppCredential(auth, p);
        if (typeof auth.authority === "string" && !auth.authority.startsWith("https://")) {
            p.add("auth.authority", `"${auth.authority}" is not an https URL`, 'Use e.g. "https://login.microsoftonline.com".');
        }
        if (auth.roles) {
            checkRequiredInput(p, "auth.roles.principalId", auth.roles.principalId);
        }
    }
    if (auth?.type === "existingTokenSecret") {
        checkRequiredInput(p, "auth.secretName", auth.secretName);
        if (typeof auth.secretName === "string" && auth.secretName !== "" && !isDns1123Subdomain(auth.secretName)) {
            p.add(
                "auth.secretName",
                `"${auth.secretName}" is not a Secret name`,
                "Give the name of the Secret in the gateway's namespace.",
            );
        }
        if (auth.key !== undefined && !isConfigMapKey(auth.key)) {
            p.add("auth.key", `"${auth.key}" is not a valid Secret key`, 'Use the key holding "GatewayKey <token>" (default "value").');
        }
    }
    const account = args.serviceAccount;
    if (account?.existingName !== undefined) {
        if (!isDns1123Subdomain(account.existingName)) {
            p.add(
                "serviceAccount.existingName",
                `"${account.existingName}" is not a ServiceAccount name`,
                "Give the name of an existing ServiceAccount in the namespace.",
            );
        }
        for (const key of ["annotations", "labels"] as const) {
            if (account[key] !== undefined) {
                p.add(
                    `serviceAccount.${key}`,
                    "has no effect with serviceAccount.existingName (the component does not modify it)",
                    `Set them on the existing ServiceAccount, or remove ${key}.`,
                );
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
            p.add(
                "token",
                `(${set.join(", ")}) applies only to token auth, but auth.type is "${type}"`,
                "Remove token, or use token auth.",
            );
        }
        return;
    }
    for (const rule of tokenRuleProblems(token.validityDays, token.renewBeforeDays)) {
        p.add(`token.${rule.property}`, rule.problem, rule.fix);
    }
}

/** Workload identity: one source of the client id, and what the created pieces need. */
function checkWorkloadIdentity(auth: WorkloadIdentityAuthArgs, p: Problems): void {
    const created = auth.managedIdentity !== undefined;
    if (created && auth.clientId !== undefined) {
        p.add(
            "auth.clientId",
            "is set, but auth.managedIdentity creates the identity whose client id the gateway uses",
            "Remove one of them.",
        );
    } else if (!created) {
        checkRequiredInput(p, "auth.clientId", auth.clientId);
    }
    const federation = auth.federatedCredential;
    if (federation) {
        if (created && federation.identity !== undefined) {
            p.add(
                "auth.federatedCredential.identity",
                "names an existing identity, but auth.managedIdentity creates the one to federate",
                "Remove one of them.",
            );
        } else if (!created && federation.identity === undefined) {
            p.add(
                "auth.federatedCredential",
                "has no identity to add the credential to",
                "Set auth.managedIdentity to create one, or auth.federatedCredential.identity to name an existing one.",
            );
        }
        checkRequiredInput(p, "auth.federatedCredential.issuerUrl", federation.issuerUrl);
        if (typeof federation.issuerUrl === "string" && federation.issuerUrl !== "" && !federation.issuerUrl.startsWith("https://")) {
            p.add(
                "auth.federatedCredential.issuerUrl",
                `"${federation.issuerUrl}" is not an https URL`,
                "Use the cluster's OIDC issuer URL (AKS: az aks show … --query oidcIssuerProfile.issuerUrl).",
            );
        }
    }
    if (auth.managedIdentity) {
        checkRequiredInput(p, "auth.managedIdentity.location", auth.managedIdentity.location);
    }
    if (auth.roles) {
        if (created && auth.roles.principalId !== undefined) {
            p.add(
                "auth.roles.principalId",
                "is set, but the roles go to the identity auth.managedIdentity creates",
                "Remove auth.roles.principalId.",
            );
        } else if (!created) {
            checkRequiredInput(p, "auth.roles.principalId", auth.roles.principalId);
        }
    }
}

/**
 * The federated credential trusts a ServiceAccount, not a pod: with the namespace's `default`,
 * every pod there that names no ServiceAccount could sign in as the gateway.
 */
function checkWorkloadIdentityAccount(args: SelfHostedGatewayArgs, p: Problems): void {
    if (args.serviceAccount?.existingName !== NAMESPACE_DEFAULT_SERVICE_ACCOUNT) {
        return;
    }
    p.add(
        "serviceAccount.existingName",
        `is "${NAMESPACE_DEFAULT_SERVICE_ACCOUNT}", the namespace's own ServiceAccount: with workload identity every pod in the ` +
            "namespace that names no ServiceAccount runs as it and could sign in as the gateway",
        "Remove serviceAccount.existingName to let the component create the gateway's own ServiceAccount, " +
            "or name one that only the gateway's pods use.",
    );
}

/** An Entra app signs in with exactly one credential. */
function checkAppCredential(auth: AzureAdAppAuthArgs, p: Problems): void {
    const certificate = auth.clientCertificate;
    if (certificate !== undefined && auth.clientSecret !== undefined) {
        p.add("auth.clientCertificate", "and auth.clientSecret are both set; the gateway signs in with one", "Remove one of them.");
    } else if (certificate === undefined) {
        checkRequiredInput(p, "auth.clientSecret", auth.clientSecret);
    }
    if (certificate === undefined) {
        return;
    }
    checkRequiredInput(p, "auth.clientCertificate.secretName", certificate.secretName);
    if (typeof certificate.secretName === "string" && certificate.secretName !== "" && !isDns1123Subdomain(certificate.secretName)) {
        p.add(
            "auth.clientCertificate.secretName",
            `"${certificate.secretName}" is not a Secret name`,
            "Give the name of the Secret in the gateway's namespace.",
        );
    }
    if (certificate.key !== undefined && !isConfigMapKey(certificate.key)) {
        p.add(
            "auth.clientCertificate.key",
            `"${certificate.key}" is not a valid Secret key`,
            'Use the key holding the certificate file (default "certificate.pfx").',
        );
    }
}
