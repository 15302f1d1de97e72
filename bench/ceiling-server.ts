/**
 * The ceiling: a bare node:http server that reads each request and answers 200 with a precomputed body
 * (a real vcoroute response of the scenario, so the same size), as app.ts writes its responses.
 * Usage: node ceiling-server.js <port> <body-file>. Prints "ready" when listening.
 */
import fs from 'node:fs';
import http from 'node:http';

const [portText, bodyFile] = process.argv.slice(2);
const body = fs.readFileSync(bodyFile!);
const headers = { 'content-type': 'application/json;charset=utf-8', 'content-length': body.length };

const server = http.createServer((req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => {
    res.writeHead(200, headers);
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(portText), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => process.exit(0));
