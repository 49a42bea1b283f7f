import { systemClock, type Clock } from '../keap/clock.js';
import { AirbyteOutput } from './airbyte-output.js';
import type { Dialect } from './args.js';
import type { LoadedConfig } from './config.js';
import { readJsonObject } from './json-file.js';
import { Redactor } from './redact.js';
import { signalExitCode } from './interrupt.js';
import { codeOf, persistConfig, persistElsewhere } from './config-file.js';
import type { Runtime } from './runtime.js';
import { StderrLog } from './stderr.js';
import { LineWriter } from './writer.js';

/**
 * What every command shares: the one stdout writer, the redactor, stderr, and (once the config is
 * read) the Keap runtime whose token rotations are handed back the way the dialect expects.
 * The config's validation and the runtime (the HTTP layer, the Keap client) are loaded when first
 * asked for: `spec`, `--about` and a run refused for its arguments never pay for them.
 */
export class Session {
  readonly redactor = new Redactor();
  readonly writer: LineWriter;
  readonly stderr: StderrLog;
  readonly airbyte: AirbyteOutput;

  constructor(
    readonly dialect: Dialect,
    readonly clock: Clock = systemClock,
    out: NodeJS.WritableStream = process.stdout,
    /** Where log lines go (tests keep them off the console). */
    err: { write(text: string): unknown } = process.stderr,
  ) {
    this.writer = new LineWriter(out as never);
    this.stderr = new StderrLog(this.redactor, err);
    this.airbyte = new AirbyteOutput(this.writer, this.redactor, () => this.clock.now());
  }

  /** A rotated token the config could not take (Singer): which config, and where it went instead. */
  private unsaved: { file: string | undefined; where: string | undefined } | undefined;
  private readonly lastWords = new Set<(signal: NodeJS.Signals) => void>();
  private stopping = false;

  /**
   * SIGTERM and SIGINT stop the run with its last words out: what is pending in the output buffer
   * (records, a state, a rotated token), then what onStop() callers say (the streams' INCOMPLETE
   * status), then exit 128 + the signal's number. A second signal exits at once.
   */
  handleSignals(): void {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => this.stop(signal));
  }

  /** Registers what to say if a signal stops the run; returns the unregistration. */
  onStop(say: (signal: NodeJS.Signals) => void): () => void {
    this.lastWords.add(say);
    return () => this.lastWords.delete(say);
  }

  private stop(signal: NodeJS.Signals): void {
    const code = signalExitCode(signal);
    if (this.stopping) process.exit(code);
    this.stopping = true;
    for (const say of this.lastWords) say(signal);
    this.stderr.line(`tap-infusionsoft: stopped by ${signal}`);
    // Nothing the run still does (a page arriving, a retry) may print after its last words.
    this.writer.seal();
    // A consumer that stopped reading must not keep the process alive.
    setTimeout(() => process.exit(code), 5_000);
    void this.writer.end().finally(() => process.exit(code));
  }

  /** A log line in the dialect's place: Airbyte LOG messages, Singer stderr. */
  log(level: 'INFO' | 'WARN' | 'ERROR' | 'DEBUG', message: string): void {
    if (this.dialect === 'airbyte') this.airbyte.log(level, message);
    else this.stderr.line(`${level === 'WARN' ? 'WARNING' : level} ${message}`);
  }

  async loadConfig(sources: string[]): Promise<LoadedConfig> {
    const loaded = (await import('./config.js')).loadConfig(sources);
    const { secretsOf } = await import('../keap/auth.js');
    this.redactor.add(...secretsOf(loaded.settings.credentials));
    return loaded;
  }

  async runtime(loaded: LoadedConfig, quick = false): Promise<Runtime> {
    const { buildRuntime } = await import('./runtime.js');
    return buildRuntime(loaded, {
      clock: this.clock,
      redactor: this.redactor,
      quick,
      log: (level, message) => this.log(level, message),
      metric: (metric, value, tags) => this.stderr.metric('timer', metric, value, tags),
      onRotate: (config) => this.rotated(loaded, config),
      settle: () => this.writer.settle(),
    });
  }

  /**
   * Keap rotated the refresh token: the old one no longer works, so the new one must reach
   * whoever stores the config. Airbyte: a CONTROL message (the platform persists it). Singer and
   * plain runs: the config file, rewritten atomically. Airbyte runs also rewrite the file when they
   * can, for `docker run` users without a platform.
   */
  private rotated(loaded: LoadedConfig, config: Record<string, unknown>): Promise<void> {
    if (this.dialect === 'airbyte') this.airbyte.control(config);
    this.persistRotated(loaded, config);
    // The request that needed the new token waits until the CONTROL message is out.
    return this.writer.settle();
  }

  private persistRotated(loaded: LoadedConfig, config: Record<string, unknown>): void {
    const file = loaded.credentialsFile;
    let own: Record<string, unknown> = { credentials: config['credentials'] };
    let why: string;
    if (file !== undefined) {
      try {
        // Only the file that holds the credentials is rewritten, and only its own keys with the new
        // credentials: settings merged in from other --config files stay where they were.
        own = { ...readJsonObject(file), credentials: config['credentials'] };
        persistConfig(file, own);
        this.unsaved = undefined;
        return;
      } catch (err) {
        why = `could not rewrite ${file} with the rotated refresh token (${codeOf(err)})`;
      }
    } else why = 'Keap rotated the refresh token, but the config came from the environment';
    // Airbyte: the CONTROL message is the way back; the file is a courtesy to `docker run` users.
    if (this.dialect === 'airbyte') {
      if (file !== undefined) this.log('WARN', why);
      return;
    }
    // Singer: the config file is the only way back. Never the token on stderr: where it is.
    let where: string | undefined;
    try {
      where = persistElsewhere(own, this.unsaved?.where);
    } catch {
      where = undefined;
    }
    this.unsaved = { file, where };
    this.log(
      'ERROR',
      where
        ? `${why}; the new credentials are in ${where} (readable only by you): copy them into your config before the next run, or it fails with 'Invalid Refresh Token'`
        : `${why}, nor saved anywhere else; the next run will fail: authorize again with 'tap-infusionsoft auth'`,
    );
  }

  /**
   * The run's exit code, made non-zero when a rotated refresh token could not be saved where the
   * next run reads it: exit 0 would let a scheduler carry on into a run that cannot sign in.
   */
  exitCode(code: number): number {
    if (this.unsaved === undefined) return code;
    const config = this.unsaved.file ?? 'the environment';
    this.stderr.line(
      this.unsaved.where
        ? `tap-infusionsoft: the rotated refresh token is not in ${config}: copy it from ${this.unsaved.where} before the next run`
        : `tap-infusionsoft: the rotated refresh token is not in ${config} and could not be saved; authorize again before the next run`,
    );
    return code === 0 ? 1 : code;
  }
}
