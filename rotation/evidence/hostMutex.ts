/**
 * One rotation at a time per stack on this host may judge, release and retry a stale stack lock.
 * The mutual exclusion is a listening abstract Unix socket (Linux): the kernel grants its name to
 * one process, and frees it when that process ends however it ends, so a killed rotation never
 * leaves it held, and no file in a shared directory can be planted or left behind. A file lock
 * cannot promise both in Node.js (no flock), and taking over a stale lock file is itself the race
 * this prevents. Abstract names are scoped to the network namespace: the containers of one pod,
 * which share the host name Pulumi records in a lock, share it too.
 */
import { createHash } from "node:crypto";
import { Server, createServer } from "node:net";
import type { HostHold, HostMutexRefusal } from "../policy/staleLock";

/** The abstract socket name of `key`'s mutex (a digest: any stack name fits). */
export function mutexName(key: string): string {
    return `\0apim-gateway-rotate/stack-lock/${createHash("sha256").update(key).digest("hex")}`;
}

/** Takes `key`'s mutex on this host without waiting, or says why not. */
export function tryHoldHostMutex(key: string, platform: NodeJS.Platform = process.platform): Promise<HostHold | HostMutexRefusal> {
    if (platform !== "linux") {
        return Promise.resolve("unsupported");
    }
    return new Promise((resolve, reject) => {
        const server: Server = createServer((connection) => connection.destroy());
        server.once("error", (error: NodeJS.ErrnoException) => (error.code === "EADDRINUSE" ? resolve("held") : reject(error)));
        server.listen({ path: mutexName(key), exclusive: true }, () => {
            server.unref();
            resolve({ release: () => new Promise<void>((done) => server.close(() => done())) });
        });
    });
}
