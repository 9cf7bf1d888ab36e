/**
 * node --import tsx bench/serve/ceiling-server.ts PORT DIGIT.png
 *
 * The ceiling for one process: bare node:http on 127.0.0.1 answering every request with the
 * same PNG, read once at start. Nothing is generated or encoded per request, so no server of
 * one process that does real work can answer faster on the same machine.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const [portText, pngPath] = process.argv.slice(2);
const port = Number(portText);
if (!Number.isInteger(port) || port < 1 || port > 65535 || !pngPath) {
  console.error('usage: ceiling-server.ts PORT DIGIT.png (PORT: an integer from 1 to 65535)');
  process.exit(2);
}
const png = readFileSync(pngPath);

const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length });
  response.end(png);
});
server.listen(port, '127.0.0.1');

const close = () => server.close(() => process.exit(0));
process.once('SIGINT', close);
process.once('SIGTERM', close);
