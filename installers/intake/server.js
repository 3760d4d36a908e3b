// OneTake intake: the official tus 1.0 server (@tus/server) with a file store, for candidates'
// bundles. Only creating and appending to uploads is allowed (no download, no delete), every
// request must carry the interview's token when one is set, and uploads above --max-size are
// refused before a byte is stored. Bundles arrive encrypted to the employer's key: this server
// never sees plain video. Start it with start.sh (which installs the pinned packages).
'use strict'

const http = require('node:http')
const path = require('node:path')
const fs = require('node:fs')
const crypto = require('node:crypto')
const {Server} = require('@tus/server')
const {FileStore} = require('@tus/file-store')

function usage(message) {
  process.stderr.write(`intake: ${message}\n`)
  process.stderr.write(
    'usage: start.sh --dir DIR --port PORT [--host HOST] [--token T] [--max-size BYTES]\n'
  )
  process.exit(2)
}

function parse(argv) {
  const options = {host: '127.0.0.1', token: process.env.ONETAKE_INTAKE_TOKEN || '', maxSize: 0}
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const value = argv[i + 1]
    if (!['--dir', '--port', '--host', '--token', '--max-size'].includes(flag)) {
      usage(`unknown option ${flag}`)
    }
    if (value === undefined) usage(`${flag} needs a value`)
    i++
    if (flag === '--dir') options.dir = path.resolve(value)
    if (flag === '--port') options.port = Number(value)
    if (flag === '--host') options.host = value
    if (flag === '--token') options.token = value
    if (flag === '--max-size') options.maxSize = Number(value)
  }
  if (!options.dir) usage('--dir is required')
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    usage('--port must be a port number')
  }
  if (!Number.isInteger(options.maxSize) || options.maxSize < 0) {
    usage('--max-size must be a whole number of bytes')
  }
  return options
}

function sameToken(given, wanted) {
  const a = Buffer.from(given)
  const b = Buffer.from(wanted)
  return a.length === b.length && crypto.timingSafeEqual(a, b)
}

const options = parse(process.argv.slice(2))
fs.mkdirSync(options.dir, {recursive: true, mode: 0o700})

const tus = new Server({
  path: '/files',
  datastore: new FileStore({directory: options.dir}),
  maxSize: options.maxSize || undefined,
  // Behind a reverse proxy the Location header must name the public address; the proxy
  // sets X-Forwarded-Host/Proto (see README).
  respectForwardedHeaders: process.env.ONETAKE_INTAKE_BEHIND_PROXY === '1',
})

const ALLOWED = new Set(['OPTIONS', 'HEAD', 'POST', 'PATCH'])

const server = http.createServer((req, res) => {
  const method = (req.headers['x-http-method-override'] || req.method || '').toUpperCase()
  if (!ALLOWED.has(method)) {
    res.writeHead(405, {'Content-Type': 'text/plain', Allow: [...ALLOWED].join(', ')})
    res.end('This server only receives uploads.\n')
    return
  }
  if (options.token && method !== 'OPTIONS') {
    const header = req.headers.authorization || ''
    const given = header.startsWith('Bearer ') ? header.slice(7) : ''
    if (!sameToken(given, options.token)) {
      res.writeHead(401, {'Content-Type': 'text/plain', 'Tus-Resumable': '1.0.0'})
      res.end('Wrong or missing upload token.\n')
      req.resume()
      return
    }
  }
  tus.handle(req, res)
})

server.listen(options.port, options.host, () => {
  const {port} = server.address()
  // Tests and scripts read this line to learn the port (with --port 0).
  process.stdout.write(`intake: listening on http://${options.host}:${port}/files/ ` +
    `(storing in ${options.dir})\n`)
})

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)))
}
