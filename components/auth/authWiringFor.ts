import * as pulumi from "@pulumi/pulumi";
import { ResolvedSettings } from "../settings";
import { AuthWiring } from "./authWiring";
import { azureAdAppAuth } from "./azureAdAppAuth";
import { tokenAuth } from "./tokenAuth";
import { workloadIdentityAuth } from "./workloadIdentityAuth";

/** Creates what the configured auth mode needs and says how the pods use it. */
export function authWiringFor(
    name: string,
    settings: ResolvedSettings,
    gatewayResourceId: pulumi.Output<string>,
    namespace: pulumi.Output<string>,
    parent: pulumi.Resource,
): AuthWiring {
    const auth = settings.auth;
    switch (auth.type) {
        case "token":
            return tokenAuth(name, { token: auth.token, azureCloud: auth.azureCloud, gatewayResourceId, namespace, settings }, parent);
        case "workloadIdentity":
            return workloadIdentityAuth(auth.clientId, auth.tenantId);
        case "azureAdApp":
            return azureAdAppAuth(
                name,
                { tenantId: auth.tenantId, clientId: auth.clientId, clientSecret: auth.clientSecret, authority: auth.authority, namespace, settings },
                parent,
            );
    }
}
