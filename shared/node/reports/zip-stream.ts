import archiver from 'archiver';
import { createWriteStream, type WriteStream } from 'node:fs';
import { PassThrough } from 'node:stream';

/**
 * The XLSX's ZIP, written by archiver as the sheets are produced: one entry
 * at a time, each fed through a stream with backpressure, deflated by zlib on
 * the thread pool, so memory stays flat whatever the size. archiver switches
 * to ZIP64 by itself past 4 GiB. Level 1: the XML is repetitive enough that
 * faster deflate loses little size and halves the time of a million rows.
 */
export class ZipStream {
  private readonly out: WriteStream;
  private readonly archive: archiver.Archiver;
  private failed: Error | null = null;
  private readonly done: Promise<void>;

  constructor(path: string, level = 1) {
    this.out = createWriteStream(path, { highWaterMark: 1 << 20 });
    this.archive = archiver('zip', { zlib: { level }, highWaterMark: 1 << 20 });
    const fail = (e: Error) => (this.failed ??= e);
    this.archive.on('error', fail);
    this.archive.on('warning', fail);
    this.out.on('error', fail);
    this.done = new Promise<void>((resolve, reject) => {
      this.out.once('close', () => (this.failed ? reject(this.failed) : resolve()));
      this.out.once('error', reject);
    });
    // An aborted export never awaits this; its failure must not go unhandled.
    this.done.catch(() => undefined);
    this.archive.pipe(this.out);
  }

  /** Starts an entry; write its text, then `end()` it before the next. */
  async entry(name: string): Promise<ZipEntry> {
    if (this.failed) throw this.failed;
    const body = new PassThrough({ highWaterMark: 1 << 20 });
    // archiver reads entries in order; `end` resolves once this one is consumed
    // so the caller never has two entries open at once.
    const consumed = new Promise<void>((resolve) => {
      const onEntry = (data: archiver.EntryData) => {
        if (data.name !== name) return;
        this.archive.off('entry', onEntry);
        resolve();
      };
      this.archive.on('entry', onEntry);
    });
    this.archive.append(body, { name, date: new Date(Date.UTC(1980, 0, 1)) });
    return {
      write: async (text: string) => {
        if (this.failed) throw this.failed;
        if (!body.write(text, 'utf8')) await new Promise<void>((r) => body.once('drain', () => r()));
      },
      end: async () => {
        body.end();
        await consumed;
        if (this.failed) throw this.failed;
      },
    };
  }

  /** Writes the central directory and closes the file. */
  async close(): Promise<void> {
    await this.archive.finalize();
    await this.done;
  }

  /** Closes the file without finishing it (a cancelled export); the caller deletes it. */
  abort(): void {
    this.archive.abort();
    this.out.destroy();
  }
}

export interface ZipEntry {
  write(text: string): Promise<void>;
  end(): Promise<void>;
}
