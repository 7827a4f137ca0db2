/**
 * Mutation scores per folder, from Stryker's mutant results: pure, so the arithmetic the goal rests
 * on is tested alone (scores.test.ts).
 */

/** The statuses Stryker reports (mutation-testing-report-schema). */
export type MutantStatus = "Killed" | "Survived" | "NoCoverage" | "Timeout" | "CompileError" | "RuntimeError" | "Ignored" | "Pending";

/** What the score needs of one mutant result. */
export interface ScoredMutant {
    readonly fileName: string;
    readonly status: MutantStatus;
}

/** One folder's counts and score. */
export interface FolderScore {
    readonly folder: string;
    readonly killed: number;
    readonly survived: number;
    /** Mutants no test ran: counted as survivors. */
    readonly noCoverage: number;
    /** Mutants the TypeScript checker or the runtime rejected: no test could see them, so not scored. */
    readonly invalid: number;
    /** Detected / (detected + undetected), in percent; undefined when nothing was scored. */
    readonly score: number | undefined;
}

/**
 * Stryker's own definition: detected (killed, timed out) over detected plus undetected (survived,
 * no coverage). Compile and runtime errors are mutants TypeScript or Node rejects, ignored ones were
 * excluded by configuration: neither is a test's merit or fault.
 */
export function folderScore(folder: string, mutants: readonly ScoredMutant[]): FolderScore {
    const prefix = `${folder.replace(/\/$/, "")}/`;
    const counts = { killed: 0, survived: 0, noCoverage: 0, invalid: 0 };
    for (const mutant of mutants) {
        if (!mutant.fileName.split("\\").join("/").startsWith(prefix)) continue;
        if (mutant.status === "Killed" || mutant.status === "Timeout") counts.killed++;
        else if (mutant.status === "Survived") counts.survived++;
        else if (mutant.status === "NoCoverage") counts.noCoverage++;
        else if (mutant.status === "CompileError" || mutant.status === "RuntimeError") counts.invalid++;
    }
    const scored = counts.killed + counts.survived + counts.noCoverage;
    return { folder, ...counts, score: scored === 0 ? undefined : (100 * counts.killed) / scored };
}

/** True when the folder meets the goal; a folder with nothing scored fails (a run that tested nothing proves nothing). */
export function meetsGoal(score: FolderScore, goal: number): boolean {
    return score.score !== undefined && score.score >= goal;
}
