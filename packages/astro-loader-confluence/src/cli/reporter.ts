/**
 * What the CLI prints, and where: results on stdout, progress and log lines on stderr. In a
 * terminal the export progress is one redrawn bar; in CI (`CI` set) or when stderr is not a
 * terminal it is a plain line every few seconds, so logs stay readable. Everything goes through
 * `redact`, so not even a bug elsewhere can print a registered secret.
 */
import { formatProgress, throttledProgress, type ProgressSnapshot } from '../sync/progress.ts';
import { redact } from '../redact.ts';

export interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Reporter {
  /** True when progress is drawn as a redrawn bar. */
  readonly interactive: boolean;
  /** A result line, on stdout. */
  out(text: string): void;
  /** A log line, on stderr. */
  info(text: string): void;
  warn(text: string): void;
  progress(p: ProgressSnapshot): void;
  /** Ends a progress bar, if one is drawn. */
  endProgress(): void;
}

export function isCi(env: Record<string, string | undefined>): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

export function createReporter(stdout: Stream, stderr: Stream, env: Record<string, string | undefined>): Reporter {
  const interactive = Boolean(stderr.isTTY) && !isCi(env);
  const started = Date.now();
  let barShown = false;
  const clearBar = () => {
    if (barShown) stderr.write('\r\x1b[2K');
  };
  let last: ProgressSnapshot | undefined;
  const drawBar = (p: ProgressSnapshot) => {
    const fraction = p.batchesTotal > 0 ? Math.min(1, p.batchesDone / p.batchesTotal) : 1;
    const width = 24;
    const filled = Math.round(fraction * width);
    const text = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${formatProgress(p, Date.now() - started)}`;
    const columns = stderr.columns ?? 100;
    stderr.write(`\r\x1b[2K${text.slice(0, Math.max(20, columns - 1))}`);
    barShown = true;
  };
  const plainProgress = throttledProgress((line) => stderr.write(`${line}\n`));
  const line = (stream: Stream, text: string) => {
    clearBar();
    stream.write(`${redact(text)}\n`);
    if (barShown && last) drawBar(last);
  };
  return {
    interactive,
    out: (text) => line(stdout, text),
    info: (text) => line(stderr, text),
    warn: (text) => line(stderr, `warning: ${text}`),
    progress(p) {
      last = p;
      if (interactive) drawBar(p);
      else plainProgress(p);
    },
    endProgress() {
      if (!barShown) return;
      stderr.write('\n');
      barShown = false;
      last = undefined;
    },
  };
}
