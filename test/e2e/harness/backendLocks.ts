/**
 * Stack locks of the local file backend, laid out as Pulumi's DIY backend writes them
 * (pkg/backend/diy/lock.go): `<backend>/.pulumi/locks/organization/<project>/<stack>/<id>.json`
 * holding `{pid, username, hostname, timestamp}`.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import * as path from "node:path";

/** What a lock file records about the process that took it. */
export interface LockContent {
    readonly pid: number;
    readonly username: string;
    readonly hostname: string;
    readonly timestamp: string;
}

function lockDir(backendDir: string, project: string, stack: string): string {
    return path.join(backendDir, ".pulumi", "locks", "organization", project, stack);
}

/** The stack's lock files and their contents. */
export function stackLocks(backendDir: string, project: string, stack: string): { file: string; content: LockContent }[] {
    const dir = lockDir(backendDir, project, stack);
    let names: string[];
    try {
        names = readdirSync(dir);
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") {
            return [];
        }
        throw error;
    }
    return names
        .filter((name) => name.endsWith(".json"))
        .map((name) => ({ file: path.join(dir, name), content: JSON.parse(readFileSync(path.join(dir, name), "utf8")) as LockContent }));
}

/** Takes the stack's lock as process `pid` of this host would; returns a function that releases it. */
export function holdStackLock(backendDir: string, project: string, stack: string, pid: number): () => void {
    const dir = lockDir(backendDir, project, stack);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${randomUUID()}.json`);
    const content: LockContent = { pid, username: userInfo().username, hostname: hostname(), timestamp: new Date().toISOString() };
    writeFileSync(file, JSON.stringify(content));
    return () => rmSync(file);
}
