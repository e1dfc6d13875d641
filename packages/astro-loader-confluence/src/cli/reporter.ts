/**
 * What the CLI prints, and where: results on stdout, progress and log lines on stderr. In a
 * terminal the progress of each phase is one redrawn bar, ended as soon as the phase is done; in
 * CI (`CI` set) or when stderr is not a terminal it is a plain line every few seconds, so logs stay
 * readable. With `--json`, stdout carries one JSON document (the command's result, its warnings)
 * and every human line goes to stderr. Everything goes through `redact`, so not even a bug
 * elsewhere can print a registered secret.
 */
import { isFinished, ProgressClock, throttledProgress, type ProgressEvent } from '../sync/progress.ts';
import { redact } from '../redact.ts';

export interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Reporter {
  /** True when progress is drawn as a redrawn bar. */
  readonly interactive: boolean;
  /** True with `--json`: `out` lines go to stderr, `result` to stdout. */
  readonly json: boolean;
  /** A result line: stdout, or stderr with `--json`. */
  out(text: string): void;
  /** A log line, on stderr. */
  info(text: string): void;
  /** A warning, on stderr; with `--json` also listed in the document's `warnings`. */
  warn(text: string): void;
  progress(event: ProgressEvent): void;
  /** Ends a progress bar, if one is drawn. */
  endProgress(): void;
  /** With `--json`, writes `document` (plus `warnings`) to stdout as the run's one JSON document. */
  result(document: Record<string, unknown>): void;
}

export function isCi(env: Record<string, string | undefined>): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

export function createReporter(stdout: Stream, stderr: Stream, env: Record<string, string | undefined>, options: { json?: boolean } = {}): Reporter {
  const json = options.json ?? false;
  const interactive = Boolean(stderr.isTTY) && !isCi(env);
  const clock = new ProgressClock();
  const warnings: string[] = [];
  let bar: string | undefined;
  const clearBar = () => {
    if (bar !== undefined) stderr.write('\r\x1b[2K');
  };
  const drawBar = (event: ProgressEvent, text: string) => {
    const fraction = event.total ? Math.min(1, event.done / event.total) : 0;
    const width = 24;
    const filled = Math.round(fraction * width);
    bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text}`;
    const columns = stderr.columns ?? 100;
    stderr.write(`\r\x1b[2K${bar.slice(0, Math.max(20, columns - 1))}`);
  };
  const plainProgress = throttledProgress((line) => stderr.write(`${line}\n`));
  const endProgress = () => {
    if (bar === undefined) return;
    stderr.write('\n');
    bar = undefined;
  };
  const line = (stream: Stream, text: string) => {
    clearBar();
    stream.write(`${redact(text)}\n`);
    if (bar !== undefined) stderr.write(bar);
  };
  return {
    interactive,
    json,
    out: (text) => line(json ? stderr : stdout, text),
    info: (text) => line(stderr, text),
    warn: (text) => {
      warnings.push(redact(text));
      line(stderr, `warning: ${text}`);
    },
    progress(event) {
      if (!interactive) return plainProgress(event);
      drawBar(event, clock.line(event));
      // A finished phase's bar stays as it is; lines printed after it must not redraw it below them.
      if (isFinished(event)) endProgress();
    },
    endProgress,
    result(document) {
      if (!json) return;
      endProgress();
      stdout.write(`${redact(JSON.stringify({ ...document, warnings }, null, 2))}\n`);
    },
  };
}
