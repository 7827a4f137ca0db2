import type { IncomingMessage, ServerResponse } from "node:http";
import { ArmEmulator, InjectedDelay, InjectedFailure, InjectedHang } from "./arm";
import { EmulatorClock } from "./clock";
import { readBody, sendJson } from "./http";
import { RequestLog } from "./requestLog";

/** Path prefix of the control API on the ARM server; never logged as an ARM request. */
export const controlPrefix = "/_emulator/";

/**
 * The test-control API of a standalone emulator (`serve.ts`), for tests in another process:
 * - `GET requests`: the request log;
 * - `POST clear-requests`;
 * - `POST token-status {token}` → `{valid, keyType}`;
 * - `POST clock {offsetMs}`;
 * - `POST inject-failure {status, times?, retryAfterSeconds?, operation?}`;
 * - `POST inject-delay {ms, times?, operation?}`; `POST inject-hang {times?, operation?}`;
 *   `GET held-requests` → `{count}` of requests held now; `POST clear-injected-failures`;
 * - `POST deny-access {gatewayResourceId}`.
 */
export function createControlHandler(state: { arm: ArmEmulator; clock: EmulatorClock; requests: RequestLog }) {
    return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
        const command = `${req.method} ${(req.url ?? "").slice(controlPrefix.length).split("?")[0]}`;
        const text = await readBody(req);
        const args = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
        switch (command) {
            case "GET requests":
                return sendJson(res, 200, state.requests.entries);
            case "POST clear-requests":
                state.requests.clear();
                break;
            case "POST token-status":
                return sendJson(res, 200, {
                    valid: state.arm.isTokenValid(String(args.token)),
                    keyType: state.arm.signingKeyType(String(args.token)) ?? null,
                });
            case "POST clock":
                state.clock.setOffset(Number(args.offsetMs));
                break;
            case "POST inject-failure":
                state.arm.injectFailure(args as unknown as InjectedFailure);
                break;
            case "POST inject-delay":
                state.arm.injectDelay(args as unknown as InjectedDelay);
                break;
            case "POST inject-hang":
                state.arm.injectHang(args as unknown as InjectedHang);
                break;
            case "POST clear-injected-failures":
                state.arm.clearInjectedFailures();
                break;
            case "GET held-requests":
                return sendJson(res, 200, { count: state.arm.heldRequests });
            case "POST deny-access":
                state.arm.denyAccess(String(args.gatewayResourceId));
                break;
            default:
                return sendJson(res, 404, { error: { code: "UnknownControlCommand", message: `Unknown control command: ${command}` } });
        }
        res.writeHead(204).end();
    };
}
