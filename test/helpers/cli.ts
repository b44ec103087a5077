import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root, the working directory of every CLI run. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Arguments that run the CLI from source under tsx. */
const CLI_ARGS = ['--import', 'tsx', 'src/cli/main.ts'];

/** Upper bound on one CLI run, in milliseconds. A run over it is killed and fails the test. */
const CLI_TIMEOUT_MS = 60_000;

export interface CliResult {
  /** Exit code, or null when a signal ended the process. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Returns the parent environment without its MAAS_ variables, plus `env`, so that only `env`
 * configures the CLI.
 */
export function cliEnvironment(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('MAAS_')),
  );
  return { ...base, ...env };
}

/** Starts `maas <args>` as a child process in the repository root. */
export function spawnCli(args: readonly string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [...CLI_ARGS, ...args], {
    cwd: REPO_ROOT,
    env: cliEnvironment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs `maas <args>` to completion and returns its exit code and output. */
export function runCli(args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`maas ${args.join(' ')} timed out after ${CLI_TIMEOUT_MS} ms`));
    }, CLI_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
