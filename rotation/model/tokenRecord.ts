/**
 * A GatewayToken resource as the stack's state records it. The token's own record is what the
 * key regeneration trusts for a unit's gateway: the contract output is written by the stack's
 * program and may name any gateway, while the token's state holds the gateway ARM issued the token
 * for (its provider writes `gatewayResourceId` into its outputs at issue).
 */
export type TokenRecord =
    | {
          /** The resource's URN (a unit's `rotationTargets.token`). */
          readonly urn: string;
          /** The gateway the token was issued for: its state's inputs and outputs agree on it. */
          readonly gatewayResourceId: string;
      }
    | {
          readonly urn: string;
          /** Why the record names no gateway (missing, or its inputs and outputs disagree). */
          readonly problem: string;
      };
