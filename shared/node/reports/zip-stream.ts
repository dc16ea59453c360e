import { createWriteStream, type WriteStream } from 'node:fs';
import { crc32, createDeflateRaw } from 'node:zlib';

/**
 * A streaming ZIP writer, just enough for an XLSX: entries are deflated as
 * they are written (zlib runs on the thread pool, off the UI thread) and go
 * to disk with backpressure, so memory stays flat whatever the size. Sizes
 * and CRC follow each entry in a data descriptor. No ZIP64: an entry or the
 * file past 4 GiB is refused (a 1,048,576-row sheet is ~250 MB of XML).
 */
export class ZipStream {
  private readonly out: WriteStream;
  private offset = 0;
  private readonly central: Buffer[] = [];
  private entries = 0;
  private failed: Error | null = null;

  constructor(path: string, private readonly level = 1) {
    this.out = createWriteStream(path, { highWaterMark: 1 << 20 });
    this.out.on('error', (e) => (this.failed = e));
  }

  private async put(buf: Buffer): Promise<void> {
    if (this.failed) throw this.failed;
    this.offset += buf.length;
    if (!this.out.write(buf)) await new Promise<void>((r) => this.out.once('drain', () => r()));
  }

  /** Starts an entry; write its text, then `end()` it before the next. */
  async entry(name: string): Promise<ZipEntry> {
    const nameBytes = Buffer.from(name, 'utf8');
    const headerAt = this.offset;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0808, 6); // sizes in a data descriptor; UTF-8 name
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt16LE(nameBytes.length, 26);
    await this.put(Buffer.concat([local, nameBytes]));

    const deflate = createDeflateRaw({ level: this.level });
    let crc = 0;
    let size = 0;
    let compressed = 0;
    deflate.on('data', (chunk: Buffer) => {
      compressed += chunk.length;
      this.offset += chunk.length;
      if (!this.out.write(chunk)) {
        deflate.pause();
        this.out.once('drain', () => deflate.resume());
      }
    });
    const ended = new Promise<void>((resolve, reject) => {
      deflate.once('end', () => resolve());
      deflate.once('error', reject);
    });
    return {
      write: async (text: string) => {
        const buf = Buffer.from(text, 'utf8');
        crc = crc32(buf, crc);
        size += buf.length;
        if (!deflate.write(buf)) await new Promise<void>((r) => deflate.once('drain', () => r()));
      },
      end: async () => {
        deflate.end();
        await ended;
        if (size >= 0xffffffff || compressed >= 0xffffffff || this.offset >= 0xffffffff) throw new Error('zip: entry past 4 GiB');
        const descriptor = Buffer.alloc(16);
        descriptor.writeUInt32LE(0x08074b50, 0);
        descriptor.writeUInt32LE(crc >>> 0, 4);
        descriptor.writeUInt32LE(compressed, 8);
        descriptor.writeUInt32LE(size, 12);
        await this.put(descriptor);
        const cd = Buffer.alloc(46);
        cd.writeUInt32LE(0x02014b50, 0);
        cd.writeUInt16LE(20, 4);
        cd.writeUInt16LE(20, 6);
        cd.writeUInt16LE(0x0808, 8);
        cd.writeUInt16LE(8, 10);
        cd.writeUInt16LE(0, 12);
        cd.writeUInt16LE(0x21, 14);
        cd.writeUInt32LE(crc >>> 0, 16);
        cd.writeUInt32LE(compressed, 20);
        cd.writeUInt32LE(size, 24);
        cd.writeUInt16LE(nameBytes.length, 28);
        cd.writeUInt32LE(headerAt, 42);
        this.central.push(cd, nameBytes);
        this.entries++;
      },
    };
  }

  /** Writes the central directory and closes the file. */
  async close(): Promise<void> {
    const cdAt = this.offset;
    const cd = Buffer.concat(this.central);
    await this.put(cd);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.entries, 8);
    end.writeUInt16LE(this.entries, 10);
    end.writeUInt32LE(cd.length, 12);
    end.writeUInt32LE(cdAt, 16);
    await this.put(end);
    await new Promise<void>((resolve, reject) => {
      this.out.once('error', reject);
      this.out.end(() => resolve());
    });
    if (this.failed) throw this.failed;
  }

  /** Closes the file without finishing it (a cancelled export); the caller deletes it. */
  abort(): void {
    this.out.destroy();
  }
}

export interface ZipEntry {
  write(text: string): Promise<void>;
  end(): Promise<void>;
}
