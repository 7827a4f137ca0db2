import * as pulumi from "@pulumi/pulumi";
import { BuildContext } from "../buildContext";
import { AuthWiring } from "./authWiring";
import { azureAdAppAuth } from "./azureAdAppAuth";
import { existingTokenSecretAuth } from "./existingTokenSecretAuth";
import { tokenAuth } from "./tokenAuth";
import { workloadIdentityAuth } from "./workloadIdentityAuth";

/** Creates what the configured auth mode needs and says how the pods use it. */
export function authWiringFor(context: BuildContext, gatewayResourceId: pulumi.Output<string>): AuthWiring {
    const auth = context.settings.auth;
    switch (auth.type) {
        case "token":
            return tokenAuth(context, auth.token, auth.azureCloud, gatewayResourceId);
        case "workloadIdentity":
            return workloadIdentityAuth(auth.clientId, auth.tenantId);
        case "azureAdApp":
            return azureAdAppAuth(context, auth);
        case "existingTokenSecret":
            return existingTokenSecretAuth(auth.secretName, auth.key);
    }
}
