// The web world's reference: eventsource-parser + JSON.parse, accumulating the same message.
import { readFileSync } from 'node:fs';
import { createParser } from 'eventsource-parser';

const bytes = readFileSync(process.argv[2]);
const decoder = new TextDecoder();
const blockSize = 64 * 1024;

const start = process.hrtime.bigint();
let content = '';
let usage = null;
let finish = null;
const parser = createParser({
  onEvent (event) {
    if (event.data === '[DONE]') return;
    const chunk = JSON.parse(event.data);
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices || []) {
      if (choice.delta && typeof choice.delta.content === 'string') content += choice.delta.content;
      if (choice.finish_reason) finish = choice.finish_reason;
    }
  },
});
for (let i = 0; i < bytes.length; i += blockSize)
  parser.feed(decoder.decode(bytes.subarray(i, i + blockSize), { stream: true }));
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(JSON.stringify({ seconds, content_length: Buffer.byteLength(content), finish, usage }));
