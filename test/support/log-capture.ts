import { Writable } from 'node:stream';

/** A stream to give a logger instead of stdout; `text` holds what was written, chunk by chunk. */
export function captureLog(): { text: string[]; stream: Writable } {
  const text: string[] = [];
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string, _encoding, done) {
      text.push(chunk);
      done();
    },
  });
  return { text, stream };
}
