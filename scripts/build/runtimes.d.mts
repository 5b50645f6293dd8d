export type RuntimeName = 'node' | 'bun';

export declare const runtimeVersions: { node20: string; node22: string; node24: string; bun: string };

export declare function installedRuntime(runtime: RuntimeName, version: string): string | undefined;

export declare function runtimeExecutable(runtime: RuntimeName, version: string): string;
